//! PostgreSQL implementation of `ChatStore`: conversations, members, group changes, chat lists.
use std::sync::Arc;

use async_trait::async_trait;
use sqlx::{Row, postgres::PgRow};

use super::super::{
    MessageStore, StoreError,
    chats::{Applied, Change, ChatAccess, ChatStore, ConvRow, MemberFlag, MemberRow, NewMessage, SummaryRow, SummaryScope},
    common_sql::{CONV_COLS, MISSED_CALL_FOR_VIEWER, like_escape, pair},
    group_commit::MarkKind,
    row_columns::{MEMBER_COLS, PEER, PREVIEW_COLS, READABLE, brief_at, member_row, message_row},
    states::MemberState,
    stored_text::{StoredText, sql_list, state_at},
};
use super::{
    PgStore,
    row_maps::conv_row,
    rows::{append, lock_for_write},
};

/// The chat-list statement. The viewer of each row is `mb.user_id`, so one statement serves a
/// person's list and "this chat as each of its members sees it" alike. The unread count stops
/// at 1000 so a long-unread chat costs no more than that; of system messages, it counts only
/// calls the viewer missed.
///
/// Two things spare PostgreSQL work per row that SQLite's copy of this statement does not need
/// (its index probes are cheaper): a chat read up to its last message (`last_seq`, which no
/// message's seq passes) has 0 unread without a scan of its messages; and the peer join looks
/// up members by `conversation_id` only for a direct chat (`CASE`: NULL, so no probe, for a
/// group), where `c.kind = 'direct'` as a join filter read all of a group's members to drop
/// them. Same rows either way.
///
/// Lists leave out (`HIDE_EMPTY`) a direct chat someone else opened but has not written in yet.
const HIDE_EMPTY: &str = "NOT (c.kind = 'direct' AND c.last_seq = 0 AND c.created_by <> mb.user_id)";

/// Newest activity first; within a second, by `ChatSummary::activity_key` (the last message's
/// id, or the chat's: both begin with their time in milliseconds), compared as bytes.
const ACTIVITY_KEY: &str = "COALESCE(m.id, c.id) COLLATE \"C\"";

fn activity_order() -> String {
    format!("ORDER BY c.last_activity_at DESC, {ACTIVITY_KEY} DESC")
}

fn summary_sql(filter: &str, tail: &str) -> String {
    format!(
        "SELECT mb.user_id AS viewer, {CONV_COLS}, mb.state AS my_state, mb.muted AS my_muted,
           CASE WHEN c.last_seq > mb.last_read_seq THEN
               (SELECT COUNT(*) FROM (SELECT 1 FROM messages x WHERE x.conversation_id = c.id AND x.seq > mb.last_read_seq
                AND (x.system IS NULL OR {MISSED_CALL_FOR_VIEWER}) AND x.sender_id IS DISTINCT FROM mb.user_id LIMIT 1000) AS unread_rows)
           ELSE 0 END AS unread,
           p.id AS p_id, p.username AS p_username, p.display_name AS p_display_name,
           CASE WHEN p.id IS NULL THEN FALSE
                WHEN EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = mb.user_id AND b.blocked_id = p.id) THEN FALSE
                WHEN EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = p.id AND b.blocked_id = mb.user_id) THEN FALSE
                WHEN p.last_seen_visibility = 'everyone' THEN TRUE
                WHEN p.last_seen_visibility = 'contacts' THEN EXISTS (SELECT 1 FROM contacts k
                     WHERE k.user_lo = LEAST(mb.user_id COLLATE \"C\", p.id) AND k.user_hi = GREATEST(mb.user_id COLLATE \"C\", p.id)
                       AND k.state = 'accepted')
                ELSE FALSE END AS p_visible,
           {PREVIEW_COLS}
         FROM members mb
         JOIN conversations c ON c.id = mb.conversation_id
         LEFT JOIN members pm ON pm.conversation_id = CASE WHEN c.kind = 'direct' THEN c.id END AND pm.user_id <> mb.user_id
         LEFT JOIN users p ON p.id = pm.user_id
         LEFT JOIN messages m ON m.conversation_id = c.id AND m.seq = c.last_seq
         LEFT JOIN users s ON s.id = m.sender_id
         WHERE mb.state IN {READABLE} AND {filter}
         {tail}"
    )
}

fn summary_row(r: &PgRow) -> Result<SummaryRow, StoreError> {
    Ok(SummaryRow {
        viewer: r.try_get("viewer")?,
        conv: conv_row(r)?,
        my_state: state_at(r, "my_state")?,
        muted: r.try_get("my_muted")?,
        unread: r.try_get("unread")?,
        peer: brief_at(r, PEER),
        peer_presence_visible: r.try_get("p_visible")?,
        last: message_row(r),
    })
}

const INSERT_MEMBER: &str = "INSERT INTO members (conversation_id, user_id, role, state, joined_at) VALUES ($1, $2, $3, $4, $5)";
const SET_STATE: &str = "UPDATE members SET state = $1 WHERE conversation_id = $2 AND user_id = $3";

#[async_trait]
impl ChatStore for PgStore {
    async fn conv(&self, chat_id: &str) -> Result<Option<ConvRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {CONV_COLS} FROM conversations c WHERE c.id = $1")).bind(chat_id).fetch_optional(self.pool()).await?;
        row.as_ref().map(conv_row).transpose()
    }

    async fn conv_by_group_id(&self, group_id: &str) -> Result<Option<ConvRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {CONV_COLS} FROM conversations c WHERE c.group_id = $1"))
            .bind(group_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(conv_row).transpose()
    }

    async fn membership(&self, chat_id: &str, user_id: &str) -> Result<Option<(ConvRow, MemberRow)>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {CONV_COLS}, {MEMBER_COLS} FROM members mb JOIN conversations c ON c.id = mb.conversation_id
             JOIN users u ON u.id = mb.user_id WHERE mb.conversation_id = $1 AND mb.user_id = $2"
        ))
        .bind(chat_id)
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| Ok((conv_row(&r)?, member_row(&r)?))).transpose()
    }

    async fn access(&self, chat_id: &str) -> Result<Option<Arc<ChatAccess>>, StoreError> {
        self.access.access(chat_id).await
    }

    async fn members(&self, chat_id: &str, states: &[MemberState]) -> Result<Vec<MemberRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {MEMBER_COLS} FROM members mb JOIN users u ON u.id = mb.user_id
             WHERE mb.conversation_id = $1 AND mb.state IN {} ORDER BY mb.joined_at, mb.user_id COLLATE \"C\"",
            sql_list(states)
        ))
        .bind(chat_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(member_row).collect()
    }

    async fn create_direct(&self, id: &str, me: &str, my_state: MemberState, other: &str, other_state: MemberState, now: i64) -> Result<(String, bool), StoreError> {
        let (lo, hi) = pair(me, other);
        let key = format!("{lo}:{hi}");
        let mut tx = self.pool().begin().await?;
        // A pair opening their chat at once on two servers: the second insert waits for the
        // first and then does nothing, and reads the first's chat.
        let done = sqlx::query(
            "INSERT INTO conversations (id, kind, direct_key, created_by, created_at, last_activity_at)
             VALUES ($1, 'direct', $2, $3, $4, $4) ON CONFLICT (direct_key) DO NOTHING",
        )
        .bind(id)
        .bind(&key)
        .bind(me)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            let existing: String = sqlx::query_scalar("SELECT id FROM conversations WHERE direct_key = $1").bind(&key).fetch_one(&mut *tx).await?;
            return Ok((existing, false));
        }
        for (user, state) in [(me, my_state), (other, other_state)] {
            sqlx::query(INSERT_MEMBER).bind(id).bind(user).bind("member").bind(state.text()).bind(now).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        self.chat_changed(id);
        Ok((id.to_owned(), true))
    }

    async fn create_group(&self, c: &ConvRow, system: &NewMessage) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO conversations (id, kind, group_id, name, description, public, created_by, created_at, last_activity_at)
             VALUES ($1, 'group', $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(&c.id)
        .bind(&c.group_id)
        .bind(&c.name)
        .bind(&c.description)
        .bind(c.public)
        .bind(&c.created_by)
        .bind(c.created_at)
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(false),
            Err(e) => return Err(e.into()),
        }
        sqlx::query(INSERT_MEMBER).bind(&c.id).bind(&c.created_by).bind("owner").bind("active").bind(c.created_at).execute(&mut *tx).await?;
        append(&mut tx, system).await?;
        tx.commit().await?;
        self.chat_changed(&c.id);
        Ok(true)
    }

    async fn delete_conv(&self, chat_id: &str) -> Result<(), StoreError> {
        // Members, messages, reactions and invitations go with it (ON DELETE CASCADE).
        sqlx::query("DELETE FROM conversations WHERE id = $1").bind(chat_id).execute(self.pool()).await?;
        self.chat_changed(chat_id);
        Ok(())
    }

    async fn apply(&self, chat_id: &str, changes: &[Change], system: Option<&NewMessage>, now: i64) -> Result<Applied, StoreError> {
        let mut tx = self.pool().begin().await?;
        lock_for_write(&mut tx, chat_id).await?;
        for change in changes {
            match change {
                Change::Join { user_id, role, limit } => {
                    let active: i64 = sqlx::query_scalar(
                        "SELECT COUNT(*) FROM members WHERE conversation_id = $1 AND state = 'active' AND user_id <> $2",
                    )
                    .bind(chat_id)
                    .bind(user_id)
                    .fetch_one(&mut *tx)
                    .await?;
                    if active >= i64::from(*limit) {
                        return Ok(Applied::Full);
                    }
                    // A newcomer starts with nothing unread; history stays readable.
                    sqlx::query(
                        "INSERT INTO members (conversation_id, user_id, role, state, joined_at, last_read_seq, last_delivered_seq)
                         SELECT $1, $2, $3, 'active', $4, last_seq, last_seq FROM conversations WHERE id = $1
                         ON CONFLICT (conversation_id, user_id) DO UPDATE SET role = excluded.role, state = 'active',
                             joined_at = excluded.joined_at, last_read_seq = excluded.last_read_seq,
                             last_delivered_seq = excluded.last_delivered_seq",
                    )
                    .bind(chat_id)
                    .bind(user_id)
                    .bind(role.text())
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    // Joining, by whatever door, answers any invitation.
                    sqlx::query("DELETE FROM group_invitations WHERE conversation_id = $1 AND user_id = $2")
                        .bind(chat_id)
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await?;
                }
                Change::UseInvite { token } => {
                    let done = sqlx::query(
                        "UPDATE group_invites SET uses = uses + 1 WHERE token = $1 AND conversation_id = $2 AND revoked_at IS NULL
                           AND (expires_at IS NULL OR expires_at > $3) AND (max_uses IS NULL OR uses < max_uses)",
                    )
                    .bind(token)
                    .bind(chat_id)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?;
                    if done.rows_affected() == 0 {
                        return Ok(Applied::InviteUnusable);
                    }
                }
                Change::SetState { user_id, state } => {
                    sqlx::query(SET_STATE).bind(state.text()).bind(chat_id).bind(user_id).execute(&mut *tx).await?;
                }
                Change::SetRole { user_id, role } => {
                    sqlx::query("UPDATE members SET role = $1 WHERE conversation_id = $2 AND user_id = $3")
                        .bind(role.text())
                        .bind(chat_id)
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await?;
                }
                Change::Edit { name, description, public } => {
                    sqlx::query("UPDATE conversations SET name = $1, description = $2, public = $3 WHERE id = $4")
                        .bind(name)
                        .bind(description)
                        .bind(public)
                        .bind(chat_id)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        if let Some(m) = system {
            append(&mut tx, m).await?;
        }
        tx.commit().await?;
        self.chat_changed(chat_id);
        match system {
            Some(m) => Ok(Applied::Done(self.message(&m.id).await?.map(Box::new))),
            None => Ok(Applied::Done(None)),
        }
    }

    async fn set_states(&self, chat_id: &str, states: &[(&str, MemberState)]) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        for (user, state) in states {
            sqlx::query(SET_STATE).bind(state.text()).bind(chat_id).bind(user).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        self.chat_changed(chat_id);
        Ok(())
    }

    async fn set_member_flag(&self, chat_id: &str, user_id: &str, flag: MemberFlag, on: bool) -> Result<(), StoreError> {
        sqlx::query(&format!("UPDATE members SET {} = $1 WHERE conversation_id = $2 AND user_id = $3", flag.column()))
            .bind(on)
            .bind(chat_id)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn mark_read(&self, chat_id: &str, user_id: &str, seq: i64) -> Result<i64, StoreError> {
        // Marks are frequent (every delivery and read) and go through the group commit.
        self.writer.mark(MarkKind::Read, chat_id, user_id, seq).await
    }

    async fn mark_delivered(&self, chat_id: &str, user_id: &str, seq: i64) -> Result<i64, StoreError> {
        self.writer.mark(MarkKind::Delivered, chat_id, user_id, seq).await
    }

    async fn marks_since(&self, chat_id: &str, since_ms: i64) -> Result<Vec<MemberRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {MEMBER_COLS} FROM members mb JOIN users u ON u.id = mb.user_id
             WHERE mb.conversation_id = $1 AND mb.marks_at > $2 ORDER BY mb.user_id COLLATE \"C\" LIMIT 2000"
        ))
        .bind(chat_id)
        .bind(since_ms)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(member_row).collect()
    }

    async fn last_seqs_of(&self, user_id: &str, states: &[MemberState]) -> Result<Vec<(String, i64)>, StoreError> {
        let rows = sqlx::query_as(&format!(
            "SELECT mb.conversation_id, c.last_seq FROM members mb JOIN conversations c ON c.id = mb.conversation_id
             WHERE mb.user_id = $1 AND mb.state IN {}",
            sql_list(states)
        ))
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows)
    }

    async fn summaries(&self, scope: SummaryScope<'_>) -> Result<Vec<SummaryRow>, StoreError> {
        let rows = match scope {
            SummaryScope::Viewer { user_id, cursor, limit, only_chat } => {
                let mut filter = String::from("mb.user_id = $1");
                let mut next = 2;
                if only_chat.is_none() {
                    filter = format!("{filter} AND {HIDE_EMPTY}");
                }
                if cursor.is_some() {
                    filter.push_str(&format!(
                        " AND (c.last_activity_at < $2 OR (c.last_activity_at = $2 AND {ACTIVITY_KEY} < $3))"
                    ));
                    next = 4;
                }
                if only_chat.is_some() {
                    filter.push_str(&format!(" AND c.id = ${next}"));
                    next += 1;
                }
                let sql = summary_sql(&filter, &format!("{} LIMIT ${next}", activity_order()));
                let mut q = sqlx::query(&sql).bind(user_id);
                if let Some((at, id)) = cursor {
                    q = q.bind(at).bind(id);
                }
                if let Some(chat) = only_chat {
                    q = q.bind(chat);
                }
                q.bind(i64::from(limit)).fetch_all(self.pool()).await?
            }
            SummaryScope::Members { chat_id } => {
                sqlx::query(&summary_sql(&format!("mb.conversation_id = $1 AND {HIDE_EMPTY}"), "")).bind(chat_id).fetch_all(self.pool()).await?
            }
        };
        rows.iter().map(summary_row).collect()
    }

    async fn chats_by_name(&self, me: &str, text: &str, limit: u32) -> Result<Vec<SummaryRow>, StoreError> {
        // PostgreSQL text cannot hold a NUL (the statement would fail), and SQLite's LIKE reads
        // its pattern only up to one: the text before it is what both look for.
        let text = text.split('\0').next().unwrap_or_default();
        // ILIKE: SQLite's LIKE ignores case too.
        let sql = summary_sql(
            &format!(
                "mb.user_id = $1 AND {HIDE_EMPTY} AND ((c.kind = 'group' AND c.name ILIKE $2 ESCAPE '\\')
                OR (c.kind = 'direct' AND (p.display_name ILIKE $2 ESCAPE '\\' OR p.username ILIKE $2 ESCAPE '\\')))"
            ),
            &format!("{} LIMIT $3", activity_order()),
        );
        let rows = sqlx::query(&sql)
            .bind(me)
            .bind(format!("%{}%", like_escape(text)))
            .bind(i64::from(limit))
            .fetch_all(self.pool())
            .await?;
        rows.iter().map(summary_row).collect()
    }
}

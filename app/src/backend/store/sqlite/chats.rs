//! SQLite implementation of `ChatStore`: conversations, members, group changes, chat lists.
use std::sync::Arc;

use async_trait::async_trait;
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use super::super::{
    SqliteStore, StoreError,
    chats::{Applied, Change, ChatAccess, ChatStore, ConvRow, MemberFlag, MemberRow, NewMessage, SummaryRow, SummaryScope},
    common_sql::MISSED_CALL_FOR_VIEWER,
    sqlite::rows::{CONV_COLS, MEMBER_COLS, PEER, PREVIEW_COLS, READABLE, append, brief_at, conv_row, like_escape, lock_for_write, member_row, message_row, pair},
    stored_text::{StoredText, sql_list, state_at},
    group_commit::MarkKind,
    states::MemberState,
};

/// The chat-list statement. The viewer of each row is `mb.user_id`, so one statement serves a
/// person's list and "this chat as each of its members sees it" alike. The unread count stops
/// at 1000 so a long-unread chat costs no more than that; of system messages, it counts only
/// calls the viewer missed.
///
/// Lists leave out (`HIDE_EMPTY`) a direct chat someone else opened but has not written in yet.
const HIDE_EMPTY: &str = "NOT (c.kind = 'direct' AND c.last_seq = 0 AND c.created_by <> mb.user_id)";

/// Newest activity first; within a second, by `ChatSummary::activity_key` (the last message's
/// id, or the chat's: both begin with their time in milliseconds).
const ACTIVITY_ORDER: &str = "ORDER BY c.last_activity_at DESC, COALESCE(m.id, c.id) DESC";

fn summary_sql(filter: &str, tail: &str) -> String {
    format!(
        "SELECT mb.user_id AS viewer, {CONV_COLS}, mb.state AS my_state, mb.muted AS my_muted,
           (SELECT COUNT(*) FROM (SELECT 1 FROM messages x WHERE x.conversation_id = c.id AND x.seq > mb.last_read_seq
                AND (x.system IS NULL OR {MISSED_CALL_FOR_VIEWER}) AND x.sender_id IS NOT mb.user_id LIMIT 1000)) AS unread,
           p.id AS p_id, p.username AS p_username, p.display_name AS p_display_name,
           CASE WHEN p.id IS NULL THEN 0
                WHEN EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = mb.user_id AND b.blocked_id = p.id) THEN 0
                WHEN EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = p.id AND b.blocked_id = mb.user_id) THEN 0
                WHEN p.last_seen_visibility = 'everyone' THEN 1
                WHEN p.last_seen_visibility = 'contacts' THEN EXISTS (SELECT 1 FROM contacts k
                     WHERE k.user_lo = MIN(mb.user_id, p.id) AND k.user_hi = MAX(mb.user_id, p.id) AND k.state = 'accepted')
                ELSE 0 END AS p_visible,
           {PREVIEW_COLS}
         FROM members mb
         JOIN conversations c ON c.id = mb.conversation_id
         LEFT JOIN members pm ON c.kind = 'direct' AND pm.conversation_id = c.id AND pm.user_id <> mb.user_id
         LEFT JOIN users p ON p.id = pm.user_id
         LEFT JOIN messages m ON m.conversation_id = c.id AND m.seq = c.last_seq
         LEFT JOIN users s ON s.id = m.sender_id
         WHERE mb.state IN {READABLE} AND {filter}
         {tail}"
    )
}

fn summary_row(r: &SqliteRow) -> Result<SummaryRow, StoreError> {
    Ok(SummaryRow {
        viewer: r.get("viewer"),
        conv: conv_row(r)?,
        my_state: state_at(r, "my_state")?,
        muted: r.get("my_muted"),
        unread: r.get("unread"),
        peer: brief_at(r, PEER),
        peer_presence_visible: r.get("p_visible"),
        last: message_row(r),
    })
}

#[async_trait]
impl ChatStore for SqliteStore {
    async fn conv(&self, chat_id: &str) -> Result<Option<ConvRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {CONV_COLS} FROM conversations c WHERE c.id = ?")).bind(chat_id).fetch_optional(self.pool()).await?;
        row.as_ref().map(conv_row).transpose()
    }

    async fn conv_by_group_id(&self, group_id: &str) -> Result<Option<ConvRow>, StoreError> {
        let row =
            sqlx::query(&format!("SELECT {CONV_COLS} FROM conversations c WHERE c.group_id = ?")).bind(group_id).fetch_optional(self.pool()).await?;
        row.as_ref().map(conv_row).transpose()
    }

    async fn membership(&self, chat_id: &str, user_id: &str) -> Result<Option<(ConvRow, MemberRow)>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {CONV_COLS}, {MEMBER_COLS} FROM members mb JOIN conversations c ON c.id = mb.conversation_id
             JOIN users u ON u.id = mb.user_id WHERE mb.conversation_id = ? AND mb.user_id = ?"
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
             WHERE mb.conversation_id = ? AND mb.state IN {} ORDER BY mb.joined_at, mb.user_id",
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
        let done = sqlx::query(
            "INSERT INTO conversations (id, kind, direct_key, created_by, created_at, last_activity_at)
             VALUES (?, 'direct', ?, ?, ?, ?) ON CONFLICT (direct_key) DO NOTHING",
        )
        .bind(id)
        .bind(&key)
        .bind(me)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            let existing: String = sqlx::query_scalar("SELECT id FROM conversations WHERE direct_key = ?").bind(&key).fetch_one(&mut *tx).await?;
            return Ok((existing, false));
        }
        for (user, state) in [(me, my_state), (other, other_state)] {
            sqlx::query("INSERT INTO members (conversation_id, user_id, role, state, joined_at) VALUES (?, ?, 'member', ?, ?)")
                .bind(id)
                .bind(user)
                .bind(state.text())
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.chat_changed(id);
        Ok((id.to_owned(), true))
    }

    async fn create_group(&self, c: &ConvRow, system: &NewMessage) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let inserted = sqlx::query(
            "INSERT INTO conversations (id, kind, group_id, name, description, public, created_by, created_at, last_activity_at)
             VALUES (?, 'group', ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&c.id)
        .bind(&c.group_id)
        .bind(&c.name)
        .bind(&c.description)
        .bind(c.public)
        .bind(&c.created_by)
        .bind(c.created_at)
        .bind(c.created_at)
        .execute(&mut *tx)
        .await;
        match inserted {
            Ok(_) => {}
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(false),
            Err(e) => return Err(e.into()),
        }
        sqlx::query("INSERT INTO members (conversation_id, user_id, role, state, joined_at) VALUES (?, ?, 'owner', 'active', ?)")
            .bind(&c.id)
            .bind(&c.created_by)
            .bind(c.created_at)
            .execute(&mut *tx)
            .await?;
        append(&mut tx, system).await?;
        tx.commit().await?;
        self.chat_changed(&c.id);
        Ok(true)
    }

    async fn delete_conv(&self, chat_id: &str) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        // Explicitly, so the full-text triggers see every message go.
        sqlx::query("DELETE FROM messages WHERE conversation_id = ?").bind(chat_id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM conversations WHERE id = ?").bind(chat_id).execute(&mut *tx).await?;
        tx.commit().await?;
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
                        "SELECT COUNT(*) FROM members WHERE conversation_id = ? AND state = 'active' AND user_id <> ?",
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
                         SELECT ?1, ?2, ?3, 'active', ?4, last_seq, last_seq FROM conversations WHERE id = ?1
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
                    sqlx::query("DELETE FROM group_invitations WHERE conversation_id = ? AND user_id = ?")
                        .bind(chat_id)
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await?;
                }
                Change::UseInvite { token } => {
                    let done = sqlx::query(
                        "UPDATE group_invites SET uses = uses + 1 WHERE token = ? AND conversation_id = ? AND revoked_at IS NULL
                           AND (expires_at IS NULL OR expires_at > ?) AND (max_uses IS NULL OR uses < max_uses)",
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
                    sqlx::query("UPDATE members SET state = ? WHERE conversation_id = ? AND user_id = ?")
                        .bind(state.text())
                        .bind(chat_id)
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await?;
                }
                Change::SetRole { user_id, role } => {
                    sqlx::query("UPDATE members SET role = ? WHERE conversation_id = ? AND user_id = ?")
                        .bind(role.text())
                        .bind(chat_id)
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await?;
                }
                Change::Edit { name, description, public } => {
                    sqlx::query("UPDATE conversations SET name = ?, description = ?, public = ? WHERE id = ?")
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
            Some(m) => Ok(Applied::Done(super::super::MessageStore::message(self, &m.id).await?.map(Box::new))),
            None => Ok(Applied::Done(None)),
        }
    }

    async fn set_states(&self, chat_id: &str, states: &[(&str, MemberState)]) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        for (user, state) in states {
            sqlx::query("UPDATE members SET state = ? WHERE conversation_id = ? AND user_id = ?")
                .bind(state.text())
                .bind(chat_id)
                .bind(user)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        self.chat_changed(chat_id);
        Ok(())
    }

    async fn set_member_flag(&self, chat_id: &str, user_id: &str, flag: MemberFlag, on: bool) -> Result<(), StoreError> {
        sqlx::query(&format!("UPDATE members SET {} = ? WHERE conversation_id = ? AND user_id = ?", flag.column()))
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
             WHERE mb.conversation_id = ? AND mb.marks_at > ? ORDER BY mb.user_id LIMIT 2000"
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
             WHERE mb.user_id = ? AND mb.state IN {}",
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
                let mut filter = String::from("mb.user_id = ?");
                if only_chat.is_none() {
                    filter = format!("{filter} AND {HIDE_EMPTY}");
                }
                if cursor.is_some() {
                    filter.push_str(" AND (c.last_activity_at < ? OR (c.last_activity_at = ? AND COALESCE(m.id, c.id) < ?))");
                }
                if only_chat.is_some() {
                    filter.push_str(" AND c.id = ?");
                }
                let sql = summary_sql(&filter, &format!("{ACTIVITY_ORDER} LIMIT ?"));
                let mut q = sqlx::query(&sql).bind(user_id);
                if let Some((at, id)) = cursor {
                    q = q.bind(at).bind(at).bind(id);
                }
                if let Some(chat) = only_chat {
                    q = q.bind(chat);
                }
                q.bind(limit).fetch_all(self.pool()).await?
            }
            SummaryScope::Members { chat_id } => {
                sqlx::query(&summary_sql(&format!("mb.conversation_id = ? AND {HIDE_EMPTY}"), "")).bind(chat_id).fetch_all(self.pool()).await?
            }
        };
        rows.iter().map(summary_row).collect()
    }

    async fn chats_by_name(&self, me: &str, text: &str, limit: u32) -> Result<Vec<SummaryRow>, StoreError> {
        let sql = summary_sql(
            &format!("mb.user_id = ?1 AND {HIDE_EMPTY} AND ((c.kind = 'group' AND c.name LIKE ?2 ESCAPE '\\')
                OR (c.kind = 'direct' AND (p.display_name LIKE ?2 ESCAPE '\\' OR p.username LIKE ?2 ESCAPE '\\')))"),
            &format!("{ACTIVITY_ORDER} LIMIT ?3"),
        );
        let rows =
            sqlx::query(&sql).bind(me).bind(format!("%{}%", like_escape(text))).bind(limit).fetch_all(self.pool()).await?;
        rows.iter().map(summary_row).collect()
    }
}

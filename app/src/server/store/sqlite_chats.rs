//! SQLite implementation of `ChatStore`: people's profiles, conversations, members, chat lists.
use async_trait::async_trait;
use sqlx::{Row, SqliteConnection, sqlite::SqliteRow};

use super::{
    SqliteStore, StoreError,
    chats::{Applied, Brief, Change, ChatStore, ConvRow, MemberRow, MessageRow, NewMessage, ProfileRow, Relation, ReplyRow, SummaryRow, SummaryScope},
};

/// States in which a member may read a chat (and it shows in their list).
pub(super) const READABLE: &str = "('active', 'incoming', 'outgoing', 'declined')";

pub(super) const CONV_COLS: &str = "c.id AS c_id, c.kind AS c_kind, c.group_id AS c_group_id, c.name AS c_name, \
    c.description AS c_description, c.public AS c_public, c.created_by AS c_created_by, c.created_at AS c_created_at, \
    c.last_seq AS c_last_seq, c.last_activity_at AS c_last_activity_at";

/// A message with its sender and the message it replies to (aliases `m`, `s`, `r`, `rs`).
pub(super) const MSG_COLS: &str = "m.id AS m_id, m.conversation_id AS m_chat, m.seq AS m_seq, m.body AS m_body, \
    m.system AS m_system, m.created_at AS m_created_at, m.edited_at AS m_edited_at, m.deleted AS m_deleted, \
    m.client_id AS m_client_id, s.id AS s_id, s.username AS s_username, s.display_name AS s_display_name, \
    r.id AS r_id, r.seq AS r_seq, r.body AS r_body, r.deleted AS r_deleted, \
    rs.id AS rs_id, rs.username AS rs_username, rs.display_name AS rs_display_name";
pub(super) const MSG_FROM: &str = "messages m LEFT JOIN users s ON s.id = m.sender_id \
    LEFT JOIN messages r ON r.id = m.reply_to LEFT JOIN users rs ON rs.id = r.sender_id";

pub(super) fn brief_at(r: &SqliteRow, prefix: &str) -> Option<Brief> {
    let id: Option<String> = r.get(format!("{prefix}id").as_str());
    id.map(|id| Brief {
        id,
        username: r.get(format!("{prefix}username").as_str()),
        display_name: r.get(format!("{prefix}display_name").as_str()),
    })
}

pub(super) fn conv_row(r: &SqliteRow) -> ConvRow {
    ConvRow {
        id: r.get("c_id"),
        kind: r.get("c_kind"),
        group_id: r.get("c_group_id"),
        name: r.get("c_name"),
        description: r.get("c_description"),
        public: r.get("c_public"),
        created_by: r.get("c_created_by"),
        created_at: r.get("c_created_at"),
        last_seq: r.get("c_last_seq"),
        last_activity_at: r.get("c_last_activity_at"),
    }
}

fn member_row(r: &SqliteRow) -> MemberRow {
    MemberRow {
        person: brief_at(r, "u_").unwrap_or_default(),
        role: r.get("mb_role"),
        state: r.get("mb_state"),
        joined_at: r.get("mb_joined_at"),
        last_read_seq: r.get("mb_last_read_seq"),
        last_delivered_seq: r.get("mb_last_delivered_seq"),
        muted: r.get("mb_muted"),
    }
}

const MEMBER_COLS: &str = "mb.role AS mb_role, mb.state AS mb_state, mb.joined_at AS mb_joined_at, \
    mb.last_read_seq AS mb_last_read_seq, mb.last_delivered_seq AS mb_last_delivered_seq, mb.muted AS mb_muted, \
    u.id AS u_id, u.username AS u_username, u.display_name AS u_display_name";

/// Maps `MSG_COLS` (the message is absent when `m_id` is NULL).
pub(super) fn message_row(r: &SqliteRow) -> Option<MessageRow> {
    let id: Option<String> = r.get("m_id");
    let reply_id: Option<String> = r.get("r_id");
    Some(MessageRow {
        id: id?,
        chat_id: r.get("m_chat"),
        seq: r.get("m_seq"),
        sender: brief_at(r, "s_"),
        body: r.get("m_body"),
        system: r.get("m_system"),
        created_at: r.get("m_created_at"),
        edited_at: r.get("m_edited_at"),
        deleted: r.get("m_deleted"),
        reply_to: reply_id.map(|id| ReplyRow {
            id,
            seq: r.get("r_seq"),
            sender: brief_at(r, "rs_").unwrap_or_default(),
            body: r.get("r_body"),
            deleted: r.get("r_deleted"),
        }),
        client_id: r.get("m_client_id"),
    })
}

pub(super) fn pair(a: &str, b: &str) -> (String, String) {
    if a < b { (a.to_owned(), b.to_owned()) } else { (b.to_owned(), a.to_owned()) }
}

/// Appends a message inside a transaction: takes the next sequence and stores the message. The
/// sender's read mark moves to it (sending means having read everything before).
pub(super) async fn append(conn: &mut SqliteConnection, m: &NewMessage) -> Result<i64, sqlx::Error> {
    let seq: i64 = sqlx::query_scalar(
        "UPDATE conversations SET last_seq = last_seq + 1, last_activity_at = MAX(last_activity_at, ?)
         WHERE id = ? RETURNING last_seq",
    )
    .bind(m.created_at)
    .bind(&m.chat_id)
    .fetch_one(&mut *conn)
    .await?;
    insert_at(conn, m, seq).await?;
    if let Some(sender) = &m.sender_id {
        sqlx::query(
            "UPDATE members SET last_read_seq = MAX(last_read_seq, ?1), last_delivered_seq = MAX(last_delivered_seq, ?1)
             WHERE conversation_id = ?2 AND user_id = ?3",
        )
        .bind(seq)
        .bind(&m.chat_id)
        .bind(sender)
        .execute(&mut *conn)
        .await?;
    }
    Ok(seq)
}

pub(super) async fn insert_at(conn: &mut SqliteConnection, m: &NewMessage, seq: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO messages (id, conversation_id, seq, sender_id, body, system, created_at, reply_to, client_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&m.id)
    .bind(&m.chat_id)
    .bind(seq)
    .bind(&m.sender_id)
    .bind(&m.body)
    .bind(&m.system)
    .bind(m.created_at)
    .bind(&m.reply_to)
    .bind(&m.client_id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Takes the write lock at the start of a transaction that reads before it writes, so it waits
/// for other writers (busy timeout) instead of failing when its read snapshot goes stale.
pub(super) async fn lock_for_write(conn: &mut SqliteConnection, chat_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE conversations SET last_seq = last_seq WHERE id = ?").bind(chat_id).execute(&mut *conn).await?;
    Ok(())
}

/// The chat-list statement. The viewer of each row is `mb.user_id`, so one statement serves a
/// person's list and "this chat as each of its members sees it" alike. The unread count stops
/// at 1000 so a long-unread chat costs no more than that.
///
/// Lists leave out (`HIDE_EMPTY`) a direct chat someone else opened but has not written in yet.
const HIDE_EMPTY: &str = "NOT (c.kind = 'direct' AND c.last_seq = 0 AND c.created_by <> mb.user_id)";

fn summary_sql(filter: &str, tail: &str) -> String {
    format!(
        "SELECT mb.user_id AS viewer, {CONV_COLS}, mb.state AS my_state, mb.muted AS my_muted,
           (SELECT COUNT(*) FROM (SELECT 1 FROM messages x WHERE x.conversation_id = c.id AND x.seq > mb.last_read_seq
                AND x.system IS NULL AND x.sender_id IS NOT mb.user_id LIMIT 1000)) AS unread,
           p.id AS p_id, p.username AS p_username, p.display_name AS p_display_name,
           CASE WHEN p.id IS NULL THEN 0
                WHEN EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = mb.user_id AND b.blocked_id = p.id) THEN 0
                WHEN EXISTS (SELECT 1 FROM blocks b WHERE b.blocker_id = p.id AND b.blocked_id = mb.user_id) THEN 0
                WHEN p.last_seen_visibility = 'everyone' THEN 1
                WHEN p.last_seen_visibility = 'contacts' THEN EXISTS (SELECT 1 FROM contacts k
                     WHERE k.user_lo = MIN(mb.user_id, p.id) AND k.user_hi = MAX(mb.user_id, p.id) AND k.state = 'accepted')
                ELSE 0 END AS p_visible,
           {MSG_COLS}
         FROM members mb
         JOIN conversations c ON c.id = mb.conversation_id
         LEFT JOIN members pm ON c.kind = 'direct' AND pm.conversation_id = c.id AND pm.user_id <> mb.user_id
         LEFT JOIN users p ON p.id = pm.user_id
         LEFT JOIN messages m ON m.conversation_id = c.id AND m.seq = c.last_seq
         LEFT JOIN users s ON s.id = m.sender_id
         LEFT JOIN messages r ON r.id = NULL
         LEFT JOIN users rs ON rs.id = NULL
         WHERE mb.state IN {READABLE} AND {filter}
         {tail}"
    )
}

fn summary_row(r: &SqliteRow) -> SummaryRow {
    SummaryRow {
        viewer: r.get("viewer"),
        conv: conv_row(r),
        my_state: r.get("my_state"),
        muted: r.get("my_muted"),
        unread: r.get("unread"),
        peer: brief_at(r, "p_"),
        peer_presence_visible: r.get("p_visible"),
        last: message_row(r),
    }
}

/// `LIKE` pattern text with its wildcards escaped (by `\`).
pub(super) fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

const PROFILE_COLS: &str = "id AS u_id, username AS u_username, display_name AS u_display_name, bio, who_can_message, \
    last_seen_visibility, last_seen_at";

#[async_trait]
impl ChatStore for SqliteStore {
    async fn brief(&self, user_id: &str) -> Result<Option<Brief>, StoreError> {
        let row = sqlx::query("SELECT id AS u_id, username AS u_username, display_name AS u_display_name FROM users WHERE id = ?")
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.and_then(|r| brief_at(&r, "u_")))
    }

    async fn profile_row(&self, user_id: &str) -> Result<Option<ProfileRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {PROFILE_COLS} FROM users WHERE id = ?")).bind(user_id).fetch_optional(self.pool()).await?;
        Ok(row.map(|r| ProfileRow {
            person: brief_at(&r, "u_").unwrap_or_default(),
            bio: r.get("bio"),
            who_can_message: r.get("who_can_message"),
            last_seen_visibility: r.get("last_seen_visibility"),
            last_seen_at: r.get("last_seen_at"),
        }))
    }

    async fn save_profile(&self, user_id: &str, display_name: &str, bio: &str, who: &str, last_seen: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET display_name = ?, bio = ?, who_can_message = ?, last_seen_visibility = ? WHERE id = ?")
            .bind(display_name)
            .bind(bio)
            .bind(who)
            .bind(last_seen)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn set_last_seen(&self, user_id: &str, at: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET last_seen_at = MAX(COALESCE(last_seen_at, 0), ?) WHERE id = ?")
            .bind(at)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn relation(&self, me: &str, other: &str) -> Result<Relation, StoreError> {
        let (lo, hi) = pair(me, other);
        let r = sqlx::query(
            "SELECT EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ?1 AND blocked_id = ?2) AS i_blocked,
                    EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ?2 AND blocked_id = ?1) AS they_blocked,
                    (SELECT inviter FROM contacts WHERE user_lo = ?3 AND user_hi = ?4) AS inviter,
                    (SELECT state FROM contacts WHERE user_lo = ?3 AND user_hi = ?4) AS contact_state,
                    (SELECT id FROM conversations WHERE direct_key = ?5) AS direct_id,
                    (SELECT mb.state FROM conversations c JOIN members mb ON mb.conversation_id = c.id AND mb.user_id = ?1
                      WHERE c.direct_key = ?5) AS direct_state",
        )
        .bind(me)
        .bind(other)
        .bind(&lo)
        .bind(&hi)
        .bind(format!("{lo}:{hi}"))
        .fetch_one(self.pool())
        .await?;
        let inviter: Option<String> = r.get("inviter");
        let direct: Option<String> = r.get("direct_id");
        Ok(Relation {
            i_blocked: r.get("i_blocked"),
            they_blocked: r.get("they_blocked"),
            contact: inviter.map(|i| (i, r.get("contact_state"))),
            direct: direct.map(|d| (d, r.get::<Option<String>, _>("direct_state").unwrap_or_default())),
        })
    }

    async fn people_by_prefix(&self, me: &str, prefix: &str, limit: u32) -> Result<Vec<Brief>, StoreError> {
        let rows = sqlx::query(
            "SELECT id AS u_id, username AS u_username, display_name AS u_display_name FROM users
             WHERE username LIKE ? ESCAPE '\\' AND id <> ?
               AND NOT EXISTS (SELECT 1 FROM blocks WHERE blocker_id = users.id AND blocked_id = ?)
             ORDER BY username LIMIT ?",
        )
        .bind(format!("{}%", like_escape(prefix)))
        .bind(me)
        .bind(me)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().filter_map(|r| brief_at(r, "u_")).collect())
    }

    async fn user_by_phone_brief(&self, phone: &str) -> Result<Option<Brief>, StoreError> {
        let row = sqlx::query("SELECT id AS u_id, username AS u_username, display_name AS u_display_name FROM users WHERE phone = ?")
            .bind(phone)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.and_then(|r| brief_at(&r, "u_")))
    }

    async fn presence_audience(&self, me: &str, contacts_only: bool) -> Result<Vec<String>, StoreError> {
        let ids = sqlx::query_scalar(
            "SELECT k.other FROM (
                 SELECT CASE WHEN user_lo = ?1 THEN user_hi ELSE user_lo END AS other FROM contacts
                  WHERE (user_lo = ?1 OR user_hi = ?1) AND state = 'accepted'
                 UNION
                 SELECT pm.user_id FROM members mb
                   JOIN conversations c ON c.id = mb.conversation_id AND c.kind = 'direct'
                   JOIN members pm ON pm.conversation_id = c.id AND pm.user_id <> ?1
                  WHERE mb.user_id = ?1 AND mb.state = 'active' AND pm.state = 'active' AND ?2 = 0
             ) k
             WHERE NOT EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ?1 AND blocked_id = k.other)
               AND NOT EXISTS (SELECT 1 FROM blocks WHERE blocker_id = k.other AND blocked_id = ?1)",
        )
        .bind(me)
        .bind(contacts_only)
        .fetch_all(self.pool())
        .await?;
        Ok(ids)
    }

    async fn conv(&self, chat_id: &str) -> Result<Option<ConvRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {CONV_COLS} FROM conversations c WHERE c.id = ?")).bind(chat_id).fetch_optional(self.pool()).await?;
        Ok(row.as_ref().map(conv_row))
    }

    async fn conv_by_group_id(&self, group_id: &str) -> Result<Option<ConvRow>, StoreError> {
        let row =
            sqlx::query(&format!("SELECT {CONV_COLS} FROM conversations c WHERE c.group_id = ?")).bind(group_id).fetch_optional(self.pool()).await?;
        Ok(row.as_ref().map(conv_row))
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
        Ok(row.map(|r| (conv_row(&r), member_row(&r))))
    }

    async fn members(&self, chat_id: &str, states: &[&str]) -> Result<Vec<MemberRow>, StoreError> {
        let list = states.iter().map(|s| format!("'{}'", s.replace('\'', ""))).collect::<Vec<_>>().join(", ");
        let rows = sqlx::query(&format!(
            "SELECT {MEMBER_COLS} FROM members mb JOIN users u ON u.id = mb.user_id
             WHERE mb.conversation_id = ? AND mb.state IN ({list}) ORDER BY mb.joined_at, mb.user_id"
        ))
        .bind(chat_id)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().map(member_row).collect())
    }

    async fn create_direct(&self, id: &str, me: &str, my_state: &str, other: &str, other_state: &str, now: i64) -> Result<(String, bool), StoreError> {
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
                .bind(state)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
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
        Ok(true)
    }

    async fn delete_conv(&self, chat_id: &str) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        // Explicitly, so the full-text triggers see every message go.
        sqlx::query("DELETE FROM messages WHERE conversation_id = ?").bind(chat_id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM conversations WHERE id = ?").bind(chat_id).execute(&mut *tx).await?;
        tx.commit().await?;
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
                    .bind(role)
                    .bind(now)
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
                        .bind(state)
                        .bind(chat_id)
                        .bind(user_id)
                        .execute(&mut *tx)
                        .await?;
                }
                Change::SetRole { user_id, role } => {
                    sqlx::query("UPDATE members SET role = ? WHERE conversation_id = ? AND user_id = ?")
                        .bind(role)
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
        match system {
            Some(m) => Ok(Applied::Done(super::MessageStore::message(self, &m.id).await?)),
            None => Ok(Applied::Done(None)),
        }
    }

    async fn set_states(&self, chat_id: &str, states: &[(&str, &str)]) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        for (user, state) in states {
            sqlx::query("UPDATE members SET state = ? WHERE conversation_id = ? AND user_id = ?")
                .bind(state)
                .bind(chat_id)
                .bind(user)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn set_muted(&self, chat_id: &str, user_id: &str, muted: bool) -> Result<(), StoreError> {
        sqlx::query("UPDATE members SET muted = ? WHERE conversation_id = ? AND user_id = ?")
            .bind(muted)
            .bind(chat_id)
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn mark_read(&self, chat_id: &str, user_id: &str, seq: i64) -> Result<i64, StoreError> {
        let mark: Option<i64> = sqlx::query_scalar(
            "UPDATE members SET last_read_seq = MAX(last_read_seq, ?1), last_delivered_seq = MAX(last_delivered_seq, ?1)
             WHERE conversation_id = ?2 AND user_id = ?3 RETURNING last_read_seq",
        )
        .bind(seq)
        .bind(chat_id)
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(mark.unwrap_or(0))
    }

    async fn mark_delivered(&self, chat_id: &str, user_id: &str, seq: i64) -> Result<i64, StoreError> {
        let mark: Option<i64> = sqlx::query_scalar(
            "UPDATE members SET last_delivered_seq = MAX(last_delivered_seq, ?1)
             WHERE conversation_id = ?2 AND user_id = ?3 RETURNING last_delivered_seq",
        )
        .bind(seq)
        .bind(chat_id)
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?;
        Ok(mark.unwrap_or(0))
    }

    async fn chat_ids_of(&self, user_id: &str, states: &[&str]) -> Result<Vec<String>, StoreError> {
        let list = states.iter().map(|s| format!("'{}'", s.replace('\'', ""))).collect::<Vec<_>>().join(", ");
        let ids = sqlx::query_scalar(&format!("SELECT conversation_id FROM members WHERE user_id = ? AND state IN ({list})"))
            .bind(user_id)
            .fetch_all(self.pool())
            .await?;
        Ok(ids)
    }

    async fn summaries(&self, scope: SummaryScope<'_>) -> Result<Vec<SummaryRow>, StoreError> {
        let rows = match scope {
            SummaryScope::Viewer { user_id, cursor, limit, only_chat } => {
                let mut filter = String::from("mb.user_id = ?");
                if only_chat.is_none() {
                    filter = format!("{filter} AND {HIDE_EMPTY}");
                }
                if cursor.is_some() {
                    filter.push_str(" AND (c.last_activity_at < ? OR (c.last_activity_at = ? AND c.id < ?))");
                }
                if only_chat.is_some() {
                    filter.push_str(" AND c.id = ?");
                }
                let sql = summary_sql(&filter, "ORDER BY c.last_activity_at DESC, c.id DESC LIMIT ?");
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
        Ok(rows.iter().map(summary_row).collect())
    }

    async fn chats_by_name(&self, me: &str, text: &str, limit: u32) -> Result<Vec<SummaryRow>, StoreError> {
        let sql = summary_sql(
            &format!("mb.user_id = ?1 AND {HIDE_EMPTY} AND ((c.kind = 'group' AND c.name LIKE ?2 ESCAPE '\\')
                OR (c.kind = 'direct' AND (p.display_name LIKE ?2 ESCAPE '\\' OR p.username LIKE ?2 ESCAPE '\\')))"),
            "ORDER BY c.last_activity_at DESC, c.id DESC LIMIT ?3",
        );
        let rows =
            sqlx::query(&sql).bind(me).bind(format!("%{}%", like_escape(text))).bind(limit).fetch_all(self.pool()).await?;
        Ok(rows.iter().map(summary_row).collect())
    }
}

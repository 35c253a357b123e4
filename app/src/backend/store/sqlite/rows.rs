//! Shared pieces of the SQLite conversations store: column lists, row mapping, and the
//! in-transaction steps (appending a message, taking the write lock) several methods use.
use sqlx::{Row, SqliteConnection, sqlite::SqliteRow};

use super::super::{
    StoreError,
    chats::{Brief, ConvRow, MemberRow, MessageRow, NewMessage, ReplyRow},
    stored_text::state_at,
};

pub(super) use super::super::common_sql::{CONV_COLS, like_escape, pair};

/// States in which a member may read a chat (and it shows in their list).
pub(super) const READABLE: &str = "('active', 'incoming', 'outgoing', 'declined')";

/// The replied-to message and its sender (aliases `r`, `rs`), as `reply_row` maps them; a macro
/// so that `MSG_COLS` can include the same literal.
macro_rules! reply_cols {
    () => {
        "r.id AS r_id, r.seq AS r_seq, r.body AS r_body, r.deleted AS r_deleted, \
         rs.id AS rs_id, rs.username AS rs_username, rs.display_name AS rs_display_name"
    };
}
pub(super) const REPLY_COLS: &str = reply_cols!();
pub(super) const REPLY_FROM: &str = "messages r LEFT JOIN users rs ON rs.id = r.sender_id";

/// A message and its sender (aliases `m`, `s`), as `message_row` maps them with the reply's.
macro_rules! message_cols {
    () => {
        "m.id AS m_id, m.conversation_id AS m_chat, m.seq AS m_seq, m.body AS m_body, \
         m.system AS m_system, m.created_at AS m_created_at, m.edited_at AS m_edited_at, m.deleted AS m_deleted, \
         m.client_id AS m_client_id, s.id AS s_id, s.username AS s_username, s.display_name AS s_display_name, "
    };
}
/// A message with its sender and the message it replies to (aliases `m`, `s`, `r`, `rs`).
pub(super) const MSG_COLS: &str = concat!(message_cols!(), reply_cols!());
/// A message as a preview shows it, without joining the message it replies to: `reply_row`
/// stops at the NULL `r_id`.
pub(super) const PREVIEW_COLS: &str = concat!(message_cols!(), "NULL AS r_id");
pub(super) const MSG_FROM: &str = "messages m LEFT JOIN users s ON s.id = m.sender_id \
    LEFT JOIN messages r ON r.id = m.reply_to LEFT JOIN users rs ON rs.id = r.sender_id";

/// A result row's columns by name, so one mapping serves both the pool's rows (sqlx) and the
/// message writer's own connection (rusqlite).
pub(super) trait Columns {
    fn text(&self, name: &str) -> Option<String>;
    fn int(&self, name: &str) -> Option<i64>;
    /// A BOOLEAN column; NULL reads as false.
    fn flag(&self, name: &str) -> bool;
}

impl Columns for SqliteRow {
    fn text(&self, name: &str) -> Option<String> {
        self.get(name)
    }
    fn int(&self, name: &str) -> Option<i64> {
        self.get(name)
    }
    fn flag(&self, name: &str) -> bool {
        self.get::<Option<bool>, _>(name).unwrap_or(false)
    }
}

impl Columns for rusqlite::Row<'_> {
    fn text(&self, name: &str) -> Option<String> {
        self.get(name).ok().flatten()
    }
    fn int(&self, name: &str) -> Option<i64> {
        self.get(name).ok().flatten()
    }
    fn flag(&self, name: &str) -> bool {
        self.get::<_, Option<bool>>(name).ok().flatten().unwrap_or(false)
    }
}

/// A person's id, username and display name columns under one of the queries' aliases.
pub(super) type PersonCols = [&'static str; 3];
pub(super) const USER: PersonCols = ["u_id", "u_username", "u_display_name"];
pub(super) const SENDER: PersonCols = ["s_id", "s_username", "s_display_name"];
pub(super) const REPLY_SENDER: PersonCols = ["rs_id", "rs_username", "rs_display_name"];
pub(super) const PEER: PersonCols = ["p_id", "p_username", "p_display_name"];

pub(super) fn brief_at(r: &impl Columns, [id, username, display_name]: PersonCols) -> Option<Brief> {
    r.text(id).map(|id| Brief {
        id,
        username: r.text(username).unwrap_or_default(),
        display_name: r.text(display_name).unwrap_or_default(),
    })
}

pub(super) fn conv_row(r: &SqliteRow) -> Result<ConvRow, StoreError> {
    Ok(ConvRow {
        id: r.get("c_id"),
        kind: state_at(r, "c_kind")?,
        group_id: r.get("c_group_id"),
        name: r.get("c_name"),
        description: r.get("c_description"),
        public: r.get("c_public"),
        created_by: r.get("c_created_by"),
        created_at: r.get("c_created_at"),
        last_seq: r.get("c_last_seq"),
        last_activity_at: r.get("c_last_activity_at"),
    })
}

pub(super) fn member_row(r: &SqliteRow) -> Result<MemberRow, StoreError> {
    Ok(MemberRow {
        person: brief_at(r, USER).unwrap_or_default(),
        role: state_at(r, "mb_role")?,
        state: state_at(r, "mb_state")?,
        joined_at: r.get("mb_joined_at"),
        last_read_seq: r.get("mb_last_read_seq"),
        last_delivered_seq: r.get("mb_last_delivered_seq"),
        muted: r.get("mb_muted"),
    })
}

pub(super) const MEMBER_COLS: &str = "mb.role AS mb_role, mb.state AS mb_state, mb.joined_at AS mb_joined_at, \
    mb.last_read_seq AS mb_last_read_seq, mb.last_delivered_seq AS mb_last_delivered_seq, mb.muted AS mb_muted, \
    u.id AS u_id, u.username AS u_username, u.display_name AS u_display_name";

/// Maps `MSG_COLS` (the message is absent when `m_id` is NULL).
pub(super) fn message_row(r: &impl Columns) -> Option<MessageRow> {
    Some(MessageRow {
        id: r.text("m_id")?,
        chat_id: r.text("m_chat").unwrap_or_default(),
        seq: r.int("m_seq").unwrap_or_default(),
        sender: brief_at(r, SENDER),
        body: r.text("m_body").unwrap_or_default(),
        system: r.text("m_system"),
        created_at: r.int("m_created_at").unwrap_or_default(),
        edited_at: r.int("m_edited_at"),
        deleted: r.flag("m_deleted"),
        reply_to: reply_row(r),
        client_id: r.text("m_client_id"),
    })
}

/// Maps the replied-to message's columns of `MSG_COLS` (`r_*`, `rs_*`); `None` when `r_id` is NULL.
pub(super) fn reply_row(r: &impl Columns) -> Option<ReplyRow> {
    Some(ReplyRow {
        id: r.text("r_id")?,
        seq: r.int("r_seq").unwrap_or_default(),
        sender: brief_at(r, REPLY_SENDER).unwrap_or_default(),
        body: r.text("r_body").unwrap_or_default(),
        deleted: r.flag("r_deleted"),
    })
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
    let rowid = insert_at(conn, m, seq).await?;
    index_new_messages(conn, rowid).await?;
    if let Some(sender) = &m.sender_id {
        sqlx::query(
            &format!(
                "UPDATE members SET last_read_seq = MAX(last_read_seq, ?1), last_delivered_seq = MAX(last_delivered_seq, ?1),
                   marks_at = {NOW_MS}
                 WHERE conversation_id = ?2 AND user_id = ?3"
            ),
        )
        .bind(seq)
        .bind(&m.chat_id)
        .bind(sender)
        .execute(&mut *conn)
        .await?;
    }
    Ok(seq)
}

/// Adds the messages from rowid `?1` on (all inserted by the transaction that runs it, which holds
/// the write lock) to the full-text index, in one statement: once per transaction rather than a
/// trigger per row, since the index writes out a segment at the end of every statement.
pub(super) const INDEX_NEW_MESSAGES: &str =
    "INSERT INTO messages_fts (rowid, body) SELECT n, body FROM messages WHERE n >= ?1 AND system IS NULL AND deleted = 0";

/// Indexes the messages this transaction inserted from rowid `first` on (see `INDEX_NEW_MESSAGES`).
pub(super) async fn index_new_messages(conn: &mut SqliteConnection, first: i64) -> Result<(), sqlx::Error> {
    sqlx::query(INDEX_NEW_MESSAGES).bind(first).execute(&mut *conn).await?;
    Ok(())
}

/// Stores one message at `seq`; returns its rowid, for `index_new_messages` once the
/// transaction's inserts are done.
pub(super) async fn insert_at(conn: &mut SqliteConnection, m: &NewMessage, seq: i64) -> Result<i64, sqlx::Error> {
    let inserted = sqlx::query(
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
    Ok(inserted.last_insert_rowid())
}

/// Takes the write lock at the start of a transaction that reads before it writes, so it waits
/// for other writers (busy timeout) instead of failing when its read snapshot goes stale.
pub(super) async fn lock_for_write(conn: &mut SqliteConnection, chat_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE conversations SET last_seq = last_seq WHERE id = ?").bind(chat_id).execute(&mut *conn).await?;
    Ok(())
}

/// The current time in milliseconds, in SQL (`changed_at`, `marks_at`): every version of SQLite
/// has `julianday`, and the value is the same clock the server's own `now` reads.
pub(super) const NOW_MS: &str = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";

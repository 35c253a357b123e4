//! Shared pieces of the SQLite conversations store: column lists, row mapping, and the
//! in-transaction steps (appending a message, taking the write lock) several methods use.
use sqlx::{Row, SqliteConnection, sqlite::SqliteRow};

use super::super::{
    StoreError,
    chats::{ConvRow, NewMessage},
    stored_text::state_at,
};

pub(super) use super::super::common_sql::{CONV_COLS, like_escape, pair};
pub(super) use super::super::row_columns::{
    Columns, MEMBER_COLS, MSG_COLS, MSG_FROM, PEER, PREVIEW_COLS, READABLE, REPLY_COLS, REPLY_FROM, SENDER, USER, brief_at, member_row,
    message_row, reply_row,
};

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
    "INSERT INTO messages_fts (rowid, body) SELECT n, body || COALESCE(' ' || attachment_names, '') FROM messages WHERE n >= ?1 AND system IS NULL AND deleted = 0";

/// Indexes the messages this transaction inserted from rowid `first` on (see `INDEX_NEW_MESSAGES`).
pub(super) async fn index_new_messages(conn: &mut SqliteConnection, first: i64) -> Result<(), sqlx::Error> {
    sqlx::query(INDEX_NEW_MESSAGES).bind(first).execute(&mut *conn).await?;
    Ok(())
}

/// Stores one message at `seq`; returns its rowid, for `index_new_messages` once the
/// transaction's inserts are done.
pub(super) async fn insert_at(conn: &mut SqliteConnection, m: &NewMessage, seq: i64) -> Result<i64, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO messages (id, conversation_id, seq, sender_id, body, system, created_at, reply_to, client_id,
             attachments, attachment_names)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
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
    .bind(&m.attachments)
    .bind(&m.attachment_names)
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

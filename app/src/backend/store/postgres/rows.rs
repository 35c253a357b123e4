//! Statements of the PostgreSQL conversations store that the pool's methods and the message
//! writer share: the one-statement append of a message, the chat's row lock and the current
//! time in SQL.
use std::sync::LazyLock;

use sqlx::{PgConnection, Row, postgres::PgRow};

use super::super::{
    StoreError,
    chats::NewMessage,
    row_columns::{Columns, REPLY_COLS},
};

/// The current time in milliseconds, in SQL (`changed_at`, `marks_at`): the database's clock,
/// read when the statement runs (not when its transaction began).
pub(super) const NOW_MS: &str = "(EXTRACT(EPOCH FROM clock_timestamp()) * 1000)::BIGINT";

/// Appends one message in one round trip: `$1` id, `$2` chat, `$3` sender, `$4` body, `$5`
/// system, `$6` created at, `$7` reply to, `$8` client id. Locking the chat's row orders
/// concurrent senders on every server, so its next sequence is taken without gaps; the
/// sender's read mark moves to the message (sending means having read everything before).
///
/// Nothing in it fails on a taken id or client id (a resend racing in from another server):
/// the insert does nothing, and then neither does the rest, so the transaction it runs in goes
/// on. The row says what happened: `chat_found`, the new `seq` (NULL when nothing was stored),
/// and the sender and replied-to message the answer shows (`s_*`, `r_*`, `rs_*`).
pub(super) static APPEND_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH chat AS (
           SELECT last_seq + 1 AS seq FROM conversations WHERE id = $2 FOR UPDATE
         ), stored AS (
           INSERT INTO messages (id, conversation_id, seq, sender_id, body, system, created_at, reply_to, client_id,
               attachments, attachment_names)
           SELECT $1, $2, chat.seq, $3, $4, $5, $6, $7, $8, $9, $10 FROM chat
           ON CONFLICT DO NOTHING
           RETURNING seq
         ), bumped AS (
           UPDATE conversations SET last_seq = stored.seq, last_activity_at = GREATEST(last_activity_at, $6)
           FROM stored WHERE conversations.id = $2
         ), marked AS (
           UPDATE members SET last_read_seq = GREATEST(last_read_seq, stored.seq),
               last_delivered_seq = GREATEST(last_delivered_seq, stored.seq), marks_at = {NOW_MS}
           FROM stored WHERE members.conversation_id = $2 AND members.user_id = $3
         )
         SELECT EXISTS (SELECT 1 FROM chat) AS chat_found, (SELECT seq FROM stored) AS seq,
                s.id AS s_id, s.username AS s_username, s.display_name AS s_display_name, {REPLY_COLS}
         FROM (SELECT 1) AS one
         LEFT JOIN users s ON s.id = $3
         LEFT JOIN messages r ON r.id = $7
         LEFT JOIN users rs ON rs.id = r.sender_id"
    )
});

/// What `APPEND_SQL` did with a message.
pub(super) enum Appended {
    /// Stored at this sequence; the row also holds the answer's sender and reply columns.
    Stored(i64, PgRow),
    NoSuchChat,
    /// Its id or its (sender, client id) was taken: nothing was written.
    Taken,
}

pub(super) async fn append_row(conn: &mut PgConnection, m: &NewMessage) -> Result<Appended, sqlx::Error> {
    let row = sqlx::query(&APPEND_SQL)
        .bind(&m.id)
        .bind(&m.chat_id)
        .bind(&m.sender_id)
        .bind(&m.body)
        .bind(&m.system)
        .bind(m.created_at)
        .bind(&m.reply_to)
        .bind(&m.client_id)
        .bind(&m.attachments)
        .bind(&m.attachment_names)
        .fetch_one(&mut *conn)
        .await?;
    Ok(match (row.try_get::<bool, _>("chat_found")?, row.int("seq")) {
        (false, _) => Appended::NoSuchChat,
        (true, None) => Appended::Taken,
        (true, Some(seq)) => Appended::Stored(seq, row),
    })
}

/// Appends a message inside a transaction (group changes, a new group's first message);
/// returns its sequence.
pub(super) async fn append(conn: &mut PgConnection, m: &NewMessage) -> Result<i64, StoreError> {
    match append_row(conn, m).await? {
        Appended::Stored(seq, _) => Ok(seq),
        Appended::NoSuchChat => Err(StoreError::NoSuchChat(m.chat_id.clone())),
        Appended::Taken => Err(taken(m)),
    }
}

/// A message whose id (or client id) another one has.
pub(super) fn taken(m: &NewMessage) -> StoreError {
    StoreError::Database(format!("message {} was not stored: its id or client id is taken", m.id))
}

/// Locks the chat's row for the rest of the transaction, so a transaction that reads before it
/// writes (a group's member count before a join) sees no other server's change in between.
pub(super) async fn lock_for_write(conn: &mut PgConnection, chat_id: &str) -> Result<(), sqlx::Error> {
    sqlx::query("SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE").bind(chat_id).execute(&mut *conn).await?;
    Ok(())
}

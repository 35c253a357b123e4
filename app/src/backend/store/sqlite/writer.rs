//! Group commit for the frequent writes: sends, read/delivered marks and last-seen times. Every commit waits for
//! the disk (`synchronous=FULL`), and one commit per message caps a server at a few hundred
//! messages a second whatever its CPU. These writes are queued to one writer instead, which
//! applies everything queued since its last commit in one transaction, commits once, and only
//! then answers each caller: nothing is acknowledged before it is durable, and a busy server
//! commits hundreds of writes per disk flush.
//!
//! The writer is a thread of its own with its own connection, driving SQLite synchronously: a
//! batch is one hand-over from the async side and one back. Through the async pool every
//! statement was a round trip between SQLite's thread and a tokio worker, and under load each
//! one waited behind hundreds of socket tasks.
use std::{path::Path, slice, sync::LazyLock};

use rusqlite::{Connection, ErrorCode, OptionalExtension, Transaction, TransactionBehavior, params};

use super::super::{
    StoreError,
    chats::{MessageRow, NewMessage, Sent},
    group_commit::{Answer, Brakes, Committer, Job, MarkKind, Queue, Write, Written, answer, stopped},
    sqlite::rows::{INDEX_NEW_MESSAGES, MSG_COLS, MSG_FROM, NOW_MS, REPLY_COLS, REPLY_FROM, SENDER, brief_at, message_row, reply_row},
};

/// Most writes one transaction takes; more wait for the next.
const MAX_BATCH: usize = 512;

/// The statements built from shared column lists, formatted once rather than per write (the
/// statement cache is keyed by the text, so each write hashed a freshly built string too).
struct Statements {
    by_client_id: String,
    sender: String,
    reply: String,
    sender_mark: String,
    read_mark: String,
    delivered_mark: String,
}

static SQL: LazyLock<Statements> = LazyLock::new(|| Statements {
    by_client_id: format!("SELECT {MSG_COLS} FROM {MSG_FROM} WHERE m.client_id = ?1 AND m.sender_id = ?2"),
    sender: "SELECT id AS s_id, username AS s_username, display_name AS s_display_name FROM users WHERE id = ?1".into(),
    reply: format!("SELECT {REPLY_COLS} FROM {REPLY_FROM} WHERE r.id = ?1"),
    sender_mark: format!(
        "UPDATE members SET last_read_seq = MAX(last_read_seq, ?3), last_delivered_seq = MAX(last_delivered_seq, ?3),
           marks_at = {NOW_MS}
         WHERE conversation_id = ?1 AND user_id = ?2"
    ),
    read_mark: build_mark_sql(MarkKind::Read),
    delivered_mark: build_mark_sql(MarkKind::Delivered),
});

/// Raises one member's mark (`?1` chat, `?2` user, `?3` seq), at most to the chat's last
/// message; returns the mark, or no row.
fn mark_sql(kind: MarkKind) -> &'static str {
    match kind {
        MarkKind::Read => &SQL.read_mark,
        MarkKind::Delivered => &SQL.delivered_mark,
    }
}

fn build_mark_sql(kind: MarkKind) -> String {
    let rows = "SELECT MIN(?3, last_seq) AS seq FROM conversations WHERE id = ?1";
    kind.raise_sql(rows, "members.conversation_id = ?1 AND members.user_id = ?2", "MAX", NOW_MS)
}

/// Connection settings the pool and the writer share, as (pragma, value).
pub(super) const PRAGMAS: [(&str, &str); 3] = [
    // Pages are read through a memory map and a larger cache, not a read() call each:
    // copying pages from the kernel was a tenth of the server's time under load.
    ("mmap_size", "268435456"),
    ("cache_size", "-16384"),
    // Checkpoints copy each page once however often it changed since the last one; every
    // 8 MiB of WAL instead of every 1,000 pages.
    ("wal_autocheckpoint", "8000"),
];

/// The writer connection's page cache: 4 MiB (negative values are KiB).
const WRITER_CACHE: &str = "-4096";

/// Opens the writer's connection to the (migrated) database file and starts its thread.
/// `synchronous` is the pool's setting (`FULL`, or `OFF` for bulk loads).
pub(super) fn start(path: &Path, synchronous: &str) -> Result<Committer, StoreError> {
    start_with(path, synchronous, Brakes::default())
}

pub(super) fn start_with(path: &Path, synchronous: &str, brakes: Brakes) -> Result<Committer, StoreError> {
    let conn = Connection::open(path)?;
    conn.busy_timeout(brakes.lock_wait)?;
    conn.pragma_update(None, "synchronous", synchronous)?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    for (pragma, value) in PRAGMAS {
        conn.pragma_update(None, pragma, value)?;
    }
    // A smaller cache than the readers': every commit walks the writer's whole page cache
    // (SQLite's `pcache1TruncateUnsafe`), which at 16 MiB was 15 % of the writer's time,
    // and a batch touches a few thousand pages at most.
    conn.pragma_update(None, "cache_size", WRITER_CACHE)?;
    Committer::spawn(brakes, move |queue| write_batches(conn, queue))
}

/// Takes what is queued (up to `MAX_BATCH`), commits it, answers, and waits for more.
fn write_batches(mut conn: Connection, mut queue: Queue) {
    // Statements are prepared once per connection and reused by every batch.
    conn.set_prepared_statement_cache_capacity(16);
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.blocking_batch(&mut batch, MAX_BATCH) {
        let results = match commit(&mut conn, &batch) {
            Ok(results) => results,
            // The write lock stayed taken: nothing was written, and going write by write would
            // wait for it once per write (512 × 5 s). Every caller hears at once and may retry.
            Err(e) if is_locked(&e) => {
                tracing::warn!(error = %e, writes = batch.len(), "the message writer could not take the write lock");
                batch.iter().map(|_| Err(StoreError::Busy)).collect()
            }
            // The transaction failed as a whole (and rolled back): each write then goes alone,
            // so whatever caused it fails alone.
            Err(_) => batch
                .iter()
                .map(|job| match commit(&mut conn, slice::from_ref(job)) {
                    Ok(mut one) => one.pop().unwrap_or_else(|| Err(stopped())),
                    Err(e) => Err(e.into()),
                })
                .collect(),
        };
        answer(&mut batch, results);
    }
}

fn is_locked(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked))
}

/// The batch in one transaction, in queue order. A write that is refused on its own (a
/// message for a chat that does not exist, a duplicate id) fails alone without undoing the rest.
/// The outer error is the transaction's (it rolled back); the inner ones are each write's own.
fn commit(conn: &mut Connection, batch: &[Job]) -> rusqlite::Result<Vec<Answer>> {
    // IMMEDIATE takes the write lock first, so resend checks read what no other writer can change.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut results = Vec::with_capacity(batch.len());
    // The rowid of the batch's first new message: the batch's messages are indexed together.
    let mut first_rowid = None;
    for job in batch {
        results.push(match &job.write {
            Write::Send(m) => store_send(&tx, m, &mut first_rowid)?.map(Written::Sent),
            Write::Mark { kind, chat_id, user_id, seq } => {
                let mark = tx.prepare_cached(mark_sql(*kind))?.query_row(params![chat_id, user_id, seq], |r| r.get("mark")).optional()?;
                Ok(Written::Mark(mark.unwrap_or(0)))
            }
            Write::LastSeen { user_id, at } => {
                tx.prepare_cached("UPDATE users SET last_seen_at = MAX(COALESCE(last_seen_at, 0), ?2) WHERE id = ?1")?.execute(params![user_id, at])?;
                Ok(Written::Done)
            }
            Write::Ping => Ok(Written::Done),
            #[cfg(test)]
            Write::Crash => panic!("the writer crashed (test)"),
        });
    }
    if let Some(first) = first_rowid {
        tx.prepare_cached(INDEX_NEW_MESSAGES)?.execute([first])?;
    }
    tx.commit()?;
    Ok(results)
}

/// One send inside the batch's transaction: the stored message if its client id was sent
/// before (earlier in this batch too), else the next sequence of its chat. The outer error
/// fails the whole transaction; the inner one fails only this message, having changed nothing.
/// A new message's rowid goes into `first_rowid` unless an earlier one of the batch is there.
fn store_send(tx: &Transaction, m: &NewMessage, first_rowid: &mut Option<i64>) -> rusqlite::Result<Result<Sent, StoreError>> {
    if let (Some(sender), Some(client_id)) = (&m.sender_id, &m.client_id) {
        if let Some(row) = read_message(tx, &SQL.by_client_id, params![client_id, sender])? {
            return Ok(Ok(Sent::Existing(row)));
        }
    }
    let last: Option<i64> = tx.prepare_cached("SELECT last_seq FROM conversations WHERE id = ?1")?.query_row([&m.chat_id], |r| r.get(0)).optional()?;
    let Some(last) = last else { return Ok(Err(StoreError::NoSuchChat(m.chat_id.clone()))) };
    let seq = last + 1;
    // The insert goes first: if a constraint refuses it, nothing of this message was written.
    let inserted = tx
        .prepare_cached(
            "INSERT INTO messages (id, conversation_id, seq, sender_id, body, system, created_at, reply_to, client_id,
                 attachments, attachment_names)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        )?
        .execute(params![
            m.id,
            m.chat_id,
            seq,
            m.sender_id,
            m.body,
            m.system,
            m.created_at,
            m.reply_to,
            m.client_id,
            m.attachments,
            m.attachment_names
        ]);
    match inserted {
        Ok(_) => _ = first_rowid.get_or_insert(tx.last_insert_rowid()),
        Err(e) if e.sqlite_error_code() == Some(ErrorCode::ConstraintViolation) => return Ok(Err(e.into())),
        Err(e) => return Err(e),
    }
    tx.prepare_cached("UPDATE conversations SET last_seq = ?2, last_activity_at = MAX(last_activity_at, ?3) WHERE id = ?1")?
        .execute(params![m.chat_id, seq, m.created_at])?;
    // Sending reads the chat up to one's own message.
    if let Some(sender) = &m.sender_id {
        tx.prepare_cached(&SQL.sender_mark)?.execute(params![m.chat_id, sender, seq])?;
    }
    // The answer is built from what was inserted, with the sender's name and the replied-to
    // message read through the mappings history reads use: reading the new row back through
    // the four-table join was a fifth of the writer's time.
    let sender = match &m.sender_id {
        Some(id) => tx.prepare_cached(&SQL.sender)?.query_row([id], |r| Ok(brief_at(r, SENDER))).optional()?.flatten(),
        None => None,
    };
    let reply_to = match &m.reply_to {
        Some(id) => tx.prepare_cached(&SQL.reply)?.query_row([id], |r| Ok(reply_row(r))).optional()?.flatten(),
        None => None,
    };
    Ok(Ok(Sent::New(MessageRow {
        id: m.id.clone(),
        chat_id: m.chat_id.clone(),
        seq,
        sender,
        body: m.body.clone(),
        system: m.system.clone(),
        created_at: m.created_at,
        edited_at: None,
        deleted: false,
        reply_to,
        client_id: m.client_id.clone(),
        attachments: m.attachments.clone(),
    })))
}

fn read_message(tx: &Transaction, sql: &str, params: impl rusqlite::Params) -> rusqlite::Result<Option<MessageRow>> {
    let mut statement = tx.prepare_cached(sql)?;
    let mut rows = statement.query(params)?;
    Ok(match rows.next()? {
        Some(row) => message_row(row),
        None => None,
    })
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;

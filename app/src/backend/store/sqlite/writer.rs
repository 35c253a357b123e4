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
use std::{path::Path, slice, sync::LazyLock, thread, time::Duration};

use rusqlite::{Connection, ErrorCode, OptionalExtension, Transaction, TransactionBehavior, params};
use tokio::sync::{mpsc, oneshot};

use super::super::{
    StoreError,
    chats::{MessageRow, NewMessage, Sent},
    sqlite::rows::{INDEX_NEW_MESSAGES, MSG_COLS, MSG_FROM, NOW_MS, REPLY_COLS, REPLY_FROM, SENDER, brief_at, message_row, reply_row},
};

/// Most writes one transaction takes; more wait for the next.
const MAX_BATCH: usize = 512;

/// How much the writer may have waiting, and how long a caller waits for its commit.
#[derive(Clone, Copy, Debug)]
pub(super) struct Brakes {
    /// Writes queued at most: 32 full batches, a second or two of work at the rates the
    /// writer sustains. Past it a write is refused at once (`StoreError::Busy`) rather than
    /// queued behind a backlog that only grows.
    pub queue: usize,
    /// A caller stops waiting after this (`StoreError::Slow`). The write may still commit
    /// later: a send is then found again by its client id when the client retries.
    pub deadline: Duration,
    /// How long a batch waits for the database's write lock (another connection's write).
    pub lock_wait: Duration,
}

impl Default for Brakes {
    fn default() -> Self {
        Self { queue: 32 * MAX_BATCH, deadline: Duration::from_secs(10), lock_wait: Duration::from_secs(5) }
    }
}

/// How long the readiness ping waits for the writer to answer.
const PING_DEADLINE: Duration = Duration::from_secs(2);

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
    read_mark: MarkKind::Read.build_sql(),
    delivered_mark: MarkKind::Delivered.build_sql(),
});

enum Write {
    Send(NewMessage),
    /// Raises a member's mark (never lowers it); answers with the mark.
    Mark { kind: MarkKind, chat_id: String, user_id: String, seq: i64 },
    /// A person's last device went away at `at` (never moves the time back).
    LastSeen { user_id: String, at: i64 },
    /// Nothing: answered after the batch it joins, to show the writer is alive and moving.
    Ping,
    /// Ends the writer thread as a crash would.
    #[cfg(test)]
    Crash,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum MarkKind {
    /// Read up to `seq` (which implies delivered).
    Read,
    Delivered,
}

impl MarkKind {
    /// Raises one member's mark (`?1` chat, `?2` user, `?3` seq), at most to the chat's last
    /// message; returns the mark, or no row.
    fn sql(self) -> &'static str {
        match self {
            Self::Read => &SQL.read_mark,
            Self::Delivered => &SQL.delivered_mark,
        }
    }

    fn build_sql(self) -> String {
        // `marks_at` moves only when a mark rises, so a reconnecting device is sent just those.
        let set = match self {
            Self::Read => format!(
                "last_read_seq = MAX(last_read_seq, v.seq), last_delivered_seq = MAX(last_delivered_seq, v.seq),
                 marks_at = CASE WHEN last_read_seq < v.seq OR last_delivered_seq < v.seq THEN {NOW_MS} ELSE marks_at END"
            ),
            Self::Delivered => format!(
                "last_delivered_seq = MAX(last_delivered_seq, v.seq),
                 marks_at = CASE WHEN last_delivered_seq < v.seq THEN {NOW_MS} ELSE marks_at END"
            ),
        };
        // A delivered mark that does not rise is not news: no row comes back for it.
        let (column, rising) = match self {
            Self::Read => ("last_read_seq", ""),
            Self::Delivered => ("last_delivered_seq", " AND members.last_delivered_seq < v.seq"),
        };
        format!(
            "UPDATE members SET {set}
             FROM (SELECT MIN(?3, last_seq) AS seq FROM conversations WHERE id = ?1) AS v
             WHERE members.conversation_id = ?1 AND members.user_id = ?2{rising}
             RETURNING members.{column}"
        )
    }
}

enum Written {
    Sent(Sent),
    Mark(i64),
    Done,
}

struct Job {
    write: Write,
    done: oneshot::Sender<Result<Written, StoreError>>,
}

/// The queue to the writer thread; the thread ends when the last clone is dropped.
#[derive(Clone, Debug)]
pub(super) struct Committer {
    jobs: mpsc::Sender<Job>,
    deadline: Duration,
}

fn stopped() -> StoreError {
    StoreError::WriterStopped
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

impl Committer {
    /// Opens the writer's connection to the (migrated) database file and starts its thread.
    /// `synchronous` is the pool's setting (`FULL`, or `OFF` for bulk loads).
    pub(super) fn start(path: &Path, synchronous: &str) -> Result<Self, StoreError> {
        Self::start_with(path, synchronous, Brakes::default())
    }

    pub(super) fn start_with(path: &Path, synchronous: &str, brakes: Brakes) -> Result<Self, StoreError> {
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
        let (jobs, queue) = mpsc::channel(brakes.queue);
        thread::Builder::new()
            .name("message-writer".into())
            .spawn(move || write_batches(conn, queue))
            .map_err(|e| StoreError::Database(format!("the message writer could not start: {e}")))?;
        Ok(Self { jobs, deadline: brakes.deadline })
    }

    /// Stores the message (or finds it stored already under its client id) and returns once
    /// its transaction is committed.
    pub(super) async fn send(&self, message: NewMessage) -> Result<Sent, StoreError> {
        match self.submit(Write::Send(message)).await? {
            Written::Sent(sent) => Ok(sent),
            _ => Err(stopped()),
        }
    }

    /// Raises a member's mark and returns it once committed: 0 if they are not a member, or
    /// for a delivered mark that did not rise.
    pub(super) async fn mark(&self, kind: MarkKind, chat_id: &str, user_id: &str, seq: i64) -> Result<i64, StoreError> {
        let write = Write::Mark { kind, chat_id: chat_id.to_owned(), user_id: user_id.to_owned(), seq };
        match self.submit(write).await? {
            Written::Mark(mark) => Ok(mark),
            _ => Err(stopped()),
        }
    }

    /// Stores when a person was last seen; returns once committed. A storm of sockets closing
    /// at once (a server restart, a network blip) is then a few commits, not one each.
    pub(super) async fn last_seen(&self, user_id: &str, at: i64) -> Result<(), StoreError> {
        self.submit(Write::LastSeen { user_id: user_id.to_owned(), at }).await.map(drop)
    }

    /// Answers once the writer has committed the batch before and including this call, so a
    /// dead thread, or one stuck for `PING_DEADLINE`, fails it: what `/readyz` reports.
    pub(super) async fn ping(&self) -> Result<(), StoreError> {
        self.submit_within(Write::Ping, PING_DEADLINE).await.map(drop)
    }

    async fn submit(&self, write: Write) -> Result<Written, StoreError> {
        self.submit_within(write, self.deadline).await
    }

    async fn submit_within(&self, write: Write, deadline: Duration) -> Result<Written, StoreError> {
        let (done, result) = oneshot::channel();
        self.jobs.try_send(Job { write, done }).map_err(|e| match e {
            mpsc::error::TrySendError::Full(_) => StoreError::Busy,
            mpsc::error::TrySendError::Closed(_) => stopped(),
        })?;
        match tokio::time::timeout(deadline, result).await {
            Ok(answer) => answer.map_err(|_| stopped())?,
            Err(_) => Err(StoreError::Slow),
        }
    }
}

/// Takes what is queued (up to `MAX_BATCH`), commits it, answers, and waits for more.
fn write_batches(mut conn: Connection, mut queue: mpsc::Receiver<Job>) {
    // Statements are prepared once per connection and reused by every batch.
    conn.set_prepared_statement_cache_capacity(16);
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(job) = queue.blocking_recv() {
        batch.push(job);
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
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
        for (job, result) in batch.drain(..).zip(results) {
            let _ = job.done.send(result);
        }
    }
}

fn is_locked(e: &rusqlite::Error) -> bool {
    matches!(e.sqlite_error_code(), Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked))
}

/// The batch in one transaction, in queue order. A write that is refused on its own (a
/// message for a chat that does not exist, a duplicate id) fails alone without undoing the rest.
/// The outer error is the transaction's (it rolled back); the inner ones are each write's own.
fn commit(conn: &mut Connection, batch: &[Job]) -> rusqlite::Result<Vec<Result<Written, StoreError>>> {
    // IMMEDIATE takes the write lock first, so resend checks read what no other writer can change.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let mut results = Vec::with_capacity(batch.len());
    // The rowid of the batch's first new message: the batch's messages are indexed together.
    let mut first_rowid = None;
    for job in batch {
        results.push(match &job.write {
            Write::Send(m) => store_send(&tx, m, &mut first_rowid)?.map(Written::Sent),
            Write::Mark { kind, chat_id, user_id, seq } => {
                let mark = tx.prepare_cached(kind.sql())?.query_row(params![chat_id, user_id, seq], |r| r.get(0)).optional()?;
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
            "INSERT INTO messages (id, conversation_id, seq, sender_id, body, system, created_at, reply_to, client_id)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![m.id, m.chat_id, seq, m.sender_id, m.body, m.system, m.created_at, m.reply_to, m.client_id]);
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

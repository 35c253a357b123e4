//! Group commit for the frequent writes: sends, read/delivered marks and last-seen times. Every
//! commit waits for the write-ahead log to reach the disk (`synchronous_commit` stays on), so
//! one commit per message would cap a server at the disk's flush rate. These writes are queued
//! to one writer instead, which applies everything queued since its last commit in one
//! transaction, commits once, and only then answers each caller: nothing is acknowledged before
//! it is durable.
//!
//! Round trips to PostgreSQL cost far more than SQLite calls, so a batch is a few statements:
//! one look-up of every resent client id, then one statement per write. No statement in it
//! fails on the conflicts a batch can meet (an error would abort the whole transaction); a
//! batch that fails anyway is retried write by write, so one bad write cannot sink the others.
//! If the connection is lost, that batch's callers hear `StoreError::Database` (a client resends
//! with the same client id) and the next batch connects again.
use std::{collections::HashMap, slice, sync::LazyLock, thread, time::Duration};

use sqlx::{Connection, PgConnection, postgres::PgConnectOptions};
use tokio::sync::{mpsc, oneshot};

use super::super::{
    StoreError,
    chats::{MessageRow, NewMessage, Sent},
    row_columns::{MSG_COLS, MSG_FROM, SENDER, brief_at, message_row, reply_row},
};
use super::rows::{Appended, MarkKind, append_row, taken};

/// Most writes one transaction takes; more wait for the next. Smaller than SQLite's: the
/// batch holds its chats' row locks until it commits, and other servers wait for those.
const MAX_BATCH: usize = 256;

/// How much the writer may have waiting, and how long a caller waits for its commit.
#[derive(Clone, Copy, Debug)]
pub(super) struct Brakes {
    /// Writes queued at most. Past it a write is refused at once (`StoreError::Busy`) rather
    /// than queued behind a backlog that only grows.
    pub queue: usize,
    /// A caller stops waiting after this (`StoreError::Slow`). The write may still commit
    /// later: a send is then found again by its client id when the client retries.
    pub deadline: Duration,
    /// How long a batch waits for a row another transaction holds (`lock_timeout`).
    pub lock_wait: Duration,
}

impl Default for Brakes {
    fn default() -> Self {
        Self { queue: 16_384, deadline: Duration::from_secs(10), lock_wait: Duration::from_secs(5) }
    }
}

/// How long the readiness ping waits for the writer to answer.
const PING_DEADLINE: Duration = Duration::from_secs(2);

/// How long the writer waits for a new connection before failing the batch.
const CONNECT_DEADLINE: Duration = Duration::from_secs(5);

struct Statements {
    resent: String,
    by_client_id: String,
}

static SQL: LazyLock<Statements> = LazyLock::new(|| Statements {
    resent: format!(
        "SELECT {MSG_COLS} FROM {MSG_FROM}
         WHERE (m.sender_id, m.client_id) IN (SELECT * FROM UNNEST($1::TEXT[], $2::TEXT[]))"
    ),
    by_client_id: format!("SELECT {MSG_COLS} FROM {MSG_FROM} WHERE m.sender_id = $1 AND m.client_id = $2"),
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

impl Committer {
    /// Starts the writer; it connects with `options` when its first batch comes, and again
    /// after losing its connection.
    pub(super) fn start(options: PgConnectOptions) -> Result<Self, StoreError> {
        Self::start_with(options, Brakes::default())
    }

    /// The writer is a thread of its own running its own small runtime: its round trips do not
    /// wait behind the server's socket tasks, and it ends when the last `Committer` goes.
    pub(super) fn start_with(options: PgConnectOptions, brakes: Brakes) -> Result<Self, StoreError> {
        let (jobs, queue) = mpsc::channel(brakes.queue);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| StoreError::Database(format!("the message writer could not start: {e}")))?;
        let link = Link { options, lock_wait: brakes.lock_wait, conn: None };
        thread::Builder::new()
            .name("message-writer".into())
            .spawn(move || runtime.block_on(write_batches(link, queue)))
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
    /// dead thread, one stuck for `PING_DEADLINE`, or one without a database fails it.
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

/// The writer's connection, made again when it is lost.
struct Link {
    options: PgConnectOptions,
    lock_wait: Duration,
    conn: Option<PgConnection>,
}

impl Link {
    async fn connection(&mut self) -> Result<&mut PgConnection, StoreError> {
        if self.conn.is_none() {
            let connecting = async {
                let mut conn = PgConnection::connect_with(&self.options).await?;
                // A row held elsewhere stops the batch after this, not forever.
                let lock_timeout = format!("SET lock_timeout = {}", self.lock_wait.as_millis());
                sqlx::raw_sql(&lock_timeout).execute(&mut conn).await?;
                Ok::<_, sqlx::Error>(conn)
            };
            let conn = match tokio::time::timeout(CONNECT_DEADLINE, connecting).await {
                Ok(conn) => conn?,
                Err(_) => return Err(StoreError::Database("the message writer could not connect in time".into())),
            };
            self.conn = Some(conn);
        }
        self.conn.as_mut().ok_or_else(stopped)
    }
}

/// Takes what is queued (up to `MAX_BATCH`), commits it, answers, and waits for more.
async fn write_batches(mut link: Link, mut queue: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while let Some(job) = queue.recv().await {
        batch.push(job);
        while batch.len() < MAX_BATCH {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let results = write_batch(&mut link, &batch).await;
        for (job, result) in batch.drain(..).zip(results) {
            let _ = job.done.send(result);
        }
    }
}

/// How a transaction ended when it did not commit.
enum Failed {
    /// Rolled back; the connection is fine.
    RolledBack(sqlx::Error),
    /// The connection broke (or the commit's outcome is unknown): it is dropped.
    Lost(sqlx::Error),
}

/// Each write's answer, in batch order.
async fn write_batch(link: &mut Link, batch: &[Job]) -> Vec<Result<Written, StoreError>> {
    let conn = match link.connection().await {
        Ok(conn) => conn,
        Err(e) => return answer_all(batch, || e.to_string()),
    };
    match commit(conn, batch).await {
        Ok(results) => results,
        Err(Failed::Lost(e)) => lost(link, batch, e),
        // A row stayed locked: going write by write would wait for it once per write. Every
        // caller hears at once and may retry.
        Err(Failed::RolledBack(e)) if is_lock_timeout(&e) => {
            tracing::warn!(error = %e, writes = batch.len(), "the message writer waited too long for a row lock");
            batch.iter().map(|_| Err(StoreError::Busy)).collect()
        }
        // The transaction failed as a whole: each write then goes alone, so whatever caused it
        // fails alone.
        Err(Failed::RolledBack(_)) => {
            let mut results = Vec::with_capacity(batch.len());
            for (n, job) in batch.iter().enumerate() {
                let Ok(conn) = link.connection().await else {
                    results.extend(answer_all(&batch[n..], || "the message writer lost its connection".into()));
                    break;
                };
                match commit(conn, slice::from_ref(job)).await {
                    Ok(mut one) => results.push(one.pop().unwrap_or_else(|| Err(stopped()))),
                    Err(Failed::RolledBack(e)) => results.push(Err(e.into())),
                    Err(Failed::Lost(e)) => {
                        results.extend(lost(link, &batch[n..], e));
                        break;
                    }
                }
            }
            results
        }
    }
}

/// Drops the lost connection (the next batch connects again) and fails these writes.
fn lost(link: &mut Link, jobs: &[Job], e: sqlx::Error) -> Vec<Result<Written, StoreError>> {
    tracing::warn!(error = %e, writes = jobs.len(), "the message writer lost its database connection");
    link.conn = None;
    answer_all(jobs, || e.to_string())
}

fn answer_all(jobs: &[Job], reason: impl Fn() -> String) -> Vec<Result<Written, StoreError>> {
    jobs.iter().map(|_| Err(StoreError::Database(reason()))).collect()
}

fn is_lock_timeout(e: &sqlx::Error) -> bool {
    e.as_database_error().and_then(|d| d.code()).as_deref() == Some("55P03")
}

/// The batch in one transaction, in queue order. A write that is refused on its own (a
/// message for a chat that does not exist, a taken id) fails alone without undoing the rest.
async fn commit(conn: &mut PgConnection, batch: &[Job]) -> Result<Vec<Result<Written, StoreError>>, Failed> {
    let mut tx = conn.begin().await.map_err(Failed::Lost)?;
    match write_all(&mut tx, batch).await {
        Ok(results) => tx.commit().await.map(|()| results).map_err(Failed::Lost),
        Err(e) => match tx.rollback().await {
            Ok(()) => Err(Failed::RolledBack(e)),
            Err(_) => Err(Failed::Lost(e)),
        },
    }
}

/// (sender, client id): what makes a send a resend.
type ResendKey = (String, String);

fn resend_key(m: &NewMessage) -> Option<ResendKey> {
    Some((m.sender_id.clone()?, m.client_id.clone()?))
}

async fn write_all(conn: &mut PgConnection, batch: &[Job]) -> Result<Vec<Result<Written, StoreError>>, sqlx::Error> {
    let mut stored = stored_already(conn, batch).await?;
    let mut results = Vec::with_capacity(batch.len());
    for job in batch {
        results.push(match &job.write {
            Write::Send(m) => store_send(conn, m, &mut stored).await?.map(Written::Sent),
            Write::Mark { kind, chat_id, user_id, seq } => {
                let mark: Option<i64> =
                    sqlx::query_scalar(kind.sql()).bind(chat_id).bind(user_id).bind(*seq).fetch_optional(&mut *conn).await?;
                Ok(Written::Mark(mark.unwrap_or(0)))
            }
            Write::LastSeen { user_id, at } => {
                sqlx::query("UPDATE users SET last_seen_at = GREATEST(COALESCE(last_seen_at, 0), $2) WHERE id = $1")
                    .bind(user_id)
                    .bind(*at)
                    .execute(&mut *conn)
                    .await?;
                Ok(Written::Done)
            }
            Write::Ping => Ok(Written::Done),
            #[cfg(test)]
            Write::Crash => panic!("the writer crashed (test)"),
        });
    }
    Ok(results)
}

/// The batch's sends already stored under their client ids, in one round trip.
async fn stored_already(conn: &mut PgConnection, batch: &[Job]) -> Result<HashMap<ResendKey, MessageRow>, sqlx::Error> {
    let (senders, client_ids): (Vec<String>, Vec<String>) = batch
        .iter()
        .filter_map(|job| match &job.write {
            Write::Send(m) => resend_key(m),
            _ => None,
        })
        .unzip();
    if senders.is_empty() {
        return Ok(HashMap::new());
    }
    let rows = sqlx::query(&SQL.resent).bind(senders).bind(client_ids).fetch_all(&mut *conn).await?;
    Ok(rows
        .iter()
        .filter_map(message_row)
        .filter_map(|row| Some(((row.sender.as_ref()?.id.clone(), row.client_id.clone()?), row)))
        .collect())
}

/// One send inside the batch's transaction: the stored message if its client id was sent
/// before (earlier in this batch too), else the next sequence of its chat. The outer error
/// fails the whole transaction; the inner one fails only this message, having changed nothing.
async fn store_send(
    conn: &mut PgConnection,
    m: &NewMessage,
    stored: &mut HashMap<ResendKey, MessageRow>,
) -> Result<Result<Sent, StoreError>, sqlx::Error> {
    let key = resend_key(m);
    if let Some(row) = key.as_ref().and_then(|key| stored.get(key)) {
        return Ok(Ok(Sent::Existing(row.clone())));
    }
    let (seq, row) = match append_row(conn, m).await? {
        Appended::Stored(seq, row) => (seq, row),
        Appended::NoSuchChat => return Ok(Err(StoreError::NoSuchChat(m.chat_id.clone()))),
        // Another server stored the same resend a moment ago, or the id is someone else's.
        Appended::Taken => {
            let Some((sender, client_id)) = key else { return Ok(Err(taken(m))) };
            let row = sqlx::query(&SQL.by_client_id).bind(&sender).bind(&client_id).fetch_optional(&mut *conn).await?;
            return Ok(match row.as_ref().and_then(message_row) {
                Some(row) => {
                    stored.insert((sender, client_id), row.clone());
                    Ok(Sent::Existing(row))
                }
                None => Err(taken(m)),
            });
        }
    };
    // The answer is built from what was inserted, with the sender and the replied-to message
    // the insert's statement read through the mappings history reads use.
    let row = MessageRow {
        id: m.id.clone(),
        chat_id: m.chat_id.clone(),
        seq,
        sender: brief_at(&row, SENDER),
        body: m.body.clone(),
        system: m.system.clone(),
        created_at: m.created_at,
        edited_at: None,
        deleted: false,
        reply_to: reply_row(&row),
        client_id: m.client_id.clone(),
    };
    if let Some(key) = key {
        stored.insert(key, row.clone());
    }
    Ok(Ok(Sent::New(row)))
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;

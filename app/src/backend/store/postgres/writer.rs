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
use std::{collections::HashMap, slice, sync::LazyLock, time::Duration};

use sqlx::{Connection, PgConnection, postgres::PgConnectOptions};

use super::super::{
    StoreError,
    chats::{MessageRow, NewMessage, Sent},
    group_commit::{Answer, Brakes, Committer, Job, Queue, Write, Written, answer, stopped},
    row_columns::{MSG_COLS, MSG_FROM, SENDER, brief_at, message_row, reply_row},
};
use super::rows::{Appended, append_row, mark_sql, taken};

/// Most writes one transaction takes; more wait for the next. Smaller than SQLite's: the
/// batch holds its chats' row locks until it commits, and other servers wait for those.
const MAX_BATCH: usize = 256;

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

/// Starts the writer; it connects with `options` when its first batch comes, and again after
/// losing its connection.
pub(super) fn start(options: PgConnectOptions) -> Result<Committer, StoreError> {
    start_with(options, Brakes::default())
}

/// The writer's thread runs its own small runtime: its round trips do not wait behind the
/// server's socket tasks, and it ends when the last `Committer` goes.
pub(super) fn start_with(options: PgConnectOptions, brakes: Brakes) -> Result<Committer, StoreError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| StoreError::Database(format!("the message writer could not start: {e}")))?;
    let link = Link { options, lock_wait: brakes.lock_wait, conn: None };
    Committer::spawn(brakes, move |queue| runtime.block_on(write_batches(link, queue)))
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
async fn write_batches(mut link: Link, mut queue: Queue) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.batch(&mut batch, MAX_BATCH).await {
        let results = write_batch(&mut link, &batch).await;
        answer(&mut batch, results);
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
async fn write_batch(link: &mut Link, batch: &[Job]) -> Vec<Answer> {
    let conn = match link.connection().await {
        Ok(conn) => conn,
        Err(e) => return fail_all(batch, || e.to_string()),
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
                    results.extend(fail_all(&batch[n..], || "the message writer lost its connection".into()));
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
fn lost(link: &mut Link, jobs: &[Job], e: sqlx::Error) -> Vec<Answer> {
    tracing::warn!(error = %e, writes = jobs.len(), "the message writer lost its database connection");
    link.conn = None;
    fail_all(jobs, || e.to_string())
}

fn fail_all(jobs: &[Job], reason: impl Fn() -> String) -> Vec<Answer> {
    jobs.iter().map(|_| Err(StoreError::Database(reason()))).collect()
}

fn is_lock_timeout(e: &sqlx::Error) -> bool {
    e.as_database_error().and_then(|d| d.code()).as_deref() == Some("55P03")
}

/// The batch in one transaction, in queue order. A write that is refused on its own (a
/// message for a chat that does not exist, a taken id) fails alone without undoing the rest.
async fn commit(conn: &mut PgConnection, batch: &[Job]) -> Result<Vec<Answer>, Failed> {
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

async fn write_all(conn: &mut PgConnection, batch: &[Job]) -> Result<Vec<Answer>, sqlx::Error> {
    let mut stored = stored_already(conn, batch).await?;
    let mut results = Vec::with_capacity(batch.len());
    for job in batch {
        results.push(match &job.write {
            Write::Send(m) => store_send(conn, m, &mut stored).await?.map(Written::Sent),
            Write::Mark { kind, chat_id, user_id, seq } => {
                let mark: Option<i64> =
                    sqlx::query_scalar(mark_sql(*kind)).bind(chat_id).bind(user_id).bind(*seq).fetch_optional(&mut *conn).await?;
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

//! Group commit for the frequent writes: sends, read/delivered marks and last-seen times. Every
//! commit waits for the write-ahead log to reach the disk (`synchronous_commit` stays on), so
//! one commit per message would cap a server at the disk's flush rate. These writes are queued
//! to a writer instead (one of a few, each owning a share of the chats: `writers.rs`), which
//! applies everything queued since its last commit in one transaction, commits once, and only
//! then answers each caller: nothing is acknowledged before it is durable.
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
    chats::{MessageRow, NewMessage, ReplyRow, Sent},
    group_commit::{Answer, Brakes, Committer, Job, MarkKind, Queue, Write, Written, answer, stopped},
    row_columns::{MSG_COLS, MSG_FROM, SENDER, brief_at, message_row, reply_row},
};
use super::batch_rows::{MarkKey, append_many, mark_many};
use super::rows::{Appended, append_row, taken};

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

/// Starts a writer; it connects with `options` when its first batch comes, and again after
/// losing its connection. Its thread runs its own small runtime: its round trips do not wait
/// behind the server's socket tasks, and it ends when the last `Committer` goes.
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

/// The batch's writes: its sends in one statement, its marks in one per kind, then the rest.
/// (Marks after sends: a mark names a message the reader has seen, stored by an earlier batch,
/// so the order only keeps a mark from being capped below a send it follows.)
async fn write_all(conn: &mut PgConnection, batch: &[Job]) -> Result<Vec<Answer>, sqlx::Error> {
    let mut answers: Vec<Option<Answer>> = batch.iter().map(|_| None).collect();
    store_sends(conn, batch, &mut answers).await?;
    for kind in [MarkKind::Read, MarkKind::Delivered] {
        store_marks(conn, kind, batch, &mut answers).await?;
    }
    for (job, answer) in batch.iter().zip(&mut answers) {
        if answer.is_some() {
            continue;
        }
        *answer = Some(match &job.write {
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
            Write::Send(_) | Write::Mark { .. } => Err(stopped()),
        });
    }
    Ok(answers.into_iter().map(|a| a.unwrap_or_else(|| Err(stopped()))).collect())
}

/// Answers every send of the batch. A resend gets the message stored before (earlier in this
/// batch too); the new ones are appended together, or alone with `APPEND_SQL` when there is
/// only one (which also resolves a resend racing in from another server).
async fn store_sends(conn: &mut PgConnection, batch: &[Job], answers: &mut [Option<Answer>]) -> Result<(), sqlx::Error> {
    let sends: Vec<(usize, &NewMessage)> = batch
        .iter()
        .enumerate()
        .filter_map(|(i, job)| match &job.write {
            Write::Send(m) => Some((i, m)),
            _ => None,
        })
        .collect();
    if sends.is_empty() {
        return Ok(());
    }
    let mut stored = stored_already(conn, batch).await?;
    // New messages, and the later sends of a client id that is new in this batch.
    let (mut new, mut repeats) = (Vec::new(), Vec::new());
    let mut first_of: HashMap<ResendKey, usize> = HashMap::new();
    for &(i, m) in &sends {
        match resend_key(m) {
            Some(key) if stored.contains_key(&key) => answers[i] = Some(Ok(Written::Sent(Sent::Existing(stored[&key].clone())))),
            Some(key) if first_of.contains_key(&key) => repeats.push((i, key)),
            key => {
                if let Some(key) = key {
                    first_of.insert(key, i);
                }
                new.push((i, m));
            }
        }
    }
    if let [(i, m)] = new[..] {
        answers[i] = Some(store_send(conn, m, &mut stored).await?.map(Written::Sent));
    } else if !new.is_empty() {
        let messages: Vec<&NewMessage> = new.iter().map(|&(_, m)| m).collect();
        let mut batch_rows: HashMap<&str, MessageRow> = HashMap::new();
        for ((i, m), appended) in new.iter().zip(append_many(conn, &messages).await?) {
            answers[*i] = Some(match appended {
                Appended::Stored(seq, row) => {
                    let mut row = sent_row(m, seq, &row);
                    // A reply to a message of this same statement: it read the table as it was
                    // before, so the replied-to message comes from the batch.
                    if let (None, Some(to)) = (&row.reply_to, &m.reply_to) {
                        row.reply_to = batch_rows.get(to.as_str()).map(|r: &MessageRow| ReplyRow {
                            id: r.id.clone(),
                            seq: r.seq,
                            sender: r.sender.clone().unwrap_or_default(),
                            body: r.body.clone(),
                            deleted: false,
                            attachments: r.attachments.clone(),
                        });
                    }
                    batch_rows.insert(m.id.as_str(), row.clone());
                    if let Some(key) = resend_key(m) {
                        stored.insert(key, row.clone());
                    }
                    Ok(Written::Sent(Sent::New(row)))
                }
                Appended::NoSuchChat => Err(StoreError::NoSuchChat(m.chat_id.clone())),
                Appended::Taken => Err(taken(m)),
            });
        }
    }
    for (i, key) in repeats {
        answers[i] = Some(match (stored.get(&key), &answers[first_of[&key]]) {
            (Some(row), _) => Ok(Written::Sent(Sent::Existing(row.clone()))),
            // The first send of this client id was refused; so is this one, alike.
            (None, Some(Err(StoreError::NoSuchChat(chat)))) => Err(StoreError::NoSuchChat(chat.clone())),
            (None, _) => match &batch[i].write {
                Write::Send(m) => Err(taken(m)),
                _ => Err(stopped()),
            },
        });
    }
    Ok(())
}

/// Answers every mark of one kind in the batch, with one statement. Several marks of one
/// member are one raise to the highest; a delivered mark answers 0 (no news) unless it is
/// the one that rose, a read mark answers the member's mark after the batch.
async fn store_marks(conn: &mut PgConnection, kind: MarkKind, batch: &[Job], answers: &mut [Option<Answer>]) -> Result<(), sqlx::Error> {
    let mut highest: HashMap<MarkKey, i64> = HashMap::new();
    let mut marks = Vec::new();
    for (i, job) in batch.iter().enumerate() {
        if let Write::Mark { kind: k, chat_id, user_id, seq } = &job.write
            && *k == kind
        {
            let key = (chat_id.clone(), user_id.clone());
            let top = highest.entry(key.clone()).or_insert(*seq);
            *top = (*top).max(*seq);
            marks.push((i, key, *seq));
        }
    }
    if marks.is_empty() {
        return Ok(());
    }
    let mut raised = mark_many(conn, kind, &highest).await?;
    for (i, key, seq) in marks {
        let mark = match kind {
            MarkKind::Read => raised.get(&key).copied(),
            MarkKind::Delivered if highest.get(&key) == Some(&seq) => raised.remove(&key),
            MarkKind::Delivered => None,
        };
        answers[i] = Some(Ok(Written::Mark(mark.unwrap_or(0))));
    }
    Ok(())
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
    let row = sent_row(m, seq, &row);
    if let Some(key) = key {
        stored.insert(key, row.clone());
    }
    Ok(Ok(Sent::New(row)))
}

/// The answer to a stored send, built from what was inserted, with the sender and the
/// replied-to message the insert's statement read through the mappings history reads use.
fn sent_row(m: &NewMessage, seq: i64, row: &sqlx::postgres::PgRow) -> MessageRow {
    MessageRow {
        id: m.id.clone(),
        chat_id: m.chat_id.clone(),
        seq,
        sender: brief_at(row, SENDER),
        body: m.body.clone(),
        system: m.system.clone(),
        created_at: m.created_at,
        edited_at: None,
        deleted: false,
        reply_to: reply_row(row),
        client_id: m.client_id.clone(),
        attachments: m.attachments.clone(),
    }
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;

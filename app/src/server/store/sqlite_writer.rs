//! Group commit for the frequent writes: sends, read/delivered marks and last-seen times. Every commit waits for
//! the disk (`synchronous=FULL`), and one commit per message caps a server at a few hundred
//! messages a second whatever its CPU. These writes are queued to one writer task instead,
//! which applies everything queued since its last commit in one transaction, commits once, and
//! only then answers each caller: nothing is acknowledged before it is durable, and a busy
//! server commits hundreds of writes per disk flush.
use std::collections::HashMap;

use sqlx::{Connection, SqliteConnection, SqlitePool, pool::PoolConnection};
use tokio::sync::{mpsc, oneshot};

use super::{
    StoreError,
    chats::{Brief, MessageRow, NewMessage, ReplyRow, Sent},
    sqlite_rows::{MSG_COLS, MSG_FROM, NOW_MS, append, lock_for_write, message_row, reply_row},
};

/// Most writes one transaction takes; more wait for the next (512 sends bind 4,608 values,
/// well under SQLite's limit).
const MAX_BATCH: usize = 512;

enum Write {
    Send(NewMessage),
    /// Raises a member's mark (never lowers it); answers with the mark.
    Mark { kind: MarkKind, chat_id: String, user_id: String, seq: i64 },
    /// A person's last device went away at `at` (never moves the time back).
    LastSeen { user_id: String, at: i64 },
}

impl Write {
    /// The chat whose row the transaction locks first (any id takes SQLite's write lock).
    fn lock_key(&self) -> &str {
        match self {
            Write::Send(NewMessage { chat_id, .. }) | Write::Mark { chat_id, .. } => chat_id,
            Write::LastSeen { .. } => "",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum MarkKind {
    /// Read up to `seq` (which implies delivered).
    Read,
    Delivered,
}

impl MarkKind {
    /// Raises the marks of `rows` (chat, user, seq) members in one statement, each at most to
    /// the chat's last message.
    fn sql(self, rows: usize) -> String {
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
             FROM (SELECT r.column1 AS chat, r.column2 AS user, MIN(r.column3, c.last_seq) AS seq
                   FROM (VALUES {}) AS r JOIN conversations c ON c.id = r.column1) AS v
             WHERE members.conversation_id = v.chat AND members.user_id = v.user{rising}
             RETURNING members.conversation_id, members.user_id, members.{column}",
            tuples(rows, 3)
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

/// The queue to the writer task; the task ends when the last clone is dropped.
#[derive(Clone, Debug)]
pub(super) struct Committer {
    jobs: mpsc::UnboundedSender<Job>,
}

fn stopped() -> StoreError {
    StoreError::Corrupt("the message writer stopped".into())
}

impl Committer {
    pub(super) fn start(pool: SqlitePool) -> Self {
        let (jobs, queue) = mpsc::unbounded_channel();
        tokio::spawn(write_batches(pool, queue));
        Self { jobs }
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

    async fn submit(&self, write: Write) -> Result<Written, StoreError> {
        let (done, result) = oneshot::channel();
        self.jobs.send(Job { write, done }).map_err(|_| stopped())?;
        result.await.map_err(|_| stopped())?
    }
}

/// The writer keeps a connection of its own, out of the pool: taking one from the pool for every
/// batch (and waiting behind readers for it) was a fifth of its time under load.
async fn write_batches(pool: SqlitePool, mut queue: mpsc::UnboundedReceiver<Job>) {
    let mut own: Option<SqliteConnection> = None;
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
        if own.is_none() {
            own = pool.acquire().await.ok().map(PoolConnection::detach);
        }
        let committed = match own.as_mut() {
            Some(conn) => commit(conn, &batch).await,
            None => Err(stopped()),
        };
        let results = match committed {
            Ok(results) => results,
            // Something in the batch failed (and the transaction rolled back): each write then
            // goes alone, so one bad message fails alone. The next batch gets a fresh
            // connection, in case this one is what failed.
            Err(_) => {
                own = None;
                let mut results = Vec::with_capacity(batch.len());
                for job in &batch {
                    results.push(match &job.write {
                        Write::Send(m) => send_alone(&pool, m).await.map(Written::Sent),
                        Write::Mark { kind, chat_id, user_id, seq } => match pool.acquire().await {
                            Ok(mut conn) => match raise_marks(&mut conn, *kind, &[(chat_id, user_id, *seq)]).await {
                                Ok(marks) => Ok(Written::Mark(marks.first().copied().unwrap_or(0))),
                                Err(e) => Err(e),
                            },
                            Err(e) => Err(e.into()),
                        },
                        Write::LastSeen { user_id, at } => match pool.acquire().await {
                            Ok(mut conn) => store_last_seen(&mut conn, &[(user_id, *at)]).await.map(|()| Written::Done),
                            Err(e) => Err(e.into()),
                        },
                    });
                }
                results
            }
        };
        for (job, result) in batch.drain(..).zip(results) {
            let _ = job.done.send(result);
        }
    }
}

/// The batch in one transaction: marks of each kind in one statement, sends in a few
/// (`store_sends`).
async fn commit(conn: &mut SqliteConnection, batch: &[Job]) -> Result<Vec<Result<Written, StoreError>>, StoreError> {
    let Some(first) = batch.first() else { return Ok(Vec::new()) };
    let mut tx = conn.begin().await?;
    // Write lock first, so the resend checks read what no other writer can change.
    lock_for_write(&mut tx, first.write.lock_key()).await?;
    let sends: Vec<&NewMessage> = batch.iter().filter_map(|j| if let Write::Send(m) = &j.write { Some(m) } else { None }).collect();
    let mut marked: HashMap<(MarkKind, &str, &str), i64> = HashMap::new();
    for kind in [MarkKind::Read, MarkKind::Delivered] {
        let rows: Vec<(&String, &String, i64)> = batch
            .iter()
            .filter_map(|j| match &j.write {
                Write::Mark { kind: k, chat_id, user_id, seq } if *k == kind => Some((chat_id, user_id, *seq)),
                _ => None,
            })
            .collect();
        let rows = dedupe_marks(&rows);
        for ((chat, user, _), mark) in rows.iter().zip(raise_marks(&mut tx, kind, &rows).await?) {
            marked.insert((kind, chat.as_str(), user.as_str()), mark);
        }
    }
    let seen: Vec<(&String, i64)> = batch.iter().filter_map(|j| if let Write::LastSeen { user_id, at } = &j.write { Some((user_id, *at)) } else { None }).collect();
    store_last_seen(&mut tx, &seen).await?;
    let mut sent = store_sends(&mut tx, &sends).await?.into_iter();
    tx.commit().await?;
    Ok(batch
        .iter()
        .map(|job| match &job.write {
            Write::Send(_) => sent.next().unwrap_or_else(|| Err(stopped())).map(Written::Sent),
            Write::Mark { kind, chat_id, user_id, .. } => Ok(Written::Mark(marked.get(&(*kind, chat_id.as_str(), user_id.as_str())).copied().unwrap_or(0))),
            Write::LastSeen { .. } => Ok(Written::Done),
        })
        .collect())
}

/// Last-seen times in one statement, the latest per person.
async fn store_last_seen(conn: &mut SqliteConnection, rows: &[(&String, i64)]) -> Result<(), StoreError> {
    let mut latest: HashMap<&str, i64> = HashMap::new();
    for &(user, at) in rows {
        let entry = latest.entry(user.as_str()).or_insert(at);
        *entry = (*entry).max(at);
    }
    if latest.is_empty() {
        return Ok(());
    }
    let sql = format!(
        "UPDATE users SET last_seen_at = MAX(COALESCE(last_seen_at, 0), v.column2) FROM (VALUES {}) AS v WHERE users.id = v.column1",
        tuples(latest.len(), 2)
    );
    let mut query = sqlx::query(&sql);
    for (user, at) in &latest {
        query = query.bind(*user).bind(*at);
    }
    query.execute(&mut *conn).await?;
    Ok(())
}

/// One row per member: the highest of their marks in the batch (an UPDATE … FROM applies only
/// one of several rows matching the same member).
fn dedupe_marks<'a>(rows: &[(&'a String, &'a String, i64)]) -> Vec<(&'a String, &'a String, i64)> {
    let mut out: Vec<(&String, &String, i64)> = Vec::with_capacity(rows.len());
    let mut at: HashMap<(&str, &str), usize> = HashMap::new();
    for &(chat, user, seq) in rows {
        match at.get(&(chat.as_str(), user.as_str())) {
            Some(&i) => out[i].2 = out[i].2.max(seq),
            None => {
                at.insert((chat.as_str(), user.as_str()), out.len());
                out.push((chat, user, seq));
            }
        }
    }
    out
}

/// Raises the marks and returns each row's mark after it (0 for someone not a member), in order.
async fn raise_marks(conn: &mut SqliteConnection, kind: MarkKind, rows: &[(&String, &String, i64)]) -> Result<Vec<i64>, StoreError> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let sql = kind.sql(rows.len());
    let mut query = sqlx::query_as::<_, (String, String, i64)>(&sql);
    for (chat, user, seq) in rows {
        query = query.bind(chat.as_str()).bind(user.as_str()).bind(*seq);
    }
    let raised: HashMap<(String, String), i64> = query.fetch_all(&mut *conn).await?.into_iter().map(|(c, u, m)| ((c, u), m)).collect();
    Ok(rows.iter().map(|(c, u, _)| raised.get(&((*c).clone(), (*u).clone())).copied().unwrap_or(0)).collect())
}

/// What becomes of one send in a batch.
enum Fate {
    /// Its client id was stored before: that message.
    Resent(MessageRow),
    /// Its client id came earlier in this batch: what that send stored.
    SameAs(usize),
    New,
}

/// Stores a batch's messages in a handful of statements whatever their number (each statement
/// is a round trip to the database thread): find resends, raise each chat's sequence once,
/// insert every message, raise the senders' own marks, build the stored rows. Sequences
/// follow the batch's order within each chat.
async fn store_sends(conn: &mut SqliteConnection, sends: &[&NewMessage]) -> Result<Vec<Result<Sent, StoreError>>, StoreError> {
    if sends.is_empty() {
        return Ok(Vec::new());
    }
    let key = |m: &NewMessage| Some((m.sender_id.clone()?, m.client_id.clone()?));
    let keys: Vec<(String, String)> = sends.iter().filter_map(|m| key(m)).collect();
    let mut stored_before = HashMap::new();
    if !keys.is_empty() {
        // The keys drive the loop (CROSS JOIN keeps that order) so each is one index search;
        // `(sender_id, client_id) IN (VALUES …)` made SQLite scan every message per batch.
        let sql = format!(
            "SELECT {MSG_COLS} FROM (VALUES {}) AS k CROSS JOIN {MSG_FROM} WHERE m.sender_id = k.column1 AND m.client_id = k.column2",
            tuples(keys.len(), 2)
        );
        let mut query = sqlx::query(&sql);
        for (sender, client_id) in &keys {
            query = query.bind(sender).bind(client_id);
        }
        for row in query.fetch_all(&mut *conn).await?.iter().filter_map(message_row) {
            if let (Some(sender), Some(client_id)) = (row.sender.as_ref().map(|s| s.id.clone()), row.client_id.clone()) {
                stored_before.insert((sender, client_id), row);
            }
        }
    }
    let mut first_with_key = HashMap::new();
    let fates: Vec<Fate> = sends
        .iter()
        .enumerate()
        .map(|(i, m)| match key(m) {
            Some(k) if stored_before.contains_key(&k) => Fate::Resent(stored_before[&k].clone()),
            Some(k) => match first_with_key.get(&k) {
                Some(&j) => Fate::SameAs(j),
                None => {
                    first_with_key.insert(k, i);
                    Fate::New
                }
            },
            None => Fate::New,
        })
        .collect();
    let new: Vec<&NewMessage> = sends.iter().zip(&fates).filter(|(_, f)| matches!(f, Fate::New)).map(|(m, _)| *m).collect();

    // One sequence bump per chat: (chat, messages, latest time) in first-seen order.
    let mut chats: Vec<(&str, i64, i64)> = Vec::new();
    for m in &new {
        match chats.iter_mut().find(|c| c.0 == m.chat_id) {
            Some(c) => (c.1, c.2) = (c.1 + 1, c.2.max(m.created_at)),
            None => chats.push((&m.chat_id, 1, m.created_at)),
        }
    }
    let mut next_seq: HashMap<String, i64> = HashMap::new();
    if !chats.is_empty() {
        let sql = format!(
            "UPDATE conversations SET last_seq = last_seq + v.column2, last_activity_at = MAX(last_activity_at, v.column3)
             FROM (VALUES {}) AS v WHERE conversations.id = v.column1 RETURNING conversations.id, conversations.last_seq",
            tuples(chats.len(), 3)
        );
        let mut query = sqlx::query_as::<_, (String, i64)>(&sql);
        for (chat, count, at) in &chats {
            query = query.bind(*chat).bind(*count).bind(*at);
        }
        for (chat, last) in query.fetch_all(&mut *conn).await? {
            let count = chats.iter().find(|c| c.0 == chat).map_or(0, |c| c.1);
            next_seq.insert(chat, last - count + 1);
        }
    }
    // Messages for a chat that does not exist get no sequence and fail alone.
    let mut seqs: HashMap<&str, i64> = HashMap::new();
    let mut placed: Vec<(&NewMessage, i64)> = Vec::with_capacity(new.len());
    for m in &new {
        if let Some(seq) = next_seq.get_mut(&m.chat_id) {
            placed.push((*m, *seq));
            seqs.insert(&m.id, *seq);
            *seq += 1;
        }
    }
    if !placed.is_empty() {
        let sql = format!(
            "INSERT INTO messages (id, conversation_id, seq, sender_id, body, system, created_at, reply_to, client_id) VALUES {}",
            tuples(placed.len(), 9)
        );
        let mut query = sqlx::query(&sql);
        for (m, seq) in &placed {
            query = query.bind(&m.id).bind(&m.chat_id).bind(*seq).bind(&m.sender_id).bind(&m.body).bind(&m.system).bind(m.created_at).bind(&m.reply_to).bind(&m.client_id);
        }
        query.execute(&mut *conn).await?;

        // Sending reads the chat up to one's own message: one row per (chat, sender), its highest.
        let mut marks: Vec<(&str, &str, i64)> = Vec::new();
        for (m, seq) in &placed {
            let Some(sender) = m.sender_id.as_deref() else { continue };
            match marks.iter_mut().find(|k| k.0 == m.chat_id && k.1 == sender) {
                Some(k) => k.2 = k.2.max(*seq),
                None => marks.push((&m.chat_id, sender, *seq)),
            }
        }
        if !marks.is_empty() {
            let sql = format!(
                "UPDATE members SET last_read_seq = MAX(last_read_seq, v.column3), last_delivered_seq = MAX(last_delivered_seq, v.column3),
                   marks_at = {NOW_MS}
                 FROM (VALUES {}) AS v WHERE members.conversation_id = v.column1 AND members.user_id = v.column2",
                tuples(marks.len(), 3)
            );
            let mut query = sqlx::query(&sql);
            for (chat, user, seq) in &marks {
                query = query.bind(*chat).bind(*user).bind(*seq);
            }
            query.execute(&mut *conn).await?;
        }
    }
    let stored = stored_rows(conn, &placed).await?;
    let outcome = |i: usize| -> Result<Sent, StoreError> {
        let m = sends[i];
        stored.get(&m.id).cloned().map(Sent::New).ok_or_else(|| StoreError::Corrupt(format!("message {} for chat {} was not stored", m.id, m.chat_id)))
    };
    Ok(fates
        .iter()
        .enumerate()
        .map(|(i, fate)| match fate {
            Fate::Resent(row) => Ok(Sent::Existing(row.clone())),
            Fate::SameAs(j) => outcome(*j).map(|sent| match sent {
                Sent::New(row) | Sent::Existing(row) => Sent::Existing(row),
            }),
            Fate::New => outcome(i),
        })
        .collect())
}

/// The rows just inserted, as a read would give them: built from what was bound, with the
/// senders' names and the replied-to messages read in two small queries (reading every message
/// back through its joins was an eighth of the writer's time).
async fn stored_rows(conn: &mut SqliteConnection, placed: &[(&NewMessage, i64)]) -> Result<HashMap<String, MessageRow>, StoreError> {
    let mut senders: Vec<&str> = placed.iter().filter_map(|(m, _)| m.sender_id.as_deref()).collect();
    senders.sort_unstable();
    senders.dedup();
    let mut briefs: HashMap<String, Brief> = HashMap::new();
    if !senders.is_empty() {
        let sql = format!("SELECT id, username, display_name FROM users WHERE id IN ({})", placeholders(senders.len()));
        let mut query = sqlx::query_as::<_, (String, String, String)>(&sql);
        for id in &senders {
            query = query.bind(*id);
        }
        for (id, username, display_name) in query.fetch_all(&mut *conn).await? {
            briefs.insert(id.clone(), Brief { id, username, display_name });
        }
    }
    let mut replied: Vec<&str> = placed.iter().filter_map(|(m, _)| m.reply_to.as_deref()).collect();
    replied.sort_unstable();
    replied.dedup();
    let mut replies: HashMap<String, ReplyRow> = HashMap::new();
    if !replied.is_empty() {
        let sql = format!(
            "SELECT r.id AS r_id, r.seq AS r_seq, r.body AS r_body, r.deleted AS r_deleted,
                    rs.id AS rs_id, rs.username AS rs_username, rs.display_name AS rs_display_name
             FROM messages r LEFT JOIN users rs ON rs.id = r.sender_id WHERE r.id IN ({})",
            placeholders(replied.len())
        );
        let mut query = sqlx::query(&sql);
        for id in &replied {
            query = query.bind(*id);
        }
        for reply in query.fetch_all(&mut *conn).await?.iter().filter_map(reply_row) {
            replies.insert(reply.id.clone(), reply);
        }
    }
    Ok(placed
        .iter()
        .map(|(m, seq)| {
            let row = MessageRow {
                id: m.id.clone(),
                chat_id: m.chat_id.clone(),
                seq: *seq,
                sender: m.sender_id.as_ref().and_then(|id| briefs.get(id).cloned()),
                body: m.body.clone(),
                system: m.system.clone(),
                created_at: m.created_at,
                edited_at: None,
                deleted: false,
                reply_to: m.reply_to.as_ref().and_then(|id| replies.get(id).cloned()),
                client_id: m.client_id.clone(),
            };
            (m.id.clone(), row)
        })
        .collect())
}

/// `?, ?, …`: `n` placeholders.
fn placeholders(n: usize) -> String {
    vec!["?"; n].join(", ")
}

/// `(?, ?), (?, ?)…`: `rows` tuples of `width` placeholders.
fn tuples(rows: usize, width: usize) -> String {
    let one = format!("({})", placeholders(width));
    vec![one; rows].join(", ")
}

/// One message in its own transaction; a duplicate id or client id gives back the stored one.
pub(super) async fn send_alone(pool: &SqlitePool, m: &NewMessage) -> Result<Sent, StoreError> {
    let mut tx = pool.begin().await?;
    // The sequence bump comes first: it takes the write lock, so the duplicate check below
    // reads the latest state, and a duplicate's rollback gives the number back (no gap).
    match append(&mut tx, m).await {
        Ok(_) => {}
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            drop(tx);
            let (Some(sender), Some(client_id)) = (&m.sender_id, &m.client_id) else {
                return Err(StoreError::Corrupt("duplicate message id".into()));
            };
            let mut conn = pool.acquire().await?;
            let existing = by_client_id(&mut conn, sender, client_id).await?;
            return existing.map(Sent::Existing).ok_or_else(|| StoreError::Corrupt("duplicate message id".into()));
        }
        Err(e) => return Err(e.into()),
    }
    let stored = by_id(&mut tx, &m.id).await?.ok_or_else(|| StoreError::Corrupt(format!("message {} vanished", m.id)))?;
    tx.commit().await?;
    Ok(Sent::New(stored))
}

pub(super) async fn by_id(conn: &mut SqliteConnection, message_id: &str) -> Result<Option<MessageRow>, StoreError> {
    let row = sqlx::query(&format!("SELECT {MSG_COLS} FROM {MSG_FROM} WHERE m.id = ?")).bind(message_id).fetch_optional(&mut *conn).await?;
    Ok(row.as_ref().and_then(message_row))
}

pub(super) async fn by_client_id(conn: &mut SqliteConnection, sender_id: &str, client_id: &str) -> Result<Option<MessageRow>, StoreError> {
    let row = sqlx::query(&format!("SELECT {MSG_COLS} FROM {MSG_FROM} WHERE m.sender_id = ? AND m.client_id = ?"))
        .bind(sender_id)
        .bind(client_id)
        .fetch_optional(&mut *conn)
        .await?;
    Ok(row.as_ref().and_then(message_row))
}

#[cfg(test)]
#[path = "sqlite_writer_tests.rs"]
mod tests;

//! The async front of the message writers (`sqlite/writer.rs`, `postgres/writer.rs`): callers
//! queue sends, marks and last-seen times to one writer thread, which commits everything
//! queued since its last commit in one transaction and only then answers each caller. What is
//! the same for both stores lives here: the queue and its brakes, the writes and their answers,
//! and the caller's side. Each store's writer keeps only its thread, its commit loop and its
//! statements.
use std::{thread, time::Duration};

use tokio::sync::{mpsc, oneshot};

use super::{
    StoreError,
    chats::{NewMessage, Sent},
};

/// How much the writer may have waiting, and how long a caller waits for its commit.
#[derive(Clone, Copy, Debug)]
pub(super) struct Brakes {
    /// Writes queued at most: a second or two of work at the rates the writers sustain (32 of
    /// SQLite's full batches, 64 of PostgreSQL's). Past it a write is refused at once
    /// (`StoreError::Busy`) rather than queued behind a backlog that only grows.
    pub queue: usize,
    /// A caller stops waiting after this (`StoreError::Slow`). The write may still commit
    /// later: a send is then found again by its client id when the client retries.
    pub deadline: Duration,
    /// How long a batch waits for a lock another connection holds: SQLite's write lock (the
    /// busy timeout), a PostgreSQL row (`lock_timeout`).
    pub lock_wait: Duration,
}

impl Default for Brakes {
    fn default() -> Self {
        Self { queue: 16_384, deadline: Duration::from_secs(10), lock_wait: Duration::from_secs(5) }
    }
}

/// How long the readiness ping waits for the writer to answer.
const PING_DEADLINE: Duration = Duration::from_secs(2);

/// Which of a member's marks a write raises.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(super) enum MarkKind {
    /// Read up to `seq` (which implies delivered).
    Read,
    Delivered,
}

impl MarkKind {
    /// The `UPDATE members` that raises this mark to `v.seq` for the members `matches` picks,
    /// `rows` being the query that makes the `v` rows, in either store's SQL: `greatest` is its
    /// larger-of function, `now_ms` its current time in milliseconds. It returns each raised
    /// member's `conversation_id`, `user_id` and `mark`.
    pub(super) fn raise_sql(self, rows: &str, matches: &str, greatest: &str, now_ms: &str) -> String {
        // `marks_at` moves only when a mark rises, so a reconnecting device is sent just those.
        let set = match self {
            Self::Read => format!(
                "last_read_seq = {greatest}(last_read_seq, v.seq), last_delivered_seq = {greatest}(last_delivered_seq, v.seq),
                 marks_at = CASE WHEN last_read_seq < v.seq OR last_delivered_seq < v.seq THEN {now_ms} ELSE marks_at END"
            ),
            Self::Delivered => format!(
                "last_delivered_seq = {greatest}(last_delivered_seq, v.seq),
                 marks_at = CASE WHEN last_delivered_seq < v.seq THEN {now_ms} ELSE marks_at END"
            ),
        };
        // A delivered mark that does not rise is not news: no row comes back for it.
        let (column, rising) = match self {
            Self::Read => ("last_read_seq", ""),
            Self::Delivered => ("last_delivered_seq", " AND members.last_delivered_seq < v.seq"),
        };
        format!(
            "UPDATE members SET {set} FROM ({rows}) AS v
             WHERE {matches}{rising}
             RETURNING members.conversation_id, members.user_id, members.{column} AS mark"
        )
    }
}

pub(super) enum Write {
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

pub(super) enum Written {
    Sent(Sent),
    Mark(i64),
    Done,
}

/// What one write gets back from its batch.
pub(super) type Answer = Result<Written, StoreError>;

pub(super) struct Job {
    pub write: Write,
    done: oneshot::Sender<Answer>,
}

pub(super) fn stopped() -> StoreError {
    StoreError::WriterStopped
}

/// The queue to the writer thread; the thread ends when the last clone is dropped.
#[derive(Clone, Debug)]
pub(super) struct Committer {
    jobs: mpsc::Sender<Job>,
    deadline: Duration,
}

impl Committer {
    /// Starts `commit_loop` on a thread of its own, taking the writes this `Committer` (and
    /// its clones) queue. The loop returns when `Queue` says every caller is gone.
    pub(super) fn spawn(brakes: Brakes, commit_loop: impl FnOnce(Queue) + Send + 'static) -> Result<Self, StoreError> {
        let (jobs, queue) = mpsc::channel(brakes.queue);
        thread::Builder::new()
            .name("message-writer".into())
            .spawn(move || commit_loop(Queue(queue)))
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
    /// dead thread, one stuck for `PING_DEADLINE`, or one without a database fails it: what
    /// `/readyz` reports.
    pub(super) async fn ping(&self) -> Result<(), StoreError> {
        self.submit_within(Write::Ping, PING_DEADLINE).await.map(drop)
    }

    pub(super) async fn submit(&self, write: Write) -> Answer {
        self.submit_within(write, self.deadline).await
    }

    async fn submit_within(&self, write: Write, deadline: Duration) -> Answer {
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

/// The writer thread's end of the queue.
pub(super) struct Queue(mpsc::Receiver<Job>);

impl Queue {
    /// Waits for a write (blocking the thread), then adds it and whatever else is queued to
    /// `batch`, up to `max` writes. False once every `Committer` is gone.
    pub(super) fn blocking_batch(&mut self, batch: &mut Vec<Job>, max: usize) -> bool {
        let Some(job) = self.0.blocking_recv() else { return false };
        self.fill(batch, job, max);
        true
    }

    /// As `blocking_batch`, for a writer that runs its own runtime.
    pub(super) async fn batch(&mut self, batch: &mut Vec<Job>, max: usize) -> bool {
        let Some(job) = self.0.recv().await else { return false };
        self.fill(batch, job, max);
        true
    }

    fn fill(&mut self, batch: &mut Vec<Job>, first: Job, max: usize) {
        batch.push(first);
        while batch.len() < max {
            match self.0.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
    }
}

/// Gives each caller of the committed batch its answer (`answers` in batch order) and empties
/// the batch for the next one. A caller that stopped waiting is skipped.
pub(super) fn answer(batch: &mut Vec<Job>, answers: Vec<Answer>) {
    for (job, answer) in batch.drain(..).zip(answers) {
        let _ = job.done.send(answer);
    }
}

//! The PostgreSQL store's message writers: `WRITERS` of them (`writer.rs`), each with its own
//! connection and queue, each owning a share of the chats. One writer's backend is one
//! PostgreSQL process, so one writer can keep at most one of the database's cores busy; several
//! spread the work (above all the inserts: the search vector, its GIN index, the b-trees) over
//! the database's cores.
//!
//! A write goes to the writer its chat's id hashes to: every send, read and delivered mark of
//! one chat, so the chat's messages are numbered in the order they were queued and a resend
//! (same sender, same client id, same chat) meets the first send in the same writer. Last-seen
//! times go by person. Writers never share a chat, a member or a person's last-seen row, so
//! they do not wait for each other's locks; what they can meet is the one rule wider than a
//! chat, a sender's client id: the same client id sent in two chats at once reaches two
//! writers. The second to insert waits for the first to commit, its statement then fails on
//! the unique index, and its batch is redone write by write (`writer.rs`), where that send is
//! answered with the message stored first, as when it comes after (the service refuses a
//! client id used in another chat). Should two batches each take a client id the other then
//! takes, PostgreSQL ends one (a deadlock) and that batch too is redone write by write.
use std::sync::Arc;

use sqlx::postgres::PgConnectOptions;
use tokio::task::JoinSet;

use super::super::{
    StoreError,
    chats::{NewMessage, Sent},
    group_commit::{Brakes, Committer, MarkKind, stopped},
};
use super::writer;

/// Writers a store starts. Two: the databases measured have two cores, and each writer keeps
/// at most one busy; more writers than that split the same work into smaller batches, each its
/// own commit and write-ahead log flush, without a core to run on.
pub(super) const WRITERS: usize = 2;

/// The writers, shared by the store's clones; each thread ends when the last clone goes.
#[derive(Clone, Debug)]
pub(super) struct Writers(Arc<[Committer]>);

impl Writers {
    /// Starts `count` writers (at least one) with the default brakes.
    pub(super) fn start(options: &PgConnectOptions, count: usize) -> Result<Self, StoreError> {
        Self::start_with(options, count, Brakes::default())
    }

    /// Each writer names itself to the database (`application_name`, as `pg_stat_activity`
    /// shows it) and takes `brakes` for its own queue.
    pub(super) fn start_with(options: &PgConnectOptions, count: usize, brakes: Brakes) -> Result<Self, StoreError> {
        let writers = (0..count.max(1))
            .map(|n| writer::start_with(options.clone().application_name(&application_name(n)), brakes))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Self(writers.into()))
    }

    /// The writer of this chat's sends and marks.
    fn of_chat(&self, chat_id: &str) -> &Committer {
        &self.0[share(chat_id, self.0.len())]
    }

    pub(super) async fn send(&self, message: NewMessage) -> Result<Sent, StoreError> {
        self.of_chat(&message.chat_id).send(message).await
    }

    pub(super) async fn mark(&self, kind: MarkKind, chat_id: &str, user_id: &str, seq: i64) -> Result<i64, StoreError> {
        self.of_chat(chat_id).mark(kind, chat_id, user_id, seq).await
    }

    pub(super) async fn last_seen(&self, user_id: &str, at: i64) -> Result<(), StoreError> {
        self.0[share(user_id, self.0.len())].last_seen(user_id, at).await
    }

    /// Every writer answers (at once, each within the ping's deadline), or the first failure.
    pub(super) async fn ping(&self) -> Result<(), StoreError> {
        let mut pings = JoinSet::new();
        for writer in self.0.iter().cloned() {
            pings.spawn(async move { writer.ping().await });
        }
        while let Some(answer) = pings.join_next().await {
            answer.map_err(|_| stopped())??;
        }
        Ok(())
    }

    #[cfg(test)]
    pub(super) fn each(&self) -> &[Committer] {
        &self.0
    }
}

/// What writer `n` calls itself on its connection.
pub(super) fn application_name(n: usize) -> String {
    format!("confab message writer {n}")
}

/// Which of `count` writers owns `key`: FNV-1a of its bytes, the same on every server and every
/// start (correctness does not depend on that: a chat's row lock orders writers of different
/// servers).
pub(super) fn share(key: &str, count: usize) -> usize {
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    (hash % count.max(1) as u64) as usize
}

#[cfg(test)]
#[path = "writers_tests.rs"]
mod tests;

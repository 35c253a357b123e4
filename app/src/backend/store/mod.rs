//! Persistence behind one seam. Services never write SQL; they call a `Store`. Two implement it:
//! SQLite (`sqlite/`, the embedded default) and PostgreSQL (`postgres/`, for several servers).
pub mod accounts;
pub mod attachments;
pub mod chats;
pub mod membership_cache;
pub mod passkeys;
pub mod strangers;
pub mod states;
mod postgres;
mod sqlite;
mod common_sql;
mod group_commit;
mod stored_text;
pub mod scratch;
mod row_columns;
mod search_terms;
#[cfg(test)]
mod session_tests;

pub use accounts::AccountStore;
pub use attachments::AttachmentStore;
pub use passkeys::PasskeyStore;
pub use strangers::StrangerStore;
pub use chats::{ChatStore, ContactStore, GroupInvitationStore, MessageStore, PeopleStore};
pub use postgres::PgStore;
pub use sqlite::SqliteStore;

use async_trait::async_trait;

/// What went wrong in a store, in its own words: an implementation turns its driver's errors
/// into these (keeping the driver's text for the log), so callers never see which database it is.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database failed a statement or could not be reached.
    #[error("database error: {0}")]
    Database(String),
    #[error("migration failed: {0}")]
    Migrate(String),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    /// A write named a chat that does not exist (it may have been deleted a moment before).
    #[error("no such chat: {0}")]
    NoSuchChat(String),
    /// The message writer's queue is full: nothing was written; the caller may retry shortly.
    #[error("the message writer is busy")]
    Busy,
    /// The message writer did not answer within its deadline; the write may still commit.
    #[error("the message writer did not answer in time")]
    Slow,
    /// The message writer's thread is gone: nothing more can be written until a restart.
    #[error("the message writer stopped")]
    WriterStopped,
}

// The drivers' errors become the store's own, as text for the log.
impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> Self {
        Self::Database(e.to_string())
    }
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> Self {
        Self::Migrate(e.to_string())
    }
}

/// A stored browser session (see `sessions.rs`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SessionRow {
    pub id: String,
    pub data: String,
    pub expires_at: i64,
    /// Who is signed in on it, and from what, for the Devices page.
    pub user_id: Option<String>,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
}

#[async_trait]
pub trait Store: AccountStore + AttachmentStore + PasskeyStore + StrangerStore + PeopleStore + ChatStore + MessageStore + ContactStore + GroupInvitationStore + Send + Sync + 'static {
    /// Answers when the database does: what `/readyz` asks.
    async fn ping(&self) -> Result<(), StoreError>;

    /// Inserts the session if its id is free; false when another session has it.
    async fn session_insert(&self, row: &SessionRow, now: i64) -> Result<bool, StoreError>;
    async fn session_upsert(&self, row: &SessionRow, now: i64) -> Result<(), StoreError>;
    /// The session if it exists and has not expired at `now`.
    async fn session_load(&self, id: &str, now: i64) -> Result<Option<SessionRow>, StoreError>;
    async fn session_delete(&self, id: &str) -> Result<(), StoreError>;
    /// Removes expired sessions; returns how many.
    async fn sessions_purge_expired(&self, now: i64) -> Result<u64, StoreError>;
}

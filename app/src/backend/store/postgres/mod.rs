//! The PostgreSQL store: one database several Confab servers can share. Same traits, same
//! behaviour as the SQLite store (`../sqlite`); the SQL differs where the databases do.
use std::{sync::Arc, time::Duration};

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};

mod access;
mod accounts;
mod chats;
mod contacts;
mod invitations;
mod messages;
mod people;
mod rows;
mod row_maps;
mod writer;

use super::{
    StoreError,
    membership_cache::{AccessChanged, CachedAccess},
};
use access::PgAccess;
use writer::Committer;

/// Connections the pool keeps at most: reads run in parallel on them; the frequent writes go
/// through the writer's own connection.
const MAX_CONNECTIONS: u32 = 16;

#[derive(Clone, Debug)]
pub struct PgStore {
    pool: PgPool,
    /// Sends, marks and last-seen times go through one writer that commits them in groups
    /// (see `writer`).
    writer: Committer,
    /// Chat membership in memory; the store's own writes keep it current (`changed`).
    access: Arc<CachedAccess<PgAccess>>,
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://…`) and applies pending migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        let options: PgConnectOptions = url.parse()?;
        let pool = PgPoolOptions::new()
            .max_connections(MAX_CONNECTIONS)
            .acquire_timeout(Duration::from_secs(5))
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("../migrations/postgres").run(&pool).await?;
        let access = Arc::new(CachedAccess::new(PgAccess(pool.clone())));
        let writer = Committer::start(options)?;
        Ok(Self { pool, writer, access })
    }

    pub fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// Emitted by every committed write that changes who may see a chat.
    fn changed(&self, event: AccessChanged) {
        self.access.changed(&event);
    }

    fn chat_changed(&self, chat_id: &str) {
        self.changed(AccessChanged::Chat { chat_id: chat_id.to_owned() });
    }
}

/// What a method not yet written for PostgreSQL answers.
fn not_built() -> StoreError {
    StoreError::Database("not built yet for PostgreSQL".into())
}

#[allow(unused_variables)]
#[async_trait::async_trait]
impl super::Store for PgStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        self.writer.ping().await
    }

    async fn session_insert(&self, row: &super::SessionRow, now: i64) -> Result<bool, StoreError> {
        Err(not_built())
    }

    async fn session_upsert(&self, row: &super::SessionRow, now: i64) -> Result<(), StoreError> {
        Err(not_built())
    }

    async fn session_load(&self, id: &str, now: i64) -> Result<Option<super::SessionRow>, StoreError> {
        Err(not_built())
    }

    async fn session_delete(&self, id: &str) -> Result<(), StoreError> {
        Err(not_built())
    }

    async fn sessions_purge_expired(&self, now: i64) -> Result<u64, StoreError> {
        Err(not_built())
    }
}

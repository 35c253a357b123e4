//! The SQLite store: one file, WAL mode, a pool of connections.
use std::{str::FromStr, time::Duration};

use async_trait::async_trait;
use sqlx::{
    Row,
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous},
};

use std::sync::Arc;

mod access;
mod accounts;
mod chats;
mod contacts;
mod invitations;
mod messages;
mod passkeys;
mod strangers;
mod attachments;
mod people;
mod rows;
mod writer;

use super::{
    SessionRow, Store, StoreError,
    membership_cache::{AccessChanged, CachedAccess},
};
use access::SqliteAccess;
use super::group_commit::Committer;
use writer::PRAGMAS;

#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// Sends and marks go through one writer that commits them in groups (see `writer`).
    writer: Committer,
    /// Chat membership in memory; the store's own writes keep it current (`changed`).
    access: Arc<CachedAccess<SqliteAccess>>,
}

impl SqliteStore {
    /// Opens (creating if needed) the database at `url` and applies pending migrations.
    pub async fn open(url: &str) -> Result<Self, StoreError> {
        // NORMAL is durable in WAL mode except on power loss mid-checkpoint; FULL makes every
        // commit wait for fsync, which is what "stored before acknowledged" needs.
        Self::open_with(url, "FULL").await
    }

    /// For filling a database offline (`confab seed`, `confab bench-setup`): commits do not wait
    /// for the disk, so a crash can lose the fill, which is then simply run again.
    pub async fn open_for_bulk_load(url: &str) -> Result<Self, StoreError> {
        Self::open_with(url, "OFF").await
    }

    async fn open_with(url: &str, synchronous: &str) -> Result<Self, StoreError> {
        let mut options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::from_str(synchronous)?)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(5))
            // Sends change a few bytes on many pages (a chat's row, a member's marks, an index
            // entry), and every changed page goes to the WAL whole: 1 KiB pages write a third
            // of what 4 KiB pages did per message. Only a new database takes the page size.
            .page_size(1024);
        for (pragma, value) in PRAGMAS {
            options = options.pragma(pragma, value);
        }
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("../migrations/sqlite").run(&pool).await?;
        let writer = writer::start(options.get_filename(), synchronous)?;
        let access = Arc::new(CachedAccess::new(SqliteAccess(pool.clone())));
        Ok(Self { pool, writer, access })
    }

    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// Emitted by every committed write that changes who may see a chat.
    pub(super) fn changed(&self, event: AccessChanged) {
        self.access.changed(&event);
    }

    pub(super) fn chat_changed(&self, chat_id: &str) {
        self.changed(AccessChanged::Chat { chat_id: chat_id.to_owned() });
    }
}

// The writer's driver errors become the store's own, as text for the log.
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        Self::Database(e.to_string())
    }
}

const SESSION_INSERT: &str = "INSERT INTO sessions (id, data, expires_at, user_id, user_agent, ip, created_at, last_seen_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING";
const SESSION_UPSERT: &str = "INSERT INTO sessions (id, data, expires_at, user_id, user_agent, ip, created_at, last_seen_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at,
         user_id = excluded.user_id, user_agent = excluded.user_agent, ip = excluded.ip,
         last_seen_at = excluded.last_seen_at";

/// A session row written by `sql` (insert or upsert): created and last seen `now`.
fn session_write<'q>(
    sql: &'static str,
    row: &'q SessionRow,
    now: i64,
) -> sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>> {
    sqlx::query(sql)
        .bind(&row.id)
        .bind(&row.data)
        .bind(row.expires_at)
        .bind(&row.user_id)
        .bind(&row.user_agent)
        .bind(&row.ip)
        .bind(now)
        .bind(now)
}

#[async_trait]
impl Store for SqliteStore {
    async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        self.writer.ping().await
    }

    async fn session_insert(&self, row: &SessionRow, now: i64) -> Result<bool, StoreError> {
        let done = session_write(SESSION_INSERT, row, now).execute(&self.pool).await?;
        Ok(done.rows_affected() == 1)
    }

    async fn session_upsert(&self, row: &SessionRow, now: i64) -> Result<(), StoreError> {
        session_write(SESSION_UPSERT, row, now).execute(&self.pool).await?;
        Ok(())
    }

    async fn session_load(&self, id: &str, now: i64) -> Result<Option<SessionRow>, StoreError> {
        let row = sqlx::query("SELECT id, data, expires_at FROM sessions WHERE id = ? AND expires_at > ?")
            .bind(id)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| SessionRow { id: r.get(0), data: r.get(1), expires_at: r.get(2), ..SessionRow::default() }))
    }

    async fn session_delete(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE id = ?").bind(id).execute(&self.pool).await?;
        Ok(())
    }

    async fn sessions_purge_expired(&self, now: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= ?").bind(now).execute(&self.pool).await?;
        Ok(done.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn store() -> (SqliteStore, std::path::PathBuf) {
        let path = std::env::temp_dir().join(format!("confab-store-{}.db", rand::random::<u64>()));
        let store = SqliteStore::open(&format!("sqlite://{}", path.display())).await.unwrap();
        (store, path)
    }

    #[tokio::test]
    async fn opening_applies_migrations_in_wal_mode() {
        let (store, path) = store().await;
        let mode: String = sqlx::query_scalar("PRAGMA journal_mode").fetch_one(store.pool()).await.unwrap();
        assert_eq!(mode, "wal");
        store.ping().await.unwrap();
        drop(store);
        let _ = std::fs::remove_file(path);
    }
}

//! The PostgreSQL store: one database several Confab servers can share. Same traits, same
//! behaviour as the SQLite store (`../sqlite`); the SQL differs where the databases do.
use std::{sync::Arc, time::Duration};

use sqlx::{
    Row,
    postgres::{PgConnectOptions, PgPool, PgPoolOptions},
};

mod access;
mod accounts;
mod batch_rows;
mod chats;
mod contacts;
mod invitations;
mod messages;
mod passkeys;
mod strangers;
mod attachments;
mod people;
mod rows;
mod row_maps;
mod writer;
mod writers;

#[cfg(test)]
mod accounts_tests;

use super::{
    SessionRow, StoreError,
    membership_cache::{AccessChanged, CachedAccess},
};
use access::PgAccess;
use writers::{WRITERS, Writers};

/// Connections the pool keeps at most: reads run in parallel on them; the frequent writes go
/// through the writers' own connections.
const MAX_CONNECTIONS: u32 = 16;

#[derive(Clone, Debug)]
pub struct PgStore {
    pool: PgPool,
    /// Sends, marks and last-seen times go through the writers, each owning a share of the
    /// chats and committing its writes in groups (see `writers` and `writer`).
    writer: Writers,
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
        let writer = Writers::start(&options, WRITERS)?;
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

const SESSION_INSERT: &str = "INSERT INTO sessions (id, data, expires_at, user_id, user_agent, ip, created_at, last_seen_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7) ON CONFLICT (id) DO NOTHING";
const SESSION_UPSERT: &str = "INSERT INTO sessions (id, data, expires_at, user_id, user_agent, ip, created_at, last_seen_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $7)
     ON CONFLICT (id) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at,
         user_id = excluded.user_id, user_agent = excluded.user_agent, ip = excluded.ip,
         last_seen_at = excluded.last_seen_at";

/// A session row written by `sql` (insert or upsert): created and last seen `now`.
fn session_write<'q>(
    sql: &'static str,
    row: &'q SessionRow,
    now: i64,
) -> sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments> {
    sqlx::query(sql)
        .bind(&row.id)
        .bind(&row.data)
        .bind(row.expires_at)
        .bind(&row.user_id)
        .bind(&row.user_agent)
        .bind(&row.ip)
        .bind(now)
}

#[async_trait::async_trait]
impl super::Store for PgStore {
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
        let row = sqlx::query("SELECT id, data, expires_at FROM sessions WHERE id = $1 AND expires_at > $2")
            .bind(id)
            .bind(now)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok(SessionRow { id: r.try_get(0)?, data: r.try_get(1)?, expires_at: r.try_get(2)?, ..SessionRow::default() }))
            .transpose()
    }

    async fn session_delete(&self, id: &str) -> Result<(), StoreError> {
        sqlx::query("DELETE FROM sessions WHERE id = $1").bind(id).execute(&self.pool).await?;
        Ok(())
    }

    async fn sessions_purge_expired(&self, now: i64) -> Result<u64, StoreError> {
        let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(&self.pool).await?;
        Ok(done.rows_affected())
    }
}

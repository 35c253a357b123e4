//! tower-sessions records kept in the `Store`, so sessions survive a restart.
use std::sync::Arc;

use async_trait::async_trait;
use time::OffsetDateTime;
use tower_sessions::{
    SessionStore,
    session::{Id, Record},
    session_store,
};

use super::clock::{Clock, SystemClock};
use super::store::{SessionRow, Store};

#[derive(Clone)]
pub struct DbSessionStore {
    store: Arc<dyn Store>,
}

impl DbSessionStore {
    pub fn new(store: Arc<dyn Store>) -> Self {
        Self { store }
    }
}

impl std::fmt::Debug for DbSessionStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DbSessionStore")
    }
}

fn backend(e: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(e.to_string())
}

/// Session keys. The signed-in user and the device details are also copied into columns, so the
/// Devices page can list a user's sessions and sign one out.
pub const USER_KEY: &str = "user_id";
pub const USER_AGENT_KEY: &str = "user_agent";
pub const IP_KEY: &str = "ip";

fn to_row(record: &Record) -> session_store::Result<SessionRow> {
    let text = |key: &str| record.data.get(key).and_then(|v| v.as_str()).map(str::to_owned);
    Ok(SessionRow {
        id: record.id.to_string(),
        data: serde_json::to_string(&record.data).map_err(|e| session_store::Error::Encode(e.to_string()))?,
        expires_at: record.expiry_date.unix_timestamp(),
        user_id: text(USER_KEY),
        user_agent: text(USER_AGENT_KEY),
        ip: text(IP_KEY),
    })
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A fresh random id collides with an existing one practically never; when it does, draw again.
        loop {
            if self.store.session_insert(&to_row(record)?, SystemClock.now()).await.map_err(backend)? {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.store.session_upsert(&to_row(record)?, SystemClock.now()).await.map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let Some(row) = self.store.session_load(&id.to_string(), SystemClock.now()).await.map_err(backend)? else {
            return Ok(None);
        };
        let data = serde_json::from_str(&row.data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = OffsetDateTime::from_unix_timestamp(row.expires_at).map_err(backend)?;
        Ok(Some(Record { id: *id, data, expiry_date }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.store.session_delete(&id.to_string()).await.map_err(backend)
    }
}

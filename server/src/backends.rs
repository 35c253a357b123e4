//! The store and the hub, chosen from the configuration: the one place that names their
//! implementations. Everything after start-up sees `Arc<dyn Store>` and a `Hub` over some `Bus`.
use std::sync::Arc;

use app::backend::{
    hub::Hub,
    store::{PgStore, SqliteStore, Store, StoreError},
};

use crate::{config::Config, private_files};

/// Which store `CONFAB_DATABASE_URL` names, by its scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    Sqlite,
    Postgres,
}

impl StoreKind {
    /// The store a database URL names; the configuration refuses a URL this cannot place.
    pub fn of(url: &str) -> Result<Self, String> {
        match url.split_once(':').map_or(url, |(scheme, _)| scheme) {
            "sqlite" => Ok(Self::Sqlite),
            "postgres" | "postgresql" => Ok(Self::Postgres),
            other => Err(format!("`{other}` is not a database this server knows; use a sqlite: or postgres: URL")),
        }
    }
}

/// Which hub carries live events (`CONFAB_HUB`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HubKind {
    /// One process: events go straight to its own sockets (the default).
    Local,
}

impl HubKind {
    /// Reads `CONFAB_HUB`'s value; unset means `local`.
    pub fn parse(value: Option<&str>) -> Result<Self, String> {
        match value.map(str::trim) {
            None | Some("local") => Ok(Self::Local),
            Some(other) => Err(format!("`{other}` is not a hub this server has; the one built is `local`")),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("cannot open the database: {0}")]
    Store(#[from] StoreError),
    #[error("cannot make `{path}` private to this user: {source}")]
    Private { path: String, source: std::io::Error },
    #[error("CONFAB_DATABASE_URL: {0}")]
    Unsupported(String),
}

pub struct Backends {
    pub store: Arc<dyn Store>,
    pub hub: Hub,
}

/// Opens the store that `CONFAB_DATABASE_URL`'s scheme names and the hub `CONFAB_HUB` names.
pub async fn open(config: &Config) -> Result<Backends, BackendError> {
    let store = open_store(&config.database_url).await?;
    let hub = match config.hub {
        HubKind::Local => Hub::local(),
    };
    Ok(Backends { store, hub })
}

async fn open_store(url: &str) -> Result<Arc<dyn Store>, BackendError> {
    match StoreKind::of(url).map_err(BackendError::Unsupported)? {
        StoreKind::Sqlite => {
            private_files::private_database(url)
                .map_err(|source| BackendError::Private { path: url.to_owned(), source })?;
            Ok(Arc::new(SqliteStore::open(url).await?))
        }
        StoreKind::Postgres => Ok(Arc::new(PgStore::open(url).await?)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_database_url_scheme_picks_the_store() {
        for url in ["postgres://db/confab", "postgresql://db/confab"] {
            assert_eq!(StoreKind::of(url), Ok(StoreKind::Postgres));
        }
        let refused = open_store("mysql://db/confab").await.err().expect("mysql").to_string();
        assert!(refused.contains("`mysql`"), "{refused}");
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("c.db").display());
        assert!(open_store(&url).await.is_ok());
    }

    #[test]
    fn the_hub_setting_is_local_or_refused() {
        assert_eq!(HubKind::parse(None), Ok(HubKind::Local));
        assert_eq!(HubKind::parse(Some("local")), Ok(HubKind::Local));
        assert!(HubKind::parse(Some("redis")).unwrap_err().contains("`redis`"));
    }
}

//! The store and the hub, chosen from the configuration: the one place that names their
//! implementations. Everything after start-up sees `Arc<dyn Store>` and a `Hub` over some `Bus`.
use std::{sync::Arc, time::Duration};

use app::backend::{
    hub::Hub,
    store::{PgStore, SqliteStore, Store, StoreError},
};
use sqlx::postgres::PgConnectOptions;

use crate::{config::Config, private_files};

/// How long start-up waits for PostgreSQL to answer before it stops, saying so.
const POSTGRES_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// Which store `CONFAB_DATABASE_URL` names, by its scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StoreKind {
    Sqlite,
    Postgres,
}

impl StoreKind {
    /// The store a database URL names; the configuration refuses a URL this cannot place, and
    /// a PostgreSQL URL that does not parse (without repeating it: it may hold a password).
    pub fn of(url: &str) -> Result<Self, String> {
        match url.split_once(':').map_or(url, |(scheme, _)| scheme) {
            "sqlite" => Ok(Self::Sqlite),
            "postgres" | "postgresql" => postgres_options(url).map(|_| Self::Postgres),
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
    /// PostgreSQL did not answer or refused the login: where, and what to do about it.
    #[error("{0}")]
    Postgres(String),
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
    open_store_for(url, Use::Serving).await
}

/// The store for `confab seed` and `confab bench-setup`: on SQLite tuned for loading many rows
/// at once (see `SqliteStore::open_for_bulk_load`); PostgreSQL is opened as for serving.
pub async fn open_for_bulk_load(url: &str) -> Result<Arc<dyn Store>, BackendError> {
    open_store_for(url, Use::BulkLoad).await
}

enum Use {
    Serving,
    BulkLoad,
}

async fn open_store_for(url: &str, purpose: Use) -> Result<Arc<dyn Store>, BackendError> {
    match StoreKind::of(url).map_err(BackendError::Unsupported)? {
        StoreKind::Sqlite => {
            private_files::private_database(url)
                .map_err(|source| BackendError::Private { path: url.to_owned(), source })?;
            Ok(match purpose {
                Use::Serving => Arc::new(SqliteStore::open(url).await?),
                Use::BulkLoad => Arc::new(SqliteStore::open_for_bulk_load(url).await?),
            })
        }
        StoreKind::Postgres => {
            reach_postgres(&postgres_options(url).map_err(BackendError::Unsupported)?).await?;
            Ok(Arc::new(PgStore::open(url).await?))
        }
    }
}

fn postgres_options(url: &str) -> Result<PgConnectOptions, String> {
    url.parse::<PgConnectOptions>().map_err(|e| {
        let reason = match e {
            sqlx::Error::Configuration(reason) => reason.to_string(),
            other => other.to_string(),
        };
        format!("not a PostgreSQL URL ({reason}); the form is postgres://user:password@host:5432/database")
    })
}

/// Connects once before the pool does, with a short deadline: a pool retries a refused
/// connection until its own timeout and then says only that it timed out, where an operator
/// needs to hear which server answered what.
async fn reach_postgres(options: &PgConnectOptions) -> Result<(), BackendError> {
    use sqlx::{ConnectOptions, Connection};
    let place = postgres_place(options);
    let problem = match tokio::time::timeout(POSTGRES_CONNECT_TIMEOUT, options.connect()).await {
        Ok(Ok(connection)) => {
            let _ = connection.close().await;
            return Ok(());
        }
        Err(_) => format!(
            "PostgreSQL at {place} did not answer within {} s: check the host and port in CONFAB_DATABASE_URL, \
             and that nothing between here and there drops the connection",
            POSTGRES_CONNECT_TIMEOUT.as_secs()
        ),
        Ok(Err(e)) => postgres_problem(&place, options, &e),
    };
    Err(BackendError::Postgres(problem))
}

/// "host:port, database `name`" (or the socket's path): where start-up tried to connect.
fn postgres_place(options: &PgConnectOptions) -> String {
    let server = match options.get_socket() {
        Some(socket) => socket.display().to_string(),
        None => format!("{}:{}", options.get_host(), options.get_port()),
    };
    format!("{server}, database `{}`", options.get_database().unwrap_or(options.get_username()))
}

/// One line on what failed and what to do, from the driver's error.
fn postgres_problem(place: &str, options: &PgConnectOptions, e: &sqlx::Error) -> String {
    let user = options.get_username();
    match e {
        sqlx::Error::Io(io) => {
            let reason = match io.kind() {
                std::io::ErrorKind::ConnectionRefused => "connection refused".to_owned(),
                _ => io.to_string(),
            };
            format!(
                "cannot connect to PostgreSQL at {place}: {reason}. Is PostgreSQL running there? \
                 `scripts/setup.sh --postgres` installs and starts one on this machine; otherwise correct CONFAB_DATABASE_URL"
            )
        }
        sqlx::Error::Database(db) => match db.code().as_deref() {
            // invalid_password, invalid_authorization_specification (unknown role, pg_hba.conf)
            Some("28P01" | "28000") => format!(
                "PostgreSQL at {place} refused user `{user}`: {}. Check the user and password in CONFAB_DATABASE_URL",
                db.message()
            ),
            // invalid_catalog_name
            Some("3D000") => format!(
                "PostgreSQL at {place}: {}. Create it (`createdb -O {user} {}`) or correct CONFAB_DATABASE_URL",
                db.message(),
                options.get_database().unwrap_or(user)
            ),
            _ => format!("PostgreSQL at {place} refused the connection: {}", db.message()),
        },
        other => format!("cannot connect to PostgreSQL at {place}: {other}"),
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
    fn a_malformed_postgres_url_is_refused_without_repeating_it() {
        let refused = StoreKind::of("postgres://confab:s3cret@127.0.0.1:port/confab").unwrap_err();
        assert!(refused.contains("not a PostgreSQL URL") && refused.contains("postgres://user:password@host"), "{refused}");
        assert!(!refused.contains("s3cret"), "{refused}");
    }

    #[tokio::test]
    async fn a_refused_connection_stops_start_up_at_once_naming_the_server_and_what_to_do() {
        let started = std::time::Instant::now();
        let refused = open_store("postgres://confab:s3cret@127.0.0.1:1/chat").await.err().expect("nothing listens on port 1");
        assert!(started.elapsed() < POSTGRES_CONNECT_TIMEOUT, "took {:?}", started.elapsed());
        let message = refused.to_string();
        for part in ["127.0.0.1:1", "database `chat`", "connection refused", "scripts/setup.sh --postgres", "CONFAB_DATABASE_URL"] {
            assert!(message.contains(part), "{part}: {message}");
        }
        assert!(!message.contains("s3cret") && !message.contains('\n'), "{message}");
    }

    #[test]
    fn the_hub_setting_is_local_or_refused() {
        assert_eq!(HubKind::parse(None), Ok(HubKind::Local));
        assert_eq!(HubKind::parse(Some("local")), Ok(HubKind::Local));
        assert!(HubKind::parse(Some("redis")).unwrap_err().contains("`redis`"));
    }
}

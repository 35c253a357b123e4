//! Throw-away databases for tests, of the kind the test run asks for: `CONFAB_TEST_STORE` is
//! `sqlite` (the default) or `postgres`. The same tests run against both stores that way
//! (`scripts/test.sh` runs the suite once per store). Each scratch database is new and is
//! removed when dropped.
use std::{sync::Arc, time::Duration};

use super::{PgStore, SqliteStore, Store, StoreError};

/// Where PostgreSQL scratch databases are created unless `CONFAB_TEST_POSTGRES` names another
/// server: the role `scripts/setup.sh --postgres` makes, which may create databases. A password
/// (not peer or trust) so that the same URL works on a fresh Debian and on a trusting server.
pub const DEFAULT_POSTGRES_ADMIN: &str = "postgres://confab:confab@127.0.0.1:5432/postgres";

/// How long a test waits for PostgreSQL to answer before it fails saying so.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestStoreKind {
    Sqlite,
    Postgres,
}

impl TestStoreKind {
    /// The kind `CONFAB_TEST_STORE` names; anything else stops the test run.
    pub fn from_env() -> Self {
        match std::env::var("CONFAB_TEST_STORE").as_deref() {
            Err(_) | Ok("") | Ok("sqlite") => Self::Sqlite,
            Ok("postgres") => Self::Postgres,
            Ok(other) => panic!("CONFAB_TEST_STORE={other:?}: use sqlite or postgres"),
        }
    }
}

/// A database that exists for one test.
#[derive(Debug)]
pub struct ScratchDatabase {
    /// What `CONFAB_DATABASE_URL` would say to open it.
    pub url: String,
    kind: TestStoreKind,
    /// SQLite: the file's folder. PostgreSQL: the database's name.
    place: String,
}

impl ScratchDatabase {
    /// A new, empty database of the run's kind. PostgreSQL not answering fails the test with
    /// how to start it: a store the run asked for is never skipped.
    pub async fn new() -> Self {
        Self::of_kind(TestStoreKind::from_env()).await
    }

    /// A new, empty database of the given kind, whatever the run asks for (tests that need
    /// both, such as copying one store into the other).
    pub async fn of_kind(kind: TestStoreKind) -> Self {
        Self::create(kind).await.unwrap_or_else(|e| panic!("{e}"))
    }

    /// A new, empty database of the given kind, or why PostgreSQL could not make one and how to
    /// start it (the load tool's runs use this too, and report it instead of stopping).
    pub async fn create(kind: TestStoreKind) -> Result<Self, String> {
        let name = format!("confab_test_{:016x}", rand::random::<u64>());
        match kind {
            TestStoreKind::Sqlite => {
                let dir = std::env::temp_dir().join(&name);
                std::fs::create_dir_all(&dir).map_err(|e| format!("cannot make a scratch folder: {e}"))?;
                let url = format!("sqlite://{}", dir.join("confab.db").display());
                Ok(Self { url, kind: TestStoreKind::Sqlite, place: dir.display().to_string() })
            }
            TestStoreKind::Postgres => {
                let admin = postgres_admin_url();
                if let Err(e) = admin_execute(&admin, &format!("CREATE DATABASE {name}")).await {
                    return Err(format!(
                        "no scratch PostgreSQL database could be created at {}: {e}\n\
                         Start PostgreSQL with `scripts/setup.sh --postgres` (installs it if needed, and makes the \
                         role `confab` that may create databases), or set CONFAB_TEST_POSTGRES to the URL of a \
                         server and role that may create databases.",
                        without_password(&admin)
                    ));
                }
                let url = admin_url_for(&admin, &name);
                Ok(Self { url, kind: TestStoreKind::Postgres, place: name })
            }
        }
    }

    /// A SQLite database file in `folder` (which is removed with it), whatever the run's kind:
    /// for tests about the files a SQLite server keeps beside its other data.
    pub fn sqlite_in(folder: &std::path::Path) -> Self {
        let url = format!("sqlite://{}", folder.join("confab.db").display());
        Self { url, kind: TestStoreKind::Sqlite, place: folder.display().to_string() }
    }

    pub fn kind(&self) -> TestStoreKind {
        self.kind
    }

    /// Opens the store on this database (migrations applied). Opening it again gives a
    /// second store on the same data, as a second server would have.
    pub async fn open(&self) -> Result<Arc<dyn Store>, StoreError> {
        Ok(match self.kind {
            TestStoreKind::Sqlite => Arc::new(SqliteStore::open(&self.url).await?),
            TestStoreKind::Postgres => Arc::new(PgStore::open(&self.url).await?),
        })
    }

    /// Runs one statement on the database, outside any store: for a test that must reach a
    /// state no store method makes. The statement is sent as written to whichever database
    /// this is, so it must mean the same on both (no placeholders, portable SQL).
    pub async fn execute(&self, statement: &str) -> Result<u64, sqlx::Error> {
        use sqlx::Connection;
        Ok(match self.kind {
            TestStoreKind::Sqlite => {
                let mut connection = sqlx::SqliteConnection::connect(&self.url).await?;
                sqlx::raw_sql(statement).execute(&mut connection).await?.rows_affected()
            }
            TestStoreKind::Postgres => {
                let mut connection = sqlx::PgConnection::connect(&self.url).await?;
                sqlx::raw_sql(statement).execute(&mut connection).await?.rows_affected()
            }
        })
    }
}

impl Drop for ScratchDatabase {
    fn drop(&mut self) {
        match self.kind {
            TestStoreKind::Sqlite => {
                let _ = std::fs::remove_dir_all(&self.place);
            }
            // Dropped from inside a test's runtime, which cannot block on itself: a thread of
            // its own with a runtime of its own. FORCE ends connections a store still holds.
            TestStoreKind::Postgres => {
                let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.place);
                let admin = postgres_admin_url();
                let dropped = std::thread::spawn(move || {
                    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime");
                    runtime.block_on(admin_execute(&admin, &sql))
                })
                .join();
                if let Ok(Err(e)) = dropped {
                    eprintln!("scratch database {} was not dropped: {e}", self.place);
                }
            }
        }
    }
}

/// The server and role test databases are made with: `CONFAB_TEST_POSTGRES`, else the default.
pub fn postgres_admin_url() -> String {
    std::env::var("CONFAB_TEST_POSTGRES")
        .ok()
        .filter(|url| !url.trim().is_empty())
        .unwrap_or_else(|| DEFAULT_POSTGRES_ADMIN.to_owned())
}

/// The admin URL with its database name replaced by `name`.
fn admin_url_for(admin: &str, name: &str) -> String {
    let (base, query) = admin.split_once('?').map_or((admin, None), |(b, q)| (b, Some(q)));
    let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
    match query {
        Some(q) => format!("{server}/{name}?{q}"),
        None => format!("{server}/{name}"),
    }
}

/// The URL as it may be printed: a password in it becomes `***`.
fn without_password(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rsplit_once('@').and_then(|(credentials, host)| Some((credentials.split_once(':')?.0, host))) {
        Some((user, host)) => format!("{scheme}://{user}:***@{host}{}", &rest[authority_end..]),
        None => url.to_owned(),
    }
}

async fn admin_execute(admin: &str, sql: &str) -> Result<(), sqlx::Error> {
    use sqlx::Connection;
    let connect = sqlx::PgConnection::connect(admin);
    let mut connection = tokio::time::timeout(CONNECT_TIMEOUT, connect).await.map_err(|_| {
        sqlx::Error::Io(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            format!("no answer within {} s", CONNECT_TIMEOUT.as_secs()),
        ))
    })??;
    sqlx::raw_sql(sql).execute(&mut connection).await?;
    connection.close().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scratch_url_names_the_new_database_on_the_same_server() {
        assert_eq!(admin_url_for("postgres://u@h:5432/postgres", "t1"), "postgres://u@h:5432/t1");
        assert_eq!(admin_url_for("postgres://u@h/postgres?sslmode=disable", "t1"), "postgres://u@h/t1?sslmode=disable");
    }

    #[test]
    fn a_printed_admin_url_hides_its_password() {
        assert_eq!(without_password("postgres://confab:secret@h:5432/postgres"), "postgres://confab:***@h:5432/postgres");
        assert_eq!(without_password("postgres://u@h/postgres"), "postgres://u@h/postgres");
        assert_eq!(without_password("postgres://u:p@ss@h/db?x=1"), "postgres://u:***@h/db?x=1");
    }
}

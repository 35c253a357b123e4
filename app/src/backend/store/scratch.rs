//! Throw-away databases for tests, of the kind the test run asks for: `CONFAB_TEST_STORE` is
//! `sqlite` (the default) or `postgres`. The same tests run against both stores that way
//! (`scripts/test.sh` runs the suite once per store). Each scratch database is new and is
//! removed when dropped.
use std::sync::Arc;

use super::{PgStore, SqliteStore, Store, StoreError};

/// Where PostgreSQL scratch databases are created: a server the tests may create databases on.
const DEFAULT_POSTGRES_ADMIN: &str = "postgres://postgres@127.0.0.1:5432/postgres";

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
        let name = format!("confab_test_{:016x}", rand::random::<u64>());
        match kind {
            TestStoreKind::Sqlite => {
                let dir = std::env::temp_dir().join(&name);
                std::fs::create_dir_all(&dir).expect("a scratch folder");
                let url = format!("sqlite://{}", dir.join("confab.db").display());
                Self { url, kind: TestStoreKind::Sqlite, place: dir.display().to_string() }
            }
            TestStoreKind::Postgres => {
                let admin = postgres_admin_url();
                admin_execute(&admin, &format!("CREATE DATABASE {name}")).await.unwrap_or_else(|e| {
                    panic!(
                        "CONFAB_TEST_STORE=postgres, but no database could be created at {admin}: {e}\n\
                         Start PostgreSQL (scripts/setup.sh --postgres installs and starts it) or point \
                         CONFAB_TEST_POSTGRES at a server where this user may create databases."
                    )
                });
                let url = admin_url_for(&admin, &name);
                Self { url, kind: TestStoreKind::Postgres, place: name }
            }
        }
    }

    pub fn kind(&self) -> TestStoreKind {
        self.kind
    }

    /// Opens the store on this database (migrations applied).
    pub async fn open(&self) -> Result<Arc<dyn Store>, StoreError> {
        Ok(match self.kind {
            TestStoreKind::Sqlite => Arc::new(SqliteStore::open(&self.url).await?),
            TestStoreKind::Postgres => Arc::new(PgStore::open(&self.url).await?),
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

fn postgres_admin_url() -> String {
    std::env::var("CONFAB_TEST_POSTGRES").unwrap_or_else(|_| DEFAULT_POSTGRES_ADMIN.to_owned())
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

async fn admin_execute(admin: &str, sql: &str) -> Result<(), sqlx::Error> {
    use sqlx::Connection;
    let mut connection = sqlx::PgConnection::connect(admin).await?;
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
}

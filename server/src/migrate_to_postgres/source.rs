//! The SQLite side: opened read-only, and only if its schema is exactly the one this build
//! knows (the copy's column lists come from the PostgreSQL schema of the same build).
use std::{collections::BTreeMap, str::FromStr};

use sqlx::{ConnectOptions, SqliteConnection, sqlite::SqliteConnectOptions};

use super::MigrateError;

/// The migrations this build applies to a SQLite database.
static KNOWN: sqlx::migrate::Migrator = sqlx::migrate!("../migrations/sqlite");

pub(super) fn unreadable(e: sqlx::Error) -> MigrateError {
    MigrateError::Source(e.to_string())
}

/// Opens the database at `url` read-only, refusing a missing file or a schema of another build.
pub(super) async fn open(url: &str) -> Result<SqliteConnection, MigrateError> {
    let options = SqliteConnectOptions::from_str(url)
        .map_err(|e| MigrateError::Usage(format!("--from: {e}")))?
        .read_only(true)
        .create_if_missing(false)
        // The copy streams each table through one statement; sqlx would call that slow.
        .disable_statement_logging();
    let path = options.get_filename().to_owned();
    if !path.is_file() {
        return Err(MigrateError::Source(format!("`{}` does not exist", path.display())));
    }
    let mut connection = options.connect().await.map_err(unreadable)?;
    check_schema(&mut connection).await?;
    Ok(connection)
}

/// The database's applied migrations must be this build's, no more, no fewer, unaltered.
async fn check_schema(connection: &mut SqliteConnection) -> Result<(), MigrateError> {
    let has_history: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = '_sqlx_migrations')")
            .fetch_one(&mut *connection)
            .await
            .map_err(unreadable)?;
    if !has_history {
        return Err(MigrateError::Source("this is not a Confab database (it has no migration history)".into()));
    }
    let applied: Vec<(i64, Vec<u8>, i64)> =
        sqlx::query_as("SELECT version, checksum, CAST(success AS INTEGER) FROM _sqlx_migrations ORDER BY version")
            .fetch_all(&mut *connection)
            .await
            .map_err(unreadable)?;
    let known: BTreeMap<i64, &[u8]> = KNOWN
        .iter()
        .filter(|m| !m.migration_type.is_down_migration())
        .map(|m| (m.version, m.checksum.as_ref()))
        .collect();
    schema_matches(&applied, &known).map_err(MigrateError::Source)
}

/// Compares the applied migrations (version, checksum, success) with the known ones.
fn schema_matches(applied: &[(i64, Vec<u8>, i64)], known: &BTreeMap<i64, &[u8]>) -> Result<(), String> {
    const UPGRADE: &str = "start this build's server on it once (it applies the missing migrations), then migrate";
    for (version, checksum, success) in applied {
        match known.get(version) {
            None => {
                return Err(format!(
                    "it has migration {version}, which this build does not know: it comes from a newer Confab; \
                     migrate with that version"
                ));
            }
            Some(_) if *success == 0 => return Err(format!("its migration {version} did not finish; {UPGRADE}")),
            Some(expected) if *expected != checksum.as_slice() => {
                return Err(format!("its migration {version} differs from this build's: it comes from another Confab build"));
            }
            Some(_) => {}
        }
    }
    let missing: Vec<String> =
        known.keys().filter(|v| !applied.iter().any(|(a, _, _)| a == *v)).map(|v| v.to_string()).collect();
    if !missing.is_empty() {
        return Err(format!("it comes from an older Confab (migrations {} are missing); {UPGRADE}", missing.join(", ")));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_exactly_the_known_migrations_pass() {
        let known: BTreeMap<i64, &[u8]> = BTreeMap::from([(1, &b"a"[..]), (2, &b"b"[..])]);
        let row = |v: i64, c: &[u8], ok: i64| (v, c.to_vec(), ok);
        assert_eq!(schema_matches(&[row(1, b"a", 1), row(2, b"b", 1)], &known), Ok(()));
        let newer = schema_matches(&[row(1, b"a", 1), row(2, b"b", 1), row(3, b"c", 1)], &known).unwrap_err();
        assert!(newer.contains("migration 3") && newer.contains("newer"), "{newer}");
        let older = schema_matches(&[row(1, b"a", 1)], &known).unwrap_err();
        assert!(older.contains("older") && older.contains("2"), "{older}");
        assert!(schema_matches(&[row(1, b"a", 1), row(2, b"x", 1)], &known).unwrap_err().contains("differs"));
        assert!(schema_matches(&[row(1, b"a", 1), row(2, b"b", 0)], &known).unwrap_err().contains("did not finish"));
    }
}

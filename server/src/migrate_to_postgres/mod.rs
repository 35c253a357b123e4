//! `confab migrate-to-postgres [--from sqlite://…] --to postgres://…`: copies an embedded (SQLite)
//! installation into an empty PostgreSQL database, for people who started with one server and
//! now want several. Everything is copied in one PostgreSQL transaction and checked (row counts,
//! a sample of rows column by column, every chat's sequence) before it commits, so a failure of
//! any kind leaves the target as empty as it was.
use std::time::{Duration, Instant};

use app::backend::store::PgStore;
use sqlx::Connection;

use crate::{backends::StoreKind, config::Config};

mod copy;
mod source;
mod tables;
mod verify;

pub use tables::TABLES;

const USAGE: &str = "usage: confab migrate-to-postgres [--from sqlite://PATH] --to postgres://USER@HOST/DATABASE\n\
    (--from defaults to the configured database, CONFAB_DATABASE_URL or CONFAB_DATA_DIR/confab.db)";

#[derive(Debug, thiserror::Error)]
pub enum MigrateError {
    #[error("{0}\n{usage}", usage = USAGE)]
    Usage(String),
    /// The SQLite side: missing, unreadable, or from another version of Confab.
    #[error("the SQLite database: {0}")]
    Source(String),
    /// The PostgreSQL side: unreachable, another schema, or holding data already.
    #[error("the PostgreSQL database: {0}")]
    Target(String),
    #[error("copying {table} failed, nothing was kept: {reason}")]
    Copy { table: String, reason: String },
    /// The check after the copy found a difference; the transaction was rolled back.
    #[error("the copy differs from the original, nothing was kept: {0}")]
    Mismatch(String),
}

/// What was copied and checked.
#[derive(Debug)]
pub struct Summary {
    /// Each table and its rows, in the order they were copied.
    pub tables: Vec<(&'static str, u64)>,
    /// Rows compared column by column on both sides.
    pub sampled: u64,
    /// Conversations whose `last_seq` and highest message `seq` were compared.
    pub conversations: u64,
    pub took: Duration,
}

impl Summary {
    pub fn rows(&self) -> u64 {
        self.tables.iter().map(|(_, rows)| rows).sum()
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "Copied {} tables, {} rows, in {:.1} s:", self.tables.len(), self.rows(), self.took.as_secs_f64())?;
        for (table, rows) in &self.tables {
            writeln!(f, "  {table:<18} {rows:>10}")?;
        }
        write!(
            f,
            "Checked: every table's row count, {} sampled rows column by column, the sequences of {} conversations.",
            self.sampled, self.conversations
        )
    }
}

/// Runs the command; `args` are the words after `migrate-to-postgres`.
pub async fn run(config: Config, args: &[String]) -> Result<(), String> {
    let (from, to) = parse_args(args, &config.database_url).map_err(|e| e.to_string())?;
    let summary = migrate(&from, &to).await.map_err(|e| e.to_string())?;
    println!("{summary}");
    Ok(())
}

/// `--from` (default: the configured database) and `--to`, each a URL of the right kind.
fn parse_args(args: &[String], configured: &str) -> Result<(String, String), MigrateError> {
    let (mut from, mut to) = (None, None);
    let mut words = args.iter();
    while let Some(word) = words.next() {
        let slot = match word.as_str() {
            "--from" => &mut from,
            "--to" => &mut to,
            other => return Err(MigrateError::Usage(format!("unknown argument `{other}`"))),
        };
        let value = words.next().ok_or_else(|| MigrateError::Usage(format!("{word} needs a URL")))?;
        *slot = Some(value.clone());
    }
    let to = to.ok_or_else(|| MigrateError::Usage("--to is missing".into()))?;
    let from = from.unwrap_or_else(|| configured.to_owned());
    check_urls(&from, &to)?;
    Ok((from, to))
}

fn check_urls(from: &str, to: &str) -> Result<(), MigrateError> {
    let kind = |url: &str| StoreKind::of(url).map_err(MigrateError::Usage);
    if kind(from)? != StoreKind::Sqlite {
        return Err(MigrateError::Usage("--from must be a sqlite: URL (the embedded database to copy)".into()));
    }
    if kind(to)? != StoreKind::Postgres {
        return Err(MigrateError::Usage("--to must be a postgres: URL (the empty database to fill)".into()));
    }
    Ok(())
}

/// Copies the SQLite database at `from` into the empty PostgreSQL database at `to` and checks
/// the copy. The source is only read; the target gets the schema (if it has none yet) and, only
/// if every check passes, the rows.
pub async fn migrate(from: &str, to: &str) -> Result<Summary, MigrateError> {
    let started = Instant::now();
    check_urls(from, to)?;
    // The source first: a database this build cannot read must not leave a schema behind.
    let mut source = source::open(from).await?;
    // One read transaction: the copy and its checks see the same snapshot even if a server
    // still writes to the file.
    let mut reading = source.begin().await.map_err(source::unreadable)?;

    let store = PgStore::open(to).await.map_err(|e| MigrateError::Target(e.to_string()))?;
    let mut writing = store.pool().begin().await.map_err(target_error)?;
    let tables = tables::describe(&mut writing).await?;
    copy::claim_empty(&mut writing, &tables).await?;
    let mut copied = Vec::with_capacity(tables.len());
    for table in &tables {
        let rows = copy::copy_table(&mut reading, &mut writing, table).await?;
        tracing::info!(table = table.name, rows, "copied");
        copied.push((table.name, rows));
    }
    copy::restart_identities(&mut writing, &tables).await?;
    let checked = verify::verify(&mut reading, &mut writing, &tables).await?;
    writing.commit().await.map_err(target_error)?;

    // Fresh planner statistics, so the first queries on the new database use its indexes.
    sqlx::query("ANALYZE").execute(store.pool()).await.map_err(target_error)?;
    Ok(Summary { tables: copied, sampled: checked.sampled, conversations: checked.conversations, took: started.elapsed() })
}

fn target_error(e: sqlx::Error) -> MigrateError {
    MigrateError::Target(e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn the_source_defaults_to_the_configured_database() {
        let parsed = parse_args(&args(&["--to", "postgres://db/confab"]), "sqlite://./data/confab.db").unwrap();
        assert_eq!(parsed, (String::from("sqlite://./data/confab.db"), String::from("postgres://db/confab")));
        let parsed = parse_args(&args(&["--to", "postgresql://db/c", "--from", "sqlite:///srv/c.db"]), "postgres://x/y").unwrap();
        assert_eq!(parsed, (String::from("sqlite:///srv/c.db"), String::from("postgresql://db/c")));
    }

    #[test]
    fn wrong_or_missing_urls_are_refused_with_the_usage() {
        let refused = |words: &[&str]| parse_args(&args(words), "sqlite://c.db").unwrap_err().to_string();
        assert!(refused(&[]).contains("--to is missing"));
        assert!(refused(&["--to"]).contains("--to needs a URL"));
        assert!(refused(&["--to", "sqlite://other.db"]).contains("--to must be a postgres: URL"));
        assert!(refused(&["--to", "postgres://db/c", "--from", "postgres://db/d"]).contains("--from must be a sqlite: URL"));
        assert!(refused(&["--to", "mysql://db/c"]).contains("`mysql`"));
        let unknown = refused(&["--to", "postgres://db/c", "--force"]);
        assert!(unknown.contains("`--force`") && unknown.contains("usage: confab migrate-to-postgres"), "{unknown}");
    }
}

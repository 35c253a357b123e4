//! The copy itself, inside the target's transaction: claim the empty tables, move each table's
//! rows in batches (one multi-row `INSERT … SELECT FROM UNNEST` per batch), then move identity
//! counters past the copied values.
use futures_util::TryStreamExt;
use sqlx::{PgConnection, SqliteConnection};

use super::{
    MigrateError,
    tables::{Batch, Table, quoted, unnest},
};

/// Rows per INSERT: large enough that round trips do not matter, small enough that a batch of
/// long message bodies stays a few megabytes.
const BATCH_ROWS: usize = 2_000;

/// Locks the tables against other writers until the copy commits, then refuses unless every
/// one is empty: the copy adds an installation, it never merges two.
pub(super) async fn claim_empty(target: &mut PgConnection, tables: &[Table]) -> Result<(), MigrateError> {
    let names: Vec<String> = tables.iter().map(Table::quoted_name).collect();
    sqlx::query(&format!("LOCK TABLE {} IN EXCLUSIVE MODE", names.join(", ")))
        .execute(&mut *target)
        .await
        .map_err(super::target_error)?;
    let mut holding = Vec::new();
    for table in tables {
        let sql = format!("SELECT EXISTS (SELECT 1 FROM {})", table.quoted_name());
        let any: bool = sqlx::query_scalar(&sql).fetch_one(&mut *target).await.map_err(super::target_error)?;
        if any {
            holding.push(table.name);
        }
    }
    if holding.is_empty() {
        return Ok(());
    }
    Err(MigrateError::Target(format!(
        "it already holds data (in {}); migrate into a new, empty database",
        holding.join(", ")
    )))
}

/// Copies one table's rows; returns how many.
pub(super) async fn copy_table(source: &mut SqliteConnection, target: &mut PgConnection, table: &Table) -> Result<u64, MigrateError> {
    let failed = |e: sqlx::Error| MigrateError::Copy { table: table.name.to_owned(), reason: e.to_string() };
    let select = format!("SELECT {} FROM {}", table.column_list(), table.quoted_name());
    let overriding = if table.columns.iter().any(|c| c.identity) { " OVERRIDING SYSTEM VALUE" } else { "" };
    let insert = format!(
        "INSERT INTO {} ({}){overriding} SELECT * FROM {}",
        table.quoted_name(),
        table.column_list(),
        unnest(table.columns.iter())
    );
    let mut rows = sqlx::query(&select).fetch(&mut *source);
    let mut batch = Batch::new(table.columns.iter());
    let mut copied = 0;
    while let Some(row) = rows.try_next().await.map_err(failed)? {
        if !batch.push(table.sqlite_row(&row)?) {
            return Err(MigrateError::Copy { table: table.name.to_owned(), reason: "a value of the wrong type".into() });
        }
        if batch.rows() == BATCH_ROWS {
            let full = std::mem::replace(&mut batch, Batch::new(table.columns.iter()));
            copied += full.bind(sqlx::query(&insert)).execute(&mut *target).await.map_err(failed)?.rows_affected();
        }
    }
    if batch.rows() > 0 {
        copied += batch.bind(sqlx::query(&insert)).execute(&mut *target).await.map_err(failed)?.rows_affected();
    }
    Ok(copied)
}

/// Identity columns count on from the highest copied value, so the next row PostgreSQL numbers
/// itself does not collide with a copied one.
pub(super) async fn restart_identities(target: &mut PgConnection, tables: &[Table]) -> Result<(), MigrateError> {
    for table in tables {
        for column in table.columns.iter().filter(|c| c.identity) {
            let name = quoted(&column.name);
            let highest: Option<i64> = sqlx::query_scalar(&format!("SELECT max({name}) FROM {}", table.quoted_name()))
                .fetch_one(&mut *target)
                .await
                .map_err(super::target_error)?;
            if let Some(highest) = highest {
                // DDL takes no parameters; the value is a number we read ourselves.
                let restart = format!("ALTER TABLE {} ALTER COLUMN {name} RESTART WITH {}", table.quoted_name(), highest.saturating_add(1));
                sqlx::query(&restart).execute(&mut *target).await.map_err(super::target_error)?;
            }
        }
    }
    Ok(())
}

//! The checks before the copy commits: every table's row count, a random sample of each
//! table's rows column by column (looked up by primary key), and every conversation's
//! `last_seq` with its highest message `seq`. Differences are named by table and column, never
//! by value: values include password hashes, session ids and message bodies.
use std::collections::HashMap;

use sqlx::{PgConnection, SqliteConnection};

use super::{
    MigrateError,
    tables::{Batch, Table, Value, list, unnest},
};

/// Rows compared per table (all of them in a smaller table).
const SAMPLE_ROWS: u32 = 200;

pub(super) struct Checked {
    pub sampled: u64,
    pub conversations: u64,
}

pub(super) async fn verify(source: &mut SqliteConnection, target: &mut PgConnection, tables: &[Table]) -> Result<Checked, MigrateError> {
    let mut sampled = 0;
    for table in tables {
        counts_equal(source, target, table).await?;
        sampled += samples_equal(source, target, table).await?;
    }
    let conversations = sequences_equal(source, target).await?;
    Ok(Checked { sampled, conversations })
}

fn unreadable(e: sqlx::Error) -> MigrateError {
    MigrateError::Mismatch(format!("the check could not read a side: {e}"))
}

async fn counts_equal(source: &mut SqliteConnection, target: &mut PgConnection, table: &Table) -> Result<(), MigrateError> {
    let sql = format!("SELECT count(*) FROM {}", table.quoted_name());
    let in_source: i64 = sqlx::query_scalar(&sql).fetch_one(&mut *source).await.map_err(unreadable)?;
    let in_target: i64 = sqlx::query_scalar(&sql).fetch_one(&mut *target).await.map_err(unreadable)?;
    if in_source != in_target {
        return Err(MigrateError::Mismatch(format!("{}: {in_source} rows in SQLite, {in_target} in PostgreSQL", table.name)));
    }
    Ok(())
}

/// Picks random rows from SQLite, finds each in PostgreSQL by its primary key and compares
/// every column; returns how many rows were compared.
async fn samples_equal(source: &mut SqliteConnection, target: &mut PgConnection, table: &Table) -> Result<u64, MigrateError> {
    let pick = format!("SELECT {} FROM {} ORDER BY random() LIMIT {SAMPLE_ROWS}", table.column_list(), table.quoted_name());
    let picked = sqlx::query(&pick).fetch_all(&mut *source).await.map_err(unreadable)?;
    let picked: Vec<Vec<Value>> = picked.iter().map(|row| table.sqlite_row(row)).collect::<Result<_, _>>()?;
    if picked.is_empty() {
        return Ok(0);
    }
    let keys = table.key_positions();
    let key_of = |row: &[Value]| -> Vec<Value> { keys.iter().map(|&i| row[i].clone()).collect() };
    let key_columns: Vec<_> = keys.iter().map(|&i| &table.columns[i]).collect();
    let mut wanted = Batch::new(key_columns.iter().copied());
    for row in &picked {
        if !wanted.push(key_of(row)) {
            return Err(MigrateError::Mismatch(format!("{}: a sampled key of the wrong type", table.name)));
        }
    }
    let lookup = format!(
        "SELECT {} FROM {} WHERE ({}) IN (SELECT * FROM {})",
        table.column_list(),
        table.quoted_name(),
        list(key_columns.iter().copied()),
        unnest(key_columns.iter().copied())
    );
    let found = wanted.bind(sqlx::query(&lookup)).fetch_all(&mut *target).await.map_err(unreadable)?;
    let mut copies = HashMap::with_capacity(found.len());
    for row in &found {
        let row = table.pg_row(row).map_err(unreadable)?;
        copies.insert(key_of(&row), row);
    }
    for row in &picked {
        let Some(copy) = copies.get(&key_of(row)) else {
            return Err(MigrateError::Mismatch(format!("{}: a sampled row is missing", table.name)));
        };
        if let Some(column) = table.columns.iter().zip(row.iter().zip(copy)).find(|(_, (a, b))| a != b).map(|(c, _)| c) {
            return Err(MigrateError::Mismatch(format!("{}.{}: a sampled row differs", table.name, column.name)));
        }
    }
    Ok(picked.len() as u64)
}

/// Every conversation's `last_seq` and highest message `seq`, equal on both sides (senders rely
/// on the pair to number the next message without a gap); returns how many conversations.
async fn sequences_equal(source: &mut SqliteConnection, target: &mut PgConnection) -> Result<u64, MigrateError> {
    const SEQUENCES: &str = "SELECT c.id, c.last_seq, (SELECT max(m.seq) FROM messages m WHERE m.conversation_id = c.id)
                             FROM conversations c";
    let in_source: HashMap<String, (i64, Option<i64>)> = sqlx::query_as::<_, (String, i64, Option<i64>)>(SEQUENCES)
        .fetch_all(&mut *source)
        .await
        .map_err(unreadable)?
        .into_iter()
        .map(|(id, last, max)| (id, (last, max)))
        .collect();
    let in_target: HashMap<String, (i64, Option<i64>)> = sqlx::query_as::<_, (String, i64, Option<i64>)>(SEQUENCES)
        .fetch_all(&mut *target)
        .await
        .map_err(unreadable)?
        .into_iter()
        .map(|(id, last, max)| (id, (last, max)))
        .collect();
    if let Some((id, _)) = in_source.iter().find(|(id, seqs)| in_target.get(id.as_str()) != Some(*seqs)) {
        return Err(MigrateError::Mismatch(format!("conversation {id}: last_seq or its highest message seq differs")));
    }
    if in_source.len() != in_target.len() {
        return Err(MigrateError::Mismatch("conversations: PostgreSQL has some SQLite does not".into()));
    }
    Ok(in_source.len() as u64)
}

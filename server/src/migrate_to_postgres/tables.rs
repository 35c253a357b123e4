//! What is copied, as the PostgreSQL schema describes it (columns, their types, identity and
//! generated columns, primary keys): one description serves the copy and the checks, so no
//! table's column list is written out by hand. Values travel in a driver-neutral `Value`.
use sqlx::{
    PgConnection, Postgres, Row,
    postgres::{PgArguments, PgRow},
    query::Query,
    sqlite::SqliteRow,
};

use super::MigrateError;

/// Every table of migrations/postgres, each after the tables its foreign keys point at. The
/// SQLite-only tables (`messages_fts*`, `_sqlx_migrations`) are not copied: PostgreSQL has its
/// own search column and its own migration history.
pub const TABLES: [&str; 18] = [
    "users",
    "passkeys",
    "passkey_ceremonies",
    "sessions",
    "one_time_codes",
    "refresh_tokens",
    "conversations",
    "members",
    "messages",
    "reactions",
    "contacts",
    "blocks",
    "group_invites",
    "group_invitations",
    "stranger_members",
    "stranger_avoids",
    "stranger_reports",
    "attachments",
];

/// The column types the schema uses. SQLite keeps booleans as 0 and 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Text,
    BigInt,
    Boolean,
}

impl Kind {
    fn of(pg_type: &str) -> Option<Self> {
        match pg_type {
            "text" => Some(Self::Text),
            "bigint" => Some(Self::BigInt),
            "boolean" => Some(Self::Boolean),
            _ => None,
        }
    }

    fn array(self) -> &'static str {
        match self {
            Self::Text => "text[]",
            Self::BigInt => "bigint[]",
            Self::Boolean => "boolean[]",
        }
    }
}

#[derive(Debug)]
pub(super) struct Column {
    pub name: String,
    pub kind: Kind,
    /// An identity column (`messages.n`): copied values need `OVERRIDING SYSTEM VALUE`.
    pub identity: bool,
    /// Part of the primary key.
    pub key: bool,
}

/// A table and the columns the copy writes (generated ones, like `messages.search`, are left
/// for PostgreSQL to compute).
#[derive(Debug)]
pub(super) struct Table {
    pub name: &'static str,
    pub columns: Vec<Column>,
}

impl Table {
    pub fn quoted_name(&self) -> String {
        quoted(self.name)
    }

    /// The copied columns, quoted, comma-separated, in the order rows are read and written.
    pub fn column_list(&self) -> String {
        list(self.columns.iter())
    }

    pub fn key_positions(&self) -> Vec<usize> {
        self.columns.iter().enumerate().filter(|(_, c)| c.key).map(|(i, _)| i).collect()
    }

    /// One row from SQLite, converted to the PostgreSQL column types.
    pub fn sqlite_row(&self, row: &SqliteRow) -> Result<Vec<Value>, MigrateError> {
        self.columns.iter().enumerate().map(|(i, column)| sqlite_value(row, i, column, self.name)).collect()
    }

    pub fn pg_row(&self, row: &PgRow) -> Result<Vec<Value>, sqlx::Error> {
        self.columns.iter().enumerate().map(|(i, column)| pg_value(row, i, column.kind)).collect()
    }
}

/// An identifier in double quotes (both databases read it so).
pub(super) fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

pub(super) fn list<'a>(columns: impl Iterator<Item = &'a Column>) -> String {
    columns.map(|c| quoted(&c.name)).collect::<Vec<_>>().join(", ")
}

/// `UNNEST($1::text[], $2::bigint[], …)`: rows handed over as one array per column.
pub(super) fn unnest<'a>(columns: impl Iterator<Item = &'a Column>) -> String {
    let arrays: Vec<String> = columns.enumerate().map(|(i, c)| format!("${}::{}", i + 1, c.kind.array())).collect();
    format!("UNNEST({})", arrays.join(", "))
}

/// Reads the copied tables' columns from the target's catalog; refuses a schema with tables
/// this build does not copy (a table added to the schema must be added to `TABLES`).
pub(super) async fn describe(target: &mut PgConnection) -> Result<Vec<Table>, MigrateError> {
    let present: Vec<String> = sqlx::query_scalar(
        "SELECT tablename::text FROM pg_tables WHERE schemaname = current_schema() AND tablename <> '_sqlx_migrations'",
    )
    .fetch_all(&mut *target)
    .await
    .map_err(super::target_error)?;
    let unknown: Vec<&str> = present.iter().map(String::as_str).filter(|t| !TABLES.contains(t)).collect();
    if !unknown.is_empty() {
        return Err(MigrateError::Target(format!("it has tables this build does not copy: {}", unknown.join(", "))));
    }
    let mut tables = Vec::with_capacity(TABLES.len());
    for name in TABLES {
        let rows: Vec<(String, String, bool, bool, bool)> = sqlx::query_as(
            "SELECT a.attname::text, format_type(a.atttypid, a.atttypmod), a.attidentity <> '', a.attgenerated <> '',
                    COALESCE(a.attnum = ANY (i.indkey), false)
             FROM pg_attribute a LEFT JOIN pg_index i ON i.indrelid = a.attrelid AND i.indisprimary
             WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum",
        )
        .bind(name)
        .fetch_all(&mut *target)
        .await
        .map_err(super::target_error)?;
        if rows.is_empty() {
            return Err(MigrateError::Target(format!("its schema has no table {name}")));
        }
        let mut columns = Vec::with_capacity(rows.len());
        for (column, pg_type, identity, generated, key) in rows {
            if generated {
                continue;
            }
            let kind = Kind::of(&pg_type).ok_or_else(|| {
                MigrateError::Target(format!("{name}.{column} is {pg_type}, a type this build does not copy"))
            })?;
            columns.push(Column { name: column, kind, identity, key });
        }
        if !columns.iter().any(|c| c.key) {
            return Err(MigrateError::Target(format!("{name} has no primary key to compare rows by")));
        }
        tables.push(Table { name, columns });
    }
    Ok(tables)
}

/// A value of one of the column kinds, or NULL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) enum Value {
    Null,
    Text(String),
    Int(i64),
    Bool(bool),
}

fn sqlite_value(row: &SqliteRow, i: usize, column: &Column, table: &str) -> Result<Value, MigrateError> {
    let unreadable = |reason: String| MigrateError::Copy { table: table.to_owned(), reason: format!("column {}: {reason}", column.name) };
    let read = |e: sqlx::Error| unreadable(e.to_string());
    Ok(match column.kind {
        Kind::Text => row.try_get::<Option<String>, _>(i).map_err(read)?.map_or(Value::Null, Value::Text),
        Kind::BigInt => row.try_get::<Option<i64>, _>(i).map_err(read)?.map_or(Value::Null, Value::Int),
        Kind::Boolean => match row.try_get::<Option<i64>, _>(i).map_err(read)? {
            None => Value::Null,
            Some(0) => Value::Bool(false),
            Some(1) => Value::Bool(true),
            Some(other) => return Err(unreadable(format!("holds {other} where a boolean (0 or 1) belongs"))),
        },
    })
}

fn pg_value(row: &PgRow, i: usize, kind: Kind) -> Result<Value, sqlx::Error> {
    Ok(match kind {
        Kind::Text => row.try_get::<Option<String>, _>(i)?.map_or(Value::Null, Value::Text),
        Kind::BigInt => row.try_get::<Option<i64>, _>(i)?.map_or(Value::Null, Value::Int),
        Kind::Boolean => row.try_get::<Option<bool>, _>(i)?.map_or(Value::Null, Value::Bool),
    })
}

/// Rows gathered column by column, bound as one array per column (`unnest`).
pub(super) struct Batch {
    columns: Vec<Values>,
    rows: usize,
}

enum Values {
    Text(Vec<Option<String>>),
    BigInt(Vec<Option<i64>>),
    Boolean(Vec<Option<bool>>),
}

impl Batch {
    pub fn new<'a>(columns: impl Iterator<Item = &'a Column>) -> Self {
        let columns = columns
            .map(|c| match c.kind {
                Kind::Text => Values::Text(Vec::new()),
                Kind::BigInt => Values::BigInt(Vec::new()),
                Kind::Boolean => Values::Boolean(Vec::new()),
            })
            .collect();
        Self { columns, rows: 0 }
    }

    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Adds a row whose values are in the batch's column order; false (and nothing added) if
    /// a value is not of its column's kind.
    pub fn push(&mut self, row: Vec<Value>) -> bool {
        let fits = |values: &Values, value: &Value| {
            matches!(
                (values, value),
                (_, Value::Null) | (Values::Text(_), Value::Text(_)) | (Values::BigInt(_), Value::Int(_)) | (Values::Boolean(_), Value::Bool(_))
            )
        };
        if row.len() != self.columns.len() || !self.columns.iter().zip(&row).all(|(values, value)| fits(values, value)) {
            return false;
        }
        for (values, value) in self.columns.iter_mut().zip(row) {
            match (values, value) {
                (Values::Text(v), Value::Text(x)) => v.push(Some(x)),
                (Values::BigInt(v), Value::Int(x)) => v.push(Some(x)),
                (Values::Boolean(v), Value::Bool(x)) => v.push(Some(x)),
                (Values::Text(v), _) => v.push(None),
                (Values::BigInt(v), _) => v.push(None),
                (Values::Boolean(v), _) => v.push(None),
            }
        }
        self.rows += 1;
        true
    }

    /// Binds the arrays, in column order, to a statement written with `unnest`.
    pub fn bind<'q>(self, mut query: Query<'q, Postgres, PgArguments>) -> Query<'q, Postgres, PgArguments> {
        for values in self.columns {
            query = match values {
                Values::Text(v) => query.bind(v),
                Values::BigInt(v) => query.bind(v),
                Values::Boolean(v) => query.bind(v),
            };
        }
        query
    }
}

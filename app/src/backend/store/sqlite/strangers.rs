//! SQLite implementation of `StrangerStore` (the shared SQL and body are in `store::strangers`).
use sqlx::Row;

use super::super::{
    StoreError,
    strangers::{StrangerReportRow, sql, stranger_store_for},
};
use super::SqliteStore;

stranger_store_for!(SqliteStore);

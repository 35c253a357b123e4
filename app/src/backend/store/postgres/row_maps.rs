//! PostgreSQL rows the accounts half reads into the store's types: a conversation under
//! `CONV_COLS`' `c_*` aliases.
use sqlx::{Row, postgres::PgRow};

use super::super::{
    StoreError,
    chats::ConvRow,
    stored_text::state_at,
};

pub(super) fn conv_row(r: &PgRow) -> Result<ConvRow, StoreError> {
    Ok(ConvRow {
        id: r.try_get("c_id")?,
        kind: state_at(r, "c_kind")?,
        group_id: r.try_get("c_group_id")?,
        name: r.try_get("c_name")?,
        description: r.try_get("c_description")?,
        public: r.try_get("c_public")?,
        created_by: r.try_get("c_created_by")?,
        created_at: r.try_get("c_created_at")?,
        last_seq: r.try_get("c_last_seq")?,
        last_activity_at: r.try_get("c_last_activity_at")?,
    })
}

//! PostgreSQL rows the accounts half reads into the store's types: a person under the `u_*`
//! aliases, a conversation under `CONV_COLS`' `c_*` aliases.
use sqlx::{Row, postgres::PgRow};

use super::super::{
    StoreError,
    chats::{Brief, ConvRow},
    stored_text::state_at,
};

/// A person's id, username and display name, aliased as `brief_of_user` reads them.
pub(super) const USER_BRIEF_COLS: &str = "u.id AS u_id, u.username AS u_username, u.display_name AS u_display_name";

pub(super) fn brief_of_user(r: &PgRow) -> Result<Brief, StoreError> {
    Ok(Brief { id: r.try_get("u_id")?, username: r.try_get("u_username")?, display_name: r.try_get("u_display_name")? })
}

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

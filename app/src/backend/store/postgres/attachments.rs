//! Postgres implementation of `AttachmentStore` (the shared SQL and body are in `store::attachments`).
use super::super::{
    StoreError,
    attachments::{AttachmentRow, ClaimRefused, attachment_row, attachment_store_for, blob_keys, sql},
    row_columns::Columns,
};
use super::PgStore;

attachment_store_for!(PgStore);

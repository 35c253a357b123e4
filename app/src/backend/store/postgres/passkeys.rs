//! PostgreSQL implementation of `PasskeyStore` (the shared SQL and body are in `store::passkeys`).
use sqlx::Row;

use super::super::{
    StoreError,
    passkeys::{CeremonyRow, PasskeyRow, passkey_store_for, sql},
};
use super::PgStore;

passkey_store_for!(PgStore);

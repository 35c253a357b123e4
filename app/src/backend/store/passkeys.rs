//! The passkeys half of the store: each account's passkeys, and ceremonies in flight.
use async_trait::async_trait;

use super::StoreError;

#[derive(Debug, Clone, PartialEq)]
pub struct PasskeyRow {
    /// The authenticator's id for the key, base64url.
    pub credential_id: String,
    pub user_id: String,
    /// The opaque account id the authenticator keeps (a UUID).
    pub user_handle: String,
    pub name: String,
    /// Where it was made ("Chrome on Android").
    pub device: String,
    /// The verifier's record of the key (public key, counter, backup flags), JSON.
    pub passkey: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// A ceremony's challenge state, kept until it is answered once.
#[derive(Debug, Clone, PartialEq)]
pub struct CeremonyRow {
    pub id: String,
    /// `register`, `sign_in` or `confirm`.
    pub kind: String,
    /// The account it is for; empty for a sign-in.
    pub user_id: String,
    pub state: String,
    pub expires_at: i64,
}

#[async_trait]
pub trait PasskeyStore: Send + Sync {
    /// Stores a new passkey; false when its credential id is already stored (for anyone).
    async fn passkey_insert(&self, row: &PasskeyRow) -> Result<bool, StoreError>;
    /// A user's passkeys, oldest first.
    async fn passkeys_of(&self, user_id: &str) -> Result<Vec<PasskeyRow>, StoreError>;
    async fn passkey_by_credential(&self, credential_id: &str) -> Result<Option<PasskeyRow>, StoreError>;
    /// Records a sign-in with the key: its updated record (counter) and when.
    async fn passkey_used(&self, credential_id: &str, passkey: &str, now: i64) -> Result<(), StoreError>;
    /// Renames one of the user's passkeys; false when it is not theirs.
    async fn passkey_rename(&self, user_id: &str, credential_id: &str, name: &str) -> Result<bool, StoreError>;
    /// Removes one of the user's passkeys; false when it is not theirs.
    async fn passkey_delete(&self, user_id: &str, credential_id: &str) -> Result<bool, StoreError>;

    async fn ceremony_insert(&self, row: &CeremonyRow) -> Result<(), StoreError>;
    /// Takes a live ceremony of `kind` (unused, unexpired at `now`) in one conditional write, so
    /// of two racing answers one wins; `None` when it cannot be taken.
    async fn ceremony_take(&self, id: &str, kind: &str, now: i64) -> Result<Option<CeremonyRow>, StoreError>;
    /// Removes ceremonies that expired before `now`; returns how many.
    async fn ceremonies_purge(&self, now: i64) -> Result<u64, StoreError>;
}

/// The SQL both stores run (numbered parameters mean the same to SQLite and PostgreSQL).
pub(super) mod sql {
    pub const COLUMNS: &str = "credential_id, user_id, user_handle, name, device, passkey, created_at, last_used_at";
    pub const INSERT: &str = "INSERT INTO passkeys (credential_id, user_id, user_handle, name, device, passkey, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (credential_id) DO NOTHING";
    pub const USED: &str = "UPDATE passkeys SET passkey = $2, last_used_at = $3 WHERE credential_id = $1";
    pub const RENAME: &str = "UPDATE passkeys SET name = $3 WHERE user_id = $1 AND credential_id = $2";
    pub const DELETE: &str = "DELETE FROM passkeys WHERE user_id = $1 AND credential_id = $2";
    pub const CEREMONY_INSERT: &str =
        "INSERT INTO passkey_ceremonies (id, kind, user_id, state, expires_at) VALUES ($1, $2, $3, $4, $5)";
    pub const CEREMONY_TAKE: &str = "UPDATE passkey_ceremonies SET used_at = $3
        WHERE id = $1 AND kind = $2 AND used_at IS NULL AND expires_at > $3
        RETURNING id, kind, user_id, state, expires_at";
    pub const CEREMONIES_PURGE: &str = "DELETE FROM passkey_ceremonies WHERE expires_at <= $1";
}

/// `PasskeyStore` for a store with a sqlx `pool()`: the SQL above means the same to both
/// drivers, so one body serves SQLite and PostgreSQL.
macro_rules! passkey_store_for {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::backend::store::passkeys::PasskeyStore for $store {
            async fn passkey_insert(&self, p: &PasskeyRow) -> Result<bool, StoreError> {
                let done = sqlx::query(sql::INSERT)
                    .bind(&p.credential_id)
                    .bind(&p.user_id)
                    .bind(&p.user_handle)
                    .bind(&p.name)
                    .bind(&p.device)
                    .bind(&p.passkey)
                    .bind(p.created_at)
                    .execute(self.pool())
                    .await?;
                Ok(done.rows_affected() == 1)
            }

            async fn passkeys_of(&self, user_id: &str) -> Result<Vec<PasskeyRow>, StoreError> {
                let query = format!("SELECT {} FROM passkeys WHERE user_id = $1 ORDER BY created_at, credential_id", sql::COLUMNS);
                let rows = sqlx::query(&query).bind(user_id).fetch_all(self.pool()).await?;
                rows.iter().map(passkey_row).collect()
            }

            async fn passkey_by_credential(&self, credential_id: &str) -> Result<Option<PasskeyRow>, StoreError> {
                let query = format!("SELECT {} FROM passkeys WHERE credential_id = $1", sql::COLUMNS);
                let row = sqlx::query(&query).bind(credential_id).fetch_optional(self.pool()).await?;
                row.as_ref().map(passkey_row).transpose()
            }

            async fn passkey_used(&self, credential_id: &str, passkey: &str, now: i64) -> Result<(), StoreError> {
                sqlx::query(sql::USED).bind(credential_id).bind(passkey).bind(now).execute(self.pool()).await?;
                Ok(())
            }

            async fn passkey_rename(&self, user_id: &str, credential_id: &str, name: &str) -> Result<bool, StoreError> {
                let done = sqlx::query(sql::RENAME).bind(user_id).bind(credential_id).bind(name).execute(self.pool()).await?;
                Ok(done.rows_affected() == 1)
            }

            async fn passkey_delete(&self, user_id: &str, credential_id: &str) -> Result<bool, StoreError> {
                let done = sqlx::query(sql::DELETE).bind(user_id).bind(credential_id).execute(self.pool()).await?;
                Ok(done.rows_affected() == 1)
            }

            async fn ceremony_insert(&self, c: &CeremonyRow) -> Result<(), StoreError> {
                sqlx::query(sql::CEREMONY_INSERT)
                    .bind(&c.id)
                    .bind(&c.kind)
                    .bind(&c.user_id)
                    .bind(&c.state)
                    .bind(c.expires_at)
                    .execute(self.pool())
                    .await?;
                Ok(())
            }

            async fn ceremony_take(&self, id: &str, kind: &str, now: i64) -> Result<Option<CeremonyRow>, StoreError> {
                let row = sqlx::query(sql::CEREMONY_TAKE).bind(id).bind(kind).bind(now).fetch_optional(self.pool()).await?;
                let Some(r) = row else { return Ok(None) };
                Ok(Some(CeremonyRow {
                    id: r.try_get("id")?,
                    kind: r.try_get("kind")?,
                    user_id: r.try_get("user_id")?,
                    state: r.try_get("state")?,
                    expires_at: r.try_get("expires_at")?,
                }))
            }

            async fn ceremonies_purge(&self, now: i64) -> Result<u64, StoreError> {
                Ok(sqlx::query(sql::CEREMONIES_PURGE).bind(now).execute(self.pool()).await?.rows_affected())
            }
        }

        fn passkey_row<R: sqlx::Row>(r: &R) -> Result<PasskeyRow, StoreError>
        where
            for<'a> &'a str: sqlx::ColumnIndex<R>,
            String: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            i64: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
            Option<i64>: for<'a> sqlx::Decode<'a, R::Database> + sqlx::Type<R::Database>,
        {
            Ok(PasskeyRow {
                credential_id: r.try_get("credential_id")?,
                user_id: r.try_get("user_id")?,
                user_handle: r.try_get("user_handle")?,
                name: r.try_get("name")?,
                device: r.try_get("device")?,
                passkey: r.try_get("passkey")?,
                created_at: r.try_get("created_at")?,
                last_used_at: r.try_get("last_used_at")?,
            })
        }
    };
}
pub(super) use passkey_store_for;

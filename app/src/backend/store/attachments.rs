//! The attachments half of the store: what was uploaded (its blob's key and what the server
//! found in it), and which message it went out with. The bytes live in a `BlobStore`.
//!
//! An attachment is tied to a message by its uploader and the message's client id: `claim`
//! ties it before the send, so a resend with the same client id finds it tied already, and no
//! other message can take it.
use async_trait::async_trait;

use super::StoreError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentRow {
    pub id: String,
    pub uploader_id: String,
    /// `picture`, `voice` or `file`.
    pub kind: String,
    pub name: String,
    pub mime: String,
    pub size: i64,
    /// The content's key in the blob store (its SHA-256, hex).
    pub blob: String,
    pub thumb_blob: Option<String>,
    pub width: Option<i64>,
    pub height: Option<i64>,
    pub duration_ms: Option<i64>,
    pub placeholder: Option<String>,
    pub created_at: i64,
    /// The chat and client id of the message it was sent with (or is being sent with).
    pub chat_id: Option<String>,
    pub client_id: Option<String>,
}

/// Why a claim failed (nothing was tied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClaimRefused {
    /// No such attachment of this uploader (or it was removed): the id at fault.
    Unknown(String),
    /// It went out with another message already.
    Taken(String),
}

#[async_trait]
pub trait AttachmentStore: Send + Sync {
    async fn attachment_insert(&self, row: &AttachmentRow) -> Result<(), StoreError>;
    async fn attachment(&self, id: &str) -> Result<Option<AttachmentRow>, StoreError>;
    /// Ties `ids` (all `uploader`'s) to the message `(chat_id, client_id)`, all or none; ids
    /// tied to that very message already are fine (a resend). The rows come back in `ids` order.
    async fn attachments_claim(
        &self,
        uploader: &str,
        ids: &[String],
        chat_id: &str,
        client_id: &str,
    ) -> Result<Result<Vec<AttachmentRow>, ClaimRefused>, StoreError>;
    /// Unties what was claimed for `(uploader, client_id)` but is not in `keep` (a resend that
    /// named other attachments than the stored message has).
    async fn attachments_release(&self, uploader: &str, client_id: &str, keep: &[String]) -> Result<(), StoreError>;
    /// Deletes the attachments of a message; returns the blobs nothing uses any more.
    async fn attachments_delete_of_message(&self, uploader: &str, client_id: &str) -> Result<Vec<String>, StoreError>;
    /// Deletes attachments uploaded before `before` that no stored message has; returns the
    /// blobs nothing uses any more.
    async fn attachments_delete_unsent(&self, before: i64) -> Result<Vec<String>, StoreError>;
    /// The chat of the live (not deleted) message `uploader` sent with `client_id`, if stored.
    async fn attachment_sent_in(&self, uploader: &str, client_id: &str) -> Result<Option<String>, StoreError>;
    /// Bytes of everything `uploader` has stored (each attachment counted, even if the same
    /// bytes are kept once).
    async fn attachment_bytes_of(&self, uploader: &str) -> Result<i64, StoreError>;
    /// Whether any attachment still uses `blob` (as its content or thumbnail).
    async fn blob_in_use(&self, blob: &str) -> Result<bool, StoreError>;
}

/// The SQL both stores run (numbered parameters mean the same to SQLite and PostgreSQL).
pub(super) mod sql {
    pub const INSERT: &str = "INSERT INTO attachments (id, uploader_id, kind, name, mime, size, blob, thumb_blob, width, height, \
        duration_ms, placeholder, created_at, chat_id, client_id) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, NULL, NULL)";
    pub const BY_ID: &str = "SELECT id, uploader_id, kind, name, mime, size, blob, thumb_blob, width, height, duration_ms, \
        placeholder, created_at, chat_id, client_id FROM attachments WHERE id = $1";
    /// Ties one attachment unless another message has it; 0 rows means unknown or taken.
    pub const CLAIM: &str = "UPDATE attachments SET chat_id = $3, client_id = $4 \
        WHERE id = $1 AND uploader_id = $2 AND (client_id IS NULL OR (client_id = $4 AND chat_id = $3))";
    pub const RELEASE_ONE: &str = "UPDATE attachments SET chat_id = NULL, client_id = NULL WHERE id = $1";
    pub const OF_MESSAGE: &str = "SELECT id, blob, thumb_blob FROM attachments WHERE uploader_id = $1 AND client_id = $2";
    pub const UNSENT: &str = "SELECT a.id, a.blob, a.thumb_blob FROM attachments a WHERE a.created_at < $1 AND NOT EXISTS \
        (SELECT 1 FROM messages m WHERE m.sender_id = a.uploader_id AND m.client_id = a.client_id AND NOT m.deleted)";
    pub const DELETE: &str = "DELETE FROM attachments WHERE id = $1";
    pub const SENT_IN: &str = "SELECT conversation_id FROM messages WHERE sender_id = $1 AND client_id = $2 AND NOT deleted";
    /// PostgreSQL sums BIGINTs as NUMERIC: cast back.
    pub const BYTES_OF: &str = "SELECT CAST(COALESCE(SUM(size), 0) AS BIGINT) FROM attachments WHERE uploader_id = $1";
    pub const BLOB_IN_USE: &str = "SELECT EXISTS (SELECT 1 FROM attachments WHERE blob = $1) \
        OR EXISTS (SELECT 1 FROM attachments WHERE thumb_blob = $1)";
}

/// `AttachmentStore` for a store with a sqlx `pool()`: the SQL above means the same to both
/// drivers, so one body serves SQLite and PostgreSQL.
macro_rules! attachment_store_for {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::backend::store::attachments::AttachmentStore for $store {
            async fn attachment_insert(&self, a: &AttachmentRow) -> Result<(), StoreError> {
                sqlx::query(sql::INSERT)
                    .bind(&a.id)
                    .bind(&a.uploader_id)
                    .bind(&a.kind)
                    .bind(&a.name)
                    .bind(&a.mime)
                    .bind(a.size)
                    .bind(&a.blob)
                    .bind(&a.thumb_blob)
                    .bind(a.width)
                    .bind(a.height)
                    .bind(a.duration_ms)
                    .bind(&a.placeholder)
                    .bind(a.created_at)
                    .execute(self.pool())
                    .await?;
                Ok(())
            }

            async fn attachment(&self, id: &str) -> Result<Option<AttachmentRow>, StoreError> {
                let row = sqlx::query(sql::BY_ID).bind(id).fetch_optional(self.pool()).await?;
                Ok(row.as_ref().map(attachment_row))
            }

            async fn attachments_claim(
                &self,
                uploader: &str,
                ids: &[String],
                chat_id: &str,
                client_id: &str,
            ) -> Result<Result<Vec<AttachmentRow>, ClaimRefused>, StoreError> {
                let mut tx = self.pool().begin().await?;
                let mut rows = Vec::with_capacity(ids.len());
                for id in ids {
                    let tied = sqlx::query(sql::CLAIM).bind(id).bind(uploader).bind(chat_id).bind(client_id).execute(&mut *tx).await?;
                    let row = sqlx::query(sql::BY_ID).bind(id).fetch_optional(&mut *tx).await?;
                    let row = row.as_ref().map(attachment_row).filter(|r| r.uploader_id == uploader);
                    match (tied.rows_affected(), row) {
                        (1, Some(row)) => rows.push(row),
                        (_, Some(_)) => return Ok(Err(ClaimRefused::Taken(id.clone()))),
                        (_, None) => return Ok(Err(ClaimRefused::Unknown(id.clone()))),
                    }
                }
                tx.commit().await?;
                Ok(Ok(rows))
            }

            async fn attachments_release(&self, uploader: &str, client_id: &str, keep: &[String]) -> Result<(), StoreError> {
                let mut tx = self.pool().begin().await?;
                let claimed = sqlx::query(sql::OF_MESSAGE).bind(uploader).bind(client_id).fetch_all(&mut *tx).await?;
                for row in claimed {
                    let id = row.text("id").unwrap_or_default();
                    if !keep.contains(&id) {
                        sqlx::query(sql::RELEASE_ONE).bind(&id).execute(&mut *tx).await?;
                    }
                }
                tx.commit().await?;
                Ok(())
            }

            async fn attachments_delete_of_message(&self, uploader: &str, client_id: &str) -> Result<Vec<String>, StoreError> {
                let rows = sqlx::query(sql::OF_MESSAGE).bind(uploader).bind(client_id).fetch_all(self.pool()).await?;
                self.delete_attachment_rows(rows.iter().map(blob_keys).collect()).await
            }

            async fn attachments_delete_unsent(&self, before: i64) -> Result<Vec<String>, StoreError> {
                let rows = sqlx::query(sql::UNSENT).bind(before).fetch_all(self.pool()).await?;
                self.delete_attachment_rows(rows.iter().map(blob_keys).collect()).await
            }

            async fn attachment_sent_in(&self, uploader: &str, client_id: &str) -> Result<Option<String>, StoreError> {
                Ok(sqlx::query_scalar(sql::SENT_IN).bind(uploader).bind(client_id).fetch_optional(self.pool()).await?)
            }

            async fn attachment_bytes_of(&self, uploader: &str) -> Result<i64, StoreError> {
                Ok(sqlx::query_scalar(sql::BYTES_OF).bind(uploader).fetch_one(self.pool()).await?)
            }

            async fn blob_in_use(&self, blob: &str) -> Result<bool, StoreError> {
                Ok(sqlx::query_scalar(sql::BLOB_IN_USE).bind(blob).fetch_one(self.pool()).await?)
            }
        }

        impl $store {
            /// Deletes rows of `(id, blob, thumb_blob)`; returns their blobs nothing else uses.
            async fn delete_attachment_rows(&self, rows: Vec<(String, String, Option<String>)>) -> Result<Vec<String>, StoreError> {
                let mut blobs = Vec::new();
                for (id, blob, thumb) in rows {
                    sqlx::query(sql::DELETE).bind(&id).execute(self.pool()).await?;
                    blobs.push(blob);
                    blobs.extend(thumb);
                }
                blobs.sort();
                blobs.dedup();
                let mut unused = Vec::new();
                for blob in blobs {
                    if !sqlx::query_scalar::<_, bool>(sql::BLOB_IN_USE).bind(&blob).fetch_one(self.pool()).await? {
                        unused.push(blob);
                    }
                }
                Ok(unused)
            }
        }
    };
}
pub(super) use attachment_store_for;

/// Maps the columns `sql::BY_ID` selects, from either driver's row.
pub(super) fn attachment_row(r: &impl super::row_columns::Columns) -> AttachmentRow {
    AttachmentRow {
        id: r.text("id").unwrap_or_default(),
        uploader_id: r.text("uploader_id").unwrap_or_default(),
        kind: r.text("kind").unwrap_or_default(),
        name: r.text("name").unwrap_or_default(),
        mime: r.text("mime").unwrap_or_default(),
        size: r.int("size").unwrap_or_default(),
        blob: r.text("blob").unwrap_or_default(),
        thumb_blob: r.text("thumb_blob"),
        width: r.int("width"),
        height: r.int("height"),
        duration_ms: r.int("duration_ms"),
        placeholder: r.text("placeholder"),
        created_at: r.int("created_at").unwrap_or_default(),
        chat_id: r.text("chat_id"),
        client_id: r.text("client_id"),
    }
}

/// `(id, blob, thumb_blob)` of a row of `sql::OF_MESSAGE` or `sql::UNSENT`.
pub(super) fn blob_keys(r: &impl super::row_columns::Columns) -> (String, String, Option<String>) {
    (r.text("id").unwrap_or_default(), r.text("blob").unwrap_or_default(), r.text("thumb_blob"))
}

//! Attachments: uploads streamed to a scratch file while hashed and measured, typed from their
//! bytes, pictures re-encoded (so no EXIF or GPS survives) with a thumbnail, then kept in the
//! blob store and recorded in the database. Sending one with a message, and who may fetch it,
//! is the chats service's business (`chats/attachments.rs`); this service owns the bytes.
pub mod blobs;
pub mod picture;
mod sniff;
mod upload;
#[cfg(test)]
mod tests;

use std::{path::PathBuf, sync::Arc};

use tokio::sync::{Mutex, MutexGuard, Semaphore};

use crate::backend::{
    accounts::rate_limit::RateLimiter,
    clock::{Clock, SystemClock},
    store::{Store, attachments::AttachmentRow},
};
use crate::error::AppError;
use crate::media::types::{AttachmentKind, AttachmentView};
use blobs::{BlobReader, BlobStore};

pub use upload::UploadRequest;

const MB: u64 = 1_000_000;
/// Unsent uploads are removed after this long.
pub const UNSENT_KEPT_SECS: i64 = 24 * 3600;

/// Limits on what people upload; each refusal names the limit it hit.
#[derive(Debug, Clone)]
pub struct MediaConfig {
    pub picture_max_bytes: u64,
    pub picture_max_pixels: u64,
    pub voice_max_bytes: u64,
    pub voice_max_ms: u32,
    pub file_max_bytes: u64,
    /// Bytes one person may have stored in all (sent or waiting to be).
    pub quota_bytes: u64,
    /// Uploads one person may start per minute.
    pub uploads_per_minute: usize,
}

impl Default for MediaConfig {
    fn default() -> Self {
        Self {
            picture_max_bytes: 20 * MB,
            picture_max_pixels: 40_000_000,
            voice_max_bytes: 20 * MB,
            voice_max_ms: 15 * 60 * 1000,
            file_max_bytes: 100 * MB,
            quota_bytes: 2_000 * MB,
            uploads_per_minute: 30,
        }
    }
}

impl MediaConfig {
    /// The most bytes an upload of this kind may have.
    fn max_bytes(&self, kind: AttachmentKind) -> u64 {
        match kind {
            AttachmentKind::Picture => self.picture_max_bytes,
            AttachmentKind::Voice => self.voice_max_bytes,
            AttachmentKind::File => self.file_max_bytes,
        }
    }
}

pub struct MediaService {
    store: Arc<dyn Store>,
    blobs: Arc<dyn BlobStore>,
    /// Where uploads are written while they arrive.
    scratch: PathBuf,
    config: MediaConfig,
    clock: Arc<dyn Clock>,
    uploads: RateLimiter,
    /// Decoding a picture takes up to hundreds of MB and a core: at most two at once.
    decoding: Semaphore,
    /// Held while a blob gains a user (stored, then its row inserted) and while an unused blob
    /// is deleted (checked again, then removed), so a blob is never deleted under a new upload
    /// of the same bytes. Per process: with several servers, deleting needs the database's say.
    blob_locks: BlobLocks,
}

/// Locks by blob key, in shards: uploads of different bytes do not wait for each other (an
/// upload to object storage may hold its lock for seconds).
struct BlobLocks([Mutex<()>; BLOB_LOCK_SHARDS]);

const BLOB_LOCK_SHARDS: usize = 64;

impl BlobLocks {
    fn new() -> Self {
        Self(std::array::from_fn(|_| Mutex::new(())))
    }

    fn shard(key: &str) -> usize {
        key.bytes().fold(0usize, |h, b| h.wrapping_mul(31).wrapping_add(usize::from(b))) % BLOB_LOCK_SHARDS
    }

    /// Locks every key's shard, in shard order so two callers never wait on each other.
    async fn lock(&self, keys: &[&str]) -> Vec<MutexGuard<'_, ()>> {
        let mut shards: Vec<usize> = keys.iter().map(|k| Self::shard(k)).collect();
        shards.sort_unstable();
        shards.dedup();
        let mut guards = Vec::with_capacity(shards.len());
        for shard in shards {
            guards.push(self.0[shard].lock().await);
        }
        guards
    }
}

impl MediaService {
    /// `scratch`: a directory on the same file system as a local blob store (files move in).
    pub fn new(store: Arc<dyn Store>, blobs: Arc<dyn BlobStore>, scratch: PathBuf, config: MediaConfig) -> std::io::Result<Self> {
        std::fs::create_dir_all(&scratch)?;
        // Uploads cut off by a restart leave their scratch files behind.
        for entry in std::fs::read_dir(&scratch)?.flatten() {
            let _ = std::fs::remove_file(entry.path());
        }
        Ok(Self {
            store,
            blobs,
            scratch,
            config,
            clock: Arc::new(SystemClock),
            uploads: RateLimiter::default(),
            decoding: Semaphore::new(2),
            blob_locks: BlobLocks::new(),
        })
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn config(&self) -> &MediaConfig {
        &self.config
    }

    /// The length of a blob and a reader of `range` of it (see `BlobStore::read`).
    pub async fn blob_len(&self, key: &str) -> Result<Option<u64>, AppError> {
        self.blobs.len(key).await.map_err(io_failed)
    }

    pub async fn read(&self, key: &str, range: std::ops::Range<u64>) -> Result<BlobReader, AppError> {
        self.blobs.read(key, range).await.map_err(io_failed)
    }

    /// Deletes those of `keys` that no attachment uses any more.
    pub async fn forget_blobs(&self, keys: &[String]) {
        for key in keys {
            let _lock = self.blob_locks.lock(&[key]).await;
            match self.store.blob_in_use(key).await {
                Ok(false) => {
                    if let Err(e) = self.blobs.delete(key).await {
                        tracing::warn!(error = %e, blob = %key, "deleting an unused blob failed");
                    }
                }
                Ok(true) => {}
                Err(e) => tracing::warn!(error = %e, "checking whether a blob is used failed"),
            }
        }
    }

    /// Removes uploads never sent within `UNSENT_KEPT_SECS`; returns how many blobs went.
    pub async fn sweep_unsent(&self) -> Result<usize, AppError> {
        let before = self.clock.now() - UNSENT_KEPT_SECS;
        let unused = self.store.attachments_delete_unsent(before).await.map_err(|e| {
            tracing::error!(error = %e, "removing unsent attachments failed");
            AppError::Internal
        })?;
        self.forget_blobs(&unused).await;
        Ok(unused.len())
    }

    /// Sweeps unsent uploads hourly, for as long as the process runs.
    pub fn spawn_sweeper(self: &Arc<Self>) {
        let media = self.clone();
        tokio::spawn(async move {
            let mut hourly = tokio::time::interval(std::time::Duration::from_secs(3600));
            loop {
                hourly.tick().await;
                if let Ok(n) = media.sweep_unsent().await
                    && n > 0
                {
                    tracing::info!(blobs = n, "removed unsent attachments");
                }
            }
        });
    }
}

/// The view clients get of a stored attachment.
pub fn attachment_view(row: &AttachmentRow) -> AttachmentView {
    let kind = match row.kind.as_str() {
        "picture" => AttachmentKind::Picture,
        "voice" => AttachmentKind::Voice,
        _ => AttachmentKind::File,
    };
    let dimension = |v: Option<i64>| v.and_then(|v| u32::try_from(v).ok());
    AttachmentView {
        id: row.id.clone(),
        kind,
        name: row.name.clone(),
        mime: row.mime.clone(),
        size: u64::try_from(row.size).unwrap_or(0),
        width: dimension(row.width),
        height: dimension(row.height),
        duration_ms: dimension(row.duration_ms),
        placeholder: row.placeholder.clone(),
        url: AttachmentView::content_url(&row.id),
        thumb_url: row.thumb_blob.as_ref().map(|_| AttachmentView::thumbnail_url(&row.id)),
    }
}

pub fn kind_text(kind: AttachmentKind) -> &'static str {
    match kind {
        AttachmentKind::Picture => "picture",
        AttachmentKind::Voice => "voice",
        AttachmentKind::File => "file",
    }
}

fn io_failed(e: std::io::Error) -> AppError {
    tracing::error!(error = %e, "attachment storage failed");
    AppError::Internal
}

//! Where attachment bytes live: content-addressed blobs, each named by the SHA-256 of its bytes
//! (hex), so the same bytes uploaded twice are kept once. `LocalBlobStore` keeps them in a
//! directory; `S3BlobStore` (`s3.rs`) in an S3-compatible bucket several servers share. Both keep
//! one contract, tested on both in `blob_tests.rs`. Which blobs are still used is the database's
//! business (`AttachmentStore`), not this.
pub mod s3;

use std::{
    io,
    ops::Range,
    path::{Path, PathBuf},
    pin::Pin,
};

use async_trait::async_trait;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt};

pub use s3::{S3BlobStore, S3Keys, S3Settings};

pub type BlobReader = Pin<Box<dyn AsyncRead + Send>>;

#[async_trait]
pub trait BlobStore: Send + Sync {
    /// Keeps `bytes` under `key`, unless that key is there already (same key, same bytes).
    async fn put_bytes(&self, key: &str, bytes: Vec<u8>) -> io::Result<()>;
    /// Takes a finished file (whose bytes hash to `key`) in under `key`; the file is gone after.
    async fn put_file(&self, key: &str, file: &Path) -> io::Result<()>;
    /// The blob's length, or None if there is no such blob.
    async fn len(&self, key: &str) -> io::Result<Option<u64>>;
    /// Reads `range` of the blob (the caller keeps it within `len`).
    async fn read(&self, key: &str, range: Range<u64>) -> io::Result<BlobReader>;
    /// Removes the blob; a missing one is fine.
    async fn delete(&self, key: &str) -> io::Result<()>;
}

/// Only keys a store could have made: 64 lowercase hex digits (never a path, never a prefix).
fn checked_key(key: &str) -> io::Result<&str> {
    if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
        return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a blob key"));
    }
    Ok(key)
}

/// Blobs as files under a directory: `<dir>/<first two hex digits>/<key>`, so no directory
/// holds more than 1/256 of them.
pub struct LocalBlobStore {
    dir: PathBuf,
}

impl LocalBlobStore {
    pub fn new(dir: impl Into<PathBuf>) -> io::Result<Self> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir)?;
        Ok(Self { dir })
    }

    fn path(&self, key: &str) -> io::Result<PathBuf> {
        let key = checked_key(key)?;
        Ok(self.dir.join(&key[..2]).join(key))
    }

    async fn place(&self, key: &str) -> io::Result<Option<PathBuf>> {
        let path = self.path(key)?;
        if tokio::fs::try_exists(&path).await? {
            return Ok(None);
        }
        tokio::fs::create_dir_all(path.parent().expect("a blob path has a parent")).await?;
        Ok(Some(path))
    }
}

#[async_trait]
impl BlobStore for LocalBlobStore {
    async fn put_bytes(&self, key: &str, bytes: Vec<u8>) -> io::Result<()> {
        let Some(path) = self.place(key).await? else { return Ok(()) };
        // Written beside, then renamed: a reader never sees half a blob, even after a crash.
        let partial = path.with_extension(format!("part-{}", rand::random::<u64>()));
        let mut file = tokio::fs::File::create(&partial).await?;
        tokio::io::AsyncWriteExt::write_all(&mut file, &bytes).await?;
        file.sync_all().await?;
        tokio::fs::rename(&partial, &path).await
    }

    async fn put_file(&self, key: &str, file: &Path) -> io::Result<()> {
        let Some(path) = self.place(key).await? else {
            return tokio::fs::remove_file(file).await;
        };
        tokio::fs::File::open(file).await?.sync_all().await?;
        match tokio::fs::rename(file, &path).await {
            Ok(()) => Ok(()),
            // Another file system: copy beside, then rename.
            Err(_) => {
                let partial = path.with_extension(format!("part-{}", rand::random::<u64>()));
                tokio::fs::copy(file, &partial).await?;
                tokio::fs::File::open(&partial).await?.sync_all().await?;
                tokio::fs::rename(&partial, &path).await?;
                tokio::fs::remove_file(file).await
            }
        }
    }

    async fn len(&self, key: &str) -> io::Result<Option<u64>> {
        match tokio::fs::metadata(self.path(key)?).await {
            Ok(meta) => Ok(Some(meta.len())),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn read(&self, key: &str, range: Range<u64>) -> io::Result<BlobReader> {
        let mut file = tokio::fs::File::open(self.path(key)?).await?;
        file.seek(io::SeekFrom::Start(range.start)).await?;
        Ok(Box::pin(file.take(range.end.saturating_sub(range.start))))
    }

    async fn delete(&self, key: &str) -> io::Result<()> {
        match tokio::fs::remove_file(self.path(key)?).await {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
#[path = "blob_tests.rs"]
mod tests;

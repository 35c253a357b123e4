//! Where attachment bytes live: content-addressed blobs, each named by the SHA-256 of its bytes
//! (hex), so the same bytes uploaded twice are kept once. `LocalBlobStore` keeps them in a
//! directory; a store for several servers (S3-compatible object storage) implements the same
//! trait. Which blobs are still used is the database's business (`AttachmentStore`), not this.
use std::{
    io,
    ops::Range,
    path::{Path, PathBuf},
    pin::Pin,
};

use async_trait::async_trait;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncSeekExt};

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

    /// Only keys this store could have made: 64 lowercase hex digits (never a path).
    fn path(&self, key: &str) -> io::Result<PathBuf> {
        if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, "not a blob key"));
        }
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
mod tests {
    use super::*;

    const KEY: &str = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";

    async fn read_all(store: &LocalBlobStore, key: &str, range: Range<u64>) -> Vec<u8> {
        let mut out = Vec::new();
        store.read(key, range).await.unwrap().read_to_end(&mut out).await.unwrap();
        out
    }

    #[tokio::test]
    async fn keeps_reads_ranges_and_deletes() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalBlobStore::new(dir.path()).unwrap();
        assert_eq!(store.len(KEY).await.unwrap(), None);
        store.put_bytes(KEY, b"hello".to_vec()).await.unwrap();
        // The same key again keeps the first bytes (content addressing: they are the same).
        store.put_bytes(KEY, b"other".to_vec()).await.unwrap();
        assert_eq!(store.len(KEY).await.unwrap(), Some(5));
        assert_eq!(read_all(&store, KEY, 0..5).await, b"hello");
        assert_eq!(read_all(&store, KEY, 1..3).await, b"el");
        store.delete(KEY).await.unwrap();
        store.delete(KEY).await.unwrap();
        assert_eq!(store.len(KEY).await.unwrap(), None);
    }

    #[tokio::test]
    async fn a_file_is_moved_in_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalBlobStore::new(dir.path().join("blobs")).unwrap();
        for _ in 0..2 {
            let upload = dir.path().join("upload");
            std::fs::write(&upload, b"hello").unwrap();
            store.put_file(KEY, &upload).await.unwrap();
            assert!(!upload.exists(), "the upload's file is taken or dropped");
        }
        assert_eq!(read_all(&store, KEY, 0..5).await, b"hello");
    }

    #[tokio::test]
    async fn a_key_is_never_a_path() {
        let dir = tempfile::tempdir().unwrap();
        let store = LocalBlobStore::new(dir.path()).unwrap();
        for key in ["../../etc/passwd", "", &"A".repeat(64), &format!("{}/", &KEY[..63])] {
            assert!(store.put_bytes(key, vec![1]).await.is_err(), "{key}");
            assert!(store.read(key, 0..1).await.is_err(), "{key}");
        }
    }
}

//! Blobs in an S3-compatible bucket (AWS S3, MinIO, Garage, Ceph…), so several servers share
//! them. Same keys and contract as `LocalBlobStore`; each blob is the object `blobs/<key>`.
//! Uploads stream from the scratch file in parts, and reads stream a ranged GET: a 100 MB file
//! never sits in memory.
use std::{fmt, io, ops::Range, path::Path as FilePath, time::Duration};

use async_trait::async_trait;
use futures_util::TryStreamExt;
use object_store::{
    GetOptions, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig, WriteMultipart,
    aws::{AmazonS3, AmazonS3Builder, AmazonS3ConfigKey},
    path::Path,
};
use tokio::io::AsyncReadExt;
use tokio_util::io::StreamReader;

use super::{BlobReader, BlobStore, checked_key};

/// Files up to this size go up in one PUT, larger ones in parts of this size (S3 wants every
/// part but the last to be at least 5 MiB).
const PART_BYTES: usize = 8 * 1024 * 1024;
/// Parts of one file uploading at once: what an upload holds in memory is about this many parts.
const PARTS_IN_FLIGHT: usize = 2;
/// How long the start-up check waits for the bucket to answer.
const PROBE_TIMEOUT: Duration = Duration::from_secs(5);
const PREFIX: &str = "blobs";

/// Where the bucket is and how to sign in to it.
#[derive(Debug, Clone, PartialEq)]
pub struct S3Settings {
    pub bucket: String,
    /// The service's URL for S3-compatible storage (`http://127.0.0.1:9000`); `None` is AWS.
    /// An `http://` URL is allowed (no TLS).
    pub endpoint: Option<String>,
    /// `None`: `AWS_REGION` or `AWS_DEFAULT_REGION`, else `us-east-1`.
    pub region: Option<String>,
    /// `None`: the standard AWS environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
    /// `AWS_SESSION_TOKEN`, or the instance's or container's role).
    pub keys: Option<S3Keys>,
}

#[derive(Clone, PartialEq)]
pub struct S3Keys {
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl fmt::Debug for S3Keys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3Keys").field("access_key_id", &self.access_key_id).finish_non_exhaustive()
    }
}

pub struct S3BlobStore {
    store: AmazonS3,
}

impl S3BlobStore {
    /// Builds the client and checks that the bucket answers, so a wrong name, endpoint or key
    /// stops start-up rather than the first upload.
    pub async fn connect(settings: &S3Settings) -> io::Result<Self> {
        let builder = builder(settings);
        // The check tries once: a refused connection is reported now, not after minutes of retries.
        let probe = builder.clone().with_retry(RetryConfig { max_retries: 0, ..RetryConfig::default() });
        let probe = probe.build().map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        let named = match &settings.endpoint {
            Some(endpoint) => format!("bucket `{}` at {endpoint}", settings.bucket),
            None => format!("bucket `{}`", settings.bucket),
        };
        match tokio::time::timeout(PROBE_TIMEOUT, probe.list_with_delimiter(Some(&Path::from(PREFIX)))).await {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                // A listing's 404 can only mean the bucket (object_store reports it as a generic error).
                let text = with_causes(&e);
                if matches!(e, object_store::Error::NotFound { .. }) || text.contains("NoSuchBucket") || text.contains("404 Not Found") {
                    return Err(io::Error::new(io::ErrorKind::NotFound, format!("{named} does not exist")));
                }
                return Err(io::Error::other(format!("{named} did not answer a listing: {text}")));
            }
            Err(_) => {
                return Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    format!("{named} did not answer within {} s", PROBE_TIMEOUT.as_secs()),
                ));
            }
        }
        let store = builder.build().map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
        Ok(Self { store })
    }

    async fn exists(&self, path: &Path) -> io::Result<bool> {
        match self.store.head(path).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Sends the file in one PUT when small, else in parts read one buffer at a time.
    async fn upload(&self, path: &Path, file: &FilePath) -> io::Result<()> {
        let mut file = tokio::fs::File::open(file).await?;
        let size = file.metadata().await?.len();
        if size <= PART_BYTES as u64 {
            let mut bytes = Vec::with_capacity(size as usize);
            file.read_to_end(&mut bytes).await?;
            self.store.put(path, PutPayload::from(bytes)).await?;
            return Ok(());
        }
        let mut writer = WriteMultipart::new_with_chunk_size(self.store.put_multipart(path).await?, PART_BYTES);
        let mut buffer = vec![0; 256 * 1024];
        let sent: io::Result<()> = async {
            loop {
                writer.wait_for_capacity(PARTS_IN_FLIGHT).await?;
                let n = file.read(&mut buffer).await?;
                if n == 0 {
                    return Ok(());
                }
                writer.write(&buffer[..n]);
            }
        }
        .await;
        match sent {
            Ok(()) => writer.finish().await.map(drop).map_err(io::Error::from),
            Err(e) => {
                // Parts already sent cost storage until the upload is aborted.
                if let Err(abort) = writer.abort().await {
                    tracing::warn!(error = %abort, blob = %path, "aborting a failed multipart upload failed");
                }
                Err(e)
            }
        }
    }
}

fn builder(settings: &S3Settings) -> AmazonS3Builder {
    let mut builder = AmazonS3Builder::from_env().with_bucket_name(&settings.bucket);
    if let Some(region) = &settings.region {
        builder = builder.with_region(region);
    }
    if let Some(endpoint) = &settings.endpoint {
        // Also as the S3-specific endpoint, which an `AWS_ENDPOINT_URL_S3` would otherwise override.
        builder = builder.with_endpoint(endpoint).with_config(AmazonS3ConfigKey::S3Endpoint, endpoint);
        if endpoint.starts_with("http://") {
            builder = builder.with_allow_http(true);
        }
    }
    if let Some(keys) = &settings.keys {
        builder = builder.with_access_key_id(&keys.access_key_id).with_secret_access_key(&keys.secret_access_key);
    }
    builder
}

/// The error and what caused it ("connection refused" sits a few sources down).
fn with_causes(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text = format!("{text}: {cause_text}");
        }
        source = cause.source();
    }
    text
}

fn object_path(key: &str) -> io::Result<Path> {
    Ok(Path::from(PREFIX).join(checked_key(key)?))
}

#[async_trait]
impl BlobStore for S3BlobStore {
    async fn put_bytes(&self, key: &str, bytes: Vec<u8>) -> io::Result<()> {
        let path = object_path(key)?;
        if !self.exists(&path).await? {
            self.store.put(&path, PutPayload::from(bytes)).await?;
        }
        Ok(())
    }

    async fn put_file(&self, key: &str, file: &FilePath) -> io::Result<()> {
        let path = object_path(key)?;
        if !self.exists(&path).await? {
            self.upload(&path, file).await?;
        }
        tokio::fs::remove_file(file).await
    }

    async fn len(&self, key: &str) -> io::Result<Option<u64>> {
        match self.store.head(&object_path(key)?).await {
            Ok(meta) => Ok(Some(meta.size)),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn read(&self, key: &str, range: Range<u64>) -> io::Result<BlobReader> {
        let path = object_path(key)?;
        if range.is_empty() {
            // HTTP has no empty range: check the blob is there, then read nothing.
            return match self.exists(&path).await? {
                true => Ok(Box::pin(tokio::io::empty())),
                false => Err(io::Error::new(io::ErrorKind::NotFound, format!("no blob {key}"))),
            };
        }
        let found = self.store.get_opts(&path, GetOptions::new().with_range(Some(range))).await?;
        Ok(Box::pin(StreamReader::new(found.into_stream().map_err(io::Error::from))))
    }

    async fn delete(&self, key: &str) -> io::Result<()> {
        match self.store.delete(&object_path(key)?).await {
            Err(e) if !matches!(e, object_store::Error::NotFound { .. }) => Err(e.into()),
            _ => Ok(()),
        }
    }
}

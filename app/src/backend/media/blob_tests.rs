//! One contract, run on every blob store: `LocalBlobStore` on a scratch directory, `S3BlobStore`
//! on a real S3-compatible server (moto's, started from the project's venv; see
//! `scripts/setup.sh`). The S3 tests fail, never skip, when that server is missing.
use std::{
    path::{Path as FilePath, PathBuf},
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use sha2::{Digest, Sha256};

use super::*;

fn key_of(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

async fn read_all(store: &dyn BlobStore, key: &str, range: Range<u64>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut reader = store.read(key, range.clone()).await.unwrap_or_else(|e| panic!("reading {range:?}: {e}"));
    reader.read_to_end(&mut out).await.unwrap_or_else(|e| panic!("reading {range:?}: {e}"));
    out
}

async fn read_error(store: &dyn BlobStore, key: &str, range: Range<u64>) -> io::ErrorKind {
    match store.read(key, range).await {
        Ok(mut reader) => reader.read_to_end(&mut Vec::new()).await.expect_err("a missing blob read nothing").kind(),
        Err(e) => e.kind(),
    }
}

/// Every case, one after the other, on one store; `scratch` holds the files handed to `put_file`.
async fn keeps_the_contract(store: &dyn BlobStore, scratch: &FilePath) {
    keeps_reads_ranges_and_deletes(store).await;
    keeps_an_empty_blob(store).await;
    takes_a_file_in_once(store, scratch).await;
    takes_a_large_file_in(store, scratch).await;
    refuses_a_key_that_could_be_a_path(store, scratch).await;
}

async fn keeps_reads_ranges_and_deletes(store: &dyn BlobStore) {
    let key = key_of(b"hello");
    assert_eq!(store.len(&key).await.unwrap(), None, "not there yet");
    assert_eq!(read_error(store, &key, 0..5).await, io::ErrorKind::NotFound);
    store.put_bytes(&key, b"hello".to_vec()).await.unwrap();
    // The same key again keeps the first bytes (content addressing: they are the same).
    store.put_bytes(&key, b"other".to_vec()).await.unwrap();
    assert_eq!(store.len(&key).await.unwrap(), Some(5));
    assert_eq!(read_all(store, &key, 0..5).await, b"hello");
    assert_eq!(read_all(store, &key, 1..3).await, b"el");
    assert_eq!(read_all(store, &key, 4..5).await, b"o", "the last byte");
    assert_eq!(read_all(store, &key, 3..3).await, b"", "an empty range");
    store.delete(&key).await.unwrap();
    store.delete(&key).await.expect("deleting a missing blob is fine");
    assert_eq!(store.len(&key).await.unwrap(), None, "deleted");
    assert_eq!(read_error(store, &key, 0..5).await, io::ErrorKind::NotFound);
    assert_eq!(read_error(store, &key, 0..0).await, io::ErrorKind::NotFound, "an empty range of a missing blob");
}

async fn keeps_an_empty_blob(store: &dyn BlobStore) {
    let key = key_of(b"");
    store.put_bytes(&key, Vec::new()).await.unwrap();
    assert_eq!(store.len(&key).await.unwrap(), Some(0));
    assert_eq!(read_all(store, &key, 0..0).await, b"");
    store.delete(&key).await.unwrap();
    assert_eq!(store.len(&key).await.unwrap(), None);
}

async fn takes_a_file_in_once(store: &dyn BlobStore, scratch: &FilePath) {
    let key = key_of(b"a file");
    for content in [&b"a file"[..], b"other bytes, same key"] {
        let upload = scratch.join("upload");
        std::fs::write(&upload, content).unwrap();
        store.put_file(&key, &upload).await.unwrap();
        assert!(!upload.exists(), "the upload's file is taken or dropped");
    }
    assert_eq!(store.len(&key).await.unwrap(), Some(6), "the first file's bytes are kept");
    assert_eq!(read_all(store, &key, 0..6).await, b"a file");
    store.delete(&key).await.unwrap();
}

/// Above 10 MB: larger than one S3 upload part, so `S3BlobStore` sends it in parts.
const LARGE_FILE_BYTES: usize = 10 * 1024 * 1024 + 12_345;

fn large_file_bytes() -> Vec<u8> {
    (0..LARGE_FILE_BYTES as u64).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect()
}

async fn takes_a_large_file_in(store: &dyn BlobStore, scratch: &FilePath) {
    let bytes = large_file_bytes();
    let key = key_of(&bytes);
    let upload = scratch.join("large upload");
    std::fs::write(&upload, &bytes).unwrap();
    store.put_file(&key, &upload).await.unwrap();
    assert!(!upload.exists(), "the upload's file is taken");
    let len = bytes.len() as u64;
    assert_eq!(store.len(&key).await.unwrap(), Some(len));
    let whole = read_all(store, &key, 0..len).await;
    assert!(whole.len() == bytes.len() && key_of(&whole) == key, "read back {} bytes, not the same", whole.len());
    // Across the boundary between the first two upload parts, and the last byte.
    let boundary = 8 * 1024 * 1024;
    assert_eq!(read_all(store, &key, boundary - 3..boundary + 3).await, bytes[boundary as usize - 3..boundary as usize + 3]);
    assert_eq!(read_all(store, &key, len - 1..len).await, bytes[bytes.len() - 1..]);
    store.delete(&key).await.unwrap();
    assert_eq!(store.len(&key).await.unwrap(), None);
}

async fn refuses_a_key_that_could_be_a_path(store: &dyn BlobStore, scratch: &FilePath) {
    let good = key_of(b"hello");
    let upload = scratch.join("upload");
    std::fs::write(&upload, b"hello").unwrap();
    for key in ["../../etc/passwd", "", &"A".repeat(64), &format!("{}/", &good[..63]), &format!("{good}0"), &good[..63]] {
        let refused = |result: io::Result<()>, call: &str| {
            let kind = result.err().map(|e| e.kind());
            assert_eq!(kind, Some(io::ErrorKind::InvalidInput), "{call}({key:?})");
        };
        refused(store.put_bytes(key, vec![1]).await, "put_bytes");
        refused(store.put_file(key, &upload).await, "put_file");
        refused(store.len(key).await.map(drop), "len");
        refused(store.read(key, 0..1).await.map(drop), "read");
        refused(store.delete(key).await, "delete");
    }
    assert!(upload.exists(), "a refused key leaves the file alone");
    std::fs::remove_file(upload).unwrap();
}

#[tokio::test]
async fn the_local_store_keeps_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let store = LocalBlobStore::new(dir.path().join("blobs")).unwrap();
    keeps_the_contract(&store, dir.path()).await;
}

#[tokio::test]
async fn the_s3_store_keeps_the_contract() {
    let server = MotoServer::start().await;
    let store = S3BlobStore::connect(&server.bucket("contract").await).await.unwrap();
    let scratch = tempfile::tempdir().unwrap();
    keeps_the_contract(&store, scratch.path()).await;

    // The large file really went up in parts: S3 gives a multipart object an ETag ending `-<parts>`.
    let bytes = large_file_bytes();
    let key = key_of(&bytes);
    let upload = scratch.path().join("large upload");
    std::fs::write(&upload, &bytes).unwrap();
    store.put_file(&key, &upload).await.unwrap();
    let head = reqwest::Client::new().head(format!("{}/contract/blobs/{key}", server.endpoint)).send().await.unwrap();
    let etag = head.headers().get("etag").and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    assert!(etag.trim_matches('"').ends_with("-2"), "a {LARGE_FILE_BYTES}-byte file goes up in two parts, but its ETag is {etag:?}");
}

#[tokio::test]
async fn an_s3_store_that_cannot_be_reached_is_refused_clearly() {
    let server = MotoServer::start().await;
    let mut settings = server.bucket("present").await;
    settings.bucket = "absent".into();
    let error = S3BlobStore::connect(&settings).await.err().expect("a missing bucket is refused");
    assert_eq!(error.kind(), io::ErrorKind::NotFound, "{error}");
    assert!(error.to_string().contains("bucket `absent`") && error.to_string().contains("does not exist"), "{error}");

    // Nothing listens there: refused at once, not after minutes of retries.
    settings.endpoint = Some(format!("http://127.0.0.1:{}", free_port()));
    let started = Instant::now();
    let error = S3BlobStore::connect(&settings).await.err().expect("a silent endpoint is refused");
    let text = error.to_string();
    assert!(text.contains("bucket `absent` at http://127.0.0.1:") && text.contains("onnection refused"), "{text}");
    assert!(started.elapsed() < Duration::from_secs(10), "took {:?}", started.elapsed());
}

/// moto's S3 server, from the venv `scripts/setup.sh` installs, on a free port; stopped on drop.
struct MotoServer {
    child: Child,
    endpoint: String,
    _log: tempfile::TempDir,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl MotoServer {
    async fn start() -> Self {
        let venv = std::env::var_os("CONFAB_VENV").map(PathBuf::from).unwrap_or_else(|| {
            PathBuf::from(std::env::var_os("HOME").expect("HOME is set")).join(".cache/confab/venv")
        });
        let program = venv.join("bin/moto_server");
        assert!(
            program.is_file(),
            "{} is missing: the S3 blob store is tested against moto's S3 server. Run scripts/setup.sh \
             (it installs moto[server] into {}), or set CONFAB_VENV to the venv that has it.",
            program.display(),
            venv.display()
        );
        let log = tempfile::tempdir().unwrap();
        let log_file = log.path().join("moto.log");
        // A port found free can be taken before moto binds it: then try another.
        for _ in 0..3 {
            let port = free_port();
            let mut child = Command::new(&program)
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(std::fs::File::create(&log_file).unwrap())
                .spawn()
                .unwrap_or_else(|e| panic!("cannot start {}: {e}", program.display()));
            let deadline = Instant::now() + Duration::from_secs(30);
            loop {
                if let Some(status) = child.try_wait().unwrap() {
                    let output = std::fs::read_to_string(&log_file).unwrap_or_default();
                    if output.contains("Address already in use") {
                        break;
                    }
                    panic!("{} stopped ({status}) before answering:\n{output}", program.display());
                }
                if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
                    return Self { child, endpoint: format!("http://127.0.0.1:{port}"), _log: log };
                }
                if Instant::now() > deadline {
                    let _ = child.kill();
                    let _ = child.wait();
                    panic!("{} did not answer on port {port} within 30 s", program.display());
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
        panic!("{} found no free port in three tries", program.display());
    }

    /// Creates `bucket` and returns settings for it (moto takes any keys).
    async fn bucket(&self, bucket: &str) -> S3Settings {
        let created = reqwest::Client::new().put(format!("{}/{bucket}", self.endpoint)).send().await.unwrap();
        assert!(created.status().is_success(), "creating bucket {bucket}: {}", created.status());
        S3Settings {
            bucket: bucket.into(),
            endpoint: Some(self.endpoint.clone()),
            region: Some("us-east-1".into()),
            keys: Some(S3Keys { access_key_id: "testing".into(), secret_access_key: "testing".into() }),
        }
    }
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

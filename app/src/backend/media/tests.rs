//! Uploads against a real database and blob directory: what each limit refuses, and that a
//! refused or broken upload leaves nothing behind (no row, no blob, no scratch file).
use std::sync::Arc;

use bytes::Bytes;

use super::*;
use crate::backend::store::{accounts::UserRow, scratch::ScratchDatabase};
use crate::ids::UserId;

struct Setup {
    media: MediaService,
    store: Arc<dyn Store>,
    dir: tempfile::TempDir,
    _database: ScratchDatabase,
}

async fn setup(config: MediaConfig) -> Setup {
    let database = ScratchDatabase::new().await;
    let store = database.open().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let blobs = blobs::LocalBlobStore::new(dir.path().join("blobs")).unwrap();
    let media = MediaService::new(store.clone(), Arc::new(blobs), dir.path().join("uploading"), config).unwrap();
    Setup { media, store, dir, _database: database }
}

impl Setup {
    async fn person(&self, n: u64) -> UserId {
        let id = crate::accounts::validate::user_id_from_bits(0x20_0000 + n);
        let row = UserRow {
            id: id.clone(),
            username: format!("user{n}"),
            display_name: format!("User {n}"),
            phone: Some(format!("+4915100001{n:03}")),
            email: None,
            password_hash: None,
            created_at: 0,
        };
        self.store.user_insert(&row).await.unwrap();
        id.into()
    }

    async fn upload(&self, me: &UserId, request: UploadRequest, chunks: Vec<Result<Bytes, &'static str>>) -> Result<AttachmentView, String> {
        self.media.upload(me, &request, futures_util::stream::iter(chunks)).await.map_err(|e| format!("{}: {e}", e.code()))
    }

    /// Files anywhere under the data folder: blobs and scratch files.
    fn files(&self) -> usize {
        fn walk(dir: &std::path::Path) -> usize {
            std::fs::read_dir(dir).map_or(0, |e| e.flatten().map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 }).sum())
        }
        walk(self.dir.path())
    }
}

fn named(name: &str) -> UploadRequest {
    UploadRequest { name: name.into(), ..UploadRequest::default() }
}

fn chunks(bytes: &[u8], size: usize) -> Vec<Result<Bytes, &'static str>> {
    bytes.chunks(size).map(|c| Ok(Bytes::copy_from_slice(c))).collect()
}

fn png(width: u32, height: u32) -> Vec<u8> {
    let image = image::RgbImage::from_fn(width, height, |x, y| image::Rgb([(x % 256) as u8, (y % 256) as u8, 90]));
    let mut out = std::io::Cursor::new(Vec::new());
    image.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

#[tokio::test]
async fn a_picture_is_re_encoded_with_a_thumbnail() {
    let s = setup(MediaConfig::default()).await;
    let ada = s.person(1).await;
    let view = s.upload(&ada, named("shot.png"), chunks(&png(800, 400), 1000)).await.unwrap();
    assert_eq!(view.kind, AttachmentKind::Picture);
    assert_eq!((view.width, view.height), (Some(800), Some(400)));
    assert!(view.placeholder.as_deref().is_some_and(|c| c.starts_with('#') && c.len() == 7));
    assert_eq!(view.thumb_url.as_deref(), Some(AttachmentView::thumbnail_url(&view.id).as_str()));
    let row = s.store.attachment(&view.id).await.unwrap().unwrap();
    let thumb_key = row.thumb_blob.as_deref().unwrap();
    let thumb_len = s.media.blob_len(thumb_key).await.unwrap().unwrap();
    let mut thumb = Vec::new();
    tokio::io::AsyncReadExt::read_to_end(&mut s.media.read(thumb_key, 0..thumb_len).await.unwrap(), &mut thumb).await.unwrap();
    let thumb = image::load_from_memory(&thumb).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (320, 160));
    assert_eq!(s.media.blob_len(&row.blob).await.unwrap(), Some(view.size));
}

#[tokio::test]
async fn each_kind_has_its_size_limit_and_nothing_of_a_refused_upload_stays() {
    let config = MediaConfig { file_max_bytes: 50_000, picture_max_bytes: 20_000, ..MediaConfig::default() };
    let s = setup(config).await;
    let ada = s.person(1).await;
    let big_file = vec![b'x'; 60_000];
    let e = s.upload(&ada, named("big.bin"), chunks(&big_file, 4096)).await.unwrap_err();
    assert_eq!(e, "file_too_large: Files can be at most 50 KB");
    // A picture's own, lower limit applies once its first bytes show it is one.
    let picture = png(1500, 1500);
    assert!(picture.len() > 20_000);
    let e = s.upload(&ada, named("big.png"), chunks(&picture, 4096)).await.unwrap_err();
    assert!(e.starts_with("picture_too_large: Pictures can be at most"), "{e}");
    // An announced size over the limit is refused at the first bytes.
    let request = UploadRequest { declared_size: Some(30_000_000), ..named("huge.bin") };
    let e = s.upload(&ada, request, vec![Ok(Bytes::from_static(b"just the start"))]).await.unwrap_err();
    assert!(e.starts_with("file_too_large"), "{e}");
    assert_eq!(s.files(), 0, "no blob and no scratch file");
    assert_eq!(s.store.attachment_bytes_of(ada.as_str()).await.unwrap(), 0);
}

#[tokio::test]
async fn a_decompression_bomb_is_refused_from_its_header() {
    let s = setup(MediaConfig::default()).await;
    let ada = s.person(1).await;
    // A PNG header claiming 100,000 × 100,000 pixels (10 gigapixels) with almost no data.
    let mut bomb = png(1, 1);
    bomb[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    let started = std::time::Instant::now();
    let e = s.upload(&ada, named("bomb.png"), chunks(&bomb, 4096)).await.unwrap_err();
    assert!(e.starts_with("picture_too_large: Pictures can be at most 40 megapixels"), "{e}");
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "refused before decoding");
    assert_eq!(s.files(), 0);
}

#[tokio::test]
async fn a_broken_picture_or_a_cut_off_upload_is_refused() {
    let s = setup(MediaConfig::default()).await;
    let ada = s.person(1).await;
    let mut broken = png(300, 300);
    broken.truncate(200);
    let e = s.upload(&ada, named("broken.png"), chunks(&broken, 4096)).await.unwrap_err();
    assert!(e.starts_with("picture_unreadable"), "{e}");
    let cut: Vec<Result<Bytes, &'static str>> = vec![Ok(Bytes::from(vec![1u8; 10_000])), Err("connection reset")];
    let e = s.upload(&ada, named("cut.bin"), cut).await.unwrap_err();
    assert!(e.starts_with("upload_interrupted"), "{e}");
    let e = s.upload(&ada, named("empty.txt"), vec![]).await.unwrap_err();
    assert!(e.starts_with("file_empty"), "{e}");
    assert_eq!(s.files(), 0);
}

#[tokio::test]
async fn a_voice_note_is_a_real_recording_of_bounded_length() {
    let s = setup(MediaConfig { voice_max_ms: 60_000, ..MediaConfig::default() }).await;
    let ada = s.person(1).await;
    let webm = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../end2end/fixtures/voice.webm")).unwrap();
    let voice = |ms| UploadRequest { voice_duration_ms: Some(ms), ..named("voice.webm") };
    let view = s.upload(&ada, voice(1500), chunks(&webm, 4096)).await.unwrap();
    assert_eq!((view.kind, view.mime.as_str(), view.duration_ms), (AttachmentKind::Voice, "audio/webm", Some(1500)));
    // Too long, zero, or not a recording at all.
    assert!(s.upload(&ada, voice(60_001), chunks(&webm, 4096)).await.unwrap_err().starts_with("voice_too_long"));
    assert!(s.upload(&ada, voice(0), chunks(&webm, 4096)).await.unwrap_err().starts_with("voice_too_long"));
    let e = s.upload(&ada, voice(1000), chunks(b"%PDF-1.7\nnot audio", 4096)).await.unwrap_err();
    assert!(e.starts_with("not_a_recording"), "{e}");
    // Without a duration the same bytes are a file.
    assert_eq!(s.upload(&ada, named("voice.webm"), chunks(&webm, 4096)).await.unwrap().kind, AttachmentKind::File);
}

#[tokio::test]
async fn uploads_are_limited_per_minute_and_by_a_storage_quota() {
    let s = setup(MediaConfig { uploads_per_minute: 3, quota_bytes: 25_000, ..MediaConfig::default() }).await;
    let (ada, bob) = (s.person(1).await, s.person(2).await);
    let ten_kb = vec![7u8; 10_000];
    s.upload(&ada, named("1"), chunks(&ten_kb, 4096)).await.unwrap();
    s.upload(&ada, named("2"), chunks(&ten_kb, 4096)).await.unwrap();
    let e = s.upload(&ada, named("3"), chunks(&ten_kb, 4096)).await.unwrap_err();
    assert!(e.starts_with("storage_full"), "{e}");
    let e = s.upload(&ada, named("4"), chunks(&ten_kb, 4096)).await.unwrap_err();
    assert!(e.starts_with("rate_limited"), "{e}");
    // Each person has their own quota and rate.
    s.upload(&bob, named("1"), chunks(&ten_kb, 4096)).await.unwrap();
}

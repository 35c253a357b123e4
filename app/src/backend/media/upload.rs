//! One upload, start to finish: limits checked before, during and after the bytes arrive, and
//! nothing kept of a refused or broken one.
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use sha2::{Digest, Sha256};
use tokio::io::AsyncWriteExt;

use super::{
    MB, MediaService, attachment_view, io_failed, kind_text,
    picture::{self, PictureError},
    sniff::{SNIFF_BYTES, Sniffed, sniff},
};
use crate::backend::store::attachments::AttachmentRow;
use crate::error::AppError;
use crate::ids::UserId;
use crate::media::types::{AttachmentKind, AttachmentView, duration_text};

/// Longest file name kept (characters); longer ones keep their end, where the extension is.
const NAME_CHARS: usize = 120;

/// What the client says about an upload besides its bytes.
#[derive(Debug, Clone, Default)]
pub struct UploadRequest {
    /// The file's name on the device (a path is cut to its last part).
    pub name: String,
    /// Set for a recorded voice note: its length as the recorder measured it (MediaRecorder's
    /// WebM carries none).
    pub voice_duration_ms: Option<u64>,
    /// The size the request announced (`Content-Length`), so an upload too large for its kind
    /// is refused once its first bytes show the kind, not after the limit's worth has arrived.
    pub declared_size: Option<u64>,
}

/// A scratch file that is removed unless it was moved into the blob store.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

impl MediaService {
    /// Stores an upload for `me` and returns its view. `body` is the bytes as they arrive; an
    /// error from it (the connection dropped) refuses the upload, as does any limit.
    pub async fn upload<E: std::fmt::Display>(
        &self,
        me: &UserId,
        request: &UploadRequest,
        body: impl Stream<Item = Result<Bytes, E>>,
    ) -> Result<AttachmentView, AppError> {
        let me = me.as_str();
        let now = self.clock.now();
        self.uploads.hit(me, self.config.uploads_per_minute, 60, now).map_err(|secs| AppError::RateLimited { retry_after_secs: secs })?;
        let used = self.store.attachment_bytes_of(me).await.map_err(internal)?;
        if used.max(0) as u64 >= self.config.quota_bytes {
            return Err(over_quota(self.config.quota_bytes));
        }
        let voice = request.voice_duration_ms.is_some();
        if let Some(ms) = request.voice_duration_ms {
            if ms == 0 || ms > u64::from(self.config.voice_max_ms) {
                return Err(AppError::invalid_with_code(
                    "voice_too_long",
                    "duration_ms",
                    format!("Voice messages can be at most {} long", duration_text(self.config.voice_max_ms)),
                ));
            }
        }
        let scratch = Scratch(self.scratch.join(format!("{}.part", crate::backend::chats::new_id())));
        let (sniffed, size, key) = self.receive(&scratch.0, body, voice, request.declared_size).await?;
        if used.max(0) as u64 + size > self.config.quota_bytes {
            return Err(over_quota(self.config.quota_bytes));
        }
        let mut row = AttachmentRow {
            id: crate::backend::chats::new_id(),
            uploader_id: me.to_owned(),
            kind: kind_text(sniffed.kind).into(),
            name: clean_name(&request.name),
            mime: sniffed.mime.clone(),
            size: size as i64,
            blob: key,
            thumb_blob: None,
            width: None,
            height: None,
            duration_ms: None,
            placeholder: None,
            created_at: now,
            chat_id: None,
            client_id: None,
        };
        let _locked;
        match sniffed.kind {
            AttachmentKind::Picture => {
                let picture = self.decode(&scratch.0).await?;
                row.mime = picture.mime.into();
                row.name = with_extension(&row.name, picture.mime);
                row.size = picture.bytes.len() as i64;
                row.width = Some(picture.width.into());
                row.height = Some(picture.height.into());
                row.placeholder = Some(picture.placeholder.clone());
                row.blob = hex::encode(Sha256::digest(&picture.bytes));
                let thumb = hex::encode(Sha256::digest(&picture.thumb));
                _locked = self.blob_locks.lock(&[&row.blob, &thumb]).await;
                self.blobs.put_bytes(&row.blob, picture.bytes).await.map_err(io_failed)?;
                self.blobs.put_bytes(&thumb, picture.thumb).await.map_err(io_failed)?;
                row.thumb_blob = Some(thumb);
            }
            kind => {
                if kind == AttachmentKind::Voice {
                    row.duration_ms = request.voice_duration_ms.map(|ms| ms as i64);
                }
                _locked = self.blob_locks.lock(&[&row.blob]).await;
                self.blobs.put_file(&row.blob, &scratch.0).await.map_err(io_failed)?;
            }
        }
        self.store.attachment_insert(&row).await.map_err(internal)?;
        Ok(attachment_view(&row))
    }

    /// Writes the body to `path` while hashing it; stops at the limit of the kind its first
    /// bytes show. Returns what it is, its size and the SHA-256 of its bytes.
    async fn receive<E: std::fmt::Display>(
        &self,
        path: &Path,
        body: impl Stream<Item = Result<Bytes, E>>,
        voice: bool,
        declared_size: Option<u64>,
    ) -> Result<(Sniffed, u64, String), AppError> {
        let mut file = tokio::fs::File::create(path).await.map_err(io_failed)?;
        let mut hasher = Sha256::new();
        let mut head = Vec::with_capacity(SNIFF_BYTES);
        let mut sniffed: Option<Sniffed> = None;
        let mut size = 0u64;
        let largest = self.config.file_max_bytes.max(self.config.picture_max_bytes).max(self.config.voice_max_bytes);
        let mut body = std::pin::pin!(body);
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| {
                tracing::info!(error = %e, "an upload was cut off");
                AppError::invalid_with_code("upload_interrupted", "file", "The upload was cut off — try again")
            })?;
            size += chunk.len() as u64;
            if head.len() < SNIFF_BYTES {
                let take = (SNIFF_BYTES - head.len()).min(chunk.len());
                head.extend_from_slice(&chunk[..take]);
            }
            if sniffed.is_none() && head.len() >= SNIFF_BYTES {
                sniffed = Some(sniff(&head, voice));
            }
            let limit = sniffed.as_ref().map_or(largest, |s| self.config.max_bytes(s.kind));
            if size.max(declared_size.unwrap_or(0)) > limit {
                return Err(self.too_large(sniffed.map_or(AttachmentKind::File, |s| s.kind)));
            }
            hasher.update(&chunk);
            file.write_all(&chunk).await.map_err(io_failed)?;
        }
        let sniffed = sniffed.unwrap_or_else(|| sniff(&head, voice));
        if size > self.config.max_bytes(sniffed.kind) {
            return Err(self.too_large(sniffed.kind));
        }
        if size == 0 {
            return Err(AppError::invalid_with_code("file_empty", "file", "That file is empty"));
        }
        if voice && sniffed.kind != AttachmentKind::Voice {
            return Err(AppError::invalid_with_code("not_a_recording", "file", "That isn’t a voice recording"));
        }
        file.flush().await.map_err(io_failed)?;
        Ok((sniffed, size, hex::encode(hasher.finalize())))
    }

    async fn decode(&self, path: &Path) -> Result<picture::Picture, AppError> {
        let bytes = tokio::fs::read(path).await.map_err(io_failed)?;
        let _core = self.decoding.acquire().await.map_err(|_| AppError::Internal)?;
        let max_pixels = self.config.picture_max_pixels;
        let decoded = tokio::task::spawn_blocking(move || picture::process(&bytes, max_pixels)).await.map_err(|e| {
            tracing::error!(error = %e, "decoding a picture failed");
            AppError::Internal
        })?;
        decoded.map_err(|e| match e {
            PictureError::TooManyPixels { max_pixels } => AppError::invalid_with_code(
                "picture_too_large",
                "file",
                format!("Pictures can be at most {} megapixels", max_pixels / 1_000_000),
            ),
            PictureError::Unreadable => {
                AppError::invalid_with_code("picture_unreadable", "file", "That picture can’t be opened — it may be damaged")
            }
        })
    }

    fn too_large(&self, kind: AttachmentKind) -> AppError {
        let (what, code) = match kind {
            AttachmentKind::Picture => ("Pictures", "picture_too_large"),
            AttachmentKind::Voice => ("Voice messages", "voice_too_large"),
            AttachmentKind::File => ("Files", "file_too_large"),
        };
        AppError::invalid_with_code(code, "file", format!("{what} can be at most {}", megabytes(self.config.max_bytes(kind))))
    }
}

fn over_quota(quota: u64) -> AppError {
    AppError::invalid_with_code("storage_full", "file", format!("You have used all {} of your storage — delete some messages with files first", megabytes(quota)))
}

/// A limit as configured: "20 MB", "2 GB" (or "50 KB" for a small one).
fn megabytes(bytes: u64) -> String {
    match bytes {
        b if b >= 1000 * MB && b % (1000 * MB) == 0 => format!("{} GB", b / (1000 * MB)),
        b if b % MB == 0 => format!("{} MB", b / MB),
        b => crate::media::types::size_text(b),
    }
}

fn internal(e: crate::backend::store::StoreError) -> AppError {
    tracing::error!(error = %e, "attachment store failed");
    AppError::Internal
}

/// A name as a download may use it: the last part of a path, no control characters, at most
/// `NAME_CHARS` (keeping the end, with the extension); "file" when nothing is left.
pub(super) fn clean_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let clean: String = last.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.trim().trim_start_matches('.').trim();
    let count = clean.chars().count();
    let kept: String = clean.chars().skip(count.saturating_sub(NAME_CHARS)).collect();
    if kept.is_empty() { "file".into() } else { kept }
}

/// The name with the extension of the type it was re-encoded to.
fn with_extension(name: &str, mime: &str) -> String {
    let extension = match mime {
        "image/png" => "png",
        "image/gif" => "gif",
        _ => "jpg",
    };
    let stem = match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    };
    format!("{stem}.{extension}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_lose_paths_and_control_characters() {
        assert_eq!(clean_name("C:\\Users\\ada\\report.pdf"), "report.pdf");
        assert_eq!(clean_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_name("a\u{0}b\r\n.txt"), "ab.txt");
        assert_eq!(clean_name("  "), "file");
        assert_eq!(clean_name(".."), "file");
        let long = format!("{}.pdf", "x".repeat(500));
        assert_eq!(clean_name(&long).chars().count(), NAME_CHARS);
        assert!(clean_name(&long).ends_with(".pdf"));
        assert_eq!(with_extension("beach.HEIC.webp", "image/jpeg"), "beach.HEIC.jpg");
        assert_eq!(with_extension("shot", "image/png"), "shot.png");
    }
}

//! What clients see of an attachment: the same view in history, live frames, the REST API and
//! replies.
use serde::{Deserialize, Serialize};

/// Most attachments in one message.
pub const MAX_PER_MESSAGE: usize = 10;

/// What an attachment is, decided by the server from its bytes (never from its name or the
/// type the client claims).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AttachmentKind {
    /// A JPEG, PNG, GIF or WebP picture, re-encoded by the server (no EXIF survives), with a thumbnail.
    Picture,
    /// A recorded voice note (WebM/Opus or MP4/AAC).
    Voice,
    /// Anything else; always downloaded, never shown inline.
    File,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct AttachmentView {
    pub id: String,
    pub kind: AttachmentKind,
    /// The file name as the sender's device called it (no path), for downloads and file cards.
    pub name: String,
    /// The type the server found in the bytes (`image/jpeg`, `audio/webm`, `application/pdf`…).
    pub mime: String,
    /// Bytes as stored (for pictures: after re-encoding).
    pub size: u64,
    /// Pictures: pixel size after orientation, so a placeholder of the right shape can show first.
    pub width: Option<u32>,
    pub height: Option<u32>,
    /// Voice notes: length in milliseconds as the recording device measured it (bounded).
    pub duration_ms: Option<u32>,
    /// Pictures: the average colour (`#rrggbb`) to paint while the picture loads.
    pub placeholder: Option<String>,
    /// Where the bytes are (`/api/attachments/{id}`); add `?download=1` to save it under its name.
    pub url: String,
    /// Pictures: a version at most 320 px on its longer side.
    pub thumb_url: Option<String>,
}

impl AttachmentView {
    pub fn content_url(id: &str) -> String {
        format!("/api/attachments/{id}")
    }

    pub fn thumbnail_url(id: &str) -> String {
        format!("/api/attachments/{id}/thumbnail")
    }
}

/// What the chat list and notifications say for a message's attachments: "📷 Photo",
/// "📷 3 photos", "🎤 Voice message (0:12)", "📄 report.pdf", with the caption when there is one.
pub fn preview_text(attachments: &[AttachmentView], caption: &str) -> String {
    let Some(first) = attachments.first() else { return caption.to_owned() };
    let same_kind = attachments.iter().all(|a| a.kind == first.kind);
    let label = match (first.kind, attachments.len()) {
        (AttachmentKind::Picture, 1) => "📷 Photo".to_owned(),
        (AttachmentKind::Picture, n) if same_kind => format!("📷 {n} photos"),
        (AttachmentKind::Voice, _) => format!("🎤 Voice message ({})", duration_text(first.duration_ms.unwrap_or(0))),
        (AttachmentKind::File, 1) => format!("📄 {}", first.name),
        (AttachmentKind::File, n) if same_kind => format!("📄 {n} files"),
        (_, n) => format!("📎 {n} attachments"),
    };
    match caption.trim() {
        "" => label,
        caption => format!("{} {caption}", label.split_whitespace().next().unwrap_or("📎")),
    }
}

/// `m:ss` (or `h:mm:ss`) for a duration in milliseconds.
pub fn duration_text(ms: u32) -> String {
    let secs = ms / 1000;
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if h > 0 { format!("{h}:{m:02}:{s:02}") } else { format!("{m}:{s:02}") }
}

/// A byte count as people read it: "820 B", "14 KB", "3.4 MB".
pub fn size_text(bytes: u64) -> String {
    const KB: f64 = 1000.0;
    let b = bytes as f64;
    if b < KB {
        format!("{bytes} B")
    } else if b < KB * KB {
        format!("{:.0} KB", b / KB)
    } else if b < KB * KB * KB {
        format!("{:.1} MB", b / KB / KB)
    } else {
        format!("{:.1} GB", b / KB / KB / KB)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn att(kind: AttachmentKind, name: &str, duration_ms: Option<u32>) -> AttachmentView {
        AttachmentView {
            id: "a".into(),
            kind,
            name: name.into(),
            mime: String::new(),
            size: 1,
            width: None,
            height: None,
            duration_ms,
            placeholder: None,
            url: String::new(),
            thumb_url: None,
        }
    }

    #[test]
    fn previews_name_what_was_sent() {
        let photo = att(AttachmentKind::Picture, "a.jpg", None);
        assert_eq!(preview_text(&[photo.clone()], ""), "📷 Photo");
        assert_eq!(preview_text(&[photo.clone(), photo.clone()], ""), "📷 2 photos");
        assert_eq!(preview_text(&[photo.clone()], "  the beach "), "📷 the beach");
        assert_eq!(preview_text(&[att(AttachmentKind::Voice, "v.webm", Some(12_400))], ""), "🎤 Voice message (0:12)");
        assert_eq!(preview_text(&[att(AttachmentKind::File, "report.pdf", None)], ""), "📄 report.pdf");
        assert_eq!(preview_text(&[photo, att(AttachmentKind::File, "x.zip", None)], ""), "📎 2 attachments");
        assert_eq!(preview_text(&[], "just text"), "just text");
    }

    #[test]
    fn durations_and_sizes_read_naturally() {
        assert_eq!(duration_text(0), "0:00");
        assert_eq!(duration_text(61_999), "1:01");
        assert_eq!(duration_text(3_723_000), "1:02:03");
        assert_eq!(size_text(820), "820 B");
        assert_eq!(size_text(14_200), "14 KB");
        assert_eq!(size_text(3_400_000), "3.4 MB");
    }
}

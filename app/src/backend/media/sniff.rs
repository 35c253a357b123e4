//! What an upload is, from its first bytes: never from its name or the type the client claims.
use crate::media::types::AttachmentKind;

/// Bytes enough to recognise every type we tell apart (WebM needs more than 256).
pub const SNIFF_BYTES: usize = 8192;

/// What the first bytes say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sniffed {
    /// `Picture` for the picture formats we decode; `Voice` for recordings a browser makes;
    /// `File` for everything else.
    pub kind: AttachmentKind,
    pub mime: String,
}

/// `voice`: the client sent this as a voice note. A recording that is not one is a file.
pub fn sniff(head: &[u8], voice: bool) -> Sniffed {
    let mime = infer::get(head).map(|t| t.mime_type()).unwrap_or("application/octet-stream");
    let kind = match mime {
        "image/jpeg" | "image/png" | "image/gif" | "image/webp" => AttachmentKind::Picture,
        // MediaRecorder's WebM has no video track but is found as `video/webm`.
        "video/webm" | "audio/webm" | "audio/ogg" | "audio/mp4" | "video/mp4" | "audio/m4a" | "audio/x-m4a" if voice => {
            AttachmentKind::Voice
        }
        _ => AttachmentKind::File,
    };
    let mime = match (kind, mime) {
        (AttachmentKind::Voice, "video/webm" | "audio/webm") => "audio/webm",
        (AttachmentKind::Voice, "audio/ogg") => "audio/ogg",
        (AttachmentKind::Voice, _) => "audio/mp4",
        (_, mime) => mime,
    };
    Sniffed { kind, mime: mime.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_come_from_the_bytes() {
        let png = [0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, b'I', b'H', b'D', b'R'];
        assert_eq!(sniff(&png, false).kind, AttachmentKind::Picture);
        assert_eq!(sniff(&png, true).kind, AttachmentKind::Picture);
        // A Windows program, whatever it is called.
        let exe = [b'M', b'Z', 0x90, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0xff, 0xff, 0, 0];
        let found = sniff(&exe, false);
        assert_eq!(found.kind, AttachmentKind::File);
        assert_ne!(found.mime, "image/jpeg");
        assert_eq!(sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", false).mime, "application/pdf");
        assert_eq!(sniff(b"just some text", false), Sniffed { kind: AttachmentKind::File, mime: "application/octet-stream".into() });
        // SVG is text to `infer`: a file, never a picture shown inline.
        assert_eq!(sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>", false).kind, AttachmentKind::File);
    }

    #[test]
    fn a_recording_is_a_voice_note_only_when_sent_as_one() {
        let webm = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/../end2end/fixtures/voice.webm")).unwrap();
        assert_eq!(sniff(&webm[..SNIFF_BYTES.min(webm.len())], true), Sniffed { kind: AttachmentKind::Voice, mime: "audio/webm".into() });
        assert_eq!(sniff(&webm[..SNIFF_BYTES.min(webm.len())], false).kind, AttachmentKind::File);
        assert_eq!(sniff(b"%PDF-1.7\n", true).kind, AttachmentKind::File);
    }
}

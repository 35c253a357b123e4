//! Attachments on their way up. A picked file (or a recording) starts uploading at once and
//! shows its progress; it ends stored (the server's view of it) or failed (the server's words,
//! with Retry). Picked files wait in their chat's draft until the message is sent; the send then
//! takes them along, and goes out once every one of them is stored.
use leptos::prelude::*;

use super::Realtime;
use crate::media::types::{AttachmentKind, AttachmentView, MAX_PER_MESSAGE};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadState {
    Uploading { sent: u64, total: u64 },
    Stored(AttachmentView),
    /// `transient`: the network or a busy server, worth trying again by itself after a
    /// reconnect; otherwise the file itself was refused (too large, damaged).
    Failed { message: String, transient: bool },
}

/// One picked file or recording, as the composer's strip and a pending bubble show it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalAttachment {
    /// The upload's id in this tab; its bytes are kept under it for retries.
    pub key: String,
    pub chat_id: String,
    pub name: String,
    /// What the browser takes it for, from the file's type; once stored the server's word counts.
    pub kind: AttachmentKind,
    pub size: u64,
    /// An object URL of a picked picture, shown until the server's thumbnail can be.
    pub preview_url: Option<String>,
    /// Voice notes: the length measured while recording.
    pub duration_ms: Option<u32>,
    pub state: UploadState,
}

impl LocalAttachment {
    pub fn stored(&self) -> Option<&AttachmentView> {
        match &self.state {
            UploadState::Stored(view) => Some(view),
            _ => None,
        }
    }

    pub fn failure(&self) -> Option<&str> {
        match &self.state {
            UploadState::Failed { message, .. } => Some(message),
            _ => None,
        }
    }

    /// How far the upload is, 0.0 to 1.0 (1.0 once stored, None once failed).
    pub fn progress(&self) -> Option<f64> {
        match &self.state {
            UploadState::Uploading { sent, total } if *total > 0 => Some((*sent as f64 / *total as f64).min(1.0)),
            UploadState::Uploading { .. } => Some(0.0),
            UploadState::Stored(_) => Some(1.0),
            UploadState::Failed { .. } => None,
        }
    }

    /// The kind to show: the server's once stored (a `.jpg` that is a program is a file).
    pub fn shown_kind(&self) -> AttachmentKind {
        self.stored().map_or(self.kind, |v| v.kind)
    }

    /// The state after an upload event. Progress only counts while uploading (a late progress
    /// event cannot undo a failure), and a stored attachment stays stored.
    pub fn next_state(&self, event: UploadState) -> UploadState {
        match (&self.state, event) {
            (UploadState::Stored(view), _) => UploadState::Stored(view.clone()),
            (UploadState::Uploading { .. }, e) => e,
            (_, UploadState::Uploading { .. }) => self.state.clone(),
            (_, e) => e,
        }
    }
}

/// What the browser takes a file for before the server has looked at its bytes.
#[cfg_attr(not(any(feature = "hydrate", test)), allow(dead_code))]
pub fn guess_kind(mime: &str) -> AttachmentKind {
    match mime {
        "image/jpeg" | "image/png" | "image/gif" | "image/webp" => AttachmentKind::Picture,
        _ => AttachmentKind::File,
    }
}

/// The name a recording is uploaded under: `voice-<time>.webm`, or `.m4a` for Safari's MP4.
#[cfg_attr(not(any(feature = "hydrate", test)), allow(dead_code))]
pub fn voice_file_name(mime: &str, now_ms: i64) -> String {
    let ext = if mime.starts_with("audio/mp4") { "m4a" } else { "webm" };
    format!("voice-{now_ms}.{ext}")
}

/// How many of `picked` files fit next to `already` in one message.
pub fn room_for(already: usize, picked: usize) -> usize {
    picked.min(MAX_PER_MESSAGE.saturating_sub(already))
}

impl Realtime {
    /// The files picked for the next message in a chat, in the order picked (reactive).
    pub fn drafts_in(self, chat_id: &str) -> Vec<LocalAttachment> {
        self.drafts.with(|d| d.iter().filter(|a| a.chat_id == chat_id).cloned().collect())
    }

    /// Takes the chat's picked files for a send.
    pub(super) fn take_drafts(self, chat_id: &str) -> Vec<LocalAttachment> {
        let mut taken = Vec::new();
        self.drafts.update(|d| {
            let (these, rest): (Vec<_>, Vec<_>) = d.drain(..).partition(|a| a.chat_id == chat_id);
            taken = these;
            *d = rest;
        });
        taken
    }

    /// Adds a picked file to the chat's draft (its upload is started by the caller).
    #[cfg_attr(not(any(feature = "hydrate", test)), allow(dead_code))]
    pub(super) fn add_draft(self, attachment: LocalAttachment) {
        self.drafts.update(|d| d.push(attachment));
    }

    /// Takes a picked file out of the draft, stopping its upload.
    pub fn remove_draft(self, key: &str) {
        let mut removed = Vec::new();
        self.drafts.update(|d| {
            if let Some(i) = d.iter().position(|a| a.key == key) {
                removed.push(d.remove(i));
            }
        });
        release(&removed);
    }

    /// An upload moved on (progress, stored, failed), wherever its attachment is now: in a
    /// draft, or in a send, which goes out when that was the last one it waited for.
    #[cfg_attr(not(any(feature = "hydrate", test)), allow(dead_code))]
    pub(super) fn upload_changed(self, key: &str, event: UploadState) {
        let mut in_draft = false;
        self.drafts.update(|d| {
            if let Some(a) = d.iter_mut().find(|a| a.key == key) {
                a.state = a.next_state(event.clone());
                in_draft = true;
            }
        });
        if in_draft {
            return;
        }
        let mut now_ready = None;
        self.outbox.update(|o| {
            let Some(p) = o.iter_mut().find(|p| p.attachments.iter().any(|a| a.key == key)) else { return };
            let was_ready = p.ready();
            if let Some(a) = p.attachments.iter_mut().find(|a| a.key == key) {
                a.state = a.next_state(event);
            }
            if !was_ready && p.ready() {
                now_ready = Some(p.clone());
            }
        });
        if let Some(p) = now_ready {
            self.transmit(&p);
        }
    }

    /// Uploads a failed attachment again from the bytes kept for it (no re-picking).
    pub fn retry_upload(self, key: &str) {
        let restart = |a: &mut LocalAttachment| {
            if a.failure().is_some() {
                a.state = UploadState::Uploading { sent: 0, total: a.size };
                true
            } else {
                false
            }
        };
        let mut again = false;
        self.drafts.update(|d| {
            if let Some(a) = d.iter_mut().find(|a| a.key == key) {
                again = restart(a);
            }
        });
        self.outbox.update(|o| {
            if let Some(a) = o.iter_mut().flat_map(|p| p.attachments.iter_mut()).find(|a| a.key == key) {
                again = restart(a);
            }
        });
        if again {
            self.start_upload(key);
        }
    }

    #[cfg(feature = "hydrate")]
    fn start_upload(self, key: &str) {
        if !super::xhr::start(self, key) {
            self.upload_changed(key, UploadState::Failed { message: "The file is no longer available — pick it again".into(), transient: false });
        }
    }

    #[cfg(not(feature = "hydrate"))]
    fn start_upload(self, _key: &str) {}

    /// Keeps a picked file's bytes, adds it to the chat's draft and starts its upload. Returns
    /// false when the message already has the most attachments it can.
    #[cfg(feature = "hydrate")]
    pub fn attach(self, chat_id: &str, file: &web_sys::File) -> bool {
        if self.drafts.with_untracked(|d| d.iter().filter(|a| a.chat_id == chat_id).count()) >= MAX_PER_MESSAGE {
            return false;
        }
        let attachment = self.prepare(chat_id, file, &file.name(), None);
        let key = attachment.key.clone();
        self.add_draft(attachment);
        self.start_upload(&key);
        true
    }

    /// Uploads a recording and sends it as a message of its own once stored.
    #[cfg(feature = "hydrate")]
    pub fn send_voice(self, chat_id: &str, blob: &web_sys::Blob, mime: &str, duration_ms: u32, reply_to: Option<crate::chats::types::ReplyPreview>) {
        let name = voice_file_name(mime, super::now_ms());
        let mut attachment = self.prepare(chat_id, blob, &name, Some(duration_ms));
        attachment.kind = AttachmentKind::Voice;
        let key = attachment.key.clone();
        self.send_with(chat_id, "", reply_to, vec![attachment]);
        self.start_upload(&key);
    }

    #[cfg(feature = "hydrate")]
    fn prepare(self, chat_id: &str, blob: &web_sys::Blob, name: &str, duration_ms: Option<u32>) -> LocalAttachment {
        let key = super::new_client_id();
        let kind = guess_kind(&blob.type_());
        let preview_url =
            (kind == AttachmentKind::Picture).then(|| web_sys::Url::create_object_url_with_blob(blob).ok()).flatten();
        super::xhr::keep(&key, blob, name, duration_ms);
        LocalAttachment {
            key,
            chat_id: chat_id.to_owned(),
            name: name.to_owned(),
            kind,
            size: blob.size() as u64,
            preview_url,
            duration_ms,
            state: UploadState::Uploading { sent: 0, total: blob.size() as u64 },
        }
    }
}

/// Lets go of attachments no longer shown: stops their uploads, drops their bytes and previews.
pub(super) fn release(attachments: &[LocalAttachment]) {
    #[cfg(feature = "hydrate")]
    for a in attachments {
        super::xhr::forget(&a.key);
        if let Some(url) = &a.preview_url {
            let _ = web_sys::Url::revoke_object_url(url);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = attachments;
}

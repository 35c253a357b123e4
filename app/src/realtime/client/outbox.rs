//! The sends still on their way: shown at once as pending bubbles, sent now or after the
//! reconnect, and settled by the server's ack, its stored copy or its refusal.
use leptos::prelude::*;

use super::{Connection, Realtime, uploads::{LocalAttachment, UploadState, release}};
use crate::chats::types::{MessageView, ReplyPreview};
use crate::realtime::protocol::ClientFrame;

/// A send whose stored copy has not arrived yet; the conversation shows it as a pending bubble.
/// Until the server acks it, it stays across reconnects and is sent again (with the same client
/// id, so it is stored once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSend {
    pub client_id: String,
    pub chat_id: String,
    pub body: String,
    pub reply_to: Option<ReplyPreview>,
    /// The server has stored it: it is not sent again, and leaves when its copy arrives.
    pub acked: bool,
    /// Why the server refused it (the page offers Retry).
    pub failed: Option<String>,
    /// Pictures, a voice note or files; it goes out once all of them are stored.
    pub attachments: Vec<LocalAttachment>,
}

impl PendingSend {
    /// Every attachment is stored: the message can go out.
    pub fn ready(&self) -> bool {
        self.attachments.iter().all(|a| a.stored().is_some())
    }

    /// Why an attachment did not upload (the bubble offers Retry).
    pub fn upload_failure(&self) -> Option<String> {
        self.attachments.iter().find_map(|a| a.failure().map(|reason| format!("{} — {reason}", a.name)))
    }

    /// The ids of the stored attachments, in order.
    pub fn attachment_ids(&self) -> Vec<String> {
        self.attachments.iter().filter_map(|a| a.stored().map(|v| v.id.clone())).collect()
    }
}

impl Realtime {
    /// Queues a message: it shows as pending at once and goes out now or after the reconnect.
    pub fn send(self, chat_id: &str, body: &str, reply_to: Option<ReplyPreview>) {
        self.send_with(chat_id, body, reply_to, Vec::new());
    }

    /// Sends the files picked in the chat with `caption` (maybe empty): pending at once, out
    /// once every upload is stored.
    pub fn send_drafts(self, chat_id: &str, caption: &str, reply_to: Option<ReplyPreview>) {
        let attachments = self.take_drafts(chat_id);
        self.send_with(chat_id, caption, reply_to, attachments);
    }

    pub(super) fn send_with(self, chat_id: &str, body: &str, reply_to: Option<ReplyPreview>, attachments: Vec<LocalAttachment>) {
        let pending = PendingSend {
            client_id: new_client_id(),
            chat_id: chat_id.to_owned(),
            body: body.to_owned(),
            reply_to,
            acked: false,
            failed: None,
            attachments,
        };
        self.outbox.update(|o| o.push(pending.clone()));
        // A message ends the typing; what is typed next is news again at once.
        self.typing_sent.update_value(|t| {
            t.remove(chat_id);
        });
        self.transmit(&pending);
    }

    /// Sends a refused message again, with the same client id; its failed uploads start again
    /// first, and it goes out when they are stored.
    pub fn retry(self, client_id: &str) {
        let mut again = None;
        self.update_pending(client_id, |p| {
            p.failed = None;
            again = Some(p.clone());
        });
        let Some(p) = again else { return };
        for a in p.attachments.iter().filter(|a| a.failure().is_some()) {
            self.retry_upload(&a.key);
        }
        self.transmit(&p);
    }

    /// The sends still on their way in one chat, oldest first (reactive).
    pub fn pending_in(self, chat_id: &str) -> Vec<PendingSend> {
        self.outbox.with(|o| o.iter().filter(|p| p.chat_id == chat_id).cloned().collect())
    }

    /// Drops a refused send (and stops its uploads).
    pub fn discard(self, client_id: &str) {
        self.drop_sends(|p| p.client_id == client_id);
    }

    /// Whatever was typed while offline goes out once the socket is synced; the same client id
    /// makes a re-send of something already stored harmless. Uploads the network cut off start
    /// again, in sends and in drafts.
    pub(super) fn resend_unacked(self) {
        let cut_off = |a: &LocalAttachment| matches!(a.state, UploadState::Failed { transient: true, .. });
        for key in self.drafts.with_untracked(|d| d.iter().filter(|a| cut_off(a)).map(|a| a.key.clone()).collect::<Vec<_>>()) {
            self.retry_upload(&key);
        }
        for pending in self.outbox.get_untracked().iter().filter(|p| !p.acked && p.failed.is_none()) {
            for a in pending.attachments.iter().filter(|a| cut_off(a)) {
                self.retry_upload(&a.key);
            }
            self.transmit(pending);
        }
    }

    /// The server has stored the send; its bubble stays until the stored copy arrives.
    pub(super) fn acked(self, client_id: &str) {
        self.update_pending(client_id, |p| p.acked = true);
    }

    /// The server refused the send: its bubble offers Retry.
    pub(super) fn refused(self, client_id: &str, reason: &str) {
        self.update_pending(client_id, |p| p.failed = Some(reason.to_owned()));
    }

    /// The stored copy of one of our sends takes the place of its pending bubble.
    pub(super) fn stored_copy_arrived(self, message: &MessageView) {
        if let Some(id) = &message.client_id {
            self.drop_sends(|p| &p.client_id == id);
        }
    }

    /// Removes the matching sends, letting go of their attachments' bytes and previews.
    pub(super) fn drop_sends(self, which: impl Fn(&PendingSend) -> bool) {
        if !self.outbox.with_untracked(|o| o.iter().any(&which)) {
            return;
        }
        let mut gone = Vec::new();
        self.outbox.update(|o| {
            let (dropped, kept): (Vec<_>, Vec<_>) = o.drain(..).partition(|p| which(p));
            gone = dropped;
            *o = kept;
        });
        for p in gone {
            release(&p.attachments);
        }
    }

    fn update_pending(self, client_id: &str, change: impl FnOnce(&mut PendingSend)) {
        self.outbox.update(|o| {
            if let Some(p) = o.iter_mut().find(|p| p.client_id == client_id) {
                change(p);
            }
        });
    }

    /// Sends it if the socket is up and nothing it carries is still uploading.
    pub(super) fn transmit(self, pending: &PendingSend) {
        if self.connection.get_untracked() == Connection::Online && pending.failed.is_none() && pending.ready() {
            self.frame(&ClientFrame::Send {
                chat_id: pending.chat_id.clone(),
                client_id: pending.client_id.clone(),
                body: pending.body.clone(),
                reply_to: pending.reply_to.as_ref().map(|r| r.id.clone()),
                attachments: pending.attachment_ids(),
            });
        }
    }
}

/// The time in milliseconds, then 64 random bits, as hex: unique per send, reused for its
/// re-sends. Time-first ids keep the server's client-id index appending.
pub fn new_client_id() -> String {
    #[cfg(feature = "hydrate")]
    {
        let mut bytes = [0u8; 8];
        if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
            let _ = crypto.get_random_values_with_u8_array(&mut bytes);
        }
        format!("{:012x}{:016x}", super::now_ms(), u64::from_be_bytes(bytes))
    }
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

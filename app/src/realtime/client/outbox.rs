//! The sends still on their way: shown at once as pending bubbles, sent now or after the
//! reconnect, and settled by the server's ack, its stored copy or its refusal.
use leptos::prelude::*;

use super::{Connection, Realtime};
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
}

impl Realtime {
    /// Queues a message: it shows as pending at once and goes out now or after the reconnect.
    pub fn send(self, chat_id: &str, body: &str, reply_to: Option<ReplyPreview>) {
        let pending = PendingSend {
            client_id: new_client_id(),
            chat_id: chat_id.to_owned(),
            body: body.to_owned(),
            reply_to,
            acked: false,
            failed: None,
        };
        self.outbox.update(|o| o.push(pending.clone()));
        // A message ends the typing; what is typed next is news again at once.
        self.typing_sent.update_value(|t| {
            t.remove(chat_id);
        });
        self.transmit(&pending);
    }

    /// Sends a refused message again, with the same client id.
    pub fn retry(self, client_id: &str) {
        let mut again = None;
        self.update_pending(client_id, |p| {
            p.failed = None;
            again = Some(p.clone());
        });
        if let Some(p) = again {
            self.transmit(&p);
        }
    }

    /// The sends still on their way in one chat, oldest first (reactive).
    pub fn pending_in(self, chat_id: &str) -> Vec<PendingSend> {
        self.outbox.with(|o| o.iter().filter(|p| p.chat_id == chat_id).cloned().collect())
    }

    /// Drops a refused send.
    pub fn discard(self, client_id: &str) {
        self.outbox.update(|o| o.retain(|p| p.client_id != client_id));
    }

    /// Whatever was typed while offline goes out once the socket is synced; the same client id
    /// makes a re-send of something already stored harmless.
    pub(super) fn resend_unacked(self) {
        for pending in self.outbox.get_untracked().iter().filter(|p| !p.acked && p.failed.is_none()) {
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
            self.outbox.update(|o| o.retain(|p| &p.client_id != id));
        }
    }

    fn update_pending(self, client_id: &str, change: impl FnOnce(&mut PendingSend)) {
        self.outbox.update(|o| {
            if let Some(p) = o.iter_mut().find(|p| p.client_id == client_id) {
                change(p);
            }
        });
    }

    fn transmit(self, pending: &PendingSend) {
        if self.connection.get_untracked() == Connection::Online {
            self.frame(&ClientFrame::Send {
                chat_id: pending.chat_id.clone(),
                client_id: pending.client_id.clone(),
                body: pending.body.clone(),
                reply_to: pending.reply_to.as_ref().map(|r| r.id.clone()),
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

//! What each server frame changes in the client's signals, before subscribers hear it.
use std::collections::HashMap;

use leptos::prelude::*;

use super::{Connection, Realtime, Typist, now_ms};
use crate::chats::types::Presence;
use crate::realtime::protocol::{ServerFrame, typing};

impl Realtime {
    /// Applies a frame to the signals, then hands it to the subscribers.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    pub(super) fn receive(self, frame: ServerFrame) {
        match &frame {
            ServerFrame::Welcome { user_id, .. } => self.me.set_value(Some(user_id.clone())),
            ServerFrame::Synced { at } => {
                self.since.set_value(Some(*at));
                self.connection.set(Connection::Online);
                self.resend_unacked();
            }
            ServerFrame::Message { message } => {
                self.track(&message.chat_id, message.seq);
                self.stored_copy_arrived(message);
            }
            ServerFrame::MessageUpdated { message } => self.stored_copy_arrived(message),
            ServerFrame::Ack { client_id, .. } => self.acked(client_id),
            ServerFrame::Error { client_id: Some(id), message, .. } => self.refused(id, message),
            ServerFrame::Typing { chat_id, user_id, display_name } => {
                let until_ms = now_ms() + typing::SHOWN_MS as i64;
                self.typing.update(|t| {
                    t.retain(|x| !(x.chat_id == *chat_id && x.user_id == *user_id));
                    t.push(Typist { chat_id: chat_id.clone(), user_id: user_id.clone(), display_name: display_name.clone(), until_ms });
                });
                #[cfg(feature = "hydrate")]
                set_timeout(
                    move || self.typing.update(|t| t.retain(|x| x.until_ms > now_ms())),
                    std::time::Duration::from_millis(typing::SHOWN_MS + 50),
                );
            }
            ServerFrame::Presence { user_id, presence } => {
                self.presence.update(|p| {
                    p.insert(user_id.clone(), *presence);
                });
                // Someone who went away is no longer typing.
                if !matches!(presence, Presence::Online) {
                    self.typing.update(|t| t.retain(|x| x.user_id != *user_id));
                }
            }
            ServerFrame::Read { chat_id, user_id, seq } => raise(self.read, chat_id, user_id, *seq),
            ServerFrame::Delivered { chat_id, user_id, seq } => raise(self.delivered, chat_id, user_id, *seq),
            ServerFrame::ChatRemoved { chat_id } => {
                self.cursors.update_value(|c| {
                    c.remove(chat_id);
                });
                self.drop_sends(|p| &p.chat_id == chat_id);
                for key in self.drafts.with_untracked(|d| d.iter().filter(|a| &a.chat_id == chat_id).map(|a| a.key.clone()).collect::<Vec<_>>()) {
                    self.remove_draft(&key);
                }
            }
            ServerFrame::ChatUpdated { chat } => {
                if let Some(last) = &chat.last_message {
                    self.track(&chat.id, last.seq);
                }
            }
            _ => {}
        }
        if let ServerFrame::Message { message } = &frame {
            // A message from someone ends their typing indicator.
            if let Some(sender) = &message.sender {
                self.typing.update(|t| t.retain(|x| !(x.chat_id == message.chat_id && x.user_id == sender.user_id)));
            }
        }
        for (_, listener) in self.listeners.get_value() {
            listener(&frame);
        }
    }
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn raise(signal: RwSignal<HashMap<(String, String), i64>>, chat_id: &str, user_id: &str, seq: i64) {
    signal.update(|m| {
        let at = m.entry((chat_id.to_owned(), user_id.to_owned())).or_insert(seq);
        *at = (*at).max(seq);
    });
}

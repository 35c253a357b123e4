//! The open conversation follows the socket: new, edited and deleted messages, reactions, and
//! the fate of its own sends, all merged through the same store functions as history pages.
use leptos::prelude::*;

use super::state::{ConvState, newest_seq, set_reactions, upsert_message};
use crate::{chats::types::ChatDetail, realtime::protocol::ServerFrame};

pub fn follow(state: ConvState, detail: &ChatDetail) {
    let Some(realtime) = state.realtime else { return };
    let chat = detail.id.clone();
    // A reconnect resumes after what this page loaded.
    realtime.track(&chat, newest_seq(&detail.messages));
    realtime.loaded_at(detail.loaded_at);
    realtime.subscribe(move |frame| match frame {
        ServerFrame::Message { message } | ServerFrame::MessageUpdated { message } if message.chat_id == chat => {
            if let Some(id) = &message.client_id {
                // The stored copy of one of our sends replaces its pending bubble.
                state.outbox.update(|o| o.retain(|p| &p.client_id != id));
            }
            state.messages.update(|l| upsert_message(l, message.clone()));
        }
        ServerFrame::Reactions { chat_id, message_id, reactions } if *chat_id == chat => {
            state.messages.update(|l| set_reactions(l, message_id, reactions.clone()));
        }
        ServerFrame::Error { client_id: Some(id), message, .. } => state.outbox.update(|o| {
            if let Some(p) = o.iter_mut().find(|p| &p.client_id == id) {
                p.failed = Some(message.clone());
            }
        }),
        _ => {}
    });
}

//! The open conversation follows the socket: new, edited and deleted messages and reactions,
//! merged through the same store functions as history pages. (Its own sends' fate is the
//! realtime client's outbox, which the pending bubbles read.)
use leptos::prelude::*;

use super::state::{ConvState, newest_seq, set_reactions, upsert_message};
use crate::{chats::types::ChatDetail, realtime::protocol::ServerFrame};

pub fn follow(state: ConvState, detail: &ChatDetail) {
    let realtime = state.realtime;
    let chat = detail.id.clone();
    // A reconnect resumes after what this page loaded.
    realtime.track(&chat, newest_seq(&detail.messages));
    realtime.loaded_at(detail.loaded_at);
    realtime.subscribe(move |frame| match frame {
        ServerFrame::Message { message } | ServerFrame::MessageUpdated { message } if message.chat_id == chat => {
            state.messages.update(|l| upsert_message(l, message.clone()));
        }
        ServerFrame::Reactions { chat_id, message_id, reactions } if *chat_id == chat => {
            state.messages.update(|l| set_reactions(l, message_id, reactions.clone()));
        }
        _ => {}
    });
}

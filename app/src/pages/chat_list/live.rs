//! Keeps the chat list current from live frames: each frame patches the row it concerns, and
//! only what the list cannot work out by itself (a chat it has never seen, a sync after a
//! reconnect) makes it fetch the list again.
use crate::chats::{
    preview::last_message_of,
    types::{ChatKind, ChatSummary, Presence},
};
use crate::realtime::protocol::ServerFrame;

use super::sort_chats;

/// The list after a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Patched {
    /// Nothing in the list changed.
    Same,
    Changed,
    /// The list cannot tell what changed: fetch it again.
    Refetch,
}

/// Applies `frame` to `list`. `me`: the viewer's shown user id; `open`: the chat on screen
/// (its new messages are being read, so they do not count as unread).
pub fn apply(list: &mut Vec<ChatSummary>, frame: &ServerFrame, me: &str, open: Option<&str>) -> Patched {
    let row = |list: &mut Vec<ChatSummary>, id: &str| list.iter().position(|c| c.id == id);
    let patched = match frame {
        ServerFrame::Message { message } => {
            let Some(i) = row(list, &message.chat_id) else { return Patched::Refetch };
            let chat = &mut list[i];
            if chat.last_message.as_ref().is_some_and(|m| m.seq >= message.seq) {
                return Patched::Same;
            }
            let unread = match &message.system {
                None => message.sender.as_ref().is_some_and(|s| s.user_id != me),
                Some(event) => event.unread_for(me),
            };
            if unread && open != Some(chat.id.as_str()) {
                chat.unread = (chat.unread + 1).min(1000);
            }
            chat.last_message = Some(last_message_of(message, me, chat.kind == ChatKind::Group));
            chat.updated_at = chat.updated_at.max(message.created_at);
            Patched::Changed
        }
        ServerFrame::MessageUpdated { message } => {
            let Some(i) = row(list, &message.chat_id) else { return Patched::Same };
            let chat = &mut list[i];
            if chat.last_message.as_ref().is_none_or(|m| m.seq != message.seq) {
                return Patched::Same;
            }
            chat.last_message = Some(last_message_of(message, me, chat.kind == ChatKind::Group));
            Patched::Changed
        }
        ServerFrame::ChatUpdated { chat } => {
            match row(list, &chat.id) {
                Some(i) => list[i] = chat.clone(),
                None => list.push(chat.clone()),
            }
            Patched::Changed
        }
        ServerFrame::ChatRemoved { chat_id } => match row(list, chat_id) {
            Some(i) => {
                list.remove(i);
                Patched::Changed
            }
            None => Patched::Same,
        },
        ServerFrame::Read { chat_id, user_id, seq } if user_id == me => {
            let Some(i) = row(list, chat_id) else { return Patched::Same };
            let chat = &mut list[i];
            let read_all = chat.last_message.as_ref().is_none_or(|m| *seq >= m.seq);
            match (chat.unread, read_all) {
                (0, _) => Patched::Same,
                (_, true) => {
                    chat.unread = 0;
                    Patched::Changed
                }
                // Read part of it on another device: only the server can count the rest.
                (_, false) => Patched::Refetch,
            }
        }
        ServerFrame::Presence { user_id, presence } => {
            let online = matches!(presence, Presence::Online);
            let mut changed = Patched::Same;
            for chat in list.iter_mut().filter(|c| c.peer.as_ref().is_some_and(|p| p.user_id == *user_id)) {
                if chat.peer_online != online {
                    chat.peer_online = online;
                    changed = Patched::Changed;
                }
            }
            changed
        }
        // Whatever happened while the socket was down.
        ServerFrame::Synced { .. } => Patched::Refetch,
        _ => Patched::Same,
    };
    if patched == Patched::Changed {
        sort_chats(list);
    }
    patched
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chats::types::{LastMessage, MessageView, PersonView, RequestState};

    fn chat(id: &str, kind: ChatKind, last_seq: i64, at: i64) -> ChatSummary {
        ChatSummary {
            id: id.into(),
            kind,
            title: id.into(),
            peer: (kind == ChatKind::Direct)
                .then(|| PersonView { user_id: format!("P-{id}"), username: "p".into(), display_name: "Pat".into() }),
            peer_online: false,
            last_message: (last_seq > 0).then(|| LastMessage {
                id: format!("m{last_seq}"),
                seq: last_seq,
                sender: None,
                sender_is_me: false,
                excerpt: "old".into(),
                created_at: at,
            }),
            unread: 0,
            muted: false,
            request: RequestState::None,
            updated_at: at,
            invited_by: None,
        }
    }

    fn message(chat: &str, seq: i64, from: &str, at: i64) -> MessageView {
        let sender = PersonView { user_id: from.into(), username: "x".into(), display_name: format!("N-{from}") };
        MessageView { sender: Some(sender), created_at: at, ..MessageView::sample(chat, seq, from, &format!("body {seq}")) }
    }

    fn ids(list: &[ChatSummary]) -> Vec<&str> {
        list.iter().map(|c| c.id.as_str()).collect()
    }

    #[test]
    fn a_new_message_moves_its_chat_up_with_preview_and_unread() {
        let mut list = vec![chat("a", ChatKind::Direct, 3, 20), chat("g", ChatKind::Group, 5, 10)];
        let frame = ServerFrame::Message { message: message("g", 6, "BOB", 30) };
        assert_eq!(apply(&mut list, &frame, "ME", None), Patched::Changed);
        assert_eq!(ids(&list), ["g", "a"]);
        let g = &list[0];
        assert_eq!((g.unread, g.updated_at), (1, 30));
        let last = g.last_message.as_ref().unwrap();
        assert_eq!((last.seq, last.excerpt.as_str(), last.sender.as_deref(), last.sender_is_me), (6, "body 6", Some("N-BOB"), false));
        assert_eq!(apply(&mut list, &frame, "ME", None), Patched::Same, "the same message twice counts once");
        assert_eq!(list[0].unread, 1);
    }

    #[test]
    fn my_own_messages_and_the_open_chat_do_not_count_as_unread() {
        let mut list = vec![chat("a", ChatKind::Direct, 3, 20)];
        apply(&mut list, &ServerFrame::Message { message: message("a", 4, "ME", 30) }, "ME", None);
        assert_eq!((list[0].unread, list[0].last_message.as_ref().unwrap().sender_is_me), (0, true));
        apply(&mut list, &ServerFrame::Message { message: message("a", 5, "P-a", 31) }, "ME", Some("a"));
        assert_eq!(list[0].unread, 0);
    }

    #[test]
    fn reading_clears_the_count_and_a_partial_read_elsewhere_asks_the_server() {
        let mut list = vec![chat("a", ChatKind::Direct, 3, 20)];
        apply(&mut list, &ServerFrame::Message { message: message("a", 4, "P-a", 30) }, "ME", None);
        apply(&mut list, &ServerFrame::Message { message: message("a", 5, "P-a", 31) }, "ME", None);
        let partial = ServerFrame::Read { chat_id: "a".into(), user_id: "ME".into(), seq: 4 };
        assert_eq!(apply(&mut list, &partial, "ME", None), Patched::Refetch);
        let someone_else = ServerFrame::Read { chat_id: "a".into(), user_id: "P-a".into(), seq: 5 };
        assert_eq!(apply(&mut list, &someone_else, "ME", None), Patched::Same);
        let all = ServerFrame::Read { chat_id: "a".into(), user_id: "ME".into(), seq: 5 };
        assert_eq!(apply(&mut list, &all, "ME", None), Patched::Changed);
        assert_eq!(list[0].unread, 0);
    }

    #[test]
    fn a_call_counts_as_unread_only_when_missed_by_the_viewer() {
        use crate::{calls::types::CallOutcome, chats::types::SystemEvent};
        let mut list = vec![chat("a", ChatKind::Direct, 3, 20)];
        let call = |seq: i64, by: &str, outcome: CallOutcome| {
            let by = PersonView { user_id: by.into(), username: "x".into(), display_name: "N".into() };
            let event = SystemEvent::Call { by, video: false, outcome, seconds: None };
            ServerFrame::Message { message: MessageView { sender: None, system: Some(event), ..message("a", seq, "P-a", 30 + seq) } }
        };
        apply(&mut list, &call(4, "P-a", CallOutcome::Answered), "ME", None);
        apply(&mut list, &call(5, "ME", CallOutcome::Missed), "ME", None);
        assert_eq!(list[0].unread, 0, "an answered call, and one nobody answered of mine");
        apply(&mut list, &call(6, "P-a", CallOutcome::Missed), "ME", None);
        assert_eq!(list[0].unread, 1, "a call I missed");
    }

    #[test]
    fn rows_are_replaced_added_and_removed_and_unknown_chats_fetched() {
        let mut list = vec![chat("a", ChatKind::Direct, 3, 20)];
        assert_eq!(apply(&mut list, &ServerFrame::Message { message: message("new", 1, "X", 40) }, "ME", None), Patched::Refetch);
        let mut renamed = chat("g", ChatKind::Group, 0, 50);
        renamed.title = "Renamed".into();
        apply(&mut list, &ServerFrame::ChatUpdated { chat: renamed }, "ME", None);
        assert_eq!(ids(&list), ["g", "a"]);
        apply(&mut list, &ServerFrame::ChatRemoved { chat_id: "a".into() }, "ME", None);
        assert_eq!(ids(&list), ["g"]);
        assert_eq!(apply(&mut list, &ServerFrame::Synced { at: 1 }, "ME", None), Patched::Refetch);
    }

    #[test]
    fn an_edit_or_deletion_of_the_last_message_updates_the_preview_and_presence_the_dot() {
        let mut list = vec![chat("a", ChatKind::Direct, 3, 20)];
        let mut deleted = message("a", 3, "P-a", 20);
        deleted.deleted = true;
        assert_eq!(apply(&mut list, &ServerFrame::MessageUpdated { message: deleted }, "ME", None), Patched::Changed);
        assert_eq!(list[0].last_message.as_ref().unwrap().excerpt, "Message deleted");
        let older = message("a", 2, "P-a", 10);
        assert_eq!(apply(&mut list, &ServerFrame::MessageUpdated { message: older }, "ME", None), Patched::Same);
        let online = ServerFrame::Presence { user_id: "P-a".into(), presence: Presence::Online };
        assert_eq!(apply(&mut list, &online, "ME", None), Patched::Changed);
        assert!(list[0].peer_online);
    }
}

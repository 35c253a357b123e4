//! Builders of plain views for tests, here and in the server's tests: each fills every field
//! with something ordinary, and a test changes what it is about with struct update syntax
//! (`MessageView { deleted: true, ..MessageView::sample(..) }`).
use super::{ChatKind, ChatSummary, LastMessage, MessageView, PersonView, RequestState};

impl PersonView {
    /// `name` as user id, username and display name alike.
    pub fn sample(name: &str) -> Self {
        Self { user_id: name.into(), username: name.into(), display_name: name.into() }
    }
}

impl MessageView {
    /// A plain message `m<seq>` from `sender` (see `PersonView::sample`).
    pub fn sample(chat_id: &str, seq: i64, sender: &str, body: &str) -> Self {
        Self {
            id: format!("m{seq}"),
            chat_id: chat_id.into(),
            seq,
            sender: Some(PersonView::sample(sender)),
            body: body.into(),
            system: None,
            created_at: 0,
            edited_at: None,
            deleted: false,
            reply_to: None,
            reactions: vec![],
            client_id: None,
            attachments: vec![],
        }
    }
}

impl LastMessage {
    /// The preview of message `m<seq>`, written by someone else at `created_at`.
    pub fn sample(seq: i64, excerpt: &str, created_at: i64) -> Self {
        Self { id: format!("m{seq}"), seq, sender: None, sender_is_me: false, excerpt: excerpt.into(), created_at }
    }
}

impl ChatSummary {
    /// A chat titled with its id, read up to date, with no messages and no peer.
    pub fn sample(id: &str, kind: ChatKind) -> Self {
        Self {
            id: id.into(),
            kind,
            title: id.into(),
            peer: None,
            peer_online: false,
            last_message: None,
            unread: 0,
            muted: false,
            request: RequestState::None,
            updated_at: 0,
            invited_by: None,
        }
    }
}

//! What a search finds: people, chats by name, messages by their text.
use serde::{Deserialize, Serialize};

use super::{ChatKind, PersonView};

/// A chat found by name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChatHit {
    pub id: String,
    pub kind: ChatKind,
    pub title: String,
}

/// A message found by full-text search.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MessageHit {
    pub chat_id: String,
    pub chat_title: String,
    pub message_id: String,
    pub seq: i64,
    pub sender: PersonView,
    /// The matching text with `\u{1}` before and `\u{2}` after each match, so the page can
    /// highlight without trusting any HTML.
    pub snippet: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SearchResults {
    pub people: Vec<PersonView>,
    pub chats: Vec<ChatHit>,
    pub messages: Vec<MessageHit>,
}

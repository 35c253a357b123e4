//! Messages as a conversation shows them: bodies, system events, reactions, replies, pages.
use serde::{Deserialize, Serialize};

use super::{PersonView, Role};
use crate::calls::types::CallOutcome;
use crate::media::types::AttachmentView;

/// System events, shown centred in the conversation: a group's changes, and calls.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum SystemEvent {
    Created { by: PersonView },
    Joined { who: PersonView },
    Left { who: PersonView },
    Added { who: PersonView, by: PersonView },
    Removed { who: PersonView, by: PersonView },
    Renamed { name: String, by: PersonView },
    RoleChanged { who: PersonView, role: Role, by: PersonView },
    OwnerChanged { who: PersonView, by: PersonView },
    /// A call `by` placed, once it ended; `seconds` it lasted when answered.
    Call { by: PersonView, video: bool, outcome: CallOutcome, seconds: Option<u32> },
}

impl SystemEvent {
    /// Whether it counts as unread for `viewer` (a shown user id): only a call they missed, as
    /// the stores' unread counts have it.
    pub fn unread_for(&self, viewer: &str) -> bool {
        matches!(self, SystemEvent::Call { by, outcome: CallOutcome::Missed, .. } if by.user_id != viewer)
    }
}

// Read as one flat object, as `Presence` is (see there for why).
impl<'de> Deserialize<'de> for SystemEvent {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum Event {
            Created,
            Joined,
            Left,
            Added,
            Removed,
            Renamed,
            RoleChanged,
            OwnerChanged,
            Call,
        }
        #[derive(Deserialize)]
        struct Flat {
            event: Event,
            who: Option<PersonView>,
            by: Option<PersonView>,
            name: Option<String>,
            role: Option<Role>,
            video: Option<bool>,
            outcome: Option<CallOutcome>,
            seconds: Option<u32>,
        }
        fn need<T, E: serde::de::Error>(value: Option<T>, field: &'static str) -> Result<T, E> {
            value.ok_or_else(|| E::missing_field(field))
        }
        let Flat { event, who, by, name, role, video, outcome, seconds } = Flat::deserialize(deserializer)?;
        Ok(match event {
            Event::Created => Self::Created { by: need(by, "by")? },
            Event::Joined => Self::Joined { who: need(who, "who")? },
            Event::Left => Self::Left { who: need(who, "who")? },
            Event::Added => Self::Added { who: need(who, "who")?, by: need(by, "by")? },
            Event::Removed => Self::Removed { who: need(who, "who")?, by: need(by, "by")? },
            Event::Renamed => Self::Renamed { name: need(name, "name")?, by: need(by, "by")? },
            Event::RoleChanged => Self::RoleChanged { who: need(who, "who")?, role: need(role, "role")?, by: need(by, "by")? },
            Event::OwnerChanged => Self::OwnerChanged { who: need(who, "who")?, by: need(by, "by")? },
            Event::Call => Self::Call { by: need(by, "by")?, video: need(video, "video")?, outcome: need(outcome, "outcome")?, seconds },
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReactionView {
    pub emoji: String,
    pub count: u32,
    /// Display names of who reacted (the first few).
    pub by: Vec<String>,
    /// Whether the viewer is one of them.
    pub mine: bool,
}

/// The quoted preview of the message a reply answers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReplyPreview {
    pub id: String,
    pub seq: i64,
    pub sender: PersonView,
    /// Shortened body, or empty when it was deleted.
    pub excerpt: String,
    pub deleted: bool,
    /// The quoted message's first attachment (a picture shows as a small thumbnail).
    #[serde(default)]
    pub attachment: Option<AttachmentView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MessageView {
    pub id: String,
    pub chat_id: String,
    /// Position in its conversation: 1, 2, 3, ... with no gaps.
    pub seq: i64,
    /// None for system messages.
    pub sender: Option<PersonView>,
    /// Empty once deleted (a tombstone stays).
    pub body: String,
    pub system: Option<SystemEvent>,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub deleted: bool,
    pub reply_to: Option<ReplyPreview>,
    pub reactions: Vec<ReactionView>,
    /// The sender's id for idempotent sends; only on the sender's own messages.
    pub client_id: Option<String>,
    /// Pictures, a voice note or files, in the order sent; `body` is then their caption (maybe
    /// empty). Empty once deleted. Clients that do not know it still show the caption.
    #[serde(default)]
    pub attachments: Vec<AttachmentView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HistoryPage {
    /// Oldest first.
    pub messages: Vec<MessageView>,
    pub next_before: Option<i64>,
}

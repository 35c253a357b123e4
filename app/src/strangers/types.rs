//! What the stranger page shows, as the server function, the REST API and the socket send it.
//! Nothing here names the partner: messages say only whether they are the viewer's own.
use serde::{Deserialize, Serialize};

/// Interests a person may give when looking, and the longest one.
pub const MAX_INTERESTS: usize = 5;
pub const MAX_INTEREST_CHARS: usize = 24;
/// The longest note attached to a report.
pub const MAX_REPORT_NOTE: usize = 500;

/// The viewer's stranger chat: where they are (rules not yet accepted, idle, looking, chatting,
/// or just left a chat) and the conversation itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StrangerView {
    /// The person confirmed they are 18 or older and accepted the rules (stored once).
    pub adult_confirmed: bool,
    /// Set while reports keep the person out of stranger chat: until when (unix seconds).
    pub banned_until: Option<i64>,
    /// Set while waiting to be matched.
    pub looking: Option<Looking>,
    /// The current conversation, or the one just ended (until the person looks again or stops).
    pub chat: Option<StrangerChat>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Looking {
    /// When the search started (unix seconds).
    pub since: i64,
    pub interests: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StrangerChat {
    /// Random, new for each conversation; means nothing outside it.
    pub id: String,
    /// Interests both gave (empty when matched with anyone).
    pub shared_interests: Vec<String>,
    pub started_at: i64,
    pub messages: Vec<StrangerMessage>,
    /// Why it ended; `None` while both are in it.
    pub ended: Option<EndReason>,
    /// Who offered to stay in touch; when both have, `direct_chat` is the new direct chat.
    pub i_offered_contact: bool,
    pub stranger_offered_contact: bool,
    pub direct_chat: Option<String>,
    /// The viewer reported or blocked this stranger (they will not be matched again).
    pub reported: bool,
    pub blocked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct StrangerMessage {
    /// 1, 2, 3… in this conversation.
    pub seq: i64,
    /// Whether the viewer sent it (the only thing said about a sender).
    pub mine: bool,
    pub body: String,
    /// Unix seconds.
    pub created_at: i64,
    /// The sender's own id for it, on the sender's copies only.
    pub client_id: Option<String>,
}

/// How a stranger chat ended, from the viewer's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The viewer pressed Next or Stop (or reported or blocked the stranger).
    YouLeft,
    /// The stranger pressed Next or Stop, reported or blocked the viewer.
    StrangerLeft,
    /// The viewer's page was gone too long (closed, or the connection was lost).
    YouDisconnected,
    /// The stranger's page was gone too long.
    StrangerDisconnected,
    /// Both agreed to stay in touch: the conversation goes on as a direct chat.
    StayedInTouch,
}

/// Why a stranger is reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportReason {
    Spam,
    Harassment,
    Sexual,
    Hate,
    Underage,
    Other,
}

impl ReportReason {
    pub const ALL: [ReportReason; 6] = [Self::Spam, Self::Harassment, Self::Sexual, Self::Hate, Self::Underage, Self::Other];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Spam => "spam",
            Self::Harassment => "harassment",
            Self::Sexual => "sexual",
            Self::Hate => "hate",
            Self::Underage => "underage",
            Self::Other => "other",
        }
    }

    /// What the report form calls it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Spam => "Spam or scam",
            Self::Harassment => "Harassment or bullying",
            Self::Sexual => "Unwanted sexual content",
            Self::Hate => "Hate speech",
            Self::Underage => "May be under 18",
            Self::Other => "Something else",
        }
    }
}

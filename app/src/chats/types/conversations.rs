//! Conversations: the chat list, an opened chat with its members and group details, invite links.
use serde::{Deserialize, Serialize};

use super::{MessageView, PersonView, Presence};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum ChatKind {
    Direct,
    Group,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Admin,
    Member,
}

/// A message as the chat list previews it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct LastMessage {
    pub id: String,
    pub seq: i64,
    /// Display name of the sender in groups ("You" is decided by the page); None in DMs and system.
    pub sender: Option<String>,
    pub sender_is_me: bool,
    pub excerpt: String,
    pub created_at: i64,
}

/// The viewer's side of a direct chat that is not yet a normal chat.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RequestState {
    /// A normal chat.
    None,
    /// Someone who isn't a contact wrote to the viewer, who has "contacts only": accept or decline.
    Incoming,
    /// The viewer wrote to someone with "contacts only"; waiting for them to accept.
    Outgoing,
    /// The viewer's request was declined; nothing more can be sent.
    Declined,
    /// Groups: someone who isn't the viewer's contact added them, and the viewer takes messages
    /// from contacts only, so they are invited instead: accept to join, or decline. Until then
    /// the viewer is not a member and sees nothing of the group but its name.
    Invited,
}

/// What adding someone to a group did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AddOutcome {
    /// They are a member now.
    Added,
    /// They take messages from contacts only and the adder is not their contact: they were
    /// invited, and become a member when they accept.
    Invited,
}

/// One row of the chat list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChatSummary {
    pub id: String,
    pub kind: ChatKind,
    /// The other person's display name, or the group's name.
    pub title: String,
    /// For DMs: the other person (for the avatar, online dot and profile link).
    pub peer: Option<PersonView>,
    pub peer_online: bool,
    pub last_message: Option<LastMessage>,
    pub unread: u32,
    pub muted: bool,
    pub request: RequestState,
    /// Last activity, for sorting (the last message's time, or when the chat was created).
    pub updated_at: i64,
    /// Group invitations (`request` is `invited`): who invited the viewer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invited_by: Option<PersonView>,
}

impl ChatSummary {
    /// Orders chats active in the same second (`updated_at` is in seconds): ids begin with
    /// their creation time in milliseconds, so the last message's id, or the chat's own when it
    /// has none, tells which was active later. The server sorts by the same key.
    pub fn activity_key(&self) -> &str {
        self.last_message.as_ref().map_or(self.id.as_str(), |m| m.id.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MemberView {
    pub person: PersonView,
    pub role: Role,
    pub joined_at: i64,
    pub online: bool,
    /// The highest sequence this member has read (groups show "seen by").
    pub read_seq: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct GroupInfo {
    /// Short public ID for joining public groups, grouped like user IDs.
    pub group_id: String,
    pub name: String,
    pub description: String,
    pub public: bool,
    pub member_count: u32,
    pub my_role: Role,
}

/// A conversation opened: its header, members and the newest page of messages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ChatDetail {
    pub id: String,
    pub kind: ChatKind,
    pub title: String,
    pub peer: Option<PersonView>,
    pub peer_presence: Option<Presence>,
    pub group: Option<GroupInfo>,
    pub members: Vec<MemberView>,
    /// Oldest first.
    pub messages: Vec<MessageView>,
    /// Pass as `before` to load the previous page; None at the start of history.
    pub next_before: Option<i64>,
    pub last_read_seq: i64,
    /// The highest sequence the other members have read (DM read receipts).
    pub peer_read_seq: i64,
    pub muted: bool,
    /// The viewer turned calls off in this chat: calls placed here do not ring them.
    #[serde(default)]
    pub calls_off: bool,
    pub request: RequestState,
    /// Server time (ms) just before this was read: a reconnecting socket asks for what changed
    /// since.
    pub loaded_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct InviteLinkView {
    pub token: String,
    /// Path that joins the group when opened: `/join/<token>`.
    pub path: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub max_uses: Option<u32>,
    pub uses: u32,
}

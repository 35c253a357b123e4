//! The conversations half of the store: chats, members, messages, reactions, contacts, blocks,
//! invite links and search. Methods take user and chat ids already checked by the service; the
//! store enforces what only a transaction can (gap-free sequences, idempotent sends, limits).
use std::sync::Arc;

use async_trait::async_trait;

use super::{
    StoreError,
    states::{ChatKind, ContactStatus, InvitationState, LastSeenVisibility, MemberState, Role, WhoCanMessage},
};

/// A member's own switches for a chat (`members` columns).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberFlag {
    Muted,
    CallsOff,
}

impl MemberFlag {
    pub fn column(self) -> &'static str {
        match self {
            MemberFlag::Muted => "muted",
            MemberFlag::CallsOff => "calls_off",
        }
    }
}

/// A person as others see them: what every view of a sender, member or peer needs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Brief {
    pub id: String,
    pub username: String,
    pub display_name: String,
}

/// Profile and privacy columns of a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileRow {
    pub person: Brief,
    pub bio: String,
    pub who_can_message: WhoCanMessage,
    pub last_seen_visibility: LastSeenVisibility,
    pub last_seen_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConvRow {
    pub id: String,
    pub kind: ChatKind,
    pub group_id: Option<String>,
    pub name: String,
    pub description: String,
    pub public: bool,
    pub created_by: String,
    pub created_at: i64,
    pub last_seq: i64,
    pub last_activity_at: i64,
}

/// A member row with its person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRow {
    pub person: Brief,
    pub role: Role,
    pub state: MemberState,
    pub joined_at: i64,
    pub last_read_seq: i64,
    pub last_delivered_seq: i64,
    pub muted: bool,
    /// Calls placed in this chat do not ring this member.
    pub calls_off: bool,
}

/// Who belongs to a chat and how: what deciding access and fan-out needs, without the
/// members' marks or profiles (so it can be kept in memory; see `membership_cache`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatAccess {
    pub id: String,
    pub kind: ChatKind,
    /// Every member row, whatever its state, oldest first.
    pub members: Vec<AccessMember>,
    /// Direct chats: which of the pair has blocked the other.
    pub blockers: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessMember {
    pub user_id: String,
    pub role: Role,
    pub state: MemberState,
}

impl ChatAccess {
    pub fn member(&self, user_id: &str) -> Option<&AccessMember> {
        self.members.iter().find(|m| m.user_id == user_id)
    }

    /// Ids of the members in any of `states`, oldest first.
    pub fn ids_in(&self, states: &[MemberState]) -> Vec<String> {
        self.members.iter().filter(|m| states.contains(&m.state)).map(|m| m.user_id.clone()).collect()
    }
}

/// The quoted message a reply points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplyRow {
    pub id: String,
    pub seq: i64,
    pub sender: Brief,
    pub body: String,
    pub deleted: bool,
    /// Its attachments' views as JSON (see `MessageRow::attachments`).
    pub attachments: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageRow {
    pub id: String,
    pub chat_id: String,
    pub seq: i64,
    pub sender: Option<Brief>,
    pub body: String,
    /// A `SystemEvent` as JSON.
    pub system: Option<String>,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub deleted: bool,
    pub reply_to: Option<ReplyRow>,
    pub client_id: Option<String>,
    /// The attachments' `AttachmentView`s as a JSON array; None when it has none (or was deleted).
    pub attachments: Option<String>,
}

/// One person's reaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReactionRow {
    pub message_id: String,
    pub emoji: String,
    pub user_id: String,
    pub display_name: String,
}

/// A message to store. The store assigns `seq`.
#[derive(Debug, Clone, Default)]
pub struct NewMessage {
    pub id: String,
    pub chat_id: String,
    pub sender_id: Option<String>,
    pub body: String,
    pub system: Option<String>,
    pub created_at: i64,
    pub reply_to: Option<String>,
    pub client_id: Option<String>,
    /// `MessageRow::attachments`, and the files' names (space-separated) for search.
    pub attachments: Option<String>,
    pub attachment_names: Option<String>,
}

/// One row of a chat list, from one viewer's side (`viewer`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SummaryRow {
    pub viewer: String,
    pub conv: ConvRow,
    pub my_state: MemberState,
    pub muted: bool,
    pub unread: i64,
    /// Direct chats: the other person, whether the viewer may see them online.
    pub peer: Option<Brief>,
    pub peer_presence_visible: bool,
    pub last: Option<MessageRow>,
}

/// How two people stand: blocks, contact row, their direct chat.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Relation {
    pub i_blocked: bool,
    pub they_blocked: bool,
    /// (inviter, state) of the pair's contact row.
    pub contact: Option<(String, ContactStatus)>,
    /// The pair's direct chat and the viewer's member state in it.
    pub direct: Option<(String, MemberState)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRow {
    pub person: Brief,
    pub inviter: String,
    /// `Pending` or `Accepted`, or `Blocked` for people the viewer blocked.
    pub state: ContactStatus,
    pub since: i64,
    pub last_seen_visibility: LastSeenVisibility,
    pub last_seen_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InviteRow {
    pub token: String,
    pub chat_id: String,
    pub created_at: i64,
    pub expires_at: Option<i64>,
    pub max_uses: Option<i64>,
    pub uses: i64,
    pub revoked_at: Option<i64>,
}

/// An invitation to a group, for someone who takes messages from contacts only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupInvitationRow {
    pub conv: ConvRow,
    pub inviter: Brief,
    pub state: InvitationState,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MessageHitRow {
    pub chat_id: String,
    pub chat_kind: ChatKind,
    pub chat_name: String,
    /// For direct chats: the other person's display name.
    pub peer_name: Option<String>,
    pub message_id: String,
    pub seq: i64,
    pub sender: Brief,
    pub snippet: String,
    pub created_at: i64,
}

/// A change to a group's membership or details, applied with its system message in one
/// transaction.
#[derive(Debug, Clone)]
pub enum Change {
    /// Adds or re-activates a member. `limit`: refuse when this many are already active.
    Join { user_id: String, role: Role, limit: u32 },
    /// Counts one use of an invite link; refused when it is revoked, expired or used up.
    UseInvite { token: String },
    SetState { user_id: String, state: MemberState },
    SetRole { user_id: String, role: Role },
    Edit { name: String, description: String, public: bool },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Applied {
    /// Done; the system message if one was given.
    Done(Option<Box<MessageRow>>),
    /// A `Join` found the group full.
    Full,
    /// A `UseInvite` found the link no longer usable.
    InviteUnusable,
}

/// What `send` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sent {
    New(MessageRow),
    /// The sender had already sent this client id: the stored message.
    Existing(MessageRow),
}

/// The statement a list reads rows from: one viewer's chats, or one chat as each member sees it.
#[derive(Debug, Clone)]
pub enum SummaryScope<'a> {
    /// `cursor`: (last_activity_at, activity key) of the last row of the previous page.
    Viewer { user_id: &'a str, cursor: Option<(i64, &'a str)>, limit: u32, only_chat: Option<&'a str> },
    /// Every active (or requesting) member's row of one chat.
    Members { chat_id: &'a str },
}

/// People's profiles and privacy, and how two people stand.
#[async_trait]
pub trait PeopleStore: Send + Sync {
    async fn brief(&self, user_id: &str) -> Result<Option<Brief>, StoreError>;
    async fn profile_row(&self, user_id: &str) -> Result<Option<ProfileRow>, StoreError>;
    async fn save_profile(&self, user_id: &str, display_name: &str, bio: &str, who_can_message: WhoCanMessage, last_seen: LastSeenVisibility)
    -> Result<(), StoreError>;
    async fn set_last_seen(&self, user_id: &str, at: i64) -> Result<(), StoreError>;
    async fn relation(&self, me: &str, other: &str) -> Result<Relation, StoreError>;
    /// Usernames starting with `prefix` (already lower-case, without wildcards).
    async fn people_by_prefix(&self, me: &str, prefix: &str, limit: u32) -> Result<Vec<Brief>, StoreError>;
    async fn user_by_phone_brief(&self, phone: &str) -> Result<Option<Brief>, StoreError>;
    /// Who may see `me` online: direct-chat peers and contacts (when `contacts_only`, contacts
    /// only), minus blocks either way.
    async fn presence_audience(&self, me: &str, contacts_only: bool) -> Result<Vec<String>, StoreError>;
}

/// Conversations, members, group changes and chat lists.
#[async_trait]
pub trait ChatStore: Send + Sync {
    async fn conv(&self, chat_id: &str) -> Result<Option<ConvRow>, StoreError>;
    async fn conv_by_group_id(&self, group_id: &str) -> Result<Option<ConvRow>, StoreError>;
    /// The conversation and `user_id`'s member row in it.
    async fn membership(&self, chat_id: &str, user_id: &str) -> Result<Option<(ConvRow, MemberRow)>, StoreError>;
    /// Who is in the chat and how (`None` if there is no such chat). Asked by every send, so a
    /// store answers it from memory: `membership_cache::CachedAccess` in front of its reads.
    async fn access(&self, chat_id: &str) -> Result<Option<Arc<ChatAccess>>, StoreError>;
    /// Members in any of `states`, oldest first.
    async fn members(&self, chat_id: &str, states: &[MemberState]) -> Result<Vec<MemberRow>, StoreError>;
    /// Creates the pair's direct chat, or returns the existing one's id (false).
    async fn create_direct(&self, id: &str, me: &str, my_state: MemberState, other: &str, other_state: MemberState, now: i64)
    -> Result<(String, bool), StoreError>;
    /// Creates a group with its owner and its first system message; false when `group_id` is taken.
    async fn create_group(&self, conv: &ConvRow, system: &NewMessage) -> Result<bool, StoreError>;
    async fn delete_conv(&self, chat_id: &str) -> Result<(), StoreError>;
    /// Applies group changes and appends the system message, all or nothing.
    async fn apply(&self, chat_id: &str, changes: &[Change], system: Option<&NewMessage>, now: i64) -> Result<Applied, StoreError>;
    /// Sets member states in a chat (message requests), all in one transaction.
    async fn set_states(&self, chat_id: &str, states: &[(&str, MemberState)]) -> Result<(), StoreError>;
    /// Turns one of a member's own switches for a chat on or off.
    async fn set_member_flag(&self, chat_id: &str, user_id: &str, flag: MemberFlag, on: bool) -> Result<(), StoreError>;
    /// Raises the read (and delivered) mark; returns the new read mark.
    async fn mark_read(&self, chat_id: &str, user_id: &str, seq: i64) -> Result<i64, StoreError>;
    /// Raises the delivered mark (at most to the chat's last message); returns it, or 0 when it
    /// did not rise.
    async fn mark_delivered(&self, chat_id: &str, user_id: &str, seq: i64) -> Result<i64, StoreError>;
    /// Members whose read or delivered mark rose after `since_ms` (milliseconds).
    async fn marks_since(&self, chat_id: &str, since_ms: i64) -> Result<Vec<MemberRow>, StoreError>;
    /// `(chat id, last sequence)` of each chat where `user_id` is a member in one of `states`.
    async fn last_seqs_of(&self, user_id: &str, states: &[MemberState]) -> Result<Vec<(String, i64)>, StoreError>;
    async fn summaries(&self, scope: SummaryScope<'_>) -> Result<Vec<SummaryRow>, StoreError>;
    /// The viewer's chats whose name (or DM peer's name) contains `text`.
    async fn chats_by_name(&self, me: &str, text: &str, limit: u32) -> Result<Vec<SummaryRow>, StoreError>;

}

/// Messages, reactions and full-text search.
#[async_trait]
pub trait MessageStore: Send + Sync {
    /// Stores a message with the next sequence, or finds the sender's earlier one with the same
    /// client id. The sender's read mark moves to the new message.
    async fn send(&self, message: &NewMessage) -> Result<Sent, StoreError>;
    /// Many messages for one chat in one transaction (seeding and imports); returns the last seq.
    async fn send_batch(&self, messages: &[NewMessage]) -> Result<i64, StoreError>;
    async fn message(&self, message_id: &str) -> Result<Option<MessageRow>, StoreError>;
    async fn message_by_client_id(&self, sender_id: &str, client_id: &str) -> Result<Option<MessageRow>, StoreError>;
    /// Messages with `seq` in `lo..=hi`, oldest first, at most `limit` from the `newest` end
    /// when `newest` is true, else from the oldest end.
    async fn page(&self, chat_id: &str, lo: i64, hi: i64, limit: u32, newest: bool) -> Result<Vec<MessageRow>, StoreError>;
    /// Messages up to `hi` edited, deleted or reacted to after `since_ms` (milliseconds): at most
    /// `limit`, the most recently changed, in sequence order.
    async fn changed_since(&self, chat_id: &str, since_ms: i64, hi: i64, limit: u32) -> Result<Vec<MessageRow>, StoreError>;
    async fn edit(&self, message_id: &str, body: &str, at: i64) -> Result<(), StoreError>;
    async fn tombstone(&self, message_id: &str) -> Result<(), StoreError>;
    /// Adds the reaction, or removes it if it was there; true when added.
    async fn toggle_reaction(&self, message_id: &str, user_id: &str, emoji: &str, now: i64) -> Result<bool, StoreError>;
    /// Reactions on messages `lo..=hi` of a chat, oldest first.
    async fn reactions(&self, chat_id: &str, lo: i64, hi: i64) -> Result<Vec<ReactionRow>, StoreError>;
    /// Full-text hits in the viewer's readable chats, newest first: messages holding every one
    /// of `words` (the last may be the start of a word still being typed); none for no words.
    async fn search_messages(&self, me: &str, words: &[String], limit: u32) -> Result<Vec<MessageHitRow>, StoreError>;
}

/// Contacts, blocks and group invite links.
#[async_trait]
pub trait ContactStore: Send + Sync {
    async fn contacts_of(&self, me: &str) -> Result<Vec<ContactRow>, StoreError>;
    /// Writes the pair's contact row (inviter, state, seen).
    async fn set_contact(&self, a: &str, b: &str, inviter: &str, state: ContactStatus, now: i64) -> Result<(), StoreError>;
    async fn delete_contact(&self, a: &str, b: &str) -> Result<(), StoreError>;
    async fn unseen_invitations(&self, me: &str) -> Result<u32, StoreError>;
    async fn mark_invitations_seen(&self, me: &str) -> Result<(), StoreError>;
    /// Blocks (ending any contact or invitation between them) or unblocks.
    async fn set_blocked(&self, me: &str, other: &str, blocked: bool, now: i64) -> Result<(), StoreError>;

    async fn insert_invite(&self, invite: &InviteRow, created_by: &str) -> Result<(), StoreError>;
    async fn invite(&self, token: &str) -> Result<Option<InviteRow>, StoreError>;
    async fn invites_of(&self, chat_id: &str) -> Result<Vec<InviteRow>, StoreError>;
    async fn revoke_invite(&self, chat_id: &str, token: &str, now: i64) -> Result<bool, StoreError>;
}

/// Invitations to groups (see migration 0008). A join by any door removes the person's row.
#[async_trait]
pub trait GroupInvitationStore: Send + Sync {
    /// `user_id`'s invitation to the group, pending or declined.
    async fn group_invitation(&self, chat_id: &str, user_id: &str) -> Result<Option<GroupInvitationRow>, StoreError>;
    /// A pending invitation; nothing changes when the person already has one there.
    async fn invite_to_group(&self, chat_id: &str, user_id: &str, inviter: &str, now: i64) -> Result<(), StoreError>;
    /// Marks a pending invitation declined; false when there was none.
    async fn decline_group_invitation(&self, chat_id: &str, user_id: &str) -> Result<bool, StoreError>;
    /// Deletes the group's pending invitations (all, or only those `inviter` sent); returns
    /// the invitees.
    async fn withdraw_group_invitations(&self, chat_id: &str, inviter: Option<&str>) -> Result<Vec<String>, StoreError>;
    /// `user_id`'s pending invitations, newest first, without those from people blocked either way.
    async fn group_invitations_of(&self, user_id: &str) -> Result<Vec<GroupInvitationRow>, StoreError>;
    /// In how many groups `inviter` has a pending invitation out to `user_id`.
    async fn pending_invitations_from(&self, inviter: &str, user_id: &str) -> Result<u32, StoreError>;
}

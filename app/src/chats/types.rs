//! What the web app, the REST API and the WebSocket show of conversations: plain serialisable
//! views, shared by the server and the wasm client. Times are Unix seconds (UTC); the browser
//! formats them in the viewer's time zone.
use serde::{Deserialize, Serialize};

/// The longest message body, in characters.
pub const MAX_MESSAGE_CHARS: usize = 4096;
/// Messages per history page.
pub const PAGE_SIZE: u32 = 50;

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

/// Who may start a direct chat with someone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum WhoCanMessage {
    #[default]
    Everyone,
    Contacts,
}

/// Who may see someone's online status and last seen time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum LastSeenVisibility {
    #[default]
    Everyone,
    Contacts,
    Nobody,
}

/// A person as others see them (no phone, no email).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PersonView {
    /// Short public ID, grouped: `7KQ4-M2XD`.
    pub user_id: String,
    pub username: String,
    pub display_name: String,
}

/// Online now, seen at a time, or hidden by the person's privacy setting.
/// JSON: `{"state": "online" | "last_seen" | "hidden"}`, with `at` for `last_seen`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Presence {
    Online,
    LastSeen { at: i64 },
    Hidden,
}

// `Presence` and `SystemEvent` are read as one flat object (the tag and every variant's fields
// as options), which accepts the JSON the derive writes; the internally tagged derive would
// buffer each value through serde's `Content`, one more copy of the reading code per type in
// the wasm. Only a key that belongs to another variant, with a value of the wrong type, is
// refused where the derive would ignore it.
impl<'de> Deserialize<'de> for Presence {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename_all = "snake_case")]
        enum State {
            Online,
            LastSeen,
            Hidden,
        }
        #[derive(Deserialize)]
        struct Flat {
            state: State,
            at: Option<i64>,
        }
        let Flat { state, at } = Flat::deserialize(deserializer)?;
        Ok(match state {
            State::Online => Self::Online,
            State::LastSeen => Self::LastSeen { at: at.ok_or_else(|| serde::de::Error::missing_field("at"))? },
            State::Hidden => Self::Hidden,
        })
    }
}

/// How the viewer and another person are connected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ContactState {
    None,
    /// The viewer invited them; waiting for an answer.
    InvitationSent,
    /// They invited the viewer.
    InvitationReceived,
    Contact,
    /// The viewer blocked them.
    Blocked,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ProfileView {
    pub person: PersonView,
    pub bio: String,
    pub presence: Presence,
    pub contact: ContactState,
    /// Whether the viewer may start (or continue) a direct chat with them.
    pub can_message: bool,
    /// The viewer's direct chat with them, if one exists.
    pub direct_chat: Option<String>,
    pub is_self: bool,
}

/// The viewer's own privacy and profile settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct MySettings {
    pub display_name: String,
    pub bio: String,
    pub who_can_message: WhoCanMessage,
    pub last_seen: LastSeenVisibility,
}

/// A contact or an invitation, for the Contacts page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ContactView {
    pub person: PersonView,
    pub state: ContactState,
    pub presence: Presence,
    pub since: i64,
}

/// System events in a group, shown centred in the conversation.
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
}

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
        }
        #[derive(Deserialize)]
        struct Flat {
            event: Event,
            who: Option<PersonView>,
            by: Option<PersonView>,
            name: Option<String>,
            role: Option<Role>,
        }
        fn need<T, E: serde::de::Error>(value: Option<T>, field: &'static str) -> Result<T, E> {
            value.ok_or_else(|| E::missing_field(field))
        }
        let Flat { event, who, by, name, role } = Flat::deserialize(deserializer)?;
        Ok(match event {
            Event::Created => Self::Created { by: need(by, "by")? },
            Event::Joined => Self::Joined { who: need(who, "who")? },
            Event::Left => Self::Left { who: need(who, "who")? },
            Event::Added => Self::Added { who: need(who, "who")?, by: need(by, "by")? },
            Event::Removed => Self::Removed { who: need(who, "who")?, by: need(by, "by")? },
            Event::Renamed => Self::Renamed { name: need(name, "name")?, by: need(by, "by")? },
            Event::RoleChanged => Self::RoleChanged { who: need(who, "who")?, role: need(role, "role")?, by: need(by, "by")? },
            Event::OwnerChanged => Self::OwnerChanged { who: need(who, "who")?, by: need(by, "by")? },
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
}

#[cfg(test)]
impl MessageView {
    /// A plain message from `sender` (user id, username and display name alike) for tests; they
    /// change the fields they care about with struct update syntax.
    pub(crate) fn sample(chat_id: &str, seq: i64, sender: &str, body: &str) -> Self {
        Self {
            id: format!("m{seq}"),
            chat_id: chat_id.into(),
            seq,
            sender: Some(PersonView { user_id: sender.into(), username: sender.into(), display_name: sender.into() }),
            body: body.into(),
            system: None,
            created_at: 0,
            edited_at: None,
            deleted: false,
            reply_to: None,
            reactions: vec![],
            client_id: None,
        }
    }
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
    pub request: RequestState,
    /// Server time (ms) just before this was read: a reconnecting socket asks for what changed
    /// since.
    pub loaded_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct HistoryPage {
    /// Oldest first.
    pub messages: Vec<MessageView>,
    pub next_before: Option<i64>,
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

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str) -> PersonView {
        PersonView { user_id: name.to_uppercase(), username: name.into(), display_name: name.into() }
    }

    #[test]
    fn presence_and_system_events_read_back_what_they_write() {
        for presence in [Presence::Online, Presence::LastSeen { at: 1_700_000_000 }, Presence::Hidden] {
            let text = serde_json::to_string(&presence).unwrap();
            assert_eq!(serde_json::from_str::<Presence>(&text).unwrap(), presence, "{text}");
        }
        let (ada, bo) = (person("ada"), person("bo"));
        for event in [
            SystemEvent::Created { by: ada.clone() },
            SystemEvent::Joined { who: ada.clone() },
            SystemEvent::Left { who: ada.clone() },
            SystemEvent::Added { who: ada.clone(), by: bo.clone() },
            SystemEvent::Removed { who: ada.clone(), by: bo.clone() },
            SystemEvent::Renamed { name: "Team".into(), by: bo.clone() },
            SystemEvent::RoleChanged { who: ada.clone(), role: Role::Admin, by: bo.clone() },
            SystemEvent::OwnerChanged { who: ada.clone(), by: bo.clone() },
        ] {
            let text = serde_json::to_string(&event).unwrap();
            assert_eq!(serde_json::from_str::<SystemEvent>(&text).unwrap(), event, "{text}");
        }
    }

    #[test]
    fn presence_and_system_events_read_like_internally_tagged_enums() {
        // The tag may come anywhere; unknown keys are ignored.
        let p: Presence = serde_json::from_str(r#"{"at":5,"x":[1],"state":"last_seen"}"#).unwrap();
        assert_eq!(p, Presence::LastSeen { at: 5 });
        assert_eq!(serde_json::from_str::<Presence>(r#"{"state":"hidden","at":null}"#).unwrap(), Presence::Hidden);
        let e: SystemEvent =
            serde_json::from_str(r#"{"name":"T","by":{"user_id":"B","username":"b","display_name":"b"},"event":"renamed"}"#).unwrap();
        assert_eq!(e, SystemEvent::Renamed { name: "T".into(), by: person("b") });
        for bad in [r#"{"state":"last_seen"}"#, r#"{"state":"away"}"#, r#"{"at":5}"#, r#"{"state":"last_seen","at":"5"}"#] {
            assert!(serde_json::from_str::<Presence>(bad).is_err(), "{bad}");
        }
        for bad in [r#"{"event":"created"}"#, r#"{"event":"renamed","by":{"user_id":"B","username":"b","display_name":"b"}}"#, r#"{"event":"gone"}"#] {
            assert!(serde_json::from_str::<SystemEvent>(bad).is_err(), "{bad}");
        }
    }
}

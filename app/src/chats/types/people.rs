//! People as others see them: profiles, presence, privacy settings and contacts.
use serde::{Deserialize, Serialize};

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

// `Presence` (like `SystemEvent`) is read as one flat object (the tag and every variant's fields
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

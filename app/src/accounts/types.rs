use serde::{Deserialize, Serialize};

/// A signed-in person as the app shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct UserView {
    /// The short public ID, grouped for reading: `7KQ4-M2XD`.
    pub user_id: String,
    pub username: String,
    pub display_name: String,
    /// E.164, shown only to its owner.
    pub phone: Option<String>,
    /// Verified email, shown only to its owner.
    pub email: Option<String>,
    /// Whether email + password login is set up.
    pub has_password: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    Sms,
    Email,
}

/// A one-time code is on its way; the person types it next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PendingCode {
    pub pending_id: String,
    pub channel: Channel,
    /// Where it went, partly hidden: `+44 •••• ••0123`.
    pub sent_to: String,
    /// Seconds until another code may be sent.
    pub resend_after_secs: u64,
    /// Set on a development server that only logs codes, saying where to look.
    pub dev_notice: Option<String>,
}

/// A signed-in browser or API client, for the Devices page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DeviceView {
    pub id: String,
    pub description: String,
    pub ip: Option<String>,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub current: bool,
}

/// One of the person's passkeys, for Settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PasskeyView {
    /// The credential id (base64url): what rename and remove name it by.
    pub id: String,
    pub name: String,
    /// Where it was made, as far as the browser said ("Chrome on Android").
    pub device: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

/// A passkey ceremony begun: `options` go to the browser's `navigator.credentials` (the
/// WebAuthn JSON form: `{"publicKey": {...}}`), and the answer comes back with `ceremony_id`
/// within five minutes, once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PasskeyCeremony {
    pub ceremony_id: String,
    #[cfg_attr(feature = "ssr", schema(value_type = Object))]
    pub options: serde_json::Value,
}

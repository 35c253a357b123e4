//! The accounts half of the store: users, one-time codes, refresh tokens, signed-in devices.
use async_trait::async_trait;

use super::StoreError;

/// How often a session's "last active" time is written: the Devices page shows it to the minute.
pub const SESSION_TOUCH_EVERY_SECS: i64 = 60;

#[derive(Debug, Clone, PartialEq)]
pub struct UserRow {
    pub id: String,
    pub username: String,
    pub display_name: String,
    pub phone: Option<String>,
    /// Lower-cased, and only once verified with a code.
    pub email: Option<String>,
    /// argon2id PHC string; never leaves the server.
    pub password_hash: Option<String>,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CodeRow {
    pub id: String,
    pub purpose: String,
    pub channel: String,
    pub destination: String,
    pub code_hash: String,
    pub payload: String,
    pub attempts: i64,
    pub created_at: i64,
    pub sent_at: i64,
    pub expires_at: i64,
    pub used_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RefreshRow {
    pub token_hash: String,
    pub family: String,
    pub user_id: String,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

/// A signed-in browser session or API token family, for the Devices page.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceRow {
    /// `s:<session id>` or `t:<token family>`.
    pub id: String,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub created_at: i64,
    pub last_seen_at: i64,
}

/// Which unique rule a new user broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    Id,
    Username,
    Phone,
    Email,
}

#[derive(Debug)]
pub enum InsertUser {
    Inserted,
    Taken(Taken),
}

/// The refresh token that replaces a spent one, in the same family and for the same user.
#[derive(Debug, Clone, PartialEq)]
pub struct NextRefresh {
    pub token_hash: String,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
}

#[derive(Debug, PartialEq)]
pub enum RefreshUse {
    /// The token was live and is now spent, and its successor stored; here is the successor's row.
    Spent(RefreshRow),
    /// The token had been spent already: its whole family is now revoked.
    Reused,
    /// Unknown, expired or revoked.
    Invalid,
}

#[async_trait]
pub trait AccountStore: Send + Sync {
    async fn user_insert(&self, user: &UserRow) -> Result<InsertUser, StoreError>;
    async fn user_by_id(&self, id: &str) -> Result<Option<UserRow>, StoreError>;
    async fn user_by_phone(&self, phone: &str) -> Result<Option<UserRow>, StoreError>;
    async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>, StoreError>;
    async fn username_exists(&self, username: &str) -> Result<bool, StoreError>;
    /// Sets a verified phone; `Err(Taken::Phone)` when another account has it.
    async fn user_set_phone(&self, user_id: &str, phone: &str) -> Result<Result<(), Taken>, StoreError>;
    /// Sets a verified email and its password; `Err(Taken::Email)` when another account has it.
    async fn user_set_email(&self, user_id: &str, email: &str, password_hash: &str)
    -> Result<Result<(), Taken>, StoreError>;
    async fn user_set_password(&self, user_id: &str, password_hash: &str) -> Result<(), StoreError>;

    async fn code_insert(&self, code: &CodeRow) -> Result<(), StoreError>;
    async fn code_get(&self, id: &str) -> Result<Option<CodeRow>, StoreError>;
    /// Takes one try of a live code (unused, under `MAX_TRIES` tries, unexpired at `now`) before
    /// it is compared, in one conditional write, so parallel guesses cannot share a try. Returns
    /// the tries taken so far, this one included; `None` when the code cannot be tried.
    async fn code_take_try(&self, id: &str, max_tries: i64, now: i64) -> Result<Option<i64>, StoreError>;
    /// Marks the code used; false when it already was (single use, even under a race).
    async fn code_use(&self, id: &str, now: i64) -> Result<bool, StoreError>;
    /// Replaces the code with a freshly sent one (tries start again).
    async fn code_replace(&self, id: &str, code_hash: &str, sent_at: i64, expires_at: i64) -> Result<(), StoreError>;

    async fn refresh_insert(&self, row: &RefreshRow) -> Result<(), StoreError>;
    /// Spends a live refresh token and stores `next` in its family, in one transaction that
    /// starts by claiming the token: of racing uses one wins, and the others, finding it spent,
    /// revoke the family, successor included.
    async fn refresh_rotate(&self, token_hash: &str, next: &NextRefresh, now: i64) -> Result<RefreshUse, StoreError>;
    /// Ends the token family a refresh token of this user belongs to; false when it is not theirs
    /// or that family has already ended.
    async fn refresh_revoke_family(&self, user_id: &str, token_hash: &str, now: i64) -> Result<bool, StoreError>;

    /// Browser sessions and live API token families of a user.
    async fn devices_of(&self, user_id: &str, now: i64) -> Result<Vec<DeviceRow>, StoreError>;
    /// Signs a device out; false when it is not one of the user's.
    async fn device_revoke(&self, user_id: &str, device_id: &str, now: i64) -> Result<bool, StoreError>;
    /// Whether a device (`s:<session id>` or `t:<token family>`) is still signed in.
    async fn device_active(&self, device_id: &str, now: i64) -> Result<bool, StoreError>;
    /// Ends every browser session and every token family of a user but the device `keep`
    /// (`s:<session id>` or `t:<token family>`).
    async fn sign_out_everywhere(&self, user_id: &str, keep: Option<&str>, now: i64) -> Result<(), StoreError>;
    /// Records that a session was used, at most once every `SESSION_TOUCH_EVERY_SECS` (for
    /// "last active").
    async fn session_touch(&self, session_id: &str, now: i64) -> Result<(), StoreError>;
}

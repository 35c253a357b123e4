//! The accounts service: sign-up and login with one-time codes or email + password, API tokens
//! and devices. The web app's server fns and the REST API both call it; it alone decides who
//! gets in.
pub mod codes;
pub mod delivery;
pub mod devices;
mod email;
pub mod passwords;
pub mod phone;
pub mod rate_limit;
pub mod tokens;

use std::sync::{Arc, OnceLock};

use rand::Rng;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use self::{
    codes::{CODE_TTL_SECS, RESEND_AFTER_SECS},
    delivery::{CodeMessage, Senders},
    rate_limit::RateLimiter,
};
use super::hub::{Hub, Payload, RECHECK_DEVICE};
use super::store::{
    Store, StoreError,
    accounts::{CodeRow, InsertUser, RefreshRow, RefreshUse, Taken, UserRow},
};
use crate::{
    accounts::{
        types::{Channel, DeviceView, PendingCode, UserView},
        validate,
    },
    error::AppError,
};

#[derive(Clone, Debug)]
pub struct AccountsConfig {
    pub secret: Vec<u8>,
    /// Region for numbers typed without a country code, e.g. "GB".
    pub default_region: String,
    /// Codes one client IP may ask for per hour.
    pub code_sends_per_ip_hour: usize,
    /// Codes one client IP may try per 10 minutes (right or wrong).
    pub code_checks_per_ip_10_min: usize,
}

/// Who is asking: recorded on sessions and tokens, and the key of per-IP limits.
#[derive(Clone, Debug, Default)]
pub struct Client {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, utoipa::ToSchema)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: String,
    pub expires_in: i64,
}

/// What a code completes once it is entered; kept (as JSON) beside the code's hash.
#[derive(Serialize, Deserialize)]
#[serde(tag = "purpose", rename_all = "snake_case")]
enum Pending {
    Register { username: String },
    Login { user_id: String },
    RegisterEmail { username: String, password_hash: String },
    ResetPassword { user_id: String },
    AddPhone { user_id: String },
    AddEmail { user_id: String, password_hash: String },
}

impl Pending {
    fn purpose(&self) -> &'static str {
        match self {
            Self::Register { .. } => "register",
            Self::Login { .. } => "login",
            Self::RegisterEmail { .. } => "register_email",
            Self::ResetPassword { .. } => "reset_password",
            Self::AddPhone { .. } => "add_phone",
            Self::AddEmail { .. } => "add_email",
        }
    }

    fn channel(&self) -> Channel {
        match self {
            Self::Register { .. } | Self::Login { .. } | Self::AddPhone { .. } => Channel::Sms,
            Self::RegisterEmail { .. } | Self::ResetPassword { .. } | Self::AddEmail { .. } => Channel::Email,
        }
    }
}

const CODE_SENDS_PER_DESTINATION_HOUR: usize = 5;
const REFRESHES_PER_IP_MIN: usize = 60;

pub struct AccountsService {
    store: Arc<dyn Store>,
    senders: Senders,
    config: AccountsConfig,
    limits: RateLimiter,
    hub: OnceLock<Arc<dyn Hub>>,
    touched: devices::TouchThrottle,
}

fn now() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Store failures are logged here, once; the client only learns that something went wrong.
fn internal(e: StoreError) -> AppError {
    tracing::error!(error = %e, "accounts store failed");
    AppError::Internal
}

/// The message for a unique rule that a write broke.
fn taken(which: Taken) -> AppError {
    match which {
        Taken::Username => AppError::conflict("username", "That username is taken — try another"),
        Taken::Phone => AppError::conflict("phone", "An account already uses this phone number — log in instead"),
        Taken::Email => AppError::conflict("email", "An account already uses this email — log in instead"),
        Taken::Id => AppError::Internal,
    }
}

fn random_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill(&mut bytes);
    hex::encode(bytes)
}

pub fn user_view(u: &UserRow) -> UserView {
    UserView {
        user_id: validate::display_user_id(&u.id),
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        phone: u.phone.clone(),
        email: u.email.clone(),
        has_password: u.password_hash.is_some(),
    }
}

fn code_error(code: &str, message: &str) -> AppError {
    AppError::invalid_with_code(code, "code", message)
}

impl AccountsService {
    pub fn new(store: Arc<dyn Store>, senders: Senders, config: AccountsConfig) -> Self {
        Self { store, senders, config, limits: RateLimiter::default(), hub: OnceLock::new(), touched: Default::default() }
    }

    fn limit(&self, key: String, limit: usize, window: i64) -> Result<(), AppError> {
        self.limits.hit(&key, limit, window, now()).map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })
    }

    fn limit_code_send(&self, destination: &str, client: &Client) -> Result<(), AppError> {
        if let Some(ip) = &client.ip {
            self.limit(format!("send-ip:{ip}"), self.config.code_sends_per_ip_hour, 3600)?;
        }
        self.limit(format!("send-to:{destination}"), CODE_SENDS_PER_DESTINATION_HOUR, 3600)
    }

    /// Anyone may start a sign-up: sends a code to `phone` if the username and phone are free.
    pub async fn start_register(&self, username: &str, phone: &str, client: &Client) -> Result<PendingCode, AppError> {
        let username = validate::username(username)?;
        let phone = phone::parse_phone(phone, &self.config.default_region)?;
        // Early answers for a better form; the unique indexes still decide at creation.
        if self.store.username_exists(&username).await.map_err(internal)? {
            return Err(taken(Taken::Username));
        }
        if self.store.user_by_phone(&phone).await.map_err(internal)?.is_some() {
            return Err(taken(Taken::Phone));
        }
        self.limit_code_send(&phone, client)?;
        self.send_new_code(Pending::Register { username }, &phone).await
    }

    /// Sends a login code to the account's phone. With a user ID, the phone must be that user's.
    pub async fn start_login(&self, user_id: Option<&str>, phone: &str, client: &Client) -> Result<PendingCode, AppError> {
        let user_id = user_id.map(str::trim).filter(|s| !s.is_empty()).map(validate::user_id).transpose()?;
        let phone = phone::parse_phone(phone, &self.config.default_region)?;
        let user = self.store.user_by_phone(&phone).await.map_err(internal)?;
        let user = match (user, user_id) {
            (Some(u), Some(id)) if u.id != id => {
                return Err(AppError::invalid("user_id", "That user ID and phone number don’t belong to the same account"));
            }
            (Some(u), _) => u,
            (None, _) => return Err(AppError::invalid("phone", "No account uses this phone number — sign up first")),
        };
        self.limit_code_send(&phone, client)?;
        self.send_new_code(Pending::Login { user_id: user.id }, &phone).await
    }

    /// Stores a new code for `pending` and sends it to `destination` (a phone or an email, by
    /// the purpose's channel). Callers check the send limits first.
    async fn send_new_code(&self, pending: Pending, destination: &str) -> Result<PendingCode, AppError> {
        let (id, code, at) = (random_id(), codes::new_code(), now());
        let row = CodeRow {
            code_hash: codes::hash_code(&self.config.secret, &id, &code),
            id,
            purpose: pending.purpose().into(),
            channel: match pending.channel() {
                Channel::Sms => "sms",
                Channel::Email => "email",
            }
            .into(),
            destination: destination.to_owned(),
            payload: serde_json::to_string(&pending).map_err(|_| AppError::Internal)?,
            attempts: 0,
            created_at: at,
            sent_at: at,
            expires_at: at + CODE_TTL_SECS,
            used_at: None,
        };
        self.store.code_insert(&row).await.map_err(internal)?;
        self.deliver(&row, code).await
    }

    async fn deliver(&self, row: &CodeRow, code: String) -> Result<PendingCode, AppError> {
        let channel = if row.channel == "email" { Channel::Email } else { Channel::Sms };
        let sender = self.senders.for_channel(channel);
        let message = CodeMessage { to: row.destination.clone(), channel, purpose: row.purpose.clone(), code };
        sender.send(&message).await.map_err(|e| {
            tracing::error!(error = %e, channel = ?channel, "sending a one-time code failed");
            AppError::Internal
        })?;
        Ok(PendingCode {
            pending_id: row.id.clone(),
            channel,
            sent_to: match channel {
                Channel::Sms => phone::mask_phone(&row.destination),
                Channel::Email => email::mask_email(&row.destination),
            },
            resend_after_secs: RESEND_AFTER_SECS as u64,
            dev_notice: sender.dev_notice(),
        })
    }

    /// Sends a fresh code for a pending sign-up or login, at most once a minute.
    pub async fn resend(&self, pending_id: &str, client: &Client) -> Result<PendingCode, AppError> {
        let (row, _) = self.live_code(pending_id).await?;
        let wait = row.sent_at + RESEND_AFTER_SECS - now();
        if wait > 0 {
            return Err(AppError::RateLimited { retry_after_secs: wait as u64 });
        }
        self.limit_code_send(&row.destination, client)?;
        let (code, at) = (codes::new_code(), now());
        let hash = codes::hash_code(&self.config.secret, &row.id, &code);
        self.store.code_replace(&row.id, &hash, at, at + CODE_TTL_SECS).await.map_err(internal)?;
        self.deliver(&CodeRow { sent_at: at, ..row }, code).await
    }

    async fn live_code(&self, pending_id: &str) -> Result<(CodeRow, Pending), AppError> {
        let gone = || code_error("code_unknown", "That code has expired — start again");
        if pending_id.len() > 64 {
            return Err(gone());
        }
        let row = self.store.code_get(pending_id).await.map_err(internal)?.ok_or_else(gone)?;
        if row.used_at.is_some() {
            return Err(code_error("code_used", "That code was already used — send a new one"));
        }
        let pending = serde_json::from_str::<Pending>(&row.payload).map_err(|e| {
            tracing::error!(error = %e, "a stored code's payload is unreadable");
            AppError::Internal
        })?;
        Ok((row, pending))
    }

    /// Checks a code and uses it up: at most `MAX_TRIES` wrong tries, within its lifetime, once.
    /// `allow` sees what the code is for before anything is spent, and may refuse it.
    async fn redeem(
        &self,
        pending_id: &str,
        code: &str,
        client: &Client,
        allow: impl FnOnce(&Pending) -> Result<(), AppError>,
    ) -> Result<(CodeRow, Pending), AppError> {
        if let Some(ip) = &client.ip {
            self.limit(format!("verify-ip:{ip}"), self.config.code_checks_per_ip_10_min, 600)?;
        }
        let code = validate::code(code)?;
        let (row, pending) = self.live_code(pending_id).await?;
        allow(&pending)?;
        match codes::usable(row.attempts, row.expires_at, row.used_at.is_some(), now()) {
            Ok(()) => {}
            Err(codes::Spent::Used) => return Err(code_error("code_used", "That code was already used — send a new one")),
            Err(codes::Spent::Void) => return Err(code_error("code_void", "Too many wrong tries — send a new code")),
            Err(codes::Spent::Expired) => return Err(code_error("code_expired", "That code has expired — send a new one")),
        }
        if !codes::code_matches(&self.config.secret, &row.id, &code, &row.code_hash) {
            let wrong = self.store.code_record_failure(&row.id).await.map_err(internal)?;
            return Err(match codes::tries_left(wrong) {
                0 => code_error("code_void", "Too many wrong tries — send a new code"),
                1 => code_error("code_invalid", "That code isn’t right — 1 try left"),
                left => code_error("code_invalid", &format!("That code isn’t right — {left} tries left")),
            });
        }
        if !self.store.code_use(&row.id, now()).await.map_err(internal)? {
            return Err(code_error("code_used", "That code was already used — send a new one"));
        }
        Ok((row, pending))
    }

    /// Checks a code and completes what it was sent for: creates the account (sign-up), names
    /// the account (login), or adds a phone or email to `caller`'s account, which must be the
    /// one that asked for the code. The caller then signs the person in.
    pub async fn verify(&self, pending_id: &str, code: &str, caller: Option<&str>, client: &Client) -> Result<UserRow, AppError> {
        let (row, pending) = self
            .redeem(pending_id, code, client, |pending| match pending {
                Pending::ResetPassword { .. } => Err(code_error("code_unknown", "That code is for a new password — set one first")),
                Pending::AddPhone { user_id } | Pending::AddEmail { user_id, .. } if caller != Some(user_id.as_str()) => {
                    Err(AppError::Forbidden)
                }
                _ => Ok(()),
            })
            .await?;
        match pending {
            Pending::Register { username } => self.create_user(&username, Some(&row.destination), None).await,
            Pending::RegisterEmail { username, password_hash } => {
                self.create_user(&username, None, Some((&row.destination, &password_hash))).await
            }
            Pending::Login { user_id } => self.user(&user_id).await,
            Pending::AddPhone { user_id } => {
                self.store.user_set_phone(&user_id, &row.destination).await.map_err(internal)?.map_err(taken)?;
                self.user(&user_id).await
            }
            Pending::AddEmail { user_id, password_hash } => {
                self.store.user_set_email(&user_id, &row.destination, &password_hash).await.map_err(internal)?.map_err(taken)?;
                self.user(&user_id).await
            }
            Pending::ResetPassword { .. } => Err(AppError::Internal),
        }
    }

    async fn create_user(&self, username: &str, phone: Option<&str>, email: Option<(&str, &str)>) -> Result<UserRow, AppError> {
        loop {
            let user = UserRow {
                id: validate::user_id_from_bits(rand::rng().random::<u64>() & 0xFF_FFFF_FFFF),
                username: username.to_owned(),
                display_name: username.to_owned(),
                phone: phone.map(str::to_owned),
                email: email.map(|(e, _)| e.to_owned()),
                password_hash: email.map(|(_, h)| h.to_owned()),
                created_at: now(),
            };
            match self.store.user_insert(&user).await.map_err(internal)? {
                InsertUser::Inserted => {
                    tracing::info!(user_id = %user.id, "account created");
                    return Ok(user);
                }
                // 2^40 IDs: a collision is rare; draw another.
                InsertUser::Taken(Taken::Id) => continue,
                InsertUser::Taken(Taken::Username) => {
                    return Err(AppError::conflict("username", "That username was just taken — try another"));
                }
                InsertUser::Taken(other) => return Err(taken(other)),
            }
        }
    }

    pub async fn user(&self, user_id: &str) -> Result<UserRow, AppError> {
        self.store.user_by_id(user_id).await.map_err(internal)?.ok_or(AppError::Unauthenticated)
    }

    /// Starts a token family for an API client that just proved who it is.
    pub async fn issue_tokens(&self, user_id: &str, client: &Client) -> Result<TokenPair, AppError> {
        self.tokens_in_family(user_id, &random_id(), client).await
    }

    async fn tokens_in_family(&self, user_id: &str, family: &str, client: &Client) -> Result<TokenPair, AppError> {
        let at = now();
        let refresh_token = tokens::new_refresh_token();
        let row = RefreshRow {
            token_hash: tokens::hash_refresh_token(&refresh_token),
            family: family.to_owned(),
            user_id: user_id.to_owned(),
            user_agent: client.user_agent.clone(),
            ip: client.ip.clone(),
            created_at: at,
            expires_at: at + tokens::REFRESH_TTL_SECS,
        };
        self.store.refresh_insert(&row).await.map_err(internal)?;
        let access_token = tokens::access_token_for_device(&self.config.secret, user_id, family, at).map_err(|e| {
            tracing::error!(error = %e, "signing an access token failed");
            AppError::Internal
        })?;
        Ok(TokenPair { access_token, refresh_token, token_type: "Bearer".into(), expires_in: tokens::ACCESS_TTL_SECS })
    }

    /// Trades a refresh token for a new pair. Each works once; a reused one ends its family.
    pub async fn refresh(&self, refresh_token: &str, client: &Client) -> Result<TokenPair, AppError> {
        if let Some(ip) = &client.ip {
            self.limit(format!("refresh-ip:{ip}"), REFRESHES_PER_IP_MIN, 60)?;
        }
        let hash = tokens::hash_refresh_token(refresh_token.trim());
        match self.store.refresh_use(&hash, now()).await.map_err(internal)? {
            RefreshUse::Spent(row) => self.tokens_in_family(&row.user_id, &row.family, client).await,
            RefreshUse::Reused => {
                tracing::warn!("a spent refresh token was presented again; its family is revoked");
                Err(AppError::Unauthenticated)
            }
            RefreshUse::Invalid => Err(AppError::Unauthenticated),
        }
    }

    /// Signs an API client out: its refresh token (and every one rotated from the same login)
    /// stops working. Access tokens already issued expire on their own within minutes.
    pub async fn sign_out_token(&self, user_id: &str, refresh_token: &str) -> Result<(), AppError> {
        let hash = tokens::hash_refresh_token(refresh_token.trim());
        if self.store.refresh_revoke_family(user_id, &hash, now()).await.map_err(internal)? {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }

    /// The user an access token names, if it is valid.
    pub fn bearer_user(&self, token: &str) -> Option<String> {
        tokens::verify_access(&self.config.secret, token)
    }

    /// Everything a valid access token says (user, device, expiry).
    pub fn bearer_claims(&self, token: &str) -> Option<tokens::AccessClaims> {
        tokens::access_claims(&self.config.secret, token)
    }

    /// The caller's signed-in browsers and API clients; `current_session` marks this one.
    pub async fn devices(&self, user_id: &str, current_session: Option<&str>) -> Result<Vec<DeviceView>, AppError> {
        let rows = self.store.devices_of(user_id, now()).await.map_err(internal)?;
        Ok(rows
            .into_iter()
            .map(|d| DeviceView {
                current: current_session.is_some_and(|s| d.id == format!("s:{s}")),
                description: if d.id.starts_with("t:") {
                    format!("API client · {}", devices::describe(d.user_agent.as_deref()))
                } else {
                    devices::describe(d.user_agent.as_deref())
                },
                id: devices::public_id(&d.id),
                ip: d.ip,
                created_at: d.created_at,
                last_seen_at: d.last_seen_at,
            })
            .collect())
    }

    /// Notes that a signed-in browser session was just used, for the Devices page. Failure only
    /// costs a stale "last active", so it is logged, not returned.
    pub async fn touch_session(&self, session_id: &str) {
        let now = now();
        if !self.touched.due(session_id, now) {
            return;
        }
        if let Err(e) = self.store.session_touch(session_id, now).await {
            tracing::warn!(error = %e, "recording a session's last use failed");
        }
    }

    /// Signs one of the caller's own devices out (other people's are "not found"), by the id
    /// the device list shows. Its open socket is told to check again at once.
    pub async fn revoke_device(&self, user_id: &str, device_id: &str) -> Result<(), AppError> {
        let rows = self.store.devices_of(user_id, now()).await.map_err(internal)?;
        let Some(stored) = rows.into_iter().map(|d| d.id).find(|id| devices::public_id(id) == device_id) else {
            return Err(AppError::NotFound);
        };
        if !self.store.device_revoke(user_id, &stored, now()).await.map_err(internal)? {
            return Err(AppError::NotFound);
        }
        self.devices_signed_out(user_id);
        Ok(())
    }

    /// Whether a device (`s:<session id>` or `t:<token family>`) is still signed in.
    pub async fn device_active(&self, device: &str) -> Result<bool, AppError> {
        self.store.device_active(device, now()).await.map_err(internal)
    }

    /// Some of the user's devices were signed out: their open sockets check their own standing
    /// now rather than at their next periodic check.
    pub fn devices_signed_out(&self, user_id: &str) {
        if let Some(hub) = self.hub.get() {
            hub.publish(&[user_id], Payload::text(RECHECK_DEVICE));
        }
    }

    /// Wires the hub in (the services are built before it exists).
    pub fn use_hub(&self, hub: Arc<dyn Hub>) {
        let _ = self.hub.set(hub);
    }
}

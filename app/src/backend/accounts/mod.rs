//! The accounts service: sign-up and login with one-time codes or email + password, API tokens
//! and devices. The web app's server fns and the REST API both call it; it alone decides who
//! gets in.
mod api_tokens;
pub mod codes;
pub mod delivery;
pub mod devices;
mod email;
pub mod passwords;
mod pending_codes;
pub mod phone;
pub mod rate_limit;
pub mod tokens;

use std::sync::Arc;

use rand::Rng;
use serde::{Deserialize, Serialize};

use self::{delivery::Senders, pending_codes::Pending, rate_limit::RateLimiter};
use super::clock::{Clock, SystemClock};
use super::hub::{Hub, HubEvent};
use super::store::{
    Store, StoreError,
    accounts::{InsertUser, Taken, UserRow},
};
use crate::{
    accounts::{
        types::{DeviceView, PendingCode, UserView},
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

const CODE_SENDS_PER_DESTINATION_HOUR: usize = 5;
const REFRESHES_PER_IP_MIN: usize = 60;

pub struct AccountsService {
    store: Arc<dyn Store>,
    senders: Senders,
    config: AccountsConfig,
    limits: RateLimiter,
    hashing: passwords::HashingGate,
    hub: Hub,
    touched: devices::TouchThrottle,
    clock: Arc<dyn Clock>,
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
    pub fn new(store: Arc<dyn Store>, hub: Hub, senders: Senders, config: AccountsConfig) -> Self {
        Self {
            store,
            senders,
            config,
            limits: RateLimiter::default(),
            hashing: passwords::HashingGate::sized_to_cores(),
            hub,
            touched: Default::default(),
            clock: Arc::new(SystemClock),
        }
    }

    /// The same service on another clock (tests move time by hand).
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        Self { clock, ..self }
    }

    fn limit(&self, key: String, limit: usize, window: i64) -> Result<(), AppError> {
        self.limits.hit(&key, limit, window, self.clock.now()).map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })
    }

    /// Counts a client's hit against a per-address limit (IPv6 by its /64).
    fn limit_address(&self, what: &str, client: &Client, limit: usize, window: i64) -> Result<(), AppError> {
        match &client.ip {
            Some(ip) => self.limit(format!("{what}-ip:{}", rate_limit::address_key(ip)), limit, window),
            None => Ok(()),
        }
    }

    /// Counts a code send (or a lookup that could reveal an account) against the client's and
    /// the destination's hourly limits. Called before the lookup, so probing costs as much as
    /// sending.
    fn limit_code_send(&self, destination: &str, client: &Client) -> Result<(), AppError> {
        self.limit_address("send", client, self.config.code_sends_per_ip_hour, 3600)?;
        self.limit(format!("send-to:{destination}"), CODE_SENDS_PER_DESTINATION_HOUR, 3600)
    }

    /// Anyone may start a sign-up: sends a code to `phone` if the username and phone are free.
    /// "Taken" must be said here, so asking counts as a send: a few per address per hour.
    pub async fn start_register(&self, username: &str, phone: &str, client: &Client) -> Result<PendingCode, AppError> {
        let username = validate::username(username)?;
        let phone = phone::parse_phone(phone, &self.config.default_region)?;
        // Early answers for a better form; the unique indexes still decide at creation.
        // Usernames are public (people search finds them), so this one costs no send.
        if self.store.username_exists(&username).await.map_err(internal)? {
            return Err(taken(Taken::Username));
        }
        self.limit_code_send(&phone, client)?;
        if self.store.user_by_phone(&phone).await.map_err(internal)?.is_some() {
            return Err(taken(Taken::Phone));
        }
        self.send_new_code(Pending::Register { username }, &phone).await
    }

    /// Sends a login code to the account's phone; with a user ID, only if the phone is that
    /// user's. The answer is the same when there is no such account (nothing is sent then), so
    /// it never tells which numbers have accounts.
    pub async fn start_login(&self, user_id: Option<&str>, phone: &str, client: &Client) -> Result<PendingCode, AppError> {
        let wanted = user_id.map(str::trim).filter(|s| !s.is_empty()).map(validate::user_id).transpose()?;
        let phone = phone::parse_phone(phone, &self.config.default_region)?;
        self.limit_code_send(&phone, client)?;
        let user = self.store.user_by_phone(&phone).await.map_err(internal)?;
        let user_id = user.map(|u| u.id).filter(|id| wanted.as_ref().is_none_or(|w| w == id));
        self.send_new_code(Pending::Login { user_id }, &phone).await
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
            Pending::Login { user_id: Some(user_id) } => self.user(&user_id).await,
            Pending::AddPhone { user_id } => {
                self.store.user_set_phone(&user_id, &row.destination).await.map_err(internal)?.map_err(taken)?;
                self.user(&user_id).await
            }
            Pending::AddEmail { user_id, password_hash } => {
                self.store.user_set_email(&user_id, &row.destination, &password_hash).await.map_err(internal)?.map_err(taken)?;
                self.user(&user_id).await
            }
            // A decoy never matches a code, and a reset code is refused above.
            Pending::Login { user_id: None } | Pending::ResetPassword { .. } => Err(AppError::Internal),
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
                created_at: self.clock.now(),
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

    /// The caller's signed-in browsers and API clients; `current_session` marks this one.
    pub async fn devices(&self, user_id: &str, current_session: Option<&str>) -> Result<Vec<DeviceView>, AppError> {
        let rows = self.store.devices_of(user_id, self.clock.now()).await.map_err(internal)?;
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
        let now = self.clock.now();
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
        let rows = self.store.devices_of(user_id, self.clock.now()).await.map_err(internal)?;
        let Some(stored) = rows.into_iter().map(|d| d.id).find(|id| devices::public_id(id) == device_id) else {
            return Err(AppError::NotFound);
        };
        if !self.store.device_revoke(user_id, &stored, self.clock.now()).await.map_err(internal)? {
            return Err(AppError::NotFound);
        }
        self.devices_signed_out(user_id);
        Ok(())
    }

    /// Whether a device (`s:<session id>` or `t:<token family>`) is still signed in.
    pub async fn device_active(&self, device: &str) -> Result<bool, AppError> {
        self.store.device_active(device, self.clock.now()).await.map_err(internal)
    }

    /// Some of the user's devices were signed out: their open sockets check their own standing
    /// now rather than at their next periodic check.
    pub fn devices_signed_out(&self, user_id: &str) {
        self.hub.publish(&[user_id], HubEvent::RecheckDevice);
    }
}

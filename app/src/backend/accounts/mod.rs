//! The accounts service: sign-up and login with one-time codes or email + password, API tokens
//! and devices. The web app's server fns and the REST API both call it; it alone decides who
//! gets in.
//!
//! One `impl AccountsService` per concern: `phone_login` (sign-up and login by phone code),
//! `email` (email and password), `pending_codes` (codes on their way), `api_tokens`, `devices`,
//! `passkeys`, `confirm` (it is still you, before a sensitive change).
//! This file holds the service itself, its settings and the helpers they share.
mod api_tokens;
pub mod codes;
mod confirm;
pub mod delivery;
pub mod devices;
mod email;
pub mod passkeys;
pub mod passwords;
mod pending_codes;
pub mod phone;
mod phone_login;
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
    accounts::{Taken, UserRow},
};
use crate::{
    accounts::{
        types::UserView,
        validate,
    },
    error::AppError,
    ids::UserId,
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
    /// `None` when passkeys are off (the site's URL cannot be a relying party).
    passkeys: Option<passkeys::RelyingParty>,
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
            passkeys: None,
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

    /// The account of a signed-in user; `Unauthenticated` when it is gone.
    pub async fn user(&self, user_id: &UserId) -> Result<UserRow, AppError> {
        self.user_row(user_id.as_str()).await
    }

    async fn user_row(&self, user_id: &str) -> Result<UserRow, AppError> {
        self.store.user_by_id(user_id).await.map_err(internal)?.ok_or(AppError::Unauthenticated)
    }

    /// Some of the user's devices were signed out: their open sockets check their own standing
    /// now rather than at their next periodic check.
    pub fn devices_signed_out(&self, user_id: &UserId) {
        self.recheck_devices(user_id.as_str());
    }

    fn recheck_devices(&self, user_id: &str) {
        self.hub.publish(&[user_id], HubEvent::RecheckDevice);
    }
}

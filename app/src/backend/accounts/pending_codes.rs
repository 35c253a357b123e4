//! Codes on their way: what each one completes, storing and sending it (a decoy is stored but
//! never sent), resending, and redeeming it one try at a time.
use serde::{Deserialize, Serialize};

use super::{
    AccountsService, Client, code_error,
    codes::{self, CODE_TTL_SECS, RESEND_AFTER_SECS},
    delivery::CodeMessage,
    email, internal, phone, random_id,
};
use crate::{
    accounts::{
        types::{Channel, PendingCode},
        validate,
    },
    error::AppError,
    backend::store::accounts::CodeRow,
};

/// What a code completes once it is entered; kept (as JSON) beside the code's hash.
#[derive(Serialize, Deserialize)]
#[serde(tag = "purpose", rename_all = "snake_case")]
pub(super) enum Pending {
    Register { username: String },
    /// `None` when no account uses the phone (or not the one with the user ID typed): the
    /// answers look the same, but nothing is sent and no code can match.
    Login { user_id: Option<String> },
    RegisterEmail { username: String, password_hash: String },
    /// `None` when no account uses the email, as for `Login`.
    ResetPassword { user_id: Option<String> },
    AddPhone { user_id: String },
    AddEmail { user_id: String, password_hash: String },
    /// The signed-in user confirms it is them before a sensitive change; the code goes to their
    /// phone, or to their email when they have no phone.
    Confirm { user_id: String, by_email: bool },
}

impl Pending {
    pub(super) fn purpose(&self) -> &'static str {
        match self {
            Self::Register { .. } => "register",
            Self::Login { .. } => "login",
            Self::RegisterEmail { .. } => "register_email",
            Self::ResetPassword { .. } => "reset_password",
            Self::AddPhone { .. } => "add_phone",
            Self::AddEmail { .. } => "add_email",
            Self::Confirm { .. } => "confirm",
        }
    }

    /// Stands in for an account that does not exist, so the answer does not say so.
    pub(super) fn is_decoy(&self) -> bool {
        matches!(self, Self::Login { user_id: None } | Self::ResetPassword { user_id: None })
    }

    pub(super) fn channel(&self) -> Channel {
        match self {
            Self::Register { .. } | Self::Login { .. } | Self::AddPhone { .. } => Channel::Sms,
            Self::RegisterEmail { .. } | Self::ResetPassword { .. } | Self::AddEmail { .. } => Channel::Email,
            Self::Confirm { by_email, .. } => if *by_email { Channel::Email } else { Channel::Sms },
        }
    }
}

impl AccountsService {
    /// Stores a new code for `pending` and sends it to `destination` (a phone or an email, by
    /// the purpose's channel); a decoy's code is stored but never sent. Callers check the send
    /// limits first.
    pub(super) async fn send_new_code(&self, pending: Pending, destination: &str) -> Result<PendingCode, AppError> {
        let (id, code, at) = (random_id(), codes::new_code(), self.clock.now());
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
        self.deliver(&row, code, pending.is_decoy()).await
    }

    /// Sends `code` to the row's destination, unless the row is a decoy, and answers the same
    /// either way.
    async fn deliver(&self, row: &CodeRow, code: String, decoy: bool) -> Result<PendingCode, AppError> {
        let channel = if row.channel == "email" { Channel::Email } else { Channel::Sms };
        let sender = self.senders.for_channel(channel);
        if !decoy {
            let message = CodeMessage { to: row.destination.clone(), channel, purpose: row.purpose.clone(), code };
            sender.send(&message).await.map_err(|e| {
                tracing::error!(error = %e, channel = ?channel, "sending a one-time code failed");
                AppError::Internal
            })?;
        }
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
        let (row, pending) = self.live_code(pending_id).await?;
        let wait = row.sent_at + RESEND_AFTER_SECS - self.clock.now();
        if wait > 0 {
            return Err(AppError::RateLimited { retry_after_secs: wait as u64 });
        }
        self.limit_code_send(&row.destination, client)?;
        let (code, at) = (codes::new_code(), self.clock.now());
        let hash = codes::hash_code(&self.config.secret, &row.id, &code);
        self.store.code_replace(&row.id, &hash, at, at + CODE_TTL_SECS).await.map_err(internal)?;
        self.deliver(&CodeRow { sent_at: at, ..row }, code, pending.is_decoy()).await
    }

    pub(super) async fn live_code(&self, pending_id: &str) -> Result<(CodeRow, Pending), AppError> {
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

    /// Checks a code and uses it up: at most `MAX_TRIES` tries, within its lifetime, once. Each
    /// try is taken from the stored code before the comparison, so parallel guesses cannot
    /// share one. `allow` sees what the code is for before anything is spent, and may refuse it.
    pub(super) async fn redeem(
        &self,
        pending_id: &str,
        code: &str,
        client: &Client,
        allow: impl FnOnce(&Pending) -> Result<(), AppError>,
    ) -> Result<(CodeRow, Pending), AppError> {
        self.limit_address("verify", client, self.config.code_checks_per_ip_10_min, 600)?;
        let code = validate::code(code)?;
        let (row, pending) = self.live_code(pending_id).await?;
        allow(&pending)?;
        let Some(tries) = self.store.code_take_try(&row.id, codes::MAX_TRIES, self.clock.now()).await.map_err(internal)? else {
            return Err(self.why_spent(&row.id).await);
        };
        if pending.is_decoy() || !codes::code_matches(&self.config.secret, &row.id, &code, &row.code_hash) {
            return Err(match codes::tries_left(tries) {
                0 => code_error("code_void", "Too many wrong tries — send a new code"),
                1 => code_error("code_invalid", "That code isn’t right — 1 try left"),
                left => code_error("code_invalid", &format!("That code isn’t right — {left} tries left")),
            });
        }
        if !self.store.code_use(&row.id, self.clock.now()).await.map_err(internal)? {
            return Err(code_error("code_used", "That code was already used — send a new one"));
        }
        Ok((row, pending))
    }

    /// Why a code could not be tried, from its stored state.
    async fn why_spent(&self, id: &str) -> AppError {
        let row = match self.store.code_get(id).await {
            Ok(Some(row)) => row,
            Ok(None) => return code_error("code_unknown", "That code has expired — start again"),
            Err(e) => return internal(e),
        };
        match codes::usable(row.attempts, row.expires_at, row.used_at.is_some(), self.clock.now()) {
            Err(codes::Spent::Used) => code_error("code_used", "That code was already used — send a new one"),
            Err(codes::Spent::Expired) => code_error("code_expired", "That code has expired — send a new one"),
            // Void, or usable again because a new code was sent meanwhile: this try counted on the old one.
            Err(codes::Spent::Void) | Ok(()) => code_error("code_void", "Too many wrong tries — send a new code"),
        }
    }

}

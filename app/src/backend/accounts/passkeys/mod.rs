//! Passkeys (WebAuthn): adding one to an account, signing in with one without typing a name
//! (a discoverable credential), confirming it is still you before a sensitive change, and the
//! list in Settings. Each ceremony's challenge is kept in the store until it is answered once
//! or five minutes pass, so it works across restarts and servers and cannot be replayed.
mod relying_party;
#[cfg(test)]
pub(crate) mod soft_key;
#[cfg(test)]
mod tests;

use serde::{Serialize, de::DeserializeOwned};
use webauthn_rs::prelude::{
    DiscoverableAuthentication, Passkey, PasskeyAuthentication, PasskeyRegistration, PublicKeyCredential,
    RegisterPublicKeyCredential,
};

pub use self::relying_party::RelyingParty;
use self::relying_party::{credential_key, refused, user_handle};
use super::{AccountsService, Client, devices::describe, internal, random_id};
use crate::{
    accounts::{
        types::{PasskeyCeremony, PasskeyView},
        validate,
    },
    backend::store::{
        accounts::UserRow,
        passkeys::{CeremonyRow, PasskeyRow},
    },
    error::AppError,
    ids::UserId,
};

/// How long a browser has to answer a ceremony.
pub const CEREMONY_TTL_SECS: i64 = 5 * 60;
/// Passkeys one account may have: enough for every device a person owns.
pub const MAX_PASSKEYS: usize = 20;
/// Passkey ceremonies one account may begin per hour (adding and confirming).
const CEREMONIES_PER_USER_HOUR: usize = 60;

/// The three ceremonies, by the name their challenges are stored under.
#[derive(Clone, Copy)]
enum Kind {
    Register,
    SignIn,
    Confirm,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Self::Register => "register",
            Self::SignIn => "sign_in",
            Self::Confirm => "confirm",
        }
    }
}

fn view(row: &PasskeyRow) -> PasskeyView {
    PasskeyView {
        id: row.credential_id.clone(),
        name: row.name.clone(),
        device: row.device.clone(),
        created_at: row.created_at,
        last_used_at: row.last_used_at,
    }
}

fn to_json(value: &impl Serialize) -> Result<String, AppError> {
    serde_json::to_string(value).map_err(|e| {
        tracing::error!(error = %e, "encoding passkey state failed");
        AppError::Internal
    })
}

fn from_stored<T: DeserializeOwned>(json: &str) -> Result<T, AppError> {
    serde_json::from_str(json).map_err(|e| {
        tracing::error!(error = %e, "stored passkey state does not decode");
        AppError::Internal
    })
}

fn invalid_credential() -> AppError {
    AppError::invalid_with_code("invalid_credential", "credential", "That is not a passkey answer")
}

/// The browser's answer (`PublicKeyCredential.toJSON()`) as JSON text, or a clear error.
pub fn credential_json(text: &str) -> Result<serde_json::Value, AppError> {
    serde_json::from_str(text).map_err(|_| invalid_credential())
}

/// The browser's answer as the verifier reads it, or a clear error when it is not one.
fn parse_answer<T: DeserializeOwned>(credential: &serde_json::Value) -> Result<T, AppError> {
    T::deserialize(credential).map_err(|_| invalid_credential())
}

fn expired() -> AppError {
    AppError::invalid_with_code(
        "passkey_expired",
        "ceremony_id",
        "That passkey request has expired or was already answered — try again",
    )
}

fn unknown_passkey() -> AppError {
    AppError::invalid_with_code(
        "passkey_unknown",
        "credential",
        "This passkey isn’t registered with Confab (it may have been removed) — sign in another way",
    )
}

impl AccountsService {
    /// Turns passkeys on for this relying party (without one, every passkey call says they are
    /// off and the web app hides them).
    pub fn with_passkeys(self, relying_party: RelyingParty) -> Self {
        Self { passkeys: Some(relying_party), ..self }
    }

    pub fn passkeys_enabled(&self) -> bool {
        self.passkeys.is_some()
    }

    fn relying_party(&self) -> Result<&RelyingParty, AppError> {
        self.passkeys.as_ref().ok_or_else(|| {
            AppError::invalid_with_code("passkeys_off", "credential", "Passkeys aren’t available on this server")
        })
    }

    async fn begin(&self, kind: Kind, user_id: &str, state: &impl Serialize, options: serde_json::Value) -> Result<PasskeyCeremony, AppError> {
        let row = CeremonyRow {
            id: random_id(),
            kind: kind.name().into(),
            user_id: user_id.into(),
            state: to_json(state)?,
            expires_at: self.clock.now() + CEREMONY_TTL_SECS,
        };
        self.store.ceremony_insert(&row).await.map_err(internal)?;
        Ok(PasskeyCeremony { ceremony_id: row.id, options })
    }

    /// Takes a ceremony's state, once; `user_id` must be the one it was begun for.
    async fn take<T: DeserializeOwned>(&self, kind: Kind, ceremony_id: &str, user_id: &str) -> Result<T, AppError> {
        let row = self.store.ceremony_take(ceremony_id, kind.name(), self.clock.now()).await.map_err(internal)?;
        match row {
            Some(row) if row.user_id == user_id => from_stored(&row.state),
            _ => Err(expired()),
        }
    }

    fn limit_user_ceremonies(&self, user_id: &UserId) -> Result<(), AppError> {
        self.limit(format!("passkey-user:{}", user_id.as_str()), CEREMONIES_PER_USER_HOUR, 3600)
    }

    /// Sign-in ceremonies (begun and answered) are limited per address like code checks, on a
    /// budget of their own: a login page that offers passkeys in autofill begins one per visit.
    fn limit_sign_in(&self, client: &Client) -> Result<(), AppError> {
        self.limit_address("passkey-sign-in", client, self.config.code_checks_per_ip_10_min, 600)
    }

    /// Begins adding a passkey to the signed-in user's account. The authenticator is asked to
    /// keep it (a discoverable credential), so signing in needs no name typed; keys the account
    /// already has are excluded, so one device is not registered twice.
    pub async fn passkey_register_start(&self, user_id: &UserId) -> Result<PasskeyCeremony, AppError> {
        let rp = self.relying_party()?;
        self.limit_user_ceremonies(user_id)?;
        let user = self.user(user_id).await?;
        let existing = self.store.passkeys_of(&user.id).await.map_err(internal)?;
        if existing.len() >= MAX_PASSKEYS {
            return Err(AppError::invalid_with_code(
                "passkeys_full",
                "credential",
                format!("An account can have {MAX_PASSKEYS} passkeys — remove one first"),
            ));
        }
        let exclude = existing.iter().map(|p| from_stored::<Passkey>(&p.passkey).map(|k| k.cred_id().clone())).collect::<Result<_, _>>()?;
        let handle = user_handle(&self.config.secret, &user.id);
        let (options, state) = rp
            .webauthn
            .start_passkey_registration(handle, &user.username, &user.display_name, Some(exclude))
            .map_err(|e| {
                tracing::error!(error = %e, "starting a passkey registration failed");
                AppError::Internal
            })?;
        let mut options = serde_json::to_value(options).map_err(|_| AppError::Internal)?;
        if let Some(selection) = options.pointer_mut("/publicKey/authenticatorSelection").and_then(|s| s.as_object_mut()) {
            selection.insert("residentKey".into(), "required".into());
            selection.insert("requireResidentKey".into(), true.into());
        }
        self.begin(Kind::Register, &user.id, &state, options).await
    }

    /// Completes adding a passkey with the browser's answer. `name` defaults to the device it
    /// was made on.
    pub async fn passkey_register_finish(
        &self,
        user_id: &UserId,
        ceremony_id: &str,
        credential: &serde_json::Value,
        name: Option<&str>,
        client: &Client,
    ) -> Result<PasskeyView, AppError> {
        let rp = self.relying_party()?;
        let device = describe(client.user_agent.as_deref());
        let name = match name.map(str::trim).filter(|n| !n.is_empty()) {
            Some(name) => validate::passkey_name(name)?,
            None => device.clone(),
        };
        let answer: RegisterPublicKeyCredential = parse_answer(credential)?;
        let state: PasskeyRegistration = self.take(Kind::Register, ceremony_id, user_id.as_str()).await?;
        // The verifier refuses a key the options excluded without saying why; say it here.
        let known = self.store.passkey_by_credential(&credential_key(&answer.raw_id)).await.map_err(internal)?;
        if known.is_some_and(|k| k.user_id == user_id.as_str()) {
            return Err(AppError::conflict("credential", "This passkey is already on your account"));
        }
        let passkey = rp.webauthn.finish_passkey_registration(&answer, &state).map_err(|e| refused(e, "register"))?;
        let row = PasskeyRow {
            credential_id: credential_key(passkey.cred_id()),
            user_id: user_id.as_str().into(),
            user_handle: user_handle(&self.config.secret, user_id.as_str()).to_string(),
            name,
            device,
            passkey: to_json(&passkey)?,
            created_at: self.clock.now(),
            last_used_at: None,
        };
        if !self.store.passkey_insert(&row).await.map_err(internal)? {
            return Err(AppError::conflict("credential", "This passkey is already registered"));
        }
        tracing::info!(user_id = %row.user_id, "passkey added");
        Ok(view(&row))
    }

    /// Begins a sign-in with any passkey the browser holds for this site. Nobody is named, so
    /// the answer is the same for everyone: it tells nothing about which accounts exist.
    pub async fn passkey_sign_in_start(&self, client: &Client) -> Result<PasskeyCeremony, AppError> {
        let rp = self.relying_party()?;
        self.limit_sign_in(client)?;
        let (options, state) = rp.webauthn.start_discoverable_authentication().map_err(|e| {
            tracing::error!(error = %e, "starting a passkey sign-in failed");
            AppError::Internal
        })?;
        // The verifier marks these for autofill only; the page picks how to ask (a button
        // opens the browser's passkey sheet, the name field's autofill suggests them).
        let mut options = serde_json::to_value(options).map_err(|_| AppError::Internal)?;
        if let Some(o) = options.as_object_mut() {
            o.remove("mediation");
        }
        self.begin(Kind::SignIn, "", &state, options).await
    }

    /// Completes a passkey sign-in: the account whose passkey answered. The caller signs the
    /// browser in or issues tokens, as for any other sign-in.
    pub async fn passkey_sign_in_finish(&self, ceremony_id: &str, credential: &serde_json::Value, client: &Client) -> Result<UserRow, AppError> {
        let rp = self.relying_party()?;
        self.limit_sign_in(client)?;
        let answer: PublicKeyCredential = parse_answer(credential)?;
        let state: DiscoverableAuthentication = self.take(Kind::SignIn, ceremony_id, "").await?;
        let (handle, raw_id) = rp.webauthn.identify_discoverable_authentication(&answer).map_err(|e| refused(e, "sign_in"))?;
        let row = self.store.passkey_by_credential(&credential_key(raw_id)).await.map_err(internal)?;
        let row = row.filter(|r| r.user_handle == handle.to_string()).ok_or_else(unknown_passkey)?;
        let mut passkey: Passkey = from_stored(&row.passkey)?;
        let result = rp.webauthn.finish_discoverable_authentication_v2(&answer, state, &passkey).map_err(|e| refused(e, "sign_in"))?;
        passkey.update_credential(&result);
        self.store.passkey_used(&row.credential_id, &to_json(&passkey)?, self.clock.now()).await.map_err(internal)?;
        tracing::info!(user_id = %row.user_id, "signed in with a passkey");
        self.user_row(&row.user_id).await
    }

    /// Begins confirming that the signed-in person is at the keyboard, with one of their own
    /// passkeys (before a sensitive change). `passkey_none` when they have none.
    pub async fn passkey_confirm_start(&self, user_id: &UserId) -> Result<PasskeyCeremony, AppError> {
        let rp = self.relying_party()?;
        self.limit_user_ceremonies(user_id)?;
        let rows = self.store.passkeys_of(user_id.as_str()).await.map_err(internal)?;
        if rows.is_empty() {
            return Err(AppError::invalid_with_code("passkey_none", "credential", "You have no passkey to confirm with"));
        }
        let keys = rows.iter().map(|r| from_stored::<Passkey>(&r.passkey)).collect::<Result<Vec<_>, _>>()?;
        let (options, state) = rp.webauthn.start_passkey_authentication(&keys).map_err(|e| {
            tracing::error!(error = %e, "starting a passkey confirmation failed");
            AppError::Internal
        })?;
        let options = serde_json::to_value(options).map_err(|_| AppError::Internal)?;
        self.begin(Kind::Confirm, user_id.as_str(), &state, options).await
    }

    /// Completes a confirmation: when one of the user's own passkeys answered, a token that
    /// lets their sensitive changes through for five minutes.
    pub async fn passkey_confirm_finish(&self, user_id: &UserId, ceremony_id: &str, credential: &serde_json::Value) -> Result<String, AppError> {
        let rp = self.relying_party()?;
        let answer: PublicKeyCredential = parse_answer(credential)?;
        let state: PasskeyAuthentication = self.take(Kind::Confirm, ceremony_id, user_id.as_str()).await?;
        let row = self.store.passkey_by_credential(&credential_key(&answer.raw_id)).await.map_err(internal)?;
        let row = row.filter(|r| r.user_id == user_id.as_str()).ok_or_else(unknown_passkey)?;
        let result = rp.webauthn.finish_passkey_authentication(&answer, &state).map_err(|e| refused(e, "confirm"))?;
        let mut passkey: Passkey = from_stored(&row.passkey)?;
        passkey.update_credential(&result);
        self.store.passkey_used(&row.credential_id, &to_json(&passkey)?, self.clock.now()).await.map_err(internal)?;
        self.confirmation_for(user_id)
    }

    /// The user's passkeys, oldest first.
    pub async fn passkeys(&self, user_id: &UserId) -> Result<Vec<PasskeyView>, AppError> {
        Ok(self.store.passkeys_of(user_id.as_str()).await.map_err(internal)?.iter().map(view).collect())
    }

    pub async fn passkey_rename(&self, user_id: &UserId, id: &str, name: &str) -> Result<(), AppError> {
        let name = validate::passkey_name(name)?;
        if self.store.passkey_rename(user_id.as_str(), id, &name).await.map_err(internal)? { Ok(()) } else { Err(AppError::NotFound) }
    }

    /// Removes one of the user's passkeys (the last one too: codes still sign them in). Its
    /// next sign-in answer finds nothing and says so.
    pub async fn passkey_remove(&self, user_id: &UserId, id: &str, confirmation: Option<&str>) -> Result<(), AppError> {
        self.require_confirmation(user_id, confirmation)?;
        if !self.store.passkey_delete(user_id.as_str(), id).await.map_err(internal)? {
            return Err(AppError::NotFound);
        }
        tracing::info!(user_id = %user_id.as_str(), "passkey removed");
        Ok(())
    }
}

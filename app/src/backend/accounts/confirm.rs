//! Confirming it is still you before a sensitive change (adding an email and password, removing
//! a passkey, signing out every other device): with a passkey (`passkeys`) or with a code sent to
//! the person's phone (or email). Either gives a confirmation token that the change accepts for
//! five minutes, so a thief holding a stolen session cannot take the account over or lock the
//! owner out.
use super::{AccountsService, Client, Pending, code_error, internal, tokens};
use crate::{accounts::types::PendingCode, error::AppError, ids::UserId};

fn confirmation_required() -> AppError {
    AppError::invalid_with_code("confirmation_required", "confirmation", "Confirm it’s you first")
}

impl AccountsService {
    pub(super) fn confirmation_for(&self, user_id: &UserId) -> Result<String, AppError> {
        tokens::confirmation_token(&self.config.secret, user_id.as_str(), self.clock.now()).map_err(|e| {
            tracing::error!(error = %e, "signing a confirmation failed");
            AppError::Internal
        })
    }

    /// A sensitive change goes through only with a live confirmation of this user.
    pub(super) fn require_confirmation(&self, user_id: &UserId, confirmation: Option<&str>) -> Result<(), AppError> {
        let live = confirmation.is_some_and(|token| tokens::confirms(&self.config.secret, token, user_id.as_str(), self.clock.now()));
        if live { Ok(()) } else { Err(confirmation_required()) }
    }

    /// Sends a code that confirms it is the signed-in user: to their phone, else their email.
    pub async fn confirm_by_code_start(&self, user_id: &UserId, client: &Client) -> Result<PendingCode, AppError> {
        let user = self.user(user_id).await?;
        let (destination, by_email) = match (user.phone, user.email) {
            (Some(phone), _) => (phone, false),
            (None, Some(email)) => (email, true),
            (None, None) => {
                tracing::error!(user_id = %user.id, "an account with neither phone nor email");
                return Err(AppError::Internal);
            }
        };
        self.limit_code_send(&destination, client)?;
        self.send_new_code(Pending::Confirm { user_id: user.id, by_email }, &destination).await
    }

    /// Checks a confirmation code of the signed-in user; the confirmation token when it is right.
    pub async fn confirm_by_code_finish(&self, user_id: &UserId, pending_id: &str, code: &str, client: &Client) -> Result<String, AppError> {
        self.redeem(pending_id, code, client, |pending| match pending {
            Pending::Confirm { user_id: owner, .. } if owner == user_id.as_str() => Ok(()),
            Pending::Confirm { .. } => Err(AppError::Forbidden),
            _ => Err(code_error("code_unknown", "That code isn’t for confirming a change")),
        })
        .await?;
        self.confirmation_for(user_id)
    }

    /// Signs out every device of the user but `keep` (the caller's own: `s:<session id>` or
    /// `t:<token family>`), after a confirmation by passkey or code. Their open sockets are told
    /// to check their standing at once.
    pub async fn sign_out_other_devices(&self, user_id: &UserId, keep: Option<&str>, confirmation: Option<&str>) -> Result<(), AppError> {
        self.require_confirmation(user_id, confirmation)?;
        self.store.sign_out_everywhere(user_id.as_str(), keep, self.clock.now()).await.map_err(internal)?;
        self.devices_signed_out(user_id);
        tracing::info!(user_id = %user_id.as_str(), "every other device signed out");
        Ok(())
    }
}

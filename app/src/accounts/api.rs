//! The web app's door to accounts: each server fn identifies the caller and delegates.
use leptos::prelude::*;

use super::types::{DeviceView, PendingCode, UserView};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::server::{Services, accounts::user_view, identity};

#[server]
pub async fn register_start(username: String, phone: String) -> Result<PendingCode, AppError> {
    let services = expect_context::<Services>();
    services.accounts.start_register(&username, &phone, &identity::client().await).await
}

/// `user_id` may be empty: the phone alone identifies the account (the code proves it).
#[server]
pub async fn login_start(user_id: String, phone: String) -> Result<PendingCode, AppError> {
    let services = expect_context::<Services>();
    services.accounts.start_login(Some(&user_id), &phone, &identity::client().await).await
}

#[server]
pub async fn resend_code(pending_id: String) -> Result<PendingCode, AppError> {
    let services = expect_context::<Services>();
    services.accounts.resend(&pending_id, &identity::client().await).await
}

/// Completes a sign-up or login with its code and signs this browser in.
#[server]
pub async fn verify_code(pending_id: String, code: String) -> Result<UserView, AppError> {
    let services = expect_context::<Services>();
    let client = identity::client().await;
    let user = services.accounts.verify(&pending_id, &code, &client).await?;
    identity::sign_in(&identity::session().await?, &user.id, &client).await?;
    Ok(user_view(&user))
}

/// The signed-in user, or `None`.
#[server]
pub async fn current_user() -> Result<Option<UserView>, AppError> {
    let services = expect_context::<Services>();
    let Some(id) = identity::session_user(&identity::session().await?).await else { return Ok(None) };
    match services.accounts.user(&id).await {
        Ok(user) => Ok(Some(user_view(&user))),
        Err(AppError::Unauthenticated) => Ok(None),
        Err(e) => Err(e),
    }
}

#[server]
pub async fn logout() -> Result<(), AppError> {
    identity::session().await?.flush().await.map_err(|e| {
        tracing::error!(error = %e, "ending a session failed");
        AppError::Internal
    })
}

/// The caller's signed-in devices.
#[server]
pub async fn list_devices() -> Result<Vec<DeviceView>, AppError> {
    let services = expect_context::<Services>();
    let session = identity::session().await?;
    let user = identity::session_user(&session).await.ok_or(AppError::Unauthenticated)?;
    let current = session.id().map(|id| id.to_string());
    services.accounts.devices(&user, current.as_deref()).await
}

/// Signs one of the caller's devices out; it lands on the login page at its next request.
#[server]
pub async fn revoke_device(id: String) -> Result<(), AppError> {
    let services = expect_context::<Services>();
    let user = identity::current_user_id().await?;
    services.accounts.revoke_device(&user, &id).await
}

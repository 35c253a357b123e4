//! The web app's door to accounts: each server fn identifies the caller and delegates. Each has
//! a stable URL, `/api/accounts/<name>`, and errors answer with their HTTP status (401 without
//! identity, 429 when rate limited, ...).
use leptos::prelude::*;

use super::types::{DeviceView, PendingCode, UserView};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::{
    backend::{Services, accounts::user_view, identity},
    ids::UserId,
};

/// Gives an error its HTTP status (server fns answer 500 otherwise), then passes it on.
#[cfg(feature = "ssr")]
pub(crate) fn answer<T>(result: Result<T, AppError>) -> Result<T, AppError> {
    if let (Err(e), Some(response)) = (&result, use_context::<leptos_axum::ResponseOptions>()) {
        response.set_status(e.status());
        if let AppError::RateLimited { retry_after_secs } = e {
            response.insert_header(axum::http::header::RETRY_AFTER, (*retry_after_secs).into());
        }
    }
    result
}

#[server(endpoint = "accounts/register_start", output = crate::codec::StrJson)]
pub async fn register_start(username: String, phone: String) -> Result<PendingCode, AppError> {
    let services = expect_context::<Services>();
    answer(services.accounts.start_register(&username, &phone, &identity::client().await).await)
}

/// `user_id` may be empty: the phone alone identifies the account (the code proves it).
#[server(endpoint = "accounts/login_start", output = crate::codec::StrJson)]
pub async fn login_start(user_id: String, phone: String) -> Result<PendingCode, AppError> {
    let services = expect_context::<Services>();
    answer(services.accounts.start_login(Some(&user_id.into()), &phone, &identity::client().await).await)
}

#[server(endpoint = "accounts/resend_code", output = crate::codec::StrJson)]
pub async fn resend_code(pending_id: String) -> Result<PendingCode, AppError> {
    let services = expect_context::<Services>();
    answer(services.accounts.resend(&pending_id, &identity::client().await).await)
}

/// Completes a sign-up, login or added phone/email with its code, and signs this browser in.
#[server(endpoint = "accounts/verify_code", output = crate::codec::StrJson)]
pub async fn verify_code(pending_id: String, code: String) -> Result<UserView, AppError> {
    answer(
        async move {
            let services = expect_context::<Services>();
            let (client, session) = (identity::client().await, identity::session().await?);
            let caller = identity::session_user(&session).await;
            let user = services.accounts.verify(&pending_id, &code, caller.as_ref(), &client).await?;
            if caller.as_ref().map(UserId::as_str) != Some(user.id.as_str()) {
                identity::sign_in(&session, &UserId::from(user.id.as_str()), &client).await?;
            }
            Ok(user_view(&user))
        }
        .await,
    )
}

/// Starts an email sign-up: a code goes to the email; `verify_code` creates the account.
#[server(endpoint = "accounts/register_email_start", output = crate::codec::StrJson)]
pub async fn register_email_start(username: String, email: String, password: String) -> Result<PendingCode, AppError> {
    let services = expect_context::<Services>();
    answer(services.accounts.start_register_email(&username, &email, &password, &identity::client().await).await)
}

#[server(endpoint = "accounts/login_password", output = crate::codec::StrJson)]
pub async fn login_password(email: String, password: String) -> Result<UserView, AppError> {
    answer(
        async move {
            let services = expect_context::<Services>();
            let client = identity::client().await;
            let user = services.accounts.login_password(&email, &password, &client).await?;
            identity::sign_in(&identity::session().await?, &UserId::from(user.id.as_str()), &client).await?;
            Ok(user_view(&user))
        }
        .await,
    )
}

#[server(endpoint = "accounts/forgot_password", output = crate::codec::StrJson)]
pub async fn forgot_password(email: String) -> Result<PendingCode, AppError> {
    let services = expect_context::<Services>();
    answer(services.accounts.forgot_password(&email, &identity::client().await).await)
}

/// Sets a new password with the emailed code; every other session is signed out and this
/// browser is signed in.
#[server(endpoint = "accounts/reset_password", output = crate::codec::StrJson)]
pub async fn reset_password(pending_id: String, code: String, password: String) -> Result<UserView, AppError> {
    answer(
        async move {
            let services = expect_context::<Services>();
            let client = identity::client().await;
            let user = services.accounts.reset_password(&pending_id, &code, &password, &client).await?;
            identity::sign_in(&identity::session().await?, &UserId::from(user.id.as_str()), &client).await?;
            Ok(user_view(&user))
        }
        .await,
    )
}

/// The signed-in user adds an email + password; `verify_code` confirms it. They confirm it is
/// them first (`confirmation`, from `passkey_confirm_finish` or `confirm_by_code_finish`).
#[server(endpoint = "accounts/add_email_start", output = crate::codec::StrJson)]
pub async fn add_email_start(email: String, password: String, confirmation: Option<String>) -> Result<PendingCode, AppError> {
    answer(
        async move {
            let services = expect_context::<Services>();
            let user = identity::current_user_id().await?;
            services.accounts.start_add_email(&user, &email, &password, confirmation.as_deref(), &identity::client().await).await
        }
        .await,
    )
}

/// The signed-in user adds a phone number; `verify_code` confirms it.
#[server(endpoint = "accounts/add_phone_start", output = crate::codec::StrJson)]
pub async fn add_phone_start(phone: String) -> Result<PendingCode, AppError> {
    answer(
        async move {
            let services = expect_context::<Services>();
            let user = identity::current_user_id().await?;
            services.accounts.start_add_phone(&user, &phone, &identity::client().await).await
        }
        .await,
    )
}

/// The signed-in user, or `None`.
#[server(endpoint = "accounts/current_user", output = crate::codec::StrJson)]
pub async fn current_user() -> Result<Option<UserView>, AppError> {
    let services = expect_context::<Services>();
    let Ok(id) = identity::current_user_id().await else { return Ok(None) };
    match services.accounts.user(&id).await {
        Ok(user) => Ok(Some(user_view(&user))),
        Err(AppError::Unauthenticated) => Ok(None),
        Err(e) => answer(Err(e)),
    }
}

#[server(endpoint = "accounts/logout", output = crate::codec::StrJson)]
pub async fn logout() -> Result<(), AppError> {
    answer(
        async move {
            let session = identity::session().await?;
            let user = identity::session_user(&session).await;
            session.flush().await.map_err(|e| {
                tracing::error!(error = %e, "ending a session failed");
                AppError::Internal
            })?;
            // Other tabs of this browser have sockets open on the session just ended.
            if let (Some(user), Some(services)) = (user, use_context::<crate::backend::Services>()) {
                services.accounts.devices_signed_out(&user);
            }
            Ok(())
        }
        .await,
    )
}

/// The caller's signed-in devices.
#[server(endpoint = "accounts/list_devices", output = crate::codec::StrJson)]
pub async fn list_devices() -> Result<Vec<DeviceView>, AppError> {
    answer(
        async move {
            let services = expect_context::<Services>();
            let session = identity::session().await?;
            let user = identity::current_user_id().await?;
            let current = session.id().map(|id| id.to_string());
            services.accounts.devices(&user, current.as_deref()).await
        }
        .await,
    )
}

/// Signs one of the caller's devices out; it lands on the login page at its next request.
#[server(endpoint = "accounts/revoke_device", output = crate::codec::StrJson)]
pub async fn revoke_device(id: String) -> Result<(), AppError> {
    answer(
        async move {
            let services = expect_context::<Services>();
            let user = identity::current_user_id().await?;
            services.accounts.revoke_device(&user, &id).await
        }
        .await,
    )
}

/// Sends a code confirming it is the caller (to their phone, else email), for someone without
/// a passkey; `confirm_by_code_finish` trades it for a confirmation.
#[server(endpoint = "accounts/confirm_by_code_start", output = crate::codec::StrJson)]
pub async fn confirm_by_code_start() -> Result<PendingCode, AppError> {
    answer(
        async move {
            let user = identity::current_user_id().await?;
            expect_context::<Services>().accounts.confirm_by_code_start(&user, &identity::client().await).await
        }
        .await,
    )
}

#[server(endpoint = "accounts/confirm_by_code_finish", output = crate::codec::StrJson)]
pub async fn confirm_by_code_finish(pending_id: String, code: String) -> Result<String, AppError> {
    answer(
        async move {
            let user = identity::current_user_id().await?;
            let client = identity::client().await;
            expect_context::<Services>().accounts.confirm_by_code_finish(&user, &pending_id, &code, &client).await
        }
        .await,
    )
}

/// Signs out every device of the caller but this browser; `confirmation` from a passkey or a
/// code, under five minutes old.
#[server(endpoint = "accounts/sign_out_other_devices", output = crate::codec::StrJson)]
pub async fn sign_out_other_devices(confirmation: Option<String>) -> Result<(), AppError> {
    answer(
        async move {
            let session = identity::session().await?;
            let user = identity::current_user_id().await?;
            let keep = session.id().map(|id| format!("s:{id}"));
            let accounts = &expect_context::<Services>().accounts;
            accounts.sign_out_other_devices(&user, keep.as_deref(), confirmation.as_deref()).await
        }
        .await,
    )
}

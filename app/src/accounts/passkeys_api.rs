//! The web app's door to passkeys. Each ceremony is two calls: `*_start` gives the options for
//! the browser's `navigator.credentials`, `*_finish` takes its answer (the credential's JSON).
use leptos::prelude::*;

use super::types::{PasskeyCeremony, PasskeyView, UserView};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::{
    accounts::api::answer,
    backend::{
        Services,
        accounts::{passkeys::credential_json, user_view},
        identity,
    },
    ids::UserId,
};

/// Whether this server offers passkeys (the pages hide them otherwise).
#[server(endpoint = "accounts/passkeys_enabled", output = crate::codec::StrJson)]
pub async fn passkeys_enabled() -> Result<bool, AppError> {
    Ok(expect_context::<Services>().accounts.passkeys_enabled())
}

#[server(endpoint = "accounts/passkey_register_start", output = crate::codec::StrJson)]
pub async fn passkey_register_start() -> Result<PasskeyCeremony, AppError> {
    answer(
        async move {
            let user = identity::current_user_id().await?;
            expect_context::<Services>().accounts.passkey_register_start(&user).await
        }
        .await,
    )
}

#[server(endpoint = "accounts/passkey_register_finish", output = crate::codec::StrJson)]
pub async fn passkey_register_finish(ceremony_id: String, credential: String, name: Option<String>) -> Result<PasskeyView, AppError> {
    answer(
        async move {
            let user = identity::current_user_id().await?;
            let credential = credential_json(&credential)?;
            let client = identity::client().await;
            let accounts = &expect_context::<Services>().accounts;
            accounts.passkey_register_finish(&user, &ceremony_id, &credential, name.as_deref(), &client).await
        }
        .await,
    )
}

#[server(endpoint = "accounts/passkey_sign_in_start", output = crate::codec::StrJson)]
pub async fn passkey_sign_in_start() -> Result<PasskeyCeremony, AppError> {
    answer(expect_context::<Services>().accounts.passkey_sign_in_start(&identity::client().await).await)
}

/// Signs this browser in as the account whose passkey answered: a normal session, listed
/// under Devices.
#[server(endpoint = "accounts/passkey_sign_in_finish", output = crate::codec::StrJson)]
pub async fn passkey_sign_in_finish(ceremony_id: String, credential: String) -> Result<UserView, AppError> {
    answer(
        async move {
            let credential = credential_json(&credential)?;
            let client = identity::client().await;
            let user = expect_context::<Services>().accounts.passkey_sign_in_finish(&ceremony_id, &credential, &client).await?;
            identity::sign_in(&identity::session().await?, &UserId::from(user.id.as_str()), &client).await?;
            Ok(user_view(&user))
        }
        .await,
    )
}

#[server(endpoint = "accounts/passkey_confirm_start", output = crate::codec::StrJson)]
pub async fn passkey_confirm_start() -> Result<PasskeyCeremony, AppError> {
    answer(
        async move {
            let user = identity::current_user_id().await?;
            expect_context::<Services>().accounts.passkey_confirm_start(&user).await
        }
        .await,
    )
}

/// A confirmation token for the sensitive change the person is making.
#[server(endpoint = "accounts/passkey_confirm_finish", output = crate::codec::StrJson)]
pub async fn passkey_confirm_finish(ceremony_id: String, credential: String) -> Result<String, AppError> {
    answer(
        async move {
            let user = identity::current_user_id().await?;
            let credential = credential_json(&credential)?;
            expect_context::<Services>().accounts.passkey_confirm_finish(&user, &ceremony_id, &credential).await
        }
        .await,
    )
}

#[server(endpoint = "accounts/list_passkeys", output = crate::codec::StrJson)]
pub async fn list_passkeys() -> Result<Vec<PasskeyView>, AppError> {
    answer(
        async move {
            let user = identity::current_user_id().await?;
            expect_context::<Services>().accounts.passkeys(&user).await
        }
        .await,
    )
}

#[server(endpoint = "accounts/rename_passkey", output = crate::codec::StrJson)]
pub async fn rename_passkey(id: String, name: String) -> Result<(), AppError> {
    answer(
        async move {
            let user = identity::current_user_id().await?;
            expect_context::<Services>().accounts.passkey_rename(&user, &id, &name).await
        }
        .await,
    )
}

/// Removes a passkey; `confirmation` from `passkey_confirm_finish` (a person with passkeys
/// confirms it is them first).
#[server(endpoint = "accounts/remove_passkey", output = crate::codec::StrJson)]
pub async fn remove_passkey(id: String, confirmation: Option<String>) -> Result<(), AppError> {
    answer(
        async move {
            let user = identity::current_user_id().await?;
            expect_context::<Services>().accounts.passkey_remove(&user, &id, confirmation.as_deref()).await
        }
        .await,
    )
}

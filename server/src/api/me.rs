//! The caller's own account: profile, added phone or email, settings and signed-in devices.
use app::{
    accounts::types::{DeviceView, PendingCode, UserView},
    backend::{
        accounts::{Client, user_view},
        identity,
    },
    chats::types::{LastSeenVisibility, MySettings, WhoCanMessage},
};
use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::{delete, get, post},
};
use serde::Deserialize;
use utoipa::ToSchema;

use super::accounts::VerifyBody;
use super::passkeys::{CONFIRMATION_HEADER, ConfirmationToken};
use super::page::{Page, PageQuery, paginate};
use super::{ApiError, ApiJson, ApiPath, ApiQuery, ApiUser, with_and_without_slash};
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    with_and_without_slash([
        ("/api/user", get(me)),
        ("/api/user/email", post(add_email)),
        ("/api/user/phone", post(add_phone)),
        ("/api/user/verify", post(add_verify)),
        ("/api/settings", get(settings).put(save_settings)),
        ("/api/devices", get(devices)),
        ("/api/devices/{id}", delete(revoke_device)),
        ("/api/devices/sign-out-others", post(sign_out_others)),
        ("/api/confirm/code", post(confirm_by_code)),
        ("/api/confirm/code/verify", post(confirm_by_code_verify)),
    ])
}

type Result<T> = std::result::Result<T, ApiError>;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct AddPhoneBody {
    #[schema(min_length = 1, max_length = 32, example = "+491511234567")]
    phone: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct AddEmailBody {
    #[schema(max_length = 254, format = Email, example = "ada@example.com")]
    email: String,
    #[schema(min_length = 1, max_length = 128)]
    password: String,
    /// Needed when the account has a passkey: the token from `/api/passkeys/confirm/finish`.
    #[serde(default)]
    #[schema(max_length = 1024)]
    confirmation: Option<String>,
}

/// All four settings are set at once (read them first to change one).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct SettingsBody {
    #[schema(min_length = 1, max_length = 64, pattern = r"^[^\x00-\x09\x0B-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x09\x0B-\x1F\x7F-\x9F]*$")]
    display_name: String,
    #[schema(max_length = 300, pattern = r"^[^\x00-\x09\x0B-\x1F\x7F-\x9F]*$")]
    bio: String,
    who_can_message: WhoCanMessage,
    last_seen: LastSeenVisibility,
}

/// The signed-in person, with their own phone and email.
#[utoipa::path(get, path = "/api/user", tag = "me", responses((status = 200, description = "The caller", body = UserView)))]
pub(super) async fn me(State(state): State<AppState>, ApiUser(user): ApiUser) -> Result<Json<UserView>> {
    Ok(Json(user_view(&state.services.accounts.user(&user).await?)))
}

/// Adds an email and password to the account; `/api/user/verify` confirms it with the code.
/// The caller confirms it is them first (`confirmation`, by passkey or code).
#[utoipa::path(post, path = "/api/user/email", tag = "me", request_body = AddEmailBody,
    responses((status = 202, description = "A code is on its way to the email", body = PendingCode)))]
pub(super) async fn add_email(
    State(state): State<AppState>,
    client: Client,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<AddEmailBody>,
) -> Result<(StatusCode, Json<PendingCode>)> {
    let confirmation = body.confirmation.as_deref();
    let pending = state.services.accounts.start_add_email(&user, &body.email, &body.password, confirmation, &client).await?;
    Ok((StatusCode::ACCEPTED, Json(pending)))
}

/// Adds or changes the account's phone; `/api/user/verify` confirms it with the code.
#[utoipa::path(post, path = "/api/user/phone", tag = "me", request_body = AddPhoneBody,
    responses((status = 202, description = "A code is on its way to the phone", body = PendingCode)))]
pub(super) async fn add_phone(
    State(state): State<AppState>,
    client: Client,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<AddPhoneBody>,
) -> Result<(StatusCode, Json<PendingCode>)> {
    let pending = state.services.accounts.start_add_phone(&user, &body.phone, &client).await?;
    Ok((StatusCode::ACCEPTED, Json(pending)))
}

/// Confirms an added phone or email with its code; answers the updated profile.
#[utoipa::path(post, path = "/api/user/verify", tag = "me", request_body = VerifyBody,
    responses((status = 200, description = "The caller, updated", body = UserView)))]
pub(super) async fn add_verify(
    State(state): State<AppState>,
    client: Client,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<VerifyBody>,
) -> Result<Json<UserView>> {
    let updated = state.services.accounts.verify(&body.pending_id, &body.code, Some(&user), &client).await?;
    Ok(Json(user_view(&updated)))
}

/// The caller's display name, bio and privacy settings.
#[utoipa::path(get, path = "/api/settings", tag = "me", responses((status = 200, description = "The settings", body = MySettings)))]
pub(super) async fn settings(State(state): State<AppState>, ApiUser(me): ApiUser) -> Result<Json<MySettings>> {
    Ok(Json(state.services.chats.my_settings(&me).await?))
}

#[utoipa::path(put, path = "/api/settings", tag = "me", request_body = SettingsBody,
    responses((status = 200, description = "The settings as saved", body = MySettings)))]
pub(super) async fn save_settings(State(state): State<AppState>, ApiUser(me): ApiUser, ApiJson(body): ApiJson<SettingsBody>) -> Result<Json<MySettings>> {
    let settings = MySettings {
        display_name: body.display_name,
        bio: body.bio,
        who_can_message: body.who_can_message,
        last_seen: body.last_seen,
    };
    Ok(Json(state.services.chats.save_settings(&me, settings).await?))
}

/// The caller's signed-in browsers and API clients (each token login is one), newest first.
#[utoipa::path(get, path = "/api/devices", tag = "me", params(PageQuery),
    responses((status = 200, description = "A page of devices", body = Page<DeviceView>)))]
pub(super) async fn devices(State(state): State<AppState>, ApiUser(user): ApiUser, ApiQuery(q): ApiQuery<PageQuery>) -> Result<Json<Page<DeviceView>>> {
    let all = state.services.accounts.devices(&user, None).await?;
    Ok(Json(paginate(all, q.cursor.as_deref(), q.limit)?))
}

/// Signs one of the caller's devices out.
#[utoipa::path(delete, path = "/api/devices/{id}", tag = "me", params(("id" = String, Path, description = "A device's `id`")),
    responses((status = 204, description = "Signed out")))]
pub(super) async fn revoke_device(State(state): State<AppState>, ApiUser(user): ApiUser, ApiPath(id): ApiPath<String>) -> Result<StatusCode> {
    state.services.accounts.revoke_device(&user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Signs out every device of the caller but this API client. Send a confirmation (from
/// `/api/passkeys/confirm` or `/api/confirm/code/verify`) as `X-Confirmation`.
#[utoipa::path(post, path = "/api/devices/sign-out-others", tag = "me",
    params(("X-Confirmation" = Option<String>, Header, description = "A confirmation under five minutes old")),
    responses((status = 204, description = "Every other device is signed out")))]
pub(super) async fn sign_out_others(State(state): State<AppState>, ApiUser(user): ApiUser, headers: HeaderMap) -> Result<StatusCode> {
    let accounts = &state.services.accounts;
    let family = identity::bearer_token(&headers).and_then(|t| accounts.bearer_claims(t)).and_then(|c| c.family);
    let keep = family.map(|f| format!("t:{f}"));
    let confirmation = headers.get(CONFIRMATION_HEADER).and_then(|v| v.to_str().ok());
    accounts.sign_out_other_devices(&user, keep.as_deref(), confirmation).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sends a code confirming it is the caller (to their phone, else their email), for someone
/// without a passkey.
#[utoipa::path(post, path = "/api/confirm/code", tag = "me",
    responses((status = 202, description = "A code is on its way", body = PendingCode)))]
pub(super) async fn confirm_by_code(State(state): State<AppState>, client: Client, ApiUser(user): ApiUser) -> Result<(StatusCode, Json<PendingCode>)> {
    Ok((StatusCode::ACCEPTED, Json(state.services.accounts.confirm_by_code_start(&user, &client).await?)))
}

/// Trades the confirmation code for a confirmation token.
#[utoipa::path(post, path = "/api/confirm/code/verify", tag = "me", request_body = VerifyBody,
    responses((status = 200, description = "The confirmation", body = ConfirmationToken)))]
pub(super) async fn confirm_by_code_verify(
    State(state): State<AppState>,
    client: Client,
    ApiUser(user): ApiUser,
    ApiJson(body): ApiJson<VerifyBody>,
) -> Result<Json<ConfirmationToken>> {
    let confirmation = state.services.accounts.confirm_by_code_finish(&user, &body.pending_id, &body.code, &client).await?;
    Ok(ConfirmationToken::new(confirmation))
}

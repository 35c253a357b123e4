//! Passkeys over JSON: the same two-step ceremonies as the web app (options, then the
//! authenticator's answer as `PublicKeyCredential.toJSON()` gives it), so other clients can
//! register passkeys and sign in with them. A passkey sign-in issues tokens like any other.
use app::{
    accounts::types::{PasskeyCeremony, PasskeyView},
    backend::accounts::{Client, tokens::CONFIRMATION_TTL_SECS},
};
use axum::{
    Json, Router,
    extract::State,
    http::{HeaderMap, StatusCode},
    routing::{get, patch, post},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::accounts::{SignedIn, signed_in};
use super::{ApiError, ApiJson, ApiPath, ApiUser, with_and_without_slash};
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    with_and_without_slash([
        ("/api/passkeys", get(list).post(register)),
        ("/api/passkeys/options", post(register_options)),
        ("/api/passkeys/{id}", patch(rename).delete(remove)),
        ("/api/passkeys/sign-in/options", post(sign_in_options)),
        ("/api/passkeys/sign-in", post(sign_in)),
        ("/api/passkeys/confirm/options", post(confirm_options)),
        ("/api/passkeys/confirm", post(confirm)),
    ])
}

/// The header a sensitive change carries its confirmation in.
pub(super) const CONFIRMATION_HEADER: &str = "x-confirmation";

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct PasskeyAnswerBody {
    /// From the options call; an answer is taken once, within five minutes.
    #[schema(min_length = 32, max_length = 32, pattern = "^[0-9a-f]{32}$")]
    ceremony_id: String,
    /// The authenticator's answer: `PublicKeyCredential.toJSON()`.
    #[schema(value_type = Object)]
    credential: serde_json::Value,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct PasskeyRegisterBody {
    #[schema(min_length = 32, max_length = 32, pattern = "^[0-9a-f]{32}$")]
    ceremony_id: String,
    #[schema(value_type = Object)]
    credential: serde_json::Value,
    /// What to call it; defaults to the device it was made on ("Chrome on Android").
    #[serde(default)]
    #[schema(max_length = 64, pattern = r"^[^\x00-\x09\x0B-\x1F\x7F-\x9F]*$")]
    name: Option<String>,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct PasskeyRenameBody {
    #[schema(min_length = 1, max_length = 64, pattern = r"^[^\x00-\x09\x0B-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x09\x0B-\x1F\x7F-\x9F]*$")]
    name: String,
}

/// Proof that the person just confirmed it is them (by passkey or code): send it as
/// `X-Confirmation` with a sensitive change (removing a passkey, signing out other devices), or
/// as `confirmation` when adding an email.
#[derive(Serialize, ToSchema)]
pub(super) struct ConfirmationToken {
    confirmation: String,
    expires_in: i64,
}

impl ConfirmationToken {
    pub(super) fn new(confirmation: String) -> Json<Self> {
        Json(Self { confirmation, expires_in: CONFIRMATION_TTL_SECS })
    }
}

type Result<T> = std::result::Result<T, ApiError>;

/// The caller's passkeys, oldest first.
#[utoipa::path(get, path = "/api/passkeys", tag = "passkeys",
    responses((status = 200, description = "The caller's passkeys", body = Vec<PasskeyView>)))]
pub(super) async fn list(State(state): State<AppState>, ApiUser(me): ApiUser) -> Result<Json<Vec<PasskeyView>>> {
    Ok(Json(state.services.accounts.passkeys(&me).await?))
}

/// Begins adding a passkey: pass `options.publicKey` to `navigator.credentials.create`.
#[utoipa::path(post, path = "/api/passkeys/options", tag = "passkeys",
    responses((status = 200, description = "Creation options and the ceremony to answer", body = PasskeyCeremony)))]
pub(super) async fn register_options(State(state): State<AppState>, ApiUser(me): ApiUser) -> Result<Json<PasskeyCeremony>> {
    Ok(Json(state.services.accounts.passkey_register_start(&me).await?))
}

/// Completes adding a passkey with the authenticator's answer.
#[utoipa::path(post, path = "/api/passkeys", tag = "passkeys", request_body = PasskeyRegisterBody,
    responses((status = 201, description = "The new passkey", body = PasskeyView)))]
pub(super) async fn register(
    State(state): State<AppState>,
    client: Client,
    ApiUser(me): ApiUser,
    ApiJson(body): ApiJson<PasskeyRegisterBody>,
) -> Result<(StatusCode, Json<PasskeyView>)> {
    let accounts = &state.services.accounts;
    let passkey = accounts.passkey_register_finish(&me, &body.ceremony_id, &body.credential, body.name.as_deref(), &client).await?;
    Ok((StatusCode::CREATED, Json(passkey)))
}

#[utoipa::path(patch, path = "/api/passkeys/{id}", tag = "passkeys", request_body = PasskeyRenameBody,
    params(("id" = String, Path, description = "A passkey's `id`")),
    responses((status = 204, description = "Renamed")))]
pub(super) async fn rename(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<String>,
    ApiJson(body): ApiJson<PasskeyRenameBody>,
) -> Result<StatusCode> {
    state.services.accounts.passkey_rename(&me, &id, &body.name).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a passkey. Send a confirmation from `/api/passkeys/confirm` as `X-Confirmation`.
#[utoipa::path(delete, path = "/api/passkeys/{id}", tag = "passkeys",
    params(("id" = String, Path, description = "A passkey's `id`"),
        ("X-Confirmation" = Option<String>, Header, description = "From `/api/passkeys/confirm`, under five minutes old")),
    responses((status = 204, description = "Removed")))]
pub(super) async fn remove(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> Result<StatusCode> {
    let confirmation = headers.get(CONFIRMATION_HEADER).and_then(|v| v.to_str().ok());
    state.services.accounts.passkey_remove(&me, &id, confirmation).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Begins a sign-in with a passkey the device holds (no name needed): pass `options.publicKey`
/// to `navigator.credentials.get`.
#[utoipa::path(post, path = "/api/passkeys/sign-in/options", tag = "passkeys", security(()),
    responses((status = 200, description = "Request options and the ceremony to answer", body = PasskeyCeremony)))]
pub(super) async fn sign_in_options(State(state): State<AppState>, client: Client) -> Result<Json<PasskeyCeremony>> {
    Ok(Json(state.services.accounts.passkey_sign_in_start(&client).await?))
}

/// Completes a passkey sign-in: the account and a new token pair.
#[utoipa::path(post, path = "/api/passkeys/sign-in", tag = "passkeys", security(()), request_body = PasskeyAnswerBody,
    responses((status = 200, description = "The person and new tokens", body = SignedIn)))]
pub(super) async fn sign_in(State(state): State<AppState>, client: Client, ApiJson(body): ApiJson<PasskeyAnswerBody>) -> Result<Json<SignedIn>> {
    let user = state.services.accounts.passkey_sign_in_finish(&body.ceremony_id, &body.credential, &client).await?;
    signed_in(&state, &user, &client).await
}

/// Begins confirming it is still the caller, with one of their passkeys.
#[utoipa::path(post, path = "/api/passkeys/confirm/options", tag = "passkeys",
    responses((status = 200, description = "Request options and the ceremony to answer", body = PasskeyCeremony)))]
pub(super) async fn confirm_options(State(state): State<AppState>, ApiUser(me): ApiUser) -> Result<Json<PasskeyCeremony>> {
    Ok(Json(state.services.accounts.passkey_confirm_start(&me).await?))
}

/// Completes a confirmation: a token sensitive changes accept for five minutes.
#[utoipa::path(post, path = "/api/passkeys/confirm", tag = "passkeys", request_body = PasskeyAnswerBody,
    responses((status = 200, description = "The confirmation", body = ConfirmationToken)))]
pub(super) async fn confirm(State(state): State<AppState>, ApiUser(me): ApiUser, ApiJson(body): ApiJson<PasskeyAnswerBody>) -> Result<Json<ConfirmationToken>> {
    let confirmation = state.services.accounts.passkey_confirm_finish(&me, &body.ceremony_id, &body.credential).await?;
    Ok(ConfirmationToken::new(confirmation))
}

//! Accounts with an email and password: sign-up, password login and reset. All open routes.
use app::{accounts::types::PendingCode, backend::accounts::Client};
use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    routing::post,
};
use serde::Deserialize;
use utoipa::ToSchema;

use super::accounts::{SignedIn, register_verify, signed_in};
use super::{ApiError, ApiJson, with_and_without_slash};
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    with_and_without_slash([
        ("/api/email/register", post(email_register)),
        ("/api/email/register/verify", post(register_verify)),
        ("/api/email/login", post(email_login)),
        ("/api/email/password/forgot", post(password_forgot)),
        ("/api/email/password/reset", post(password_reset)),
    ])
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct EmailRegisterBody {
    #[schema(min_length = 3, max_length = 32, pattern = "^[A-Za-z0-9_.]+$", example = "ada_l")]
    username: String,
    #[schema(max_length = 254, format = Email, example = "ada@example.com")]
    email: String,
    /// Not a common password, nor the username or email.
    #[schema(min_length = 10, max_length = 128)]
    password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct EmailPasswordBody {
    #[schema(max_length = 254, format = Email, example = "ada@example.com")]
    pub(super) email: String,
    #[schema(min_length = 1, max_length = 128)]
    pub(super) password: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ForgotBody {
    #[schema(max_length = 254, format = Email, example = "ada@example.com")]
    email: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ResetBody {
    #[schema(min_length = 1, max_length = 64)]
    pending_id: String,
    #[schema(min_length = 6, max_length = 6, pattern = "^[0-9]{6}$", example = "123456")]
    code: String,
    #[schema(min_length = 10, max_length = 128)]
    password: String,
}

type Result<T> = std::result::Result<T, ApiError>;

/// Starts an email sign-up: a code goes to the email; `/api/email/register/verify` (the same as
/// `/api/register/verify`) creates the account.
#[utoipa::path(post, path = "/api/email/register", tag = "accounts", security(()), request_body = EmailRegisterBody,
    responses((status = 202, description = "A code is on its way", body = PendingCode)))]
pub(super) async fn email_register(
    State(state): State<AppState>,
    client: Client,
    ApiJson(body): ApiJson<EmailRegisterBody>,
) -> Result<(StatusCode, Json<PendingCode>)> {
    let pending =
        state.services.accounts.start_register_email(&body.username, &body.email, &body.password, &client).await?;
    Ok((StatusCode::ACCEPTED, Json(pending)))
}

/// Logs in with email and password.
#[utoipa::path(post, path = "/api/email/login", tag = "accounts", security(()), request_body = EmailPasswordBody,
    responses((status = 200, description = "The person and new tokens", body = SignedIn)))]
pub(super) async fn email_login(
    State(state): State<AppState>,
    client: Client,
    ApiJson(body): ApiJson<EmailPasswordBody>,
) -> Result<Json<SignedIn>> {
    let user = state.services.accounts.login_password(&body.email, &body.password, &client).await?;
    signed_in(&state, &user, &client).await
}

/// Sends a reset code to the account's email.
#[utoipa::path(post, path = "/api/email/password/forgot", tag = "accounts", security(()), request_body = ForgotBody,
    responses((status = 202, description = "A code is on its way", body = PendingCode)))]
pub(super) async fn password_forgot(
    State(state): State<AppState>,
    client: Client,
    ApiJson(body): ApiJson<ForgotBody>,
) -> Result<(StatusCode, Json<PendingCode>)> {
    let pending = state.services.accounts.forgot_password(&body.email, &client).await?;
    Ok((StatusCode::ACCEPTED, Json(pending)))
}

/// Sets a new password with the emailed code. Every earlier session and token of the account is
/// signed out; the caller gets a new pair.
#[utoipa::path(post, path = "/api/email/password/reset", tag = "accounts", security(()), request_body = ResetBody,
    responses((status = 200, description = "The person and new tokens", body = SignedIn)))]
pub(super) async fn password_reset(
    State(state): State<AppState>,
    client: Client,
    ApiJson(body): ApiJson<ResetBody>,
) -> Result<Json<SignedIn>> {
    let user = state.services.accounts.reset_password(&body.pending_id, &body.code, &body.password, &client).await?;
    signed_in(&state, &user, &client).await
}

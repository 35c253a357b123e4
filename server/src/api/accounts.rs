//! Accounts over JSON: sign-up and login with a one-time code, tokens and signing out. Every
//! route here but logout is open (it is how a client gets its token).
use app::{
    accounts::types::{PendingCode, UserView},
    backend::{
        accounts::{Client, TokenPair, user_view},
        store::accounts::UserRow,
    },
    ids::UserId,
};
use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    routing::post,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiError, ApiJson, ApiUser, with_and_without_slash};
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    with_and_without_slash([
        ("/api/register", post(register)),
        ("/api/register/verify", post(register_verify)),
        ("/api/login", post(login)),
        ("/api/login/verify", post(login_verify)),
        ("/api/code/resend", post(resend)),
        ("/api/token/refresh", post(refresh)),
        ("/api/logout", post(logout)),
    ])
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RegisterBody {
    /// Letters, digits and underscores; unique.
    #[schema(min_length = 3, max_length = 32, pattern = "^[A-Za-z0-9_.]+$", example = "ada_l")]
    username: String,
    /// International (`+49…`) or in the server's default region.
    #[schema(min_length = 1, max_length = 32, example = "+491511234567")]
    phone: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct LoginBody {
    /// Optional: the phone alone identifies the account.
    #[serde(default)]
    #[schema(max_length = 16)]
    user_id: Option<String>,
    #[schema(min_length = 1, max_length = 32, example = "+491511234567")]
    phone: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct VerifyBody {
    #[schema(min_length = 1, max_length = 64)]
    pub(super) pending_id: String,
    /// The one-time code that was sent.
    #[schema(min_length = 6, max_length = 6, pattern = "^[0-9]{6}$", example = "123456")]
    pub(super) code: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ResendBody {
    #[schema(min_length = 1, max_length = 64)]
    pending_id: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RefreshBody {
    #[schema(min_length = 1, max_length = 128)]
    refresh_token: String,
}

/// A signed-in API client: the person and a new token pair.
#[derive(Serialize, ToSchema)]
pub(super) struct SignedIn {
    user_id: String,
    user: UserView,
    #[serde(flatten)]
    tokens: TokenPair,
}

type Result<T> = std::result::Result<T, ApiError>;

/// Starts a sign-up: a code goes to the phone.
#[utoipa::path(post, path = "/api/register", tag = "accounts", security(()), request_body = RegisterBody,
    responses((status = 202, description = "A code is on its way", body = PendingCode)))]
pub(super) async fn register(
    State(state): State<AppState>,
    client: Client,
    ApiJson(body): ApiJson<RegisterBody>,
) -> Result<(StatusCode, Json<PendingCode>)> {
    let pending = state.services.accounts.start_register(&body.username, &body.phone, &client).await?;
    Ok((StatusCode::ACCEPTED, Json(pending)))
}

/// Starts a login: a code goes to the account's phone.
#[utoipa::path(post, path = "/api/login", tag = "accounts", security(()), request_body = LoginBody,
    responses((status = 202, description = "A code is on its way", body = PendingCode)))]
pub(super) async fn login(
    State(state): State<AppState>,
    client: Client,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<(StatusCode, Json<PendingCode>)> {
    let pending = state.services.accounts.start_login(body.user_id.map(UserId::from).as_ref(), &body.phone, &client).await?;
    Ok((StatusCode::ACCEPTED, Json(pending)))
}

/// Sends a new code for a pending sign-up, login or change.
#[utoipa::path(post, path = "/api/code/resend", tag = "accounts", security(()), request_body = ResendBody,
    responses((status = 202, description = "A new code is on its way", body = PendingCode)))]
pub(super) async fn resend(
    State(state): State<AppState>,
    client: Client,
    ApiJson(body): ApiJson<ResendBody>,
) -> Result<(StatusCode, Json<PendingCode>)> {
    let pending = state.services.accounts.resend(&body.pending_id, &client).await?;
    Ok((StatusCode::ACCEPTED, Json(pending)))
}

pub(super) async fn verify(state: &AppState, client: &Client, body: &VerifyBody) -> Result<Json<SignedIn>> {
    let user = state.services.accounts.verify(&body.pending_id, &body.code, None, client).await?;
    signed_in(state, &user, client).await
}

/// A new token family for a client that just proved who it is.
pub(super) async fn signed_in(state: &AppState, user: &UserRow, client: &Client) -> Result<Json<SignedIn>> {
    let tokens = state.services.accounts.issue_tokens(&UserId::from(user.id.as_str()), client).await?;
    let user = user_view(user);
    Ok(Json(SignedIn { user_id: user.user_id.clone(), user, tokens }))
}

/// Completes a sign-up (by phone or email) with its code: the account exists and is signed in.
#[utoipa::path(post, path = "/api/register/verify", tag = "accounts", security(()), request_body = VerifyBody,
    responses((status = 201, description = "The new account and its tokens", body = SignedIn)))]
pub(super) async fn register_verify(
    State(state): State<AppState>,
    client: Client,
    ApiJson(body): ApiJson<VerifyBody>,
) -> Result<(StatusCode, Json<SignedIn>)> {
    Ok((StatusCode::CREATED, verify(&state, &client, &body).await?))
}

/// Completes a login with its code.
#[utoipa::path(post, path = "/api/login/verify", tag = "accounts", security(()), request_body = VerifyBody,
    responses((status = 200, description = "The person and new tokens", body = SignedIn)))]
pub(super) async fn login_verify(
    State(state): State<AppState>,
    client: Client,
    ApiJson(body): ApiJson<VerifyBody>,
) -> Result<Json<SignedIn>> {
    verify(&state, &client, &body).await
}

/// Trades a refresh token for a new pair. Each refresh token works once; presenting a spent one
/// again ends every token of that login.
#[utoipa::path(post, path = "/api/token/refresh", tag = "accounts", security(()), request_body = RefreshBody,
    responses((status = 200, description = "A new token pair", body = TokenPair)))]
pub(super) async fn refresh(
    State(state): State<AppState>,
    client: Client,
    ApiJson(body): ApiJson<RefreshBody>,
) -> Result<Json<TokenPair>> {
    Ok(Json(state.services.accounts.refresh(&body.refresh_token, &client).await?))
}

/// Signs this client out: its refresh token stops working (the access token expires on its own
/// within 15 minutes).
#[utoipa::path(post, path = "/api/logout", tag = "accounts", request_body = RefreshBody,
    responses((status = 204, description = "Signed out")))]
pub(super) async fn logout(State(state): State<AppState>, ApiUser(me): ApiUser, ApiJson(body): ApiJson<RefreshBody>) -> Result<StatusCode> {
    state.services.accounts.sign_out_token(&me, &body.refresh_token).await?;
    Ok(StatusCode::NO_CONTENT)
}

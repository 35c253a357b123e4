//! Accounts over JSON: sign-up and login with codes or email + password, tokens, the profile
//! and devices.
use std::net::SocketAddr;

use app::{
    accounts::types::{PendingCode, UserView},
    server::{
        accounts::{Client, TokenPair, user_view},
        store::accounts::UserRow,
    },
};
use axum::{
    Json, Router,
    extract::{ConnectInfo, Path, State},
    http::{HeaderMap, StatusCode},
    routing::{delete, get, post},
};
use serde::{Deserialize, Serialize};

use super::{ApiError, ApiJson, ApiUser};
use crate::startup::AppState;

/// Each route answers with and without its trailing slash, as the original clients used both.
pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for (path, route) in [
        ("/api/register", post(register)),
        ("/api/register/verify", post(register_verify)),
        ("/api/login", post(login)),
        ("/api/login/verify", post(login_verify)),
        ("/api/code/resend", post(resend)),
        ("/api/token/refresh", post(refresh)),
        ("/api/user", get(me)),
        ("/api/devices", get(devices)),
        ("/api/email/register", post(email_register)),
        ("/api/email/register/verify", post(register_verify)),
        ("/api/email/login", post(email_login)),
        ("/api/email/password/forgot", post(password_forgot)),
        ("/api/email/password/reset", post(password_reset)),
        ("/api/user/email", post(add_email)),
        ("/api/user/phone", post(add_phone)),
        ("/api/user/verify", post(add_verify)),
    ] {
        router = router.route(path, route.clone()).route(&format!("{path}/"), route);
    }
    router.route("/api/devices/{id}", delete(revoke_device))
}

fn client(addr: SocketAddr, headers: &HeaderMap) -> Client {
    Client::from_parts(Some(addr.ip().to_string()), headers)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterBody {
    username: String,
    phone: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LoginBody {
    #[serde(default)]
    user_id: Option<String>,
    phone: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VerifyBody {
    pending_id: String,
    code: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResendBody {
    pending_id: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RefreshBody {
    refresh_token: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmailRegisterBody {
    username: String,
    email: String,
    password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct EmailLoginBody {
    email: String,
    password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ForgotBody {
    email: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ResetBody {
    pending_id: String,
    code: String,
    password: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddPhoneBody {
    phone: String,
}

#[derive(Serialize)]
struct SignedIn {
    user_id: String,
    user: UserView,
    #[serde(flatten)]
    tokens: TokenPair,
}

type Result<T> = std::result::Result<T, ApiError>;

async fn register(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<RegisterBody>,
) -> Result<(StatusCode, Json<PendingCode>)> {
    let pending = state.services.accounts.start_register(&body.username, &body.phone, &client(addr, &headers)).await?;
    Ok((StatusCode::ACCEPTED, Json(pending)))
}

async fn login(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<(StatusCode, Json<PendingCode>)> {
    let pending =
        state.services.accounts.start_login(body.user_id.as_deref(), &body.phone, &client(addr, &headers)).await?;
    Ok((StatusCode::ACCEPTED, Json(pending)))
}

async fn resend(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ResendBody>,
) -> Result<(StatusCode, Json<PendingCode>)> {
    let pending = state.services.accounts.resend(&body.pending_id, &client(addr, &headers)).await?;
    Ok((StatusCode::ACCEPTED, Json(pending)))
}

async fn verify(state: &AppState, client: &Client, body: &VerifyBody) -> Result<Json<SignedIn>> {
    let user = state.services.accounts.verify(&body.pending_id, &body.code, None, client).await?;
    signed_in(state, &user, client).await
}

/// A new token family for a client that just proved who it is.
async fn signed_in(state: &AppState, user: &UserRow, client: &Client) -> Result<Json<SignedIn>> {
    let tokens = state.services.accounts.issue_tokens(&user.id, client).await?;
    let user = user_view(user);
    Ok(Json(SignedIn { user_id: user.user_id.clone(), user, tokens }))
}

async fn register_verify(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<VerifyBody>,
) -> Result<(StatusCode, Json<SignedIn>)> {
    Ok((StatusCode::CREATED, verify(&state, &client(addr, &headers), &body).await?))
}

async fn login_verify(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<VerifyBody>,
) -> Result<Json<SignedIn>> {
    verify(&state, &client(addr, &headers), &body).await
}

async fn email_register(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<EmailRegisterBody>,
) -> Result<(StatusCode, Json<PendingCode>)> {
    let client = client(addr, &headers);
    let pending =
        state.services.accounts.start_register_email(&body.username, &body.email, &body.password, &client).await?;
    Ok((StatusCode::ACCEPTED, Json(pending)))
}

async fn email_login(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<EmailLoginBody>,
) -> Result<Json<SignedIn>> {
    let client = client(addr, &headers);
    let user = state.services.accounts.login_password(&body.email, &body.password, &client).await?;
    signed_in(&state, &user, &client).await
}

async fn password_forgot(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ForgotBody>,
) -> Result<(StatusCode, Json<PendingCode>)> {
    let pending = state.services.accounts.forgot_password(&body.email, &client(addr, &headers)).await?;
    Ok((StatusCode::ACCEPTED, Json(pending)))
}

/// Every earlier session and token of the account is signed out; the caller gets a new pair.
async fn password_reset(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<ResetBody>,
) -> Result<Json<SignedIn>> {
    let client = client(addr, &headers);
    let user = state.services.accounts.reset_password(&body.pending_id, &body.code, &body.password, &client).await?;
    signed_in(&state, &user, &client).await
}

async fn add_email(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
    ApiJson(body): ApiJson<EmailLoginBody>,
) -> Result<(StatusCode, Json<PendingCode>)> {
    let pending =
        state.services.accounts.start_add_email(&user, &body.email, &body.password, &client(addr, &headers)).await?;
    Ok((StatusCode::ACCEPTED, Json(pending)))
}

async fn add_phone(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
    ApiJson(body): ApiJson<AddPhoneBody>,
) -> Result<(StatusCode, Json<PendingCode>)> {
    let pending = state.services.accounts.start_add_phone(&user, &body.phone, &client(addr, &headers)).await?;
    Ok((StatusCode::ACCEPTED, Json(pending)))
}

/// Confirms an added phone or email with its code; answers the updated profile.
async fn add_verify(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    ApiUser(user): ApiUser,
    headers: HeaderMap,
    ApiJson(body): ApiJson<VerifyBody>,
) -> Result<Json<UserView>> {
    let client = client(addr, &headers);
    let updated = state.services.accounts.verify(&body.pending_id, &body.code, Some(&user), &client).await?;
    Ok(Json(user_view(&updated)))
}

async fn refresh(
    State(state): State<AppState>,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ApiJson(body): ApiJson<RefreshBody>,
) -> Result<Json<TokenPair>> {
    Ok(Json(state.services.accounts.refresh(&body.refresh_token, &client(addr, &headers)).await?))
}

async fn me(State(state): State<AppState>, ApiUser(user): ApiUser) -> Result<Json<UserView>> {
    Ok(Json(user_view(&state.services.accounts.user(&user).await?)))
}

async fn devices(
    State(state): State<AppState>,
    ApiUser(user): ApiUser,
) -> Result<Json<Vec<app::accounts::types::DeviceView>>> {
    Ok(Json(state.services.accounts.devices(&user, None).await?))
}

async fn revoke_device(State(state): State<AppState>, ApiUser(user): ApiUser, Path(id): Path<String>) -> Result<StatusCode> {
    state.services.accounts.revoke_device(&user, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

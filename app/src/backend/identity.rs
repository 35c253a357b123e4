//! Who is calling a server fn: the signed-in user of the browser session, and the client's
//! address and user agent.
use std::net::IpAddr;

use axum::{
    extract::FromRequestParts,
    http::{HeaderMap, header, request::Parts},
};
use tower_sessions::Session;

use super::{
    accounts::Client,
    sessions::{IP_KEY, USER_AGENT_KEY, USER_KEY},
};
use crate::{error::AppError, ids::UserId};

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>().await.map_err(|e| {
        tracing::error!(error = %e, "no session layer in front of a server fn");
        AppError::Internal
    })
}

/// The client's address, resolved once per request by the server (behind a trusted reverse
/// proxy, the address the proxy names), and put in the request's extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientAddress(pub IpAddr);

/// Who is calling a server fn (REST handlers take `Client` as an argument instead).
pub async fn client() -> Client {
    leptos_axum::extract::<Client>().await.unwrap_or_default()
}

/// Who is asking, for every handler that needs it: the address resolved for this request and
/// the user agent (cut to 300 characters).
impl<S: Send + Sync> FromRequestParts<S> for Client {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let ip = parts.extensions.get::<ClientAddress>().map(|a| a.0.to_string());
        let user_agent =
            parts.headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(|s| s.chars().take(300).collect());
        Ok(Self { ip, user_agent })
    }
}

/// The caller's user ID: the browser session's user, else the user of a valid
/// `Authorization: Bearer` access token (so API clients can call server fns too).
pub async fn current_user_id() -> Result<UserId, AppError> {
    if let Some(id) = session_user(&session().await?).await {
        return Ok(id);
    }
    let headers = leptos_axum::extract::<HeaderMap>().await.unwrap_or_default();
    let services = leptos::prelude::use_context::<super::Services>().ok_or(AppError::Internal)?;
    bearer_token(&headers).and_then(|t| services.accounts.bearer_user(t)).ok_or(AppError::Unauthenticated)
}

/// The token of an `Authorization: Bearer <token>` header.
pub fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(axum::http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim()).filter(|t| !t.is_empty())
}

pub async fn session_user(session: &Session) -> Option<UserId> {
    session.get::<UserId>(USER_KEY).await.ok().flatten()
}

/// Signs the browser in as `user_id`. A new session id is issued first, so an id planted
/// before login (session fixation) is worth nothing after it.
pub async fn sign_in(session: &Session, user_id: &UserId, client: &Client) -> Result<(), AppError> {
    let fail = |e: tower_sessions::session::Error| {
        tracing::error!(error = %e, "writing the session failed");
        AppError::Internal
    };
    session.cycle_id().await.map_err(fail)?;
    session.insert(USER_KEY, user_id).await.map_err(fail)?;
    session.insert(USER_AGENT_KEY, client.user_agent.clone()).await.map_err(fail)?;
    session.insert(IP_KEY, client.ip.clone()).await.map_err(fail)?;
    Ok(())
}

//! `/ws`: one WebSocket per device for live delivery. This module authenticates the upgrade
//! (browser session cookie from our own origin, or a JWT access token in the `Authorization`
//! header or the `confab.bearer.<token>` subprotocol); `connection` runs the socket.
//! The protocol is described in `docs/protocol.md`.
mod connection;
pub mod limits;
mod per_user;
mod replay;

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use axum::{
    Extension, Router,
    extract::{FromRequestParts, Request, State, ws::WebSocketUpgrade},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use tokio::sync::watch;
use tower_sessions::Session;

use crate::{api::ApiError, startup::AppState};
use app::{error::AppError, ids::UserId};
use limits::{HARD_FRAME_BYTES, MAX_WRITE_BUFFER_BYTES, READ_BUFFER_BYTES, REPLAY_MESSAGES, RateLimit, SOCKETS_PER_USER, WRITE_BUFFER_BYTES};
use per_user::PerUser;

/// The subprotocol prefix that carries an access token from a browser (which cannot set headers
/// on a WebSocket): `Sec-WebSocket-Protocol: confab.bearer.<token>`.
pub const BEARER_PROTOCOL_PREFIX: &str = "confab.bearer.";
/// A plain protocol name a client may offer beside the token, so the server need not echo the
/// token back.
pub const PROTOCOL_NAME: &str = "confab.v1";

/// What the endpoint needs beyond the services.
#[derive(Debug, Clone)]
pub struct WsSettings {
    /// `scheme://host[:port]` of the public URL: the origin browsers must come from to use the
    /// session cookie.
    pub origin: String,
    pub rate: RateLimit,
    /// Messages one replay sends at most (see `limits::REPLAY_MESSAGES`).
    pub replay_messages: usize,
    /// Becomes true when the server starts shutting down.
    pub stopping: watch::Receiver<bool>,
    per_user: Arc<PerUser>,
}

impl WsSettings {
    /// The default limits; `with_limits` changes those the configuration sets.
    pub fn new(public_url: &str, rate: RateLimit, stopping: watch::Receiver<bool>) -> Self {
        let per_user = Arc::new(PerUser::new(SOCKETS_PER_USER));
        Self { origin: origin_of(public_url), rate, replay_messages: REPLAY_MESSAGES, stopping, per_user }
    }

    pub fn with_limits(mut self, sockets_per_user: usize, replay_messages: usize) -> Self {
        self.per_user = Arc::new(PerUser::new(sockets_per_user.max(1)));
        self.replay_messages = replay_messages.max(1);
        self
    }
}

pub fn router(settings: WsSettings) -> Router<AppState> {
    Router::new().route("/ws", get(upgrade)).layer(Extension(Arc::new(settings)))
}

/// `Retry-After` on a refused upgrade: by then a stale socket of the user's has gone idle.
const IDLE_RETRY_SECS: u64 = limits::IDLE_TIMEOUT.as_secs();

static NEXT_CONNECTION: AtomicU64 = AtomicU64::new(1);

/// How the upgrade request proved who it is.
#[derive(Debug, PartialEq)]
enum Credentials<'a> {
    Header(&'a str),
    /// The offered subprotocol carrying the token, echoed back when chosen.
    Subprotocol(&'a str),
    Cookie,
}

async fn upgrade(State(state): State<AppState>, Extension(settings): Extension<Arc<WsSettings>>, request: Request) -> Response {
    let (mut parts, _body) = request.into_parts();
    let session = parts.extensions.get::<Session>().cloned();
    let user = match authenticate(&state, &settings, &parts.headers, session.as_ref()).await {
        Ok(user) => user,
        Err(refusal) => return refusal,
    };
    let ws = match WebSocketUpgrade::from_request_parts(&mut parts, &state).await {
        Ok(ws) => ws,
        Err(rejection) => return rejection.into_response(),
    };
    // Refuse the newest rather than close the oldest: a client reconnecting in a loop cannot
    // then push the user's other devices off, and stale sockets free their place when they go
    // idle (`IDLE_TIMEOUT`).
    let Some(slot) = settings.per_user.open_socket(user.0.as_str()) else {
        tracing::warn!(user_id = %user.0, "WebSocket refused: too many sockets for one user");
        let max = settings.per_user.max_sockets();
        let message = format!("This account already has {max} live connections on this server — close one and try again");
        let mut refusal = crate::api::error_response(StatusCode::TOO_MANY_REQUESTS, "too_many_sockets", &message);
        refusal.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from(IDLE_RETRY_SECS));
        return refusal;
    };
    let mut protocols: Vec<String> = vec![PROTOCOL_NAME.into()];
    if let Some(Credentials::Subprotocol(p)) = credentials(&parts.headers) {
        protocols.push(p.to_owned());
    }
    let (user, display_name, device) = user;
    let context = connection::Context {
        services: state.services.clone(),
        user,
        display_name,
        device,
        rate: settings.rate,
        replay_messages: settings.replay_messages,
        per_user: settings.per_user.clone(),
        _slot: slot,
        stopping: settings.stopping.clone(),
        conn_id: NEXT_CONNECTION.fetch_add(1, Ordering::Relaxed),
    };
    // Small buffers: most sockets sit idle, and the defaults (128 KiB each) dominate their cost.
    ws.protocols(protocols)
        .read_buffer_size(READ_BUFFER_BYTES)
        .write_buffer_size(WRITE_BUFFER_BYTES)
        .max_write_buffer_size(MAX_WRITE_BUFFER_BYTES)
        .max_message_size(HARD_FRAME_BYTES)
        .max_frame_size(HARD_FRAME_BYTES)
        .on_upgrade(move |socket| connection::run(socket, context))
}

/// The caller's user id, display name and device, or the response refusing the upgrade.
async fn authenticate(
    state: &AppState,
    settings: &WsSettings,
    headers: &HeaderMap,
    session: Option<&Session>,
) -> Result<(UserId, String, SignedInDevice), Response> {
    let unauthenticated = || ApiError(AppError::Unauthenticated).into_response();
    let found = credentials(headers);
    let (user, device) = match found.as_ref().and_then(Credentials::token) {
        Some(token) => {
            let claims = state.services.accounts.bearer_claims(token).ok_or_else(unauthenticated)?;
            let device = SignedInDevice { id: claims.family.map(|f| format!("t:{f}")), expires_at: Some(claims.expires_at) };
            (claims.user_id, device)
        }
        None => {
            let session = session.ok_or_else(unauthenticated)?;
            let user = app::backend::identity::session_user(session).await.ok_or_else(unauthenticated)?;
            // The cookie goes with every request the browser makes to us, whichever site starts
            // it; only a page of our own origin may use it to open a socket.
            let origin = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok());
            let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
            if !origin_allowed(origin, &settings.origin, host) {
                tracing::warn!(origin = origin.unwrap_or("(none)"), "WebSocket from a foreign origin refused");
                return Err(ApiError(AppError::Forbidden).into_response());
            }
            let id = session.id().map(|id| id.to_string());
            if let Some(id) = &id {
                state.services.accounts.touch_session(id).await;
            }
            (user, SignedInDevice { id: id.map(|id| format!("s:{id}")), expires_at: None })
        }
    };
    // The account must still exist (a token outlives nothing but its 15 minutes).
    let row = state.services.accounts.user(&user).await.map_err(|e| match e {
        AppError::Unauthenticated => unauthenticated(),
        e => ApiError(e).into_response(),
    })?;
    Ok((UserId::from(row.id), row.display_name, device))
}

/// What the socket was opened with, so it can be closed when that stops being valid.
#[derive(Debug, Clone)]
pub struct SignedInDevice {
    /// `s:<session id>` or `t:<token family>`: checked against the store now and then, and at
    /// once when one of the user's devices is signed out.
    pub id: Option<String>,
    /// When the access token that opened the socket expires (unix seconds).
    pub expires_at: Option<i64>,
}

fn credentials(headers: &HeaderMap) -> Option<Credentials<'_>> {
    if let Some(token) = app::backend::identity::bearer_token(headers) {
        return Some(Credentials::Header(token));
    }
    let offered = headers.get(header::SEC_WEBSOCKET_PROTOCOL).and_then(|v| v.to_str().ok());
    if let Some(p) = offered.into_iter().flat_map(|v| v.split(',')).map(str::trim).find(|p| p.starts_with(BEARER_PROTOCOL_PREFIX)) {
        return Some(Credentials::Subprotocol(p));
    }
    headers.contains_key(header::COOKIE).then_some(Credentials::Cookie)
}

impl<'a> Credentials<'a> {
    fn token(&self) -> Option<&'a str> {
        match self {
            Self::Header(t) => Some(t),
            Self::Subprotocol(p) => p.strip_prefix(BEARER_PROTOCOL_PREFIX),
            Self::Cookie => None,
        }
    }
}

/// `https://chat.example.com/app/` → `https://chat.example.com`.
fn origin_of(url: &str) -> String {
    let url = url.trim().to_ascii_lowercase();
    let Some((scheme, rest)) = url.split_once("://") else { return url };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let authority = match (scheme, authority.rsplit_once(':')) {
        ("http", Some((host, "80"))) | ("https", Some((host, "443"))) => host,
        _ => authority,
    };
    format!("{scheme}://{authority}")
}

/// A browser's `Origin` must be the public URL's, or the very host the request was sent to (the
/// same app reached by another name, e.g. `localhost` instead of `127.0.0.1`). Browsers always
/// send `Origin` on a WebSocket; without one, the cookie is not accepted.
fn origin_allowed(origin: Option<&str>, public_origin: &str, host: Option<&str>) -> bool {
    let Some(origin) = origin.map(origin_of) else { return false };
    if origin == public_origin {
        return true;
    }
    let scheme = public_origin.split_once("://").map_or("http", |(s, _)| s);
    host.is_some_and(|h| origin == origin_of(&format!("{scheme}://{h}")))
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    #[test]
    fn the_origin_is_the_scheme_host_and_port_of_the_public_url() {
        assert_eq!(origin_of("https://Chat.Example.com/app/"), "https://chat.example.com");
        assert_eq!(origin_of("https://chat.example.com:443"), "https://chat.example.com");
        assert_eq!(origin_of("http://127.0.0.1:3000"), "http://127.0.0.1:3000");
        assert_eq!(origin_of("http://127.0.0.1:80/x"), "http://127.0.0.1");
    }

    #[test]
    fn only_our_own_origin_may_use_the_cookie() {
        let ours = "http://127.0.0.1:3000";
        assert!(origin_allowed(Some("http://127.0.0.1:3000"), ours, Some("127.0.0.1:3000")));
        assert!(origin_allowed(Some("http://localhost:3000"), ours, Some("localhost:3000")), "same host, other name");
        assert!(!origin_allowed(Some("https://evil.example"), ours, Some("127.0.0.1:3000")));
        assert!(!origin_allowed(Some("http://127.0.0.1:3001"), ours, Some("127.0.0.1:3000")), "another port");
        assert!(!origin_allowed(None, ours, Some("127.0.0.1:3000")), "no origin, no cookie");
        assert!(!origin_allowed(Some("null"), ours, Some("127.0.0.1:3000")));
    }

    #[test]
    fn a_token_is_read_from_the_header_or_the_subprotocol() {
        let mut headers = HeaderMap::new();
        headers.insert(header::SEC_WEBSOCKET_PROTOCOL, HeaderValue::from_static("confab.v1, confab.bearer.abc.def"));
        let found = credentials(&headers).unwrap();
        assert_eq!(found, Credentials::Subprotocol("confab.bearer.abc.def"));
        assert_eq!(found.token(), Some("abc.def"));
        headers.insert(header::AUTHORIZATION, HeaderValue::from_static("Bearer xyz"));
        assert_eq!(credentials(&headers).unwrap().token(), Some("xyz"), "the header wins");
        let mut cookie_only = HeaderMap::new();
        cookie_only.insert(header::COOKIE, HeaderValue::from_static("confab_session=1"));
        assert_eq!(credentials(&cookie_only), Some(Credentials::Cookie));
        assert_eq!(credentials(&HeaderMap::new()), None);
    }
}

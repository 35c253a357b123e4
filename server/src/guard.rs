//! Every page needs a signed-in browser, except the few that let people in: everyone else is
//! sent to the login page, and back afterwards. Static files, health checks and `/api` (which
//! answers 401 itself) pass through, and so does `/ws`, which checks its session cookie (with
//! the page's origin) or token before the upgrade.
use axum::{
    body::Body,
    extract::{MatchedPath, Request, State},
    http::{HeaderValue, Response, StatusCode, header},
    middleware::Next,
};
use tower_sessions::Session;

use crate::startup::AppState;

/// Pages for people who are not signed in yet (code entry is a step within login and sign-up).
const PUBLIC_PAGES: [&str; 3] = ["/login", "/register", "/forgot-password"];

/// `route` is the matched route's pattern, `None` for the fallback (static files and the 404
/// page). A page added to the route table is private unless listed above.
fn is_private(route: Option<&str>) -> bool {
    match route {
        None => false,
        Some(r) => !(PUBLIC_PAGES.contains(&r) || r == "/healthz" || r == "/readyz" || r == "/ws" || r == "/api" || r.starts_with("/api/")),
    }
}

pub async fn require_sign_in(State(state): State<AppState>, request: Request, next: Next) -> Response<Body> {
    let route = request.extensions().get::<MatchedPath>().map(|m| m.as_str().to_owned());
    if !is_private(route.as_deref()) {
        return next.run(request).await;
    }
    // A session signed out from the Devices page is gone from the store, so it loads empty here.
    let session = request.extensions().get::<Session>().cloned();
    if let Some(session) = session {
        if app::backend::identity::session_user(&session).await.is_some() {
            if let Some(id) = session.id() {
                state.services.accounts.touch_session(&id.to_string()).await;
            }
            return next.run(request).await;
        }
    }
    let target = request.uri().path_and_query().map(|p| p.as_str()).unwrap_or("/");
    let location = format!("/login?next={}", percent_encode(target));
    let mut response = Response::new(Body::empty());
    *response.status_mut() = StatusCode::SEE_OTHER;
    if let Ok(value) = HeaderValue::from_str(&location) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_page_route_is_private_but_the_ways_in() {
        for r in ["/", "/chats", "/chats/{id}", "/profile/{id}", "/settings", "/settings/devices"] {
            assert!(is_private(Some(r)), "{r}");
        }
        for r in ["/login", "/register", "/forgot-password", "/api/user", "/api/verify_code", "/healthz", "/readyz", "/ws"] {
            assert!(!is_private(Some(r)), "{r}");
        }
        assert!(!is_private(None), "static files and the 404 page");
    }

    #[test]
    fn the_return_path_is_encoded() {
        assert_eq!(percent_encode("/chats/5?q=a b&x=1"), "/chats/5%3Fq%3Da%20b%26x%3D1");
    }
}

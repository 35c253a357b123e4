//! Pages that need a signed-in browser send everyone else to the login page, then back.
use axum::{
    body::Body,
    extract::Request,
    http::{HeaderValue, Response, StatusCode, header},
    middleware::Next,
};
use tower_sessions::Session;

/// The app's private pages. Everything else (login, sign-up, static files, the API, which
/// checks tokens itself, and the 404 page) is public.
fn is_private(path: &str) -> bool {
    path == "/"
        || ["/chats", "/profile", "/settings"]
            .iter()
            .any(|p| path == *p || path.starts_with(&format!("{p}/")))
}

pub async fn require_sign_in(request: Request, next: Next) -> Response<Body> {
    if !is_private(request.uri().path()) {
        return next.run(request).await;
    }
    let signed_in = match request.extensions().get::<Session>() {
        Some(session) => app::server::identity::session_user(session).await.is_some(),
        None => false,
    };
    if signed_in {
        return next.run(request).await;
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
    fn only_app_pages_are_private() {
        for p in ["/", "/chats", "/chats/12", "/profile/7KQ4M2XD", "/settings", "/settings/devices"] {
            assert!(is_private(p), "{p}");
        }
        for p in ["/login", "/register", "/pkg/confab.wasm", "/api/user", "/healthz", "/chatsx", "/sw.js", "/nowhere"] {
            assert!(!is_private(p), "{p}");
        }
    }

    #[test]
    fn the_return_path_is_encoded() {
        assert_eq!(percent_encode("/chats/5?q=a b&x=1"), "/chats/5%3Fq%3Da%20b%26x%3D1");
    }
}

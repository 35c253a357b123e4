//! Cross-cutting HTTP layers: security headers, cross-origin cookie writes and request logging.
use std::time::Duration;

use axum::{
    body::Body,
    extract::{MatchedPath, Request},
    http::{HeaderMap, HeaderValue, Method, Response, StatusCode, header},
    middleware::Next,
    response::IntoResponse,
};
use tracing::Span;

/// Headers every response carries. Rendered pages already have a CSP with their script nonce;
/// everything else gets the same policy without one.
pub async fn security_headers(request: Request, next: Next) -> Response<Body> {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(self), microphone=(self), geolocation=(), payment=()"),
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        if let Ok(csp) = HeaderValue::from_str(&app::server::security::content_security_policy(None)) {
            headers.insert(header::CONTENT_SECURITY_POLICY, csp);
        }
    }
    response
}

/// A write that a browser sends with the session cookie from another site's page is refused: the
/// cookie would act for the person without their say (CSRF). Bearer requests carry their own
/// credential and pass, as do requests without Origin or Referer (not from a browser page).
pub async fn refuse_cross_origin_cookie_writes(public_url: std::sync::Arc<str>, request: Request, next: Next) -> Response<Body> {
    if is_cross_origin_cookie_write(request.method(), request.headers(), &public_url) {
        let body = serde_json::json!({ "error": {
            "code": "cross_origin",
            "message": "Requests from other sites must use a Bearer token, not the session cookie",
            "field": null,
        } });
        return (StatusCode::FORBIDDEN, axum::Json(body)).into_response();
    }
    next.run(request).await
}

fn is_cross_origin_cookie_write(method: &Method, headers: &HeaderMap, public_url: &str) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let has_session_cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(';').any(|c| c.trim().starts_with("confab_session=")));
    let has_bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer "));
    if !has_session_cookie || has_bearer {
        return false;
    }
    let header_str = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    match (header_str(header::ORIGIN), header_str(header::REFERER)) {
        (Some(origin), _) => origin != public_url,
        (None, Some(referer)) => !(referer == public_url || referer.starts_with(&format!("{public_url}/"))),
        (None, None) => false,
    }
}

/// One span per request, named by its route pattern (not the raw path, which holds ids).
pub fn request_span(request: &Request) -> Span {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| request.uri().path().to_owned());
    tracing::info_span!("http", method = %request.method(), route, status = tracing::field::Empty)
}

pub fn log_response(response: &Response<Body>, latency: Duration, span: &Span) {
    let status = response.status().as_u16();
    span.record("status", status);
    tracing::info!(status, latency_ms = latency.as_secs_f64() * 1000.0, "response");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (header::HeaderName::from_static(k), HeaderValue::from_static(v))).collect()
    }

    const SITE: &str = "https://chat.example.com";

    #[test]
    fn cookie_writes_from_other_sites_are_refused() {
        let cookie = ("cookie", "a=1; confab_session=abc");
        for from in [("origin", "https://evil.example"), ("referer", "https://evil.example/page"), ("referer", "https://chat.example.com.evil.example/")] {
            assert!(is_cross_origin_cookie_write(&Method::POST, &headers(&[cookie, from]), SITE), "{from:?}");
        }
    }

    #[test]
    fn same_site_reads_bearer_and_cookieless_requests_pass() {
        let cookie = ("cookie", "confab_session=abc");
        let evil = ("origin", "https://evil.example");
        assert!(!is_cross_origin_cookie_write(&Method::POST, &headers(&[cookie, ("origin", SITE)]), SITE));
        assert!(!is_cross_origin_cookie_write(&Method::POST, &headers(&[cookie, ("referer", "https://chat.example.com/chats")]), SITE));
        assert!(!is_cross_origin_cookie_write(&Method::GET, &headers(&[cookie, evil]), SITE));
        assert!(!is_cross_origin_cookie_write(&Method::POST, &headers(&[cookie, evil, ("authorization", "Bearer x.y.z")]), SITE));
        assert!(!is_cross_origin_cookie_write(&Method::POST, &headers(&[evil]), SITE));
        assert!(!is_cross_origin_cookie_write(&Method::POST, &headers(&[cookie]), SITE));
    }
}

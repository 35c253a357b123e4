//! Cross-cutting HTTP layers: security headers and request logging.
use std::time::Duration;

use axum::{
    body::Body,
    extract::{MatchedPath, Request},
    http::{HeaderValue, Response, header},
    middleware::Next,
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

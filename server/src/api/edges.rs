//! What every API response shares: errors from outside the handlers (unknown route, wrong
//! method, unreadable path) in the API's error shape, and CORS for configured origins.
use axum::{
    body::to_bytes,
    extract::Request,
    http::{HeaderValue, Method, StatusCode, header},
    middleware::Next,
    response::Response,
};
use tower_http::cors::{AllowOrigin, CorsLayer};

use super::extract::error_response;

pub async fn unknown_route() -> Response {
    error_response(StatusCode::NOT_FOUND, "not_found", "No such API route — see /api/docs")
}

/// Rewrites an error that axum answered in plain text (405, a bad path parameter, 413 before the
/// body was read) into `{"error": {...}}`, keeping its status and headers (such as `Allow`).
pub async fn errors_as_json(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (parts, body) = response.into_parts();
    let text = to_bytes(body, 4096).await.map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default();
    let (code, fallback) = match status {
        StatusCode::NOT_FOUND => ("not_found", "Not found"),
        StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "This route does not take that method"),
        StatusCode::PAYLOAD_TOO_LARGE => ("body_too_large", "The body is too large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ("invalid_body", "Send JSON with Content-Type: application/json"),
        s if s.is_server_error() => ("internal", "Something went wrong on our side — please try again"),
        _ => ("bad_request", "The request could not be read"),
    };
    // Server errors never pass their text on; axum's rejection texts are safe to show.
    let message = if status.is_server_error() || text.trim().is_empty() { fallback } else { text.trim() };
    let mut json = error_response(status, code, message);
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            json.headers_mut().append(name.clone(), value.clone());
        }
    }
    json
}

/// CORS for `/api` from the configured origins: Bearer tokens only (no cookies), so
/// credentials are not allowed. None when no origin is configured.
pub fn cors(origins: &[String]) -> Option<CorsLayer> {
    let origins: Vec<HeaderValue> = origins.iter().filter_map(|o| HeaderValue::from_str(o).ok()).collect();
    if origins.is_empty() {
        return None;
    }
    Some(
        CorsLayer::new()
            .allow_origin(AllowOrigin::list(origins))
            .allow_methods([Method::GET, Method::POST, Method::PUT, Method::PATCH, Method::DELETE])
            .allow_headers([header::AUTHORIZATION, header::CONTENT_TYPE])
            .expose_headers([header::RETRY_AFTER, header::WWW_AUTHENTICATE])
            .max_age(std::time::Duration::from_secs(600)),
    )
}

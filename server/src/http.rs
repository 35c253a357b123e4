//! Cross-cutting HTTP layers: security headers, cross-origin cookie writes and request logging.
use std::{sync::Arc, time::Duration};

use axum::{
    body::Body,
    extract::{MatchedPath, Request},
    http::{HeaderMap, HeaderValue, Method, Response, StatusCode, header},
    middleware::Next,
    response::IntoResponse,
};
use tracing::Span;

/// Headers every response carries. Rendered pages already have a CSP with their script nonce;
/// everything else gets the same policy without one. What a route answers (pages, the API,
/// server functions) is one person's and is never stored by a browser or proxy cache; only
/// static files (no route: the fallback) may be.
pub async fn security_headers(request: Request, next: Next) -> Response<Body> {
    let routed = request.extensions().get::<MatchedPath>().is_some();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // A handler that says how its answer may be kept (attachments) is taken at its word.
    if routed && !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("strict-origin-when-cross-origin"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(self), microphone=(self), geolocation=(), payment=()"),
    );
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        if let Ok(csp) = HeaderValue::from_str(&app::backend::security::content_security_policy(None)) {
            headers.insert(header::CONTENT_SECURITY_POLICY, csp);
        }
    }
    response
}

/// Where writes may come from: the site itself, and the origins configured for the API's CORS.
#[derive(Clone)]
pub struct WriteOrigins {
    pub site: Arc<str>,
    pub api_clients: Arc<[String]>,
}

/// A write that another site's page makes a browser send is refused (CSRF). With the session
/// cookie it would act for the person without their say; without one it can still sign the
/// browser in to the attacker's account (login CSRF: a form posting the attacker's own code),
/// so that what the person then types lands in the attacker's hands. Bearer requests carry their
/// own credential and pass, as do requests without Origin or Referer (not from a browser page),
/// and cookieless calls from an origin configured for CORS.
pub async fn refuse_cross_site_writes(origins: WriteOrigins, request: Request, next: Next) -> Response<Body> {
    if is_cross_site_write(request.method(), request.headers(), &origins) {
        let body = serde_json::json!({ "error": {
            "code": "cross_origin",
            "message": "Requests from other sites must use a Bearer token, not the session cookie",
            "field": null,
        } });
        return (StatusCode::FORBIDDEN, axum::Json(body)).into_response();
    }
    next.run(request).await
}

fn is_cross_site_write(method: &Method, headers: &HeaderMap, origins: &WriteOrigins) -> bool {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let has_bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.len() > 7 && v[..7].eq_ignore_ascii_case("bearer "));
    if has_bearer {
        return false;
    }
    let site = &*origins.site;
    let header_str = |name| headers.get(name).and_then(|v: &HeaderValue| v.to_str().ok());
    let origin = match (header_str(header::ORIGIN), header_str(header::REFERER)) {
        (Some(origin), _) => origin,
        (None, Some(referer)) if referer == site || referer.starts_with(&format!("{site}/")) => return false,
        (None, Some(_)) => return true,
        (None, None) => return false,
    };
    if origin == site {
        return false;
    }
    let has_session_cookie = headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .any(|v| v.split(';').any(|c| c.trim().starts_with("confab_session=")));
    has_session_cookie || !origins.api_clients.iter().any(|allowed| allowed == origin)
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

    fn origins(api_clients: &[&str]) -> WriteOrigins {
        WriteOrigins { site: SITE.into(), api_clients: api_clients.iter().map(|o| o.to_string()).collect() }
    }

    fn refused(method: Method, pairs: &[(&'static str, &'static str)]) -> bool {
        is_cross_site_write(&method, &headers(pairs), &origins(&["https://app.example.com"]))
    }

    #[test]
    fn cookie_writes_from_other_sites_are_refused() {
        let cookie = ("cookie", "a=1; confab_session=abc");
        for from in [("origin", "https://evil.example"), ("referer", "https://evil.example/page"), ("referer", "https://chat.example.com.evil.example/")] {
            assert!(refused(Method::POST, &[cookie, from]), "{from:?}");
        }
        assert!(refused(Method::POST, &[cookie, ("origin", "https://app.example.com")]), "a CORS origin never gets the cookie's power");
    }

    #[test]
    fn cookieless_writes_from_other_sites_are_refused_too() {
        for from in [("origin", "https://evil.example"), ("origin", "null"), ("referer", "https://evil.example/login")] {
            assert!(refused(Method::POST, &[from]), "{from:?}");
        }
    }

    #[test]
    fn same_site_reads_bearer_api_clients_and_non_browsers_pass() {
        let cookie = ("cookie", "confab_session=abc");
        let evil = ("origin", "https://evil.example");
        assert!(!refused(Method::POST, &[cookie, ("origin", SITE)]));
        assert!(!refused(Method::POST, &[cookie, ("referer", "https://chat.example.com/chats")]));
        assert!(!refused(Method::GET, &[cookie, evil]));
        assert!(!refused(Method::POST, &[cookie, evil, ("authorization", "Bearer x.y.z")]));
        assert!(!refused(Method::POST, &[("origin", "https://app.example.com")]));
        assert!(!refused(Method::POST, &[cookie]));
        assert!(!refused(Method::POST, &[]));
    }
}

/// Answers that offer byte ranges (attachments) are never compressed: a range of a compressed
/// body is not that range of the bytes, and pictures, recordings and archives are compressed
/// already. (The compression layer asks this beside its default rules.)
pub fn not_ranged(
    _: axum::http::StatusCode,
    _: axum::http::Version,
    headers: &axum::http::HeaderMap,
    _: &axum::http::Extensions,
) -> bool {
    !headers.contains_key(header::ACCEPT_RANGES)
}

//! The Content-Security-Policy of rendered pages. Leptos gives each response a fresh nonce for its
//! inline hydration script, so scripts need no `'unsafe-inline'`; `'wasm-unsafe-eval'` lets the
//! browser compile the app's wasm. `blob:` pictures and media are the page's own: previews of
//! what is being sent, and a voice recording listened to before it is.
use leptos::prelude::use_context;

/// The policy for everything the server sends; `nonce` is set on rendered pages.
pub fn content_security_policy(nonce: Option<&str>) -> String {
    let scripts = match nonce {
        Some(n) => format!("'self' 'wasm-unsafe-eval' 'nonce-{n}'"),
        None => "'self' 'wasm-unsafe-eval'".to_string(),
    };
    format!(
        "default-src 'self'; script-src {scripts}; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; font-src 'self'; manifest-src 'self'; \
         worker-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Called while the shell renders: puts this response's nonce into its CSP header.
pub fn insert_page_csp() {
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else { return };
    let nonce = leptos::nonce::use_nonce().map(|n| n.to_string());
    if let Ok(value) = axum::http::HeaderValue::from_str(&content_security_policy(nonce.as_deref())) {
        response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
    }
}

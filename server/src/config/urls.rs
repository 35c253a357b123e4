//! The addresses people reach the server from: its public URL and the origins allowed to call
//! the API across sites.

/// A scheme and host (and optional port), nothing after them but one slash, which is dropped.
pub(super) fn parse_public_url(v: &str) -> Result<String, String> {
    let uri: axum::http::Uri = v.parse().map_err(|_| format!("`{v}` is not a URL"))?;
    match (uri.scheme_str(), uri.authority()) {
        (Some("http" | "https"), Some(_)) if uri.path() == "/" || uri.path().is_empty() => {
            Ok(v.trim_end_matches('/').to_string())
        }
        (Some("http" | "https"), Some(_)) => Err(format!("`{v}` must not have a path")),
        _ => Err(format!("`{v}` must be an http:// or https:// URL with a host")),
    }
}

/// Exact origins: scheme, host and optional port, nothing after them (browsers send no slash).
pub(super) fn parse_origins(v: &str) -> Result<Vec<String>, String> {
    v.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| {
            let uri: axum::http::Uri = o.parse().map_err(|_| format!("`{o}` is not an origin"))?;
            match (uri.scheme_str(), uri.authority(), uri.path_and_query().map(|p| p.as_str())) {
                (Some("http" | "https"), Some(_), None | Some("" | "/")) if !o.ends_with('/') => Ok(o.to_owned()),
                _ => Err(format!("`{o}` is not an origin such as https://app.example.com (no path, no trailing slash)")),
            }
        })
        .collect()
}

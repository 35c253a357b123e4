use crate::helpers::{spawn_app, spawn_sqlite_app};

#[tokio::test]
async fn healthz_answers_ok() {
    let app = spawn_app().await;
    let response = app.get("/healthz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<serde_json::Value>().await.unwrap()["status"], "ok");
}

#[tokio::test]
async fn readyz_answers_ready_when_the_database_does() {
    let app = spawn_app().await;
    let response = app.get("/readyz").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<serde_json::Value>().await.unwrap()["status"], "ready");
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    for path in ["/healthz", "/login", "/no-such-page"] {
        let response = app.get(path).await;
        let h = response.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "strict-origin-when-cross-origin", "{path}");
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(csp.contains("'wasm-unsafe-eval'"), "{path}: {csp}");
    }
}

#[tokio::test]
async fn a_rendered_page_has_its_content_and_a_nonce_matching_its_csp() {
    let app = spawn_app().await;
    let response = app.get("/login").await;
    assert_eq!(response.status(), 200);
    let csp = response.headers()["content-security-policy"].to_str().unwrap().to_owned();
    let nonce = csp.split("'nonce-").nth(1).and_then(|s| s.split('\'').next()).expect("nonce in CSP");
    let html = response.text().await.unwrap();
    assert!(html.contains("Welcome back"));
    assert!(html.contains(&format!("nonce=\"{nonce}\"")), "the hydration script carries the nonce");
    assert!(html.contains("/pkg/confab.css"));
}

#[tokio::test]
async fn an_unknown_page_is_a_404_with_the_not_found_page() {
    let app = spawn_app().await;
    let response = app.get("/definitely/not/here").await;
    assert_eq!(response.status(), 404);
    assert!(response.text().await.unwrap().contains("This page doesn’t exist"));
}

#[tokio::test]
async fn responses_are_compressed_when_the_client_accepts_it() {
    let app = spawn_app().await;
    let raw = reqwest::Client::builder().no_gzip().no_brotli().build().unwrap();
    let response = raw
        .get(app.url("/login"))
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .unwrap();
    let encoding = response.headers().get("content-encoding").map(|v| v.to_str().unwrap().to_owned());
    assert!(matches!(encoding.as_deref(), Some("br" | "gzip")), "got {encoding:?}");
}

#[tokio::test]
async fn the_database_and_secret_are_created_in_the_data_directory() {
    let app = spawn_sqlite_app().await;
    assert!(app.data_dir.join("confab.db").exists());
    let secret = std::fs::read_to_string(app.data_dir.join("secret.key")).unwrap();
    assert!(secret.trim().len() >= 32);
}

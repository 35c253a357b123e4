//! Code delivery through an SMS gateway webhook, against a stand-in gateway on a free port.
use std::sync::{Arc, Mutex};

use axum::{Json, Router, extract::State, http::HeaderMap, routing::post};
use serde_json::{Value, json};

use crate::helpers::spawn_app_with;

type Received = Arc<Mutex<Vec<(Option<String>, Value)>>>;

async fn gateway() -> (String, Received) {
    let received: Received = Arc::default();
    let app = Router::new()
        .route(
            "/send",
            post(|State(r): State<Received>, headers: HeaderMap, Json(body): Json<Value>| async move {
                let auth = headers.get("authorization").and_then(|v| v.to_str().ok()).map(str::to_owned);
                r.lock().unwrap().push((auth, body));
                Json(json!({ "queued": true }))
            }),
        )
        .with_state(received.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/send", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    (url, received)
}

#[tokio::test]
async fn sms_codes_are_posted_to_the_configured_webhook() {
    let (url, received) = gateway().await;
    let app = spawn_app_with(&[
        ("CONFAB_SMS_DELIVERY", "webhook"),
        ("CONFAB_SMS_WEBHOOK_URL", &url),
        ("CONFAB_SMS_WEBHOOK_TOKEN", "gateway-secret"),
    ])
    .await;
    let pending = app.post("/api/register/", json!({ "username": "ada", "phone": "+447911123456" })).await;
    assert_eq!(pending.status(), 202);
    let pending: Value = pending.json().await.unwrap();
    assert_eq!(pending["dev_notice"], Value::Null, "a real gateway needs no notice");

    let (auth, body) = received.lock().unwrap().first().cloned().expect("the gateway got a request");
    assert_eq!(auth.as_deref(), Some("Bearer gateway-secret"));
    assert_eq!(body["to"], "+447911123456");
    let text = body["text"].as_str().unwrap();
    let code = &text[..6];
    assert!(code.chars().all(|c| c.is_ascii_digit()), "{text}");
    assert!(app.outbox_messages().is_empty(), "nothing went to the outbox");

    let done = app.post("/api/register/verify/", json!({ "pending_id": pending["pending_id"], "code": code })).await;
    assert_eq!(done.status(), 201);
}

#[tokio::test]
async fn a_gateway_that_fails_is_reported_as_a_server_error_without_details() {
    let app = spawn_app_with(&[("CONFAB_SMS_DELIVERY", "webhook"), ("CONFAB_SMS_WEBHOOK_URL", "http://127.0.0.1:9/send")]).await;
    let response = app.post("/api/register/", json!({ "username": "ada", "phone": "+447911123456" })).await;
    assert_eq!(response.status(), 500);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "internal");
    assert!(!body.to_string().contains("127.0.0.1"), "{body}");
}

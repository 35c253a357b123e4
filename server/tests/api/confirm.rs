//! Signing out every other device, which needs a fresh confirmation that it is the person: a
//! code to their phone when they have no passkey. What a thief with a stolen token would try.
use serde_json::json;

use crate::helpers::{TestApp, spawn_app};

/// A second login of the same account through the API (another device): its tokens.
async fn log_in_again(app: &TestApp, phone: &str) -> serde_json::Value {
    let pending: serde_json::Value = app.post("/api/login", json!({ "phone": phone })).await.json().await.unwrap();
    let code = app.latest_code(phone);
    let done = app.post("/api/login/verify", json!({ "pending_id": pending["pending_id"], "code": code })).await;
    assert_eq!(done.status(), 200);
    done.json().await.unwrap()
}

async fn refresh_works(app: &TestApp, login: &serde_json::Value) -> bool {
    let (status, _) = app.call("POST", "/api/token/refresh", "", Some(json!({ "refresh_token": login["refresh_token"] }))).await;
    status == 200
}

async fn sign_out_others(app: &TestApp, token: &str, confirmation: Option<&str>) -> (u16, serde_json::Value) {
    let mut request = app.client.post(app.url("/api/devices/sign-out-others")).bearer_auth(token);
    if let Some(confirmation) = confirmation {
        request = request.header("X-Confirmation", confirmation);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap_or(serde_json::Value::Null))
}

#[tokio::test]
async fn signing_out_every_other_device_needs_a_code_and_keeps_this_one() {
    let app = spawn_app().await;
    let phone = "+4915112391001";
    let here = app.sign_up("ada", phone).await;
    let there = log_in_again(&app, phone).await;
    let token = here["access_token"].as_str().unwrap();

    let (status, error) = sign_out_others(&app, token, None).await;
    assert_eq!((status, error["error"]["code"].as_str()), (422, Some("confirmation_required")));
    let (status, _) = sign_out_others(&app, token, Some("forged")).await;
    assert_eq!(status, 422);
    assert!(refresh_works(&app, &there).await, "nothing was signed out without a confirmation");

    let confirmation = app.confirmation(token, phone).await;
    assert_eq!(app.outbox_messages().last().unwrap()["purpose"], "confirm");
    let (status, _) = sign_out_others(&app, token, Some(&confirmation)).await;
    assert_eq!(status, 204);
    assert!(!refresh_works(&app, &there).await, "the other device is signed out");
    assert!(refresh_works(&app, &here).await, "this one stays signed in");
}

#[tokio::test]
async fn a_confirmation_code_confirms_only_its_own_person_and_signs_nobody_in() {
    let app = spawn_app().await;
    let (ada_phone, bob_phone) = ("+4915112391002", "+4915112391003");
    let (_, ada) = app.person("ada", ada_phone).await;
    let (_, bob) = app.person("bob", bob_phone).await;
    let (_, pending) = app.call("POST", "/api/confirm/code", &ada, None).await;
    let code = app.latest_code(ada_phone);
    let body = json!({ "pending_id": pending["pending_id"], "code": code });

    let (status, _) = app.call("POST", "/api/confirm/code/verify", &bob, Some(body.clone())).await;
    assert_eq!(status, 403, "Bob cannot use Ada's code");
    let login = app.post("/api/login/verify", body.clone()).await;
    assert_eq!(login.status(), 422, "a confirmation code is no login code");
    let error: serde_json::Value = login.json().await.unwrap();
    assert_eq!(error["error"]["code"], "code_unknown");

    let (status, confirmation) = app.call("POST", "/api/confirm/code/verify", &ada, Some(body)).await;
    assert_eq!(status, 200);
    let ada_confirmation = confirmation["confirmation"].as_str().unwrap();
    let (status, _) = sign_out_others(&app, &bob, Some(ada_confirmation)).await;
    assert_eq!(status, 422, "Ada's confirmation is not Bob's");
}

//! Passkeys over HTTP, as a hostile or careless client meets them: options that name nobody,
//! answers that are not answers, ceremonies that are not theirs, other people's passkeys, and a
//! server whose URL cannot hold passkeys. (Real ceremonies with a software authenticator are
//! the service's tests; the browser's are Playwright's.)
use serde_json::json;

use crate::helpers::{spawn_app, spawn_app_with};

const SITE: &str = "http://localhost:3100";

#[tokio::test]
async fn sign_in_options_name_nobody_and_ask_for_user_verification() {
    let app = spawn_app_with(&[("CONFAB_PUBLIC_URL", SITE)]).await;
    app.person("ada", "+4915112390001").await;
    let response = app.post("/api/passkeys/sign-in/options", json!({})).await;
    assert_eq!(response.status(), 200);
    let body: serde_json::Value = response.json().await.unwrap();
    assert_eq!(body["ceremony_id"].as_str().unwrap().len(), 32);
    let options = &body["options"]["publicKey"];
    assert_eq!(options["rpId"], "localhost");
    assert_eq!(options["userVerification"], "required");
    assert!(options["allowCredentials"].as_array().is_none_or(Vec::is_empty), "no account's keys are listed: {options}");
    assert!(body["options"].get("mediation").is_none(), "the page picks how to ask");
}

#[tokio::test]
async fn a_sign_in_answer_that_is_no_answer_or_to_no_ceremony_is_refused_clearly() {
    let app = spawn_app_with(&[("CONFAB_PUBLIC_URL", SITE)]).await;
    let options: serde_json::Value = app.post("/api/passkeys/sign-in/options", json!({})).await.json().await.unwrap();
    let ceremony = options["ceremony_id"].as_str().unwrap();
    for (body, code) in [
        (json!({"ceremony_id": ceremony, "credential": {"id": 1}}), "invalid_credential"),
        (json!({"ceremony_id": ceremony, "credential": "a string"}), "invalid_credential"),
        (json!({"ceremony_id": "0".repeat(32), "credential": forged_assertion()}), "passkey_expired"),
    ] {
        let response = app.post("/api/passkeys/sign-in", body).await;
        assert_eq!(response.status(), 422);
        let error: serde_json::Value = response.json().await.unwrap();
        assert_eq!(error["error"]["code"], code, "{error}");
    }
    let forged = app.post("/api/passkeys/sign-in", json!({"ceremony_id": ceremony, "credential": forged_assertion()})).await;
    let error: serde_json::Value = forged.json().await.unwrap();
    assert_ne!(error["error"]["code"], "internal", "{error}");
    assert!(error.get("access_token").is_none());
}

/// A well-formed assertion for a credential nobody registered, with a signature of zeros.
fn forged_assertion() -> serde_json::Value {
    json!({
        "id": "AAAAAAAAAAAAAAAAAAAAAA",
        "rawId": "AAAAAAAAAAAAAAAAAAAAAA",
        "type": "public-key",
        "response": {
            "clientDataJSON": "eyJ0eXBlIjoid2ViYXV0aG4uZ2V0In0",
            "authenticatorData": "SZYN5YgOjGh0NBcPZHZgW4_krrmihjLHmVzzuoMdl2MFAAAAAQ",
            "signature": "MEUCIQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAIgAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            "userHandle": "AAAAAAAAAAAAAAAAAAAAAA"
        },
        "clientExtensionResults": {}
    })
}

#[tokio::test]
async fn passkeys_are_the_callers_own() {
    let app = spawn_app_with(&[("CONFAB_PUBLIC_URL", SITE)]).await;
    let (_, ada) = app.person("ada", "+4915112390002").await;
    assert_eq!(app.get("/api/passkeys").await.status(), 401);
    assert_eq!(app.call("GET", "/api/passkeys", &ada, None).await, (200, json!([])));
    let path = "/api/passkeys/c29tZW9uZS1lbHNlcw";
    let (status, error) = app.call("PATCH", path, &ada, Some(json!({"name": "mine"}))).await;
    assert_eq!((status, error["error"]["code"].as_str()), (404, Some("not_found")));
    let (status, error) = app.call("DELETE", path, &ada, None).await;
    assert_eq!((status, error["error"]["code"].as_str()), (422, Some("confirmation_required")));
    let confirmation = app.confirmation(&ada, "+4915112390002").await;
    let removed = app.client.delete(app.url(path)).bearer_auth(&ada).header("X-Confirmation", confirmation).send().await.unwrap();
    assert_eq!(removed.status(), 404, "confirmed, but not Ada's");
    let (status, error) = app.call("PATCH", "/api/passkeys/x", &ada, Some(json!({"name": "bad\u{7}name"}))).await;
    assert_eq!((status, error["error"]["code"].as_str()), (422, Some("invalid_name")));
}

#[tokio::test]
async fn registration_options_are_for_the_caller_and_another_persons_ceremony_is_no_use() {
    let app = spawn_app_with(&[("CONFAB_PUBLIC_URL", SITE)]).await;
    let (_, ada) = app.person("ada", "+4915112390003").await;
    let (_, bob) = app.person("bob", "+4915112390004").await;
    let (status, body) = app.call("POST", "/api/passkeys/options", &ada, None).await;
    assert_eq!(status, 200);
    let options = &body["options"]["publicKey"];
    assert_eq!(options["user"]["name"], "ada");
    assert_eq!(options["authenticatorSelection"]["residentKey"], "required");
    let answer = json!({"ceremony_id": body["ceremony_id"], "credential": {"id": "x", "rawId": "eA", "type": "public-key",
        "response": {"clientDataJSON": "e30", "attestationObject": "oA"}}});
    let (status, error) = app.call("POST", "/api/passkeys", &bob, Some(answer.clone())).await;
    assert_eq!((status, error["error"]["code"].as_str()), (422, Some("passkey_expired")), "Bob cannot finish Ada's");
    let (status, error) = app.call("POST", "/api/passkeys", &ada, Some(answer)).await;
    assert_eq!((status, error["error"]["code"].as_str()), (422, Some("passkey_expired")), "and it is spent");
    assert_eq!(app.call("POST", "/api/passkeys/confirm/options", &ada, None).await.1["error"]["code"], "passkey_none");
}

#[tokio::test]
async fn a_server_at_an_ip_address_says_passkeys_are_off() {
    let app = spawn_app().await;
    let response = app.post("/api/passkeys/sign-in/options", json!({})).await;
    assert_eq!(response.status(), 422);
    let error: serde_json::Value = response.json().await.unwrap();
    assert_eq!(error["error"]["code"], "passkeys_off");
    let browser = app.browser();
    let enabled = app.server_fn(&browser, "passkeys_enabled", &[]).await;
    assert_eq!(enabled.text().await.unwrap(), "false");
}

#[tokio::test]
async fn sign_in_options_are_rate_limited_per_address() {
    let app = spawn_app_with(&[("CONFAB_PUBLIC_URL", SITE), ("CONFAB_CODE_CHECKS_PER_IP_10_MIN", "3")]).await;
    for _ in 0..3 {
        assert_eq!(app.post("/api/passkeys/sign-in/options", json!({})).await.status(), 200);
    }
    let limited = app.post("/api/passkeys/sign-in/options", json!({})).await;
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));
}

//! Email + password: sign-up with a code to the email, login, forgot/reset, adding contacts.
use serde_json::{Value, json};

use crate::helpers::{spawn_app, spawn_app_with};

const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "correct horse battery";
const PHONE: &str = "+447911123456";

async fn error_code(response: reqwest::Response) -> String {
    let body: Value = response.json().await.unwrap();
    body["error"]["code"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn signing_up_by_email_sends_a_code_to_the_email_and_creates_the_account() {
    let app = spawn_app().await;
    let pending = app
        .post("/api/email/register/", json!({ "username": "ada", "email": " Ada@Example.com ", "password": PASSWORD }))
        .await;
    assert_eq!(pending.status(), 202);
    let pending: Value = pending.json().await.unwrap();
    assert_eq!(pending["channel"], "email");
    assert_eq!(pending["sent_to"], "a•••@example.com");

    let outbox = app.outbox_messages();
    let sent = outbox.iter().find(|m| m["to"] == EMAIL).expect("a code went to the lower-cased email");
    assert_eq!(sent["channel"], "email");
    assert_eq!(sent["purpose"], "register_email");

    let done = app
        .post("/api/email/register/verify/", json!({ "pending_id": pending["pending_id"], "code": app.latest_code(EMAIL) }))
        .await;
    assert_eq!(done.status(), 201);
    let done: Value = done.json().await.unwrap();
    assert_eq!(done["user"]["email"], EMAIL);
    assert_eq!(done["user"]["has_password"], true);
    assert_eq!(done["user"]["phone"], Value::Null);
    let me = app.get_with_token("/api/user/", done["access_token"].as_str().unwrap()).await;
    assert_eq!(me.json::<Value>().await.unwrap()["username"], "ada");
}

#[tokio::test]
async fn the_password_is_stored_only_as_an_argon2id_hash() {
    let app = spawn_app().await;
    app.sign_up_by_email("ada", EMAIL, PASSWORD).await;
    let ada = app.store().await.user_by_email(EMAIL).await.unwrap().expect("ada's account");
    let hash = ada.password_hash.expect("a password hash");
    assert!(hash.starts_with("$argon2id$"), "{hash}");
    assert!(!hash.contains(PASSWORD));
}

#[tokio::test]
async fn the_right_email_and_password_log_in_and_anything_else_is_refused_alike() {
    let app = spawn_app().await;
    let user_id = app.sign_up_by_email("ada", EMAIL, PASSWORD).await["user_id"].as_str().unwrap().to_owned();

    let ok = app.post("/api/email/login/", json!({ "email": "ADA@example.com", "password": PASSWORD })).await;
    assert_eq!(ok.status(), 200);
    let ok: Value = ok.json().await.unwrap();
    assert_eq!(ok["user_id"], user_id.as_str());
    assert!(ok["access_token"].is_string() && ok["refresh_token"].is_string());

    let wrong_password = app.post("/api/email/login/", json!({ "email": EMAIL, "password": "correct horse batteries" })).await;
    assert_eq!(wrong_password.status(), 401);
    let wrong_password: Value = wrong_password.json().await.unwrap();
    let unknown_email = app.post("/api/email/login/", json!({ "email": "nobody@example.com", "password": PASSWORD })).await;
    assert_eq!(unknown_email.status(), 401);
    let unknown_email: Value = unknown_email.json().await.unwrap();
    assert_eq!(wrong_password, unknown_email, "the answer does not tell which emails have accounts");
    assert_eq!(wrong_password["error"]["code"], "invalid_credentials");
}

#[tokio::test]
async fn weak_passwords_are_refused_before_any_code_is_sent() {
    let app = spawn_app().await;
    for (password, why) in [("short", "too short"), ("password123", "common"), ("ada@example.com", "the email itself")] {
        let response = app.post("/api/email/register/", json!({ "username": "ada", "email": EMAIL, "password": password })).await;
        assert_eq!(response.status(), 422, "{why}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "invalid_password", "{why}");
        assert_eq!(body["error"]["field"], "password", "{why}");
    }
    assert!(app.outbox_messages().is_empty());
    let bad_email = app.post("/api/email/register/", json!({ "username": "ada", "email": "ada@", "password": PASSWORD })).await;
    assert_eq!(error_code(bad_email).await, "invalid_email");
}

#[tokio::test]
async fn an_email_belongs_to_one_account() {
    let app = spawn_app().await;
    app.sign_up_by_email("ada", EMAIL, PASSWORD).await;
    let again = app.post("/api/email/register/", json!({ "username": "ada2", "email": "ADA@example.com", "password": PASSWORD })).await;
    assert_eq!(again.status(), 409);
    assert_eq!(error_code(again).await, "email_taken");
    let same_name = app.post("/api/email/register/", json!({ "username": "ADA", "email": "x@example.com", "password": PASSWORD })).await;
    assert_eq!(error_code(same_name).await, "username_taken");
}

#[tokio::test]
async fn a_race_for_an_email_is_decided_by_the_database() {
    let app = spawn_app().await;
    let start = |name: &'static str| {
        app.post("/api/email/register/", json!({ "username": name, "email": EMAIL, "password": PASSWORD }))
    };
    let first: Value = start("first").await.json().await.unwrap();
    let first_code = app.latest_code(EMAIL);
    let second: Value = start("second").await.json().await.unwrap();
    let second_code = app.latest_code(EMAIL);
    let won = app.post("/api/email/register/verify/", json!({ "pending_id": first["pending_id"], "code": first_code })).await;
    assert_eq!(won.status(), 201);
    let lost = app.post("/api/email/register/verify/", json!({ "pending_id": second["pending_id"], "code": second_code })).await;
    assert_eq!(lost.status(), 409);
    assert_eq!(error_code(lost).await, "email_taken");
}

#[tokio::test]
async fn password_guessing_is_rate_limited_per_email() {
    let app = spawn_app().await;
    app.sign_up_by_email("ada", EMAIL, PASSWORD).await;
    for _ in 0..10 {
        let response = app.post("/api/email/login/", json!({ "email": EMAIL, "password": "wrong wrong wrong" })).await;
        assert_eq!(response.status(), 401);
    }
    let limited = app.post("/api/email/login/", json!({ "email": EMAIL, "password": PASSWORD })).await;
    assert_eq!(limited.status(), 429, "even the right password waits");
    let retry_after: u64 = limited.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry_after));
    assert_eq!(error_code(limited).await, "rate_limited");
}

#[tokio::test]
async fn a_password_reset_signs_out_every_session_and_token() {
    let app = spawn_app().await;
    let first = app.sign_up_by_email("ada", EMAIL, PASSWORD).await;
    let browser = app.browser();
    let logged_in = app.server_fn(&browser, "login_password", &[("email", EMAIL), ("password", PASSWORD)]).await;
    assert_eq!(logged_in.status(), 200);
    assert_eq!(browser.get(app.url("/settings")).send().await.unwrap().status(), 200);

    let pending = app.post("/api/email/password/forgot/", json!({ "email": EMAIL })).await;
    assert_eq!(pending.status(), 202);
    let pending: Value = pending.json().await.unwrap();
    assert_eq!(pending["channel"], "email");
    let code = app.latest_code(EMAIL);
    let weak = app.post("/api/email/password/reset/", json!({ "pending_id": pending["pending_id"], "code": code, "password": "ada" })).await;
    assert_eq!(error_code(weak).await, "invalid_password", "a weak password costs no try");
    let reset = app
        .post("/api/email/password/reset/", json!({ "pending_id": pending["pending_id"], "code": code, "password": "a brand new phrase" }))
        .await;
    assert_eq!(reset.status(), 200);
    let reset: Value = reset.json().await.unwrap();

    let page = browser.get(app.url("/settings")).send().await.unwrap();
    assert_eq!(page.status(), 303, "the other browser is signed out");
    let refresh = app.post("/api/token/refresh/", json!({ "refresh_token": first["refresh_token"] })).await;
    assert_eq!(refresh.status(), 401, "the old token family is revoked");
    let refreshed = app.post("/api/token/refresh/", json!({ "refresh_token": reset["refresh_token"] })).await;
    assert_eq!(refreshed.status(), 200, "the device that reset stays in");

    let old = app.post("/api/email/login/", json!({ "email": EMAIL, "password": PASSWORD })).await;
    assert_eq!(old.status(), 401);
    let new = app.post("/api/email/login/", json!({ "email": EMAIL, "password": "a brand new phrase" })).await;
    assert_eq!(new.status(), 200);
    let reused = app
        .post("/api/email/password/reset/", json!({ "pending_id": pending["pending_id"], "code": code, "password": "yet another phrase" }))
        .await;
    assert_eq!(error_code(reused).await, "code_used");
}

#[tokio::test]
async fn a_reset_code_cannot_be_used_to_log_in() {
    let app = spawn_app().await;
    app.sign_up_by_email("ada", EMAIL, PASSWORD).await;
    let pending: Value = app.post("/api/email/password/forgot/", json!({ "email": EMAIL })).await.json().await.unwrap();
    let code = app.latest_code(EMAIL);
    let login = app.post("/api/login/verify/", json!({ "pending_id": pending["pending_id"], "code": code })).await;
    assert_eq!(login.status(), 422);
    assert_eq!(error_code(login).await, "code_unknown");
    let unknown = app.post("/api/email/password/forgot/", json!({ "email": "nobody@example.com" })).await;
    assert_eq!(unknown.status(), 202, "the answer does not tell which emails have accounts");
    assert!(app.outbox_messages().iter().all(|m| m["to"] != "nobody@example.com"), "but nothing is sent");
}

#[tokio::test]
async fn a_phone_account_adds_an_email_and_password_and_then_logs_in_with_them() {
    let app = spawn_app().await;
    let person = app.sign_up("grace", PHONE).await;
    let token = person["access_token"].as_str().unwrap();
    let (status, error) = app.call("POST", "/api/user/email/", token, Some(json!({ "email": EMAIL, "password": PASSWORD }))).await;
    assert_eq!((status, error["error"]["code"].as_str()), (422, Some("confirmation_required")), "a stolen token cannot add a way in");
    let confirmation = app.confirmation(token, PHONE).await;
    let body = json!({ "email": EMAIL, "password": PASSWORD, "confirmation": confirmation });
    let pending = app.client.post(app.url("/api/user/email/")).bearer_auth(token).json(&body).send().await.unwrap();
    assert_eq!(pending.status(), 202);
    let pending: Value = pending.json().await.unwrap();
    let code = app.latest_code(EMAIL);

    let stranger = app.sign_up("mallory", "+4915123456780").await;
    let hijack = app
        .client
        .post(app.url("/api/user/verify/"))
        .bearer_auth(stranger["access_token"].as_str().unwrap())
        .json(&json!({ "pending_id": pending["pending_id"], "code": code }))
        .send()
        .await
        .unwrap();
    assert_eq!(hijack.status(), 403, "only the account that asked may confirm");

    let done = app.client.post(app.url("/api/user/verify/")).bearer_auth(token).json(&json!({ "pending_id": pending["pending_id"], "code": code })).send().await.unwrap();
    assert_eq!(done.status(), 200);
    assert_eq!(done.json::<Value>().await.unwrap()["email"], EMAIL);
    let login: Value = app.post("/api/email/login/", json!({ "email": EMAIL, "password": PASSWORD })).await.json().await.unwrap();
    assert_eq!(login["user_id"], person["user_id"]);
}

#[tokio::test]
async fn an_email_account_adds_a_phone_and_then_logs_in_with_a_code() {
    let app = spawn_app().await;
    let person = app.sign_up_by_email("ada", EMAIL, PASSWORD).await;
    let token = person["access_token"].as_str().unwrap();
    let add = async |phone: &str| {
        app.client.post(app.url("/api/user/phone")).bearer_auth(token).json(&json!({ "phone": phone })).send().await.unwrap()
    };
    let pending: Value = add(PHONE).await.json().await.unwrap();
    assert_eq!(pending["channel"], "sms");
    let done = app
        .client
        .post(app.url("/api/user/verify"))
        .bearer_auth(token)
        .json(&json!({ "pending_id": pending["pending_id"], "code": app.latest_code(PHONE) }))
        .send()
        .await
        .unwrap();
    assert_eq!(done.json::<Value>().await.unwrap()["phone"], PHONE);

    app.sign_up("other", "+4915123456780").await;
    let taken = add("+49 151 23456780").await;
    assert_eq!(taken.status(), 409);
    assert_eq!(error_code(taken).await, "phone_taken");
    let anonymous = app.post("/api/user/phone", json!({ "phone": PHONE })).await;
    assert_eq!(anonymous.status(), 401);
}

#[tokio::test]
async fn emailed_codes_are_limited_per_address() {
    let app = spawn_app_with(&[]).await;
    app.sign_up_by_email("ada", EMAIL, PASSWORD).await;
    for _ in 0..4 {
        assert_eq!(app.post("/api/email/password/forgot/", json!({ "email": EMAIL })).await.status(), 202);
    }
    let sixth = app.post("/api/email/password/forgot/", json!({ "email": EMAIL })).await;
    assert_eq!(sixth.status(), 429, "the sign-up code and four reset codes make five this hour");
    assert!(sixth.headers().contains_key("retry-after"));
}

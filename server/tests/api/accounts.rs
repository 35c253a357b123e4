use app::backend::accounts::codes::{CODE_TTL_SECS, RESEND_AFTER_SECS};
use serde_json::{Value, json};

use crate::helpers::{spawn_app, spawn_app_with};

const PHONE: &str = "+447911123456";

async fn error_code(response: reqwest::Response) -> String {
    let body: Value = response.json().await.unwrap();
    body["error"]["code"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn signing_up_with_a_phone_code_creates_the_account_and_returns_tokens() {
    let app = spawn_app().await;
    let pending = app.post("/api/register/", json!({ "username": "Ada.L", "phone": "07911 123456" })).await;
    assert_eq!(pending.status(), 202);
    let pending: Value = pending.json().await.unwrap();
    assert_eq!(pending["channel"], "sms");
    assert!(!pending["sent_to"].as_str().unwrap().contains("123456"), "the destination is masked");

    let code = app.latest_code(PHONE);
    let done = app.post("/api/register/verify", json!({ "pending_id": pending["pending_id"], "code": code })).await;
    assert_eq!(done.status(), 201);
    let done: Value = done.json().await.unwrap();
    let user_id = done["user_id"].as_str().unwrap();
    assert_eq!(user_id.len(), 9);
    assert_eq!(&user_id[4..5], "-");
    assert_eq!(done["user"]["username"], "ada.l");
    assert_eq!(done["user"]["phone"], PHONE, "stored as E.164");

    let me = app.get_with_token("/api/user/", done["access_token"].as_str().unwrap()).await;
    assert_eq!(me.status(), 200);
    assert_eq!(me.json::<Value>().await.unwrap()["user_id"], user_id);
}

#[tokio::test]
async fn logging_in_with_user_id_and_phone_or_phone_alone_takes_a_code() {
    let app = spawn_app().await;
    let user_id = app.sign_up("grace", PHONE).await["user_id"].as_str().unwrap().to_owned();

    for body in [json!({ "user_id": user_id.to_lowercase().replace('-', ""), "phone": PHONE }), json!({ "phone": PHONE })] {
        let pending = app.post("/api/login/", body).await;
        assert_eq!(pending.status(), 202);
        let pending: Value = pending.json().await.unwrap();
        let code = app.latest_code(PHONE);
        let done = app.post("/api/login/verify/", json!({ "pending_id": pending["pending_id"], "code": code })).await;
        assert_eq!(done.status(), 200);
        assert_eq!(done.json::<Value>().await.unwrap()["user_id"], user_id.as_str());
    }
}

#[tokio::test]
async fn a_user_id_that_does_not_match_the_phone_gets_no_code_and_no_login() {
    let app = spawn_app().await;
    app.sign_up("grace", PHONE).await;
    // The answer is the usual one (it must not tell which phones have accounts), but nothing
    // is sent and no code opens that login.
    for (body, to) in [(json!({ "user_id": "ZZZZ-ZZZZ", "phone": PHONE }), PHONE), (json!({ "phone": "+447911000000" }), "+447911000000")] {
        let response = app.post("/api/login/", body).await;
        assert_eq!(response.status(), 202);
        let pending: Value = response.json().await.unwrap();
        for code in ["000000", app.latest_code(PHONE).as_str()] {
            let done = app.post("/api/login/verify/", json!({ "pending_id": pending["pending_id"], "code": code })).await;
            assert_eq!(error_code(done).await, "code_invalid");
        }
        assert_eq!(app.outbox_messages().iter().filter(|m| m["to"] == to && m["purpose"] == "login").count(), 0);
    }
    let response = app.post("/api/login/", json!({ "user_id": "not an id", "phone": PHONE })).await;
    assert_eq!(response.status(), 422, "a malformed user ID is still refused");
    assert_eq!(error_code(response).await, "invalid_user_id");
}

#[tokio::test]
async fn five_wrong_codes_void_the_code() {
    let app = spawn_app().await;
    let pending_id = app.start_sign_up("wrong", PHONE).await;
    let right = app.latest_code(PHONE);
    let wrong = if right == "000000" { "111111" } else { "000000" };
    for tries_left in (1..=4).rev() {
        let response = app.post("/api/register/verify/", json!({ "pending_id": pending_id, "code": wrong })).await;
        assert_eq!(response.status(), 422);
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["error"]["code"], "code_invalid");
        assert!(body["error"]["message"].as_str().unwrap().contains(&format!("{tries_left} tr")), "{body}");
        assert_eq!(body["error"]["field"], "code");
    }
    let fifth = app.post("/api/register/verify/", json!({ "pending_id": pending_id, "code": wrong })).await;
    assert_eq!(error_code(fifth).await, "code_void");
    let even_right = app.post("/api/register/verify/", json!({ "pending_id": pending_id, "code": right })).await;
    assert_eq!(error_code(even_right).await, "code_void");
}

#[tokio::test]
async fn an_expired_code_is_refused() {
    let app = spawn_app().await;
    let pending_id = app.start_sign_up("late", PHONE).await;
    let code = app.latest_code(PHONE);
    app.clock.advance_secs(CODE_TTL_SECS);
    let response = app.post("/api/register/verify/", json!({ "pending_id": pending_id, "code": code })).await;
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"]["code"], "code_expired");
    assert_eq!(body["error"]["message"], "That code has expired — send a new one");
}

#[tokio::test]
async fn a_code_works_only_once() {
    let app = spawn_app().await;
    let pending_id = app.start_sign_up("once", PHONE).await;
    let code = app.latest_code(PHONE);
    let first = app.post("/api/register/verify/", json!({ "pending_id": pending_id, "code": code })).await;
    assert_eq!(first.status(), 201);
    let again = app.post("/api/register/verify/", json!({ "pending_id": pending_id, "code": code })).await;
    assert_eq!(error_code(again).await, "code_used");
}

#[tokio::test]
async fn usernames_and_phones_are_taken_once() {
    let app = spawn_app().await;
    app.sign_up("taken", PHONE).await;
    let same_name = app.post("/api/register/", json!({ "username": "TAKEN", "phone": "+4915123456780" })).await;
    assert_eq!(same_name.status(), 409);
    assert_eq!(error_code(same_name).await, "username_taken");
    let same_phone = app.post("/api/register/", json!({ "username": "other", "phone": "+44 7911 123456" })).await;
    assert_eq!(same_phone.status(), 409);
    assert_eq!(error_code(same_phone).await, "phone_taken");
}

#[tokio::test]
async fn a_race_for_a_username_is_decided_by_the_database() {
    let app = spawn_app().await;
    let first = app.start_sign_up("racer", PHONE).await;
    let second = app.start_sign_up("racer", "+4915123456780").await;
    let done = app.post("/api/register/verify/", json!({ "pending_id": first, "code": app.latest_code(PHONE) })).await;
    assert_eq!(done.status(), 201);
    let lost = app
        .post("/api/register/verify/", json!({ "pending_id": second, "code": app.latest_code("+4915123456780") }))
        .await;
    assert_eq!(lost.status(), 409);
    assert_eq!(error_code(lost).await, "username_taken");
}

#[tokio::test]
async fn a_new_code_cannot_be_sent_within_a_minute() {
    let app = spawn_app().await;
    let pending_id = app.start_sign_up("eager", PHONE).await;
    let response = app.post("/api/code/resend/", json!({ "pending_id": pending_id })).await;
    assert_eq!(response.status(), 429);
    let retry_after: u64 = response.headers()["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry_after));

    app.clock.advance_secs(RESEND_AFTER_SECS + 1);
    let old = app.latest_code(PHONE);
    let resent = app.post("/api/code/resend/", json!({ "pending_id": pending_id })).await;
    assert_eq!(resent.status(), 202);
    let new = app.latest_code(PHONE);
    if old != new {
        let stale = app.post("/api/register/verify/", json!({ "pending_id": pending_id, "code": old })).await;
        assert_eq!(error_code(stale).await, "code_invalid", "the old code no longer works");
    }
    let done = app.post("/api/register/verify/", json!({ "pending_id": pending_id, "code": new })).await;
    assert_eq!(done.status(), 201);
}

#[tokio::test]
async fn code_requests_are_limited_per_client_ip() {
    let app = spawn_app_with(&[("CONFAB_CODE_SENDS_PER_IP_HOUR", "5")]).await;
    for i in 0..5 {
        app.start_sign_up(&format!("user{i}"), &format!("+44791100000{i}")).await;
    }
    let sixth = app.post("/api/register/", json!({ "username": "user6", "phone": "+447911000006" })).await;
    assert_eq!(sixth.status(), 429);
    assert!(sixth.headers().contains_key("retry-after"));
    assert_eq!(error_code(sixth).await, "rate_limited");
}

#[tokio::test]
async fn a_refresh_token_works_once_and_its_reuse_ends_the_login() {
    let app = spawn_app().await;
    let first = app.sign_up("rotor", PHONE).await;
    let r1 = first["refresh_token"].as_str().unwrap();

    let second = app.post("/api/token/refresh/", json!({ "refresh_token": r1 })).await;
    assert_eq!(second.status(), 200);
    let second: Value = second.json().await.unwrap();
    let r2 = second["refresh_token"].as_str().unwrap();
    assert_ne!(r1, r2);
    assert_eq!(app.get_with_token("/api/user/", second["access_token"].as_str().unwrap()).await.status(), 200);

    let replay = app.post("/api/token/refresh/", json!({ "refresh_token": r1 })).await;
    assert_eq!(replay.status(), 401);
    let after_replay = app.post("/api/token/refresh/", json!({ "refresh_token": r2 })).await;
    assert_eq!(after_replay.status(), 401, "the whole family is revoked");
}

#[tokio::test]
async fn a_device_signed_out_from_the_devices_list_cannot_refresh() {
    let app = spawn_app().await;
    let phone = app.sign_up("devices", PHONE).await;
    let access = phone["access_token"].as_str().unwrap();
    let devices: Value = app.get_with_token("/api/devices/", access).await.json().await.unwrap();
    let id = devices["items"][0]["id"].as_str().unwrap();
    assert!(id.starts_with("t:"));
    let revoked = app.client.delete(app.url(&format!("/api/devices/{id}"))).bearer_auth(access).send().await.unwrap();
    assert_eq!(revoked.status(), 204);
    let refresh = app.post("/api/token/refresh/", json!({ "refresh_token": phone["refresh_token"] })).await;
    assert_eq!(refresh.status(), 401);
    let again = app.client.delete(app.url(&format!("/api/devices/{id}"))).bearer_auth(access).send().await.unwrap();
    assert_eq!(again.status(), 404);
}

#[tokio::test]
async fn api_routes_need_a_valid_token() {
    let app = spawn_app().await;
    assert_eq!(app.get("/api/user/").await.status(), 401);
    assert_eq!(app.get_with_token("/api/user/", "forged.token.here").await.status(), 401);
    let missing = app.get("/api/user").await;
    assert_eq!(missing.headers()["www-authenticate"], "Bearer");
    assert_eq!(error_code(missing).await, "unauthenticated");
}

#[tokio::test]
async fn bad_bodies_get_clear_errors() {
    let app = spawn_app().await;
    let unknown = app.post("/api/register/", json!({ "username": "ok_name", "phone": PHONE, "admin": true })).await;
    assert_eq!(unknown.status(), 400);
    assert_eq!(error_code(unknown).await, "invalid_body");
    for not_an_object in [json!([]), json!(["ok_name", PHONE]), json!("ok_name"), json!(null)] {
        let response = app.post("/api/register/", not_an_object.clone()).await;
        assert_eq!(response.status(), 400, "{not_an_object}");
        assert_eq!(error_code(response).await, "invalid_body");
    }
    let bad_phone = app.post("/api/register/", json!({ "username": "ok_name", "phone": "12" })).await;
    assert_eq!(bad_phone.status(), 422);
    assert_eq!(error_code(bad_phone).await, "invalid_phone");
    let bad_name = app.post("/api/register/", json!({ "username": "no spaces", "phone": PHONE })).await;
    assert_eq!(error_code(bad_name).await, "invalid_username");
    let bad_code = app.post("/api/register/verify/", json!({ "pending_id": "x", "code": "12ab56" })).await;
    assert_eq!(error_code(bad_code).await, "code_format");
}

#[tokio::test]
async fn private_pages_send_signed_out_visitors_to_the_login_page() {
    let app = spawn_app().await;
    let response = app.get("/chats/42?x=1").await;
    assert_eq!(response.status(), 303);
    assert_eq!(response.headers()["location"], "/login?next=/chats/42%3Fx%3D1");
    assert_eq!(app.get("/settings").await.status(), 303);
    assert_eq!(app.get("/login").await.status(), 200);
}

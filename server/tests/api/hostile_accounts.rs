//! Attacks on accounts: finding out which phones and emails have accounts, guessing codes in
//! parallel, racing a refresh token, and borrowing other clients' addresses.
use app::backend::accounts::codes::RESEND_AFTER_SECS;
use futures_util::future::join_all;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_app_with, spawn_sqlite_app};

const PHONE: &str = "+447911123456";
const EMAIL: &str = "ada@example.com";
const PASSWORD: &str = "correct horse battery";

async fn status_and_body(response: reqwest::Response) -> (u16, Value) {
    (response.status().as_u16(), response.json().await.unwrap_or(Value::Null))
}

/// A `/api/login/` answer with the parts that must differ between two answers (the pending id)
/// taken out.
fn without_pending_id(mut body: Value) -> Value {
    assert!(body["pending_id"].as_str().is_some_and(|id| !id.is_empty()), "{body}");
    body["pending_id"] = Value::Null;
    body
}

fn sent_to(app: &TestApp, to: &str) -> usize {
    app.outbox_messages().iter().filter(|m| m["to"] == to).count()
}

async fn wrong_code(app: &TestApp, path: &str, pending_id: &str) -> (u16, Value) {
    status_and_body(app.post(path, json!({ "pending_id": pending_id, "code": "000000" })).await).await
}

#[tokio::test]
async fn a_login_for_a_phone_without_an_account_answers_like_one_with_an_account() {
    let app = spawn_app().await;
    let user_id = app.sign_up("ada", PHONE).await["user_id"].as_str().unwrap().to_owned();
    let nobody = "+447911000001";

    let (known_status, known) = status_and_body(app.post("/api/login/", json!({ "phone": PHONE })).await).await;
    let (unknown_status, unknown) = status_and_body(app.post("/api/login/", json!({ "phone": nobody })).await).await;
    let (mismatch_status, mismatch) =
        status_and_body(app.post("/api/login/", json!({ "user_id": "ZZZZ-ZZZZ", "phone": PHONE })).await).await;
    assert_eq!((known_status, unknown_status, mismatch_status), (202, 202, 202));
    assert_eq!(without_pending_id(unknown.clone())["sent_to"], "+44 •••• ••0001");
    let shape = |mut body: Value| {
        body["sent_to"] = Value::Null;
        without_pending_id(body)
    };
    assert_eq!(shape(known.clone()), shape(unknown.clone()), "nothing but the masked number differs");
    assert_eq!(shape(known.clone()), shape(mismatch.clone()));
    assert_eq!(sent_to(&app, PHONE), 2, "the sign-up code and the real login's code");
    assert_eq!(sent_to(&app, nobody), 0, "nothing is sent where no account is");

    let known_pending = known["pending_id"].as_str().unwrap();
    let right = app.latest_code(PHONE);
    let known_wrong = wrong_code(&app, "/api/login/verify/", known_pending).await;
    assert_eq!(known_wrong.1["error"]["code"], "code_invalid");
    for pending in [unknown["pending_id"].as_str().unwrap(), mismatch["pending_id"].as_str().unwrap()] {
        assert_eq!(wrong_code(&app, "/api/login/verify/", pending).await, known_wrong, "a wrong code reads the same");
        let (status, body) = status_and_body(app.post("/api/login/verify/", json!({ "pending_id": pending, "code": right })).await).await;
        assert_eq!((status, body["error"]["code"].as_str()), (422, Some("code_invalid")), "no code opens a login without an account");
    }

    // A new code, once the wait is over, is "sent" the same way: and still to nobody.
    app.clock.advance_secs(RESEND_AFTER_SECS + 1);
    let (status, resent) = status_and_body(app.post("/api/code/resend/", json!({ "pending_id": unknown["pending_id"] })).await).await;
    assert_eq!(status, 202, "{resent}");
    assert_eq!(shape(resent), shape(unknown));
    assert_eq!(sent_to(&app, nobody), 0);

    let done = app.post("/api/login/verify/", json!({ "pending_id": known_pending, "code": right })).await;
    assert_eq!(done.json::<Value>().await.unwrap()["user_id"], user_id.as_str(), "the real login still works");
}

#[tokio::test]
async fn forty_login_probes_from_one_address_meet_the_per_address_limit() {
    let app = spawn_app_with(&[("CONFAB_CODE_SENDS_PER_IP_HOUR", "5")]).await;
    let mut statuses = Vec::new();
    for n in 0..40 {
        let response = app.post("/api/login/", json!({ "phone": format!("+4479110{n:05}") })).await;
        if response.status() == 429 {
            assert!(response.headers().contains_key("retry-after"));
        }
        statuses.push(response.status().as_u16());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 202).count(), 5, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 35, "{statuses:?}");
}

#[tokio::test]
async fn probing_sign_up_for_taken_phones_and_emails_is_limited_per_address() {
    let app = spawn_app_with(&[("CONFAB_CODE_SENDS_PER_IP_HOUR", "6")]).await;
    app.sign_up("ada", PHONE).await;
    app.sign_up_by_email("grace", EMAIL, PASSWORD).await;
    let mut statuses = Vec::new();
    for n in 0..10 {
        let by_phone = app.post("/api/register/", json!({ "username": format!("probe{n}"), "phone": PHONE })).await;
        statuses.push(by_phone.status().as_u16());
        let body = json!({ "username": format!("probe{n}"), "email": EMAIL, "password": PASSWORD });
        statuses.push(app.post("/api/email/register/", body).await.status().as_u16());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 4, "two sends used, four probes left: {statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 16, "{statuses:?}");
}

#[tokio::test]
async fn forgot_password_for_an_email_without_an_account_answers_like_one_with_an_account() {
    let app = spawn_app().await;
    app.sign_up_by_email("ada", EMAIL, PASSWORD).await;
    let nobody = "nobody@example.com";
    let (known_status, known) = status_and_body(app.post("/api/email/password/forgot/", json!({ "email": EMAIL })).await).await;
    let (unknown_status, unknown) = status_and_body(app.post("/api/email/password/forgot/", json!({ "email": nobody })).await).await;
    assert_eq!((known_status, unknown_status), (202, 202), "{unknown}");
    assert_eq!(unknown["sent_to"], "n•••@example.com");
    let shape = |mut body: Value| {
        body["sent_to"] = Value::Null;
        without_pending_id(body)
    };
    assert_eq!(shape(known.clone()), shape(unknown.clone()));
    assert_eq!(sent_to(&app, nobody), 0);

    let reset = |pending: &Value, password: &str| {
        let body = json!({ "pending_id": pending["pending_id"], "code": "000000", "password": password });
        app.post("/api/email/password/reset/", body)
    };
    assert_eq!(status_and_body(reset(&known, "a brand new phrase").await).await, status_and_body(reset(&unknown, "a brand new phrase").await).await);
    assert_eq!(status_and_body(reset(&known, "short").await).await, status_and_body(reset(&unknown, "short").await).await);
}

#[tokio::test]
async fn two_hundred_guesses_at_once_get_five_tries_between_them() {
    let app = spawn_app_with(&[("CONFAB_CODE_CHECKS_PER_IP_10_MIN", "100000")]).await;
    let pending_id = app.start_sign_up("guessed", PHONE).await;
    let right = app.latest_code(PHONE);
    let wrong: Vec<String> = (0..200).map(|n| format!("{:06}", n)).filter(|c| *c != right).take(200).collect();
    let answers = join_all(wrong.iter().map(|code| {
        let body = json!({ "pending_id": pending_id, "code": code });
        async { status_and_body(app.post("/api/register/verify/", body).await).await }
    }))
    .await;
    let codes: Vec<&str> = answers.iter().map(|(_, b)| b["error"]["code"].as_str().unwrap_or("?")).collect();
    let mut tries_left: Vec<String> = answers
        .iter()
        .filter(|(_, b)| b["error"]["code"] == "code_invalid")
        .map(|(_, b)| b["error"]["message"].as_str().unwrap().to_owned())
        .collect();
    tries_left.sort();
    assert_eq!(
        tries_left,
        ["That code isn’t right — 1 try left", "That code isn’t right — 2 tries left", "That code isn’t right — 3 tries left", "That code isn’t right — 4 tries left"],
        "{codes:?}"
    );
    assert_eq!(codes.iter().filter(|c| **c == "code_void").count(), wrong.len() - 4);
    let (_, body) = status_and_body(app.post("/api/register/verify/", json!({ "pending_id": pending_id, "code": right })).await).await;
    assert_eq!(body["error"]["code"], "code_void", "the right code comes too late");
}

#[tokio::test]
async fn one_refresh_token_raced_during_message_writes_never_fails_and_its_reuse_ends_the_login() {
    let app = spawn_app().await;
    let (_, ada) = app.person("ada", "+4915112350001").await;
    let (bob_id, _) = app.person("bob", "+4915112350002").await;
    let (status, chat) = app.call("POST", "/api/chats", &ada, Some(json!({ "user_id": bob_id }))).await;
    assert_eq!(status, 201);
    let messages = format!("/api/chats/{}/messages", chat["id"].as_str().unwrap());
    for round in 0..4 {
        let login = app.sign_up(&format!("racer{round}"), &format!("+44791100100{round}")).await;
        let token = login["refresh_token"].as_str().unwrap();
        let writes = join_all((0..40).map(|n| {
            let body = json!({ "body": format!("load {round}.{n}"), "client_id": format!("load-{round}-{n}") });
            app.call("POST", &messages, &ada, Some(body))
        }));
        let refreshes = join_all((0..12).map(|_| async {
            status_and_body(app.post("/api/token/refresh/", json!({ "refresh_token": token })).await).await
        }));
        let (writes, refreshes) = tokio::join!(writes, refreshes);
        assert!(writes.iter().all(|(status, _)| *status == 201));
        let statuses: Vec<u16> = refreshes.iter().map(|(s, _)| *s).collect();
        assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 1, "round {round}: {statuses:?}");
        assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 11, "round {round}: {statuses:?}");
        let winner = refreshes.iter().find(|(s, _)| *s == 200).unwrap().1["refresh_token"].clone();
        let after = app.post("/api/token/refresh/", json!({ "refresh_token": winner })).await;
        assert_eq!(after.status(), 401, "round {round}: the reuse revoked the whole family, the new token too");
    }
}

/// Asks for login codes with `forwarded_for` as `X-Forwarded-For`; returns the statuses.
async fn logins_from(app: &TestApp, forwarded_for: &str, count: usize) -> Vec<u16> {
    let mut statuses = Vec::new();
    for _ in 0..count {
        let phone = format!("+4479112{:05}", rand_suffix());
        let response = app
            .client
            .post(app.url("/api/login/"))
            .header("x-forwarded-for", forwarded_for)
            .json(&json!({ "phone": phone }))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
    }
    statuses
}

fn rand_suffix() -> u32 {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

#[tokio::test]
async fn a_forwarded_for_header_from_an_untrusted_peer_buys_no_fresh_address() {
    let app = spawn_app_with(&[("CONFAB_CODE_SENDS_PER_IP_HOUR", "2")]).await;
    assert_eq!(logins_from(&app, "203.0.113.1", 2).await, [202, 202]);
    assert_eq!(logins_from(&app, "203.0.113.2", 1).await, [429], "the peer's own address decides");
}

#[tokio::test]
async fn behind_a_trusted_proxy_each_client_has_its_own_limit_and_address() {
    let app = spawn_app_with(&[("CONFAB_CODE_SENDS_PER_IP_HOUR", "2"), ("CONFAB_TRUSTED_PROXIES", "127.0.0.0/8, 10.0.0.1")]).await;
    assert_eq!(logins_from(&app, "203.0.113.7", 3).await, [202, 202, 429]);
    assert_eq!(logins_from(&app, "198.51.100.9", 1).await, [202], "another client behind the same proxy is not held up");
    // A client cannot choose its address by writing one in front: the right-most untrusted hop is it.
    assert_eq!(logins_from(&app, "192.0.2.50, 203.0.113.7", 1).await, [429]);
    assert_eq!(logins_from(&app, "192.0.2.51, 203.0.113.7, 10.0.0.1", 1).await, [429], "trusted hops are skipped");

    let via_proxy = |path: &str, body: Value| {
        let request = app.client.post(app.url(path)).header("x-forwarded-for", "192.0.2.77").json(&body);
        async move { request.send().await.unwrap().json::<Value>().await.unwrap() }
    };
    let body = via_proxy("/api/register/", json!({ "username": "ada", "phone": PHONE })).await;
    let code = app.latest_code(PHONE);
    let done = via_proxy("/api/register/verify/", json!({ "pending_id": body["pending_id"], "code": code })).await;
    let (status, devices) = app.call("GET", "/api/devices", done["access_token"].as_str().unwrap(), None).await;
    assert_eq!(status, 200);
    assert_eq!(devices["items"][0]["ip"], "192.0.2.77", "the Devices list shows the client, not the proxy");
}

#[tokio::test]
async fn two_ipv6_addresses_in_one_64_share_a_limit() {
    let app = spawn_app_with(&[("CONFAB_CODE_SENDS_PER_IP_HOUR", "2"), ("CONFAB_TRUSTED_PROXIES", "127.0.0.1")]).await;
    assert_eq!(logins_from(&app, "2001:db8:1:2::1", 1).await, [202]);
    assert_eq!(logins_from(&app, "2001:db8:1:2:ffff:ffff:ffff:9", 1).await, [202]);
    assert_eq!(logins_from(&app, "2001:db8:1:2:abcd::77", 1).await, [429], "one /64 is one client");
    assert_eq!(logins_from(&app, "2001:db8:1:3::1", 1).await, [202], "the next /64 is another");
}

#[cfg(unix)]
#[tokio::test]
async fn the_database_outbox_and_secret_are_private_to_the_server_user() {
    use std::os::unix::fs::PermissionsExt;
    let app = spawn_sqlite_app().await;
    app.sign_up("ada", PHONE).await;
    let mode = |path: &std::path::Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&app.data_dir), 0o700);
    assert_eq!(mode(&app.outbox_dir), 0o700);
    for file in ["confab.db", "confab.db-wal", "confab.db-shm", "secret.key"] {
        assert_eq!(mode(&app.data_dir.join(file)), 0o600, "{file}");
    }
    let outbox: Vec<_> = std::fs::read_dir(&app.outbox_dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert!(!outbox.is_empty());
    for file in outbox {
        assert_eq!(mode(&file), 0o600, "{}", file.display());
    }
}

//! Browser sessions: cookie flags, rotation at login, logout, the Devices list and signing a
//! device out, and server fns answering 401 without identity.
use serde_json::Value;

use crate::helpers::spawn_app;

const PHONE: &str = "+447911123456";

fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("confab_session="))
        .map(str::to_owned)
}

#[tokio::test]
async fn logging_in_sets_a_fresh_httponly_lax_session_cookie() {
    let app = spawn_app().await;
    app.sign_up("ada", PHONE).await;
    let browser = app.browser();
    let pending: Value = app.server_fn(&browser, "login_start", &[("user_id", ""), ("phone", PHONE)]).await.json().await.unwrap();
    let before = session_cookie(&app.server_fn(&browser, "resend_code", &[("pending_id", pending["pending_id"].as_str().unwrap())]).await);
    let code = app.latest_code(PHONE);
    let done = app.server_fn(&browser, "verify_code", &[("pending_id", pending["pending_id"].as_str().unwrap()), ("code", &code)]).await;
    assert_eq!(done.status(), 200);
    let cookie = session_cookie(&done).expect("a session cookie is set at login");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(!cookie.contains("Secure"), "plain http in tests: {cookie}");
    assert_ne!(before, Some(cookie), "the id is new at login");
    assert_eq!(browser.get(app.url("/settings")).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn server_fns_answer_401_without_a_session() {
    let app = spawn_app().await;
    let browser = app.browser();
    let response = app.server_fn(&browser, "list_devices", &[]).await;
    assert_eq!(response.status(), 401);
    assert_eq!(response.json::<Value>().await.unwrap(), serde_json::json!("Unauthenticated"));
    let user: Value = app.server_fn(&browser, "current_user", &[]).await.json().await.unwrap();
    assert_eq!(user, Value::Null);
}

#[tokio::test]
async fn server_fns_accept_a_bearer_token_too() {
    let app = spawn_app().await;
    let person = app.sign_up("ada", PHONE).await;
    let response = app
        .client
        .post(app.url("/api/accounts/current_user"))
        .bearer_auth(person["access_token"].as_str().unwrap())
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.json::<Value>().await.unwrap()["user_id"], person["user_id"]);
}

#[tokio::test]
async fn logging_out_ends_the_session() {
    let app = spawn_app().await;
    app.sign_up("ada", PHONE).await;
    let browser = app.browser();
    app.browser_log_in(&browser, PHONE).await;
    assert_eq!(app.server_fn(&browser, "logout", &[]).await.status(), 200);
    assert_eq!(browser.get(app.url("/chats")).send().await.unwrap().status(), 303);
}

#[tokio::test]
async fn a_device_signed_out_from_the_devices_list_is_sent_to_the_login_page() {
    let app = spawn_app().await;
    app.sign_up("ada", PHONE).await;
    let (laptop, phone) = (app.browser(), app.browser());
    app.browser_log_in(&laptop, PHONE).await;
    app.browser_log_in(&phone, PHONE).await;

    let devices: Value = app.server_fn(&laptop, "list_devices", &[]).await.json().await.unwrap();
    let devices = devices.as_array().unwrap();
    let sessions: Vec<_> = devices.iter().filter(|d| d["id"].as_str().unwrap().starts_with("s:")).collect();
    assert_eq!(sessions.len(), 2, "{devices:?}");
    assert_eq!(devices.len(), 3, "and the API client that signed up");
    let this = sessions.iter().find(|d| d["current"] == true).expect("this browser is marked");
    assert_eq!(this["description"], "Chrome on Linux");
    assert_eq!(this["ip"], "127.0.0.1");
    let other = sessions.iter().find(|d| d["current"] == false).unwrap()["id"].as_str().unwrap().to_owned();

    let revoked = app.server_fn(&laptop, "revoke_device", &[("id", &other)]).await;
    assert_eq!(revoked.status(), 200);
    let page = phone.get(app.url("/chats/7?tab=media")).send().await.unwrap();
    assert_eq!(page.status(), 303);
    assert_eq!(page.headers()["location"], "/login?next=/chats/7%3Ftab%3Dmedia");
    assert_eq!(app.server_fn(&phone, "list_devices", &[]).await.status(), 401);
    assert_eq!(laptop.get(app.url("/settings")).send().await.unwrap().status(), 200, "the laptop stays in");

    let again = app.server_fn(&laptop, "revoke_device", &[("id", &other)]).await;
    assert_eq!(again.status(), 404);
}

#[tokio::test]
async fn nobody_can_sign_out_another_persons_device() {
    let app = spawn_app().await;
    app.sign_up("ada", PHONE).await;
    app.sign_up("eve", "+4915123456780").await;
    let (ada, eve) = (app.browser(), app.browser());
    app.browser_log_in(&ada, PHONE).await;
    app.browser_log_in(&eve, "+4915123456780").await;
    let devices: Value = app.server_fn(&ada, "list_devices", &[]).await.json().await.unwrap();
    let ada_session = devices.as_array().unwrap().iter().find(|d| d["current"] == true).unwrap()["id"].as_str().unwrap().to_owned();
    assert_eq!(app.server_fn(&eve, "revoke_device", &[("id", &ada_session)]).await.status(), 404);
    assert_eq!(ada.get(app.url("/settings")).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn public_pages_and_static_files_are_not_redirected() {
    let app = spawn_app().await;
    for path in ["/login", "/register", "/forgot-password", "/healthz", "/readyz", "/no-such-page"] {
        let status = app.get(path).await.status();
        assert_ne!(status, 303, "{path}");
    }
    assert_eq!(app.get("/").await.status(), 303);
}

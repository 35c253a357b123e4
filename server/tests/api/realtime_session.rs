//! A socket lives only as long as what opened it: signing its device out or its access token
//! expiring closes it (4003). And a device that reconnects with `since` is sent what changed
//! meanwhile in the messages it holds: edits, deletions, reactions, read and delivered marks.
use std::time::Duration;

use app::{chats::types::MessageView, realtime::protocol::ServerFrame, backend::accounts::tokens};
use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, spawn_app_with},
    realtime::{Person, Socket, close_code, hello, hello_since, open, open_with_token, person, recv, send, session_cookie, try_recv},
};

const SECRET: &str = "a-test-secret-that-is-long-enough-0123456789";

async fn spawn() -> TestApp {
    spawn_app_with(&[("CONFAB_WS_FRAMES_PER_SEC", "100000"), ("CONFAB_SECRET_KEY", SECRET)]).await
}

/// The error code the server gives before it closes, and the close code.
async fn closed_because(ws: &mut Socket) -> (String, Option<u16>) {
    loop {
        match try_recv(ws, Duration::from_secs(5)).await {
            Some(ServerFrame::Error { code, .. }) => return (code, close_code(ws).await),
            Some(_) => {}
            None => panic!("closed without an error frame"),
        }
    }
}

/// The socket still answers.
async fn still_open(ws: &mut Socket) {
    send(ws, json!({ "type": "ping", "nonce": 7 })).await;
    loop {
        match recv(ws).await {
            ServerFrame::Pong { nonce: 7 } => return,
            ServerFrame::Error { code, .. } => panic!("unexpected error {code}"),
            _ => {}
        }
    }
}

async fn devices(app: &TestApp, who: &Person) -> Vec<Value> {
    let response = app.get_with_token("/api/devices/", &who.token).await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    body.as_array().or_else(|| body["items"].as_array()).expect("a device list").clone()
}

async fn revoke(app: &TestApp, who: &Person, device: &str) {
    let response = app.client.delete(app.url(&format!("/api/devices/{device}"))).bearer_auth(&who.token).send().await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
}

/// Calls a conversations server fn as an API client.
async fn call(app: &TestApp, who: &Person, name: &str, form: &[(&str, &str)]) -> Value {
    let response = app.client.post(app.url(&format!("/api/chats-fn/{name}"))).bearer_auth(&who.token).form(form).send().await.unwrap();
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "{name}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// A second API login for the same person: another device (token family).
async fn log_in_again(app: &TestApp, who: &Person) -> Person {
    let pending: Value = app.post("/api/login/", json!({ "phone": who.phone })).await.json().await.unwrap();
    let code = app.latest_code(&who.phone);
    let done: Value =
        app.post("/api/login/verify/", json!({ "pending_id": pending["pending_id"], "code": code })).await.json().await.unwrap();
    Person { shown: who.shown.clone(), token: done["access_token"].as_str().unwrap().to_owned(), phone: who.phone.clone() }
}

#[tokio::test]
async fn signing_an_api_device_out_closes_its_socket_and_no_other() {
    let app = spawn().await;
    let ada = person(&app, 301).await;
    let ada_tablet = log_in_again(&app, &ada).await;
    let mut phone_ws = open_with_token(&app, &ada.token).await;
    let mut tablet_ws = open_with_token(&app, &ada_tablet.token).await;
    hello(&mut phone_ws, &[]).await;
    hello(&mut tablet_ws, &[]).await;

    // The list does not say which token family is which device: sign one out and see that
    // exactly one socket closes.
    let listed = devices(&app, &ada_tablet).await;
    let families: Vec<&str> = listed.iter().filter_map(|d| d["id"].as_str()).filter(|id| id.starts_with("t:")).collect();
    assert_eq!(families.len(), 2, "{listed:?}");
    revoke(&app, &ada_tablet, families[0]).await;
    let (first_closed, other) = tokio::select! {
        closed = closed_because(&mut phone_ws) => (closed, &mut tablet_ws),
        closed = closed_because(&mut tablet_ws) => (closed, &mut phone_ws),
    };
    assert_eq!(first_closed, ("signed_out".to_owned(), Some(4003)));
    still_open(other).await;
}

#[tokio::test]
async fn signing_a_browser_out_elsewhere_closes_its_socket_and_device_ids_hide_the_cookie() {
    let app = spawn().await;
    let ada = person(&app, 302).await;
    let cookie = session_cookie(&app, &ada.phone).await;
    let origin = format!("http://{}", app.address);
    let (mut browser_ws, _) = open(&app, &[("cookie", &cookie), ("origin", &origin)]).await.expect("upgrade");
    hello(&mut browser_ws, &[]).await;
    let mut api_ws = open_with_token(&app, &ada.token).await;
    hello(&mut api_ws, &[]).await;

    let listed = devices(&app, &ada).await;
    let session = listed.iter().filter_map(|d| d["id"].as_str()).find(|id| id.starts_with("s:")).expect("the browser").to_owned();
    let cookie_value = cookie.split_once('=').unwrap().1;
    assert!(!session.contains(cookie_value), "a device id must not carry the session cookie");

    revoke(&app, &ada, &session).await;
    assert_eq!(closed_because(&mut browser_ws).await, ("signed_out".to_owned(), Some(4003)));
    still_open(&mut api_ws).await;
    // And the browser cannot come back with the old cookie.
    assert!(open(&app, &[("cookie", &cookie), ("origin", &origin)]).await.is_err());
}

#[tokio::test]
async fn a_socket_closes_when_its_access_token_expires() {
    let app = spawn().await;
    let ada = person(&app, 303).await;
    let stored_id = ada.shown.replace('-', "");
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    // Issued long enough ago that two seconds are left.
    let short = tokens::access_token(SECRET.as_bytes(), &stored_id, now - tokens::ACCESS_TTL_SECS + 2).unwrap();
    let mut ws = open_with_token(&app, &short).await;
    hello(&mut ws, &[]).await;
    assert_eq!(closed_because(&mut ws).await, ("token_expired".to_owned(), Some(4003)));
}

fn updated(frames: &[ServerFrame]) -> Vec<&MessageView> {
    frames.iter().filter_map(|f| if let ServerFrame::MessageUpdated { message } = f { Some(message) } else { None }).collect()
}

#[tokio::test]
async fn a_reconnect_with_since_gets_the_edits_reactions_and_read_marks_it_missed() {
    let app = spawn().await;
    let ada = person(&app, 304).await;
    let bob = person(&app, 305).await;
    let chat = call(&app, &ada, "start_direct", &[("user_id", &bob.shown)]).await.as_str().unwrap().to_owned();
    let first = call(&app, &ada, "send_message", &[("chat_id", &chat), ("client_id", "c1"), ("body", "helo")]).await;
    let second = call(&app, &ada, "send_message", &[("chat_id", &chat), ("client_id", "c2"), ("body", "lunch?")]).await;
    call(&app, &bob, "send_message", &[("chat_id", &chat), ("client_id", "c3"), ("body", "sure")]).await;
    let (first, second) = (first["id"].as_str().unwrap().to_owned(), second["id"].as_str().unwrap().to_owned());

    // Bob's device holds the chat up to 3 and goes away.
    let mut ws = open_with_token(&app, &bob.token).await;
    let (_, at) = hello_since(&mut ws, &[(&chat, 3)], None).await;
    drop(ws);

    // Meanwhile Ada fixes a typo, reacts, and reads Bob's reply.
    call(&app, &ada, "edit_message", &[("message_id", &first), ("body", "hello")]).await;
    call(&app, &ada, "toggle_reaction", &[("message_id", &second), ("emoji", "👍")]).await;
    call(&app, &ada, "mark_read", &[("chat_id", &chat), ("seq", "3")]).await;

    let mut ws = open_with_token(&app, &bob.token).await;
    let (replayed, _) = hello_since(&mut ws, &[(&chat, 3)], Some(at)).await;
    let changed = updated(&replayed);
    let edited = changed.iter().find(|m| m.id == first).expect("the edit is replayed");
    assert_eq!((edited.body.as_str(), edited.edited_at.is_some()), ("hello", true));
    let reacted = changed.iter().find(|m| m.id == second).expect("the reaction is replayed");
    assert_eq!((reacted.reactions.len(), reacted.reactions[0].emoji.as_str(), reacted.reactions[0].mine), (1, "👍", false));
    assert!(
        replayed.iter().any(|f| matches!(f, ServerFrame::Read { user_id, seq: 3, .. } if *user_id == ada.shown)),
        "Ada's read mark is replayed: {replayed:?}"
    );
    assert!(!replayed.iter().any(|f| matches!(f, ServerFrame::Message { .. })), "nothing new to send: {replayed:?}");

    // Without `since` the server cannot know what the device has seen: only new messages come.
    let mut ws = open_with_token(&app, &bob.token).await;
    assert!(hello(&mut ws, &[(&chat, 3)]).await.is_empty());
}

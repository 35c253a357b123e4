//! Text no person types, sent where people type: a NUL (which PostgreSQL text cannot hold at
//! all) or another control character in a message, an edit, a group's name or description, a
//! display name, a username or a search. Each is refused with a validation error (a search
//! is answered) and nothing of it is stored, on either store: never a 500.
use app::realtime::protocol::ServerFrame;
use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, spawn_app},
    realtime::{hello, open_with_token, person, send, recv},
    realtime_delivery::direct,
};

/// Ada and Bob's direct chat: (Ada's token, Bob's token, the chat id).
async fn chat_of_two(app: &TestApp) -> (String, String, String) {
    let (_, ada) = app.person("ada", "+4915112370001").await;
    let (bob_id, bob) = app.person("bob", "+4915112370002").await;
    let (status, chat) = app.call("POST", "/api/chats", &ada, Some(json!({ "user_id": bob_id }))).await;
    assert_eq!(status, 201, "{chat}");
    (ada, bob, chat["id"].as_str().unwrap().to_owned())
}

async fn history(app: &TestApp, token: &str, chat: &str) -> Vec<Value> {
    let (status, page) = app.call("GET", &format!("/api/chats/{chat}/messages"), token, None).await;
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().unwrap().clone()
}

/// The status and error code of a refusal.
fn refusal(answer: &(u16, Value)) -> (u16, Option<&str>) {
    (answer.0, answer.1["error"]["code"].as_str())
}

#[tokio::test]
async fn a_message_or_edit_with_control_characters_is_refused_and_not_stored() {
    let app = spawn_app().await;
    let (ada, bob, chat) = chat_of_two(&app).await;
    let path = format!("/api/chats/{chat}/messages");
    for (n, body) in ["nul\0byte", "\0", "bell\u{7}", "esc\u{1b}[2J", "del\u{7f}", "c1\u{9b}31m"].into_iter().enumerate() {
        let answer = app.call("POST", &path, &ada, Some(json!({ "body": body, "client_id": format!("c-{n}") }))).await;
        assert_eq!(refusal(&answer), (422, Some("message_control")), "{body:?}: {}", answer.1);
        assert_eq!(answer.1["error"]["field"], "body");
    }
    assert!(history(&app, &bob, &chat).await.is_empty(), "nothing refused was stored");

    // Line breaks from any system arrive as `\n`; a tab stays.
    let (status, sent) = app.call("POST", &path, &ada, Some(json!({ "body": "one\r\ntwo\rthree\tfour", "client_id": "ok" }))).await;
    assert_eq!(status, 201, "{sent}");
    assert_eq!(sent["body"], "one\ntwo\nthree\tfour");

    let edit = format!("/api/messages/{}", sent["id"].as_str().unwrap());
    let answer = app.call("PATCH", &edit, &ada, Some(json!({ "body": "changed\0" }))).await;
    assert_eq!(refusal(&answer), (422, Some("message_control")), "{}", answer.1);
    let stored = history(&app, &bob, &chat).await;
    assert_eq!((stored.len(), stored[0]["body"].as_str(), stored[0]["edited_at"].as_i64()), (1, Some("one\ntwo\nthree\tfour"), None));
}

#[tokio::test]
async fn a_message_with_a_nul_over_the_socket_gets_an_error_frame_and_is_not_stored() {
    let app = spawn_app().await;
    let (ada, bob) = (person(&app, 1).await, person(&app, 2).await);
    let chat = direct(&app, &ada, &bob).await;
    let mut ws = open_with_token(&app, &ada.token).await;
    hello(&mut ws, &[]).await;
    send(&mut ws, json!({ "type": "send", "chat_id": chat, "client_id": "nul-1", "body": "hi\0there", "reply_to": null })).await;
    loop {
        match recv(&mut ws).await {
            ServerFrame::Error { code, client_id, .. } => {
                assert_eq!((code.as_str(), client_id.as_deref()), ("message_control", Some("nul-1")));
                break;
            }
            ServerFrame::Ack { .. } | ServerFrame::Message { .. } => panic!("a body with a NUL was stored"),
            _ => {}
        }
    }
    // The socket still works, and only the clean message is in the chat.
    send(&mut ws, json!({ "type": "send", "chat_id": chat, "client_id": "ok-1", "body": "hi there", "reply_to": null })).await;
    loop {
        if let ServerFrame::Ack { seq, .. } = recv(&mut ws).await {
            assert_eq!(seq, 1, "the refused send took no sequence");
            break;
        }
    }
    let stored = history(&app, &bob.token, &chat).await;
    assert_eq!(stored.iter().map(|m| m["body"].as_str().unwrap()).collect::<Vec<_>>(), ["hi there"]);
}

#[tokio::test]
async fn a_group_name_or_description_with_a_nul_is_refused_and_not_stored() {
    let app = spawn_app().await;
    let (_, owner) = app.person("owner", "+4915112370011").await;
    let answer = app.call("POST", "/api/groups", &owner, Some(json!({ "name": "Book\0club", "public": false }))).await;
    assert_eq!(refusal(&answer), (422, Some("invalid_name")), "{}", answer.1);
    let answer = app.call("POST", "/api/groups", &owner, Some(json!({ "name": "Book club", "description": "\0", "public": false }))).await;
    assert_eq!(refusal(&answer), (422, Some("invalid_description")), "{}", answer.1);
    let (_, list) = app.call("GET", "/api/chats", &owner, None).await;
    assert_eq!(list["items"].as_array().map(Vec::len), Some(0), "no group was made: {list}");

    let (status, group) = app.call("POST", "/api/groups", &owner, Some(json!({ "name": "Book club", "public": false }))).await;
    assert_eq!(status, 201, "{group}");
    let id = group["id"].as_str().unwrap();
    for (edit, code) in [
        (json!({ "name": "Renamed\0", "public": false }), "invalid_name"),
        (json!({ "name": "Renamed", "description": "about\u{1b}[31m", "public": false }), "invalid_description"),
    ] {
        let answer = app.call("PUT", &format!("/api/groups/{id}"), &owner, Some(edit)).await;
        assert_eq!(refusal(&answer), (422, Some(code)), "{}", answer.1);
    }
    let (_, list) = app.call("GET", "/api/chats", &owner, None).await;
    assert_eq!(list["items"][0]["title"], "Book club", "{list}");
}

#[tokio::test]
async fn a_display_name_bio_or_username_with_a_nul_is_refused() {
    let app = spawn_app().await;
    let (_, ada) = app.person("ada", "+4915112370021").await;
    for (settings, code) in [
        (json!({ "display_name": "Ada\0", "bio": "", "who_can_message": "everyone", "last_seen": "everyone" }), "invalid_display_name"),
        (json!({ "display_name": "Ada", "bio": "\0", "who_can_message": "everyone", "last_seen": "everyone" }), "invalid_bio"),
    ] {
        let answer = app.call("PUT", "/api/settings", &ada, Some(settings)).await;
        assert_eq!(refusal(&answer), (422, Some(code)), "{}", answer.1);
    }
    let (_, settings) = app.call("GET", "/api/settings", &ada, None).await;
    assert_eq!(settings["display_name"], "ada", "unchanged: {settings}");

    let response = app.post("/api/register", json!({ "username": "nul\0name", "phone": "+4915112370022" })).await;
    let status = response.status().as_u16();
    let body: Value = response.json().await.unwrap();
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("invalid_username")), "{body}");
}

#[tokio::test]
async fn a_search_with_a_nul_is_answered_rather_than_failing() {
    let app = spawn_app().await;
    let (ada, _bob, chat) = chat_of_two(&app).await;
    let (status, _) = app.call("POST", &format!("/api/chats/{chat}/messages"), &ada, Some(json!({ "body": "nul hunting", "client_id": "c" }))).await;
    assert_eq!(status, 201);
    for kind in ["", "/people", "/chats", "/messages"] {
        let (status, found) = app.call("GET", &format!("/api/search{kind}?q=nul%00hunting"), &ada, None).await;
        assert_eq!(status, 200, "{kind}: {found}");
    }
}

#[tokio::test]
async fn an_id_with_a_nul_is_refused_before_any_look_up() {
    let app = spawn_app().await;
    let (ada, _bob, chat) = chat_of_two(&app).await;
    for (method, path, body) in [
        ("GET", "/api/chats/%00".to_owned(), None),
        ("GET", format!("/api/chats/{chat}%00/messages"), None),
        ("POST", format!("/api/chats/{chat}%00/messages"), Some(json!({ "body": "hi", "client_id": "c2" }))),
        ("PATCH", "/api/messages/%00".to_owned(), Some(json!({ "body": "hi" }))),
        ("GET", "/api/groups/%00/members".to_owned(), None),
    ] {
        let answer = app.call(method, &path, &ada, body).await;
        assert_eq!(refusal(&answer), (404, Some("not_found")), "{method} {path}: {}", answer.1);
    }
    let answer = app.call("POST", &format!("/api/chats/{chat}/messages"), &ada, Some(json!({ "body": "hi", "client_id": "c3", "reply_to": "m\0" }))).await;
    assert_eq!(refusal(&answer), (422, Some("invalid_reply_to")), "{}", answer.1);
    assert_eq!(answer.1["error"]["field"], "reply_to");
    let (_, bob) = app.person("bob2", "+4915112370031").await;
    let answer = app.call("POST", "/api/chats", &bob, Some(json!({ "user_id": "\0" }))).await;
    assert!(answer.0 == 400 || answer.0 == 422, "{}", answer.1);
}

#[tokio::test]
async fn an_invite_link_with_a_nul_names_no_group() {
    let app = spawn_app().await;
    let (_, owner) = app.person("owner", "+4915112370041").await;
    let (_, guest) = app.person("guest", "+4915112370042").await;
    let (status, group) = app.call("POST", "/api/groups", &owner, Some(json!({ "name": "Book club", "public": false }))).await;
    assert_eq!(status, 201, "{group}");
    let id = group["id"].as_str().unwrap();
    let (status, link) = app.call("POST", &format!("/api/groups/{id}/invites"), &owner, Some(json!({}))).await;
    assert_eq!(status, 201, "{link}");
    let token = link["token"].as_str().unwrap();

    for invite in [format!("{token}\0"), "\0".to_owned(), format!("/join/{}\0{}", &token[..10], &token[11..])] {
        let answer = app.call("POST", "/api/groups/join", &guest, Some(json!({ "invite": invite }))).await;
        assert_eq!(refusal(&answer), (404, Some("not_found")), "{invite:?}: {}", answer.1);
    }
    let answer = app.call("DELETE", &format!("/api/groups/{id}/invites/%00"), &owner, None).await;
    assert_eq!(answer.0, 404, "{}", answer.1);
    // The real link still works, for the guest who was refused above.
    let (status, joined) = app.call("POST", "/api/groups/join", &guest, Some(json!({ "invite": token }))).await;
    assert_eq!(status, 200, "{joined}");
}

//! Conversations and messages over REST: history pages, editing, deleting, reactions, read
//! marks, muting and message requests, each also tried on someone else's chat and with bad bodies.
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

/// Ada and Bob with a direct chat; returns (ada token, bob token, eve token, chat id).
async fn chat_of_two(app: &TestApp) -> (String, String, String, String) {
    let (_, ada) = app.person("ada", "+4915112350001").await;
    let (bob_id, bob) = app.person("bob", "+4915112350002").await;
    let (_, eve) = app.person("eve", "+4915112350003").await;
    let (status, chat) = app.call("POST", "/api/chats", &ada, Some(json!({ "user_id": bob_id }))).await;
    assert_eq!(status, 201);
    (ada, bob, eve, chat["id"].as_str().unwrap().to_owned())
}

async fn send(app: &TestApp, token: &str, chat: &str, n: usize) -> Value {
    let body = json!({ "body": format!("message {n}"), "client_id": format!("c-{n}") });
    let (status, message) = app.call("POST", &format!("/api/chats/{chat}/messages"), token, Some(body)).await;
    assert_eq!(status, 201, "{message}");
    message
}

#[tokio::test]
async fn history_comes_in_pages_back_to_the_first_message() {
    let app = spawn_app().await;
    let (ada, bob, eve, chat) = chat_of_two(&app).await;
    for n in 1..=120 {
        send(&app, &ada, &chat, n).await;
    }
    let mut seqs = Vec::new();
    let mut path = format!("/api/chats/{chat}/messages");
    loop {
        let (status, page) = app.call("GET", &path, &bob, None).await;
        assert_eq!(status, 200, "{page}");
        let items = page["items"].as_array().unwrap();
        assert!(!items.is_empty() && items.len() <= 50);
        let mut page_seqs: Vec<i64> = items.iter().map(|m| m["seq"].as_i64().unwrap()).collect();
        assert!(page_seqs.windows(2).all(|w| w[0] < w[1]), "oldest first within a page");
        page_seqs.extend(seqs);
        seqs = page_seqs;
        match page["next"].as_str() {
            Some(next) => path = format!("/api/chats/{chat}/messages?cursor={next}"),
            None => break,
        }
    }
    assert_eq!(seqs, (1..=120).collect::<Vec<i64>>());

    let (status, around) = app.call("GET", &format!("/api/chats/{chat}/messages?around=10"), &bob, None).await;
    assert_eq!(status, 200);
    assert!(around["items"].as_array().unwrap().iter().any(|m| m["seq"] == 10));

    for (token, path, want) in [
        (&eve, format!("/api/chats/{chat}/messages"), 404),
        (&bob, format!("/api/chats/{chat}/messages?cursor=abc"), 422),
        (&bob, format!("/api/chats/{chat}/messages?around=x"), 400),
        (&bob, "/api/chats/no-such-chat/messages".to_owned(), 404),
    ] {
        let (status, body) = app.call("GET", &path, token, None).await;
        assert_eq!(status, want, "{path}: {body}");
        assert!(body["error"]["code"].is_string());
    }
}

#[tokio::test]
async fn only_the_sender_edits_or_deletes_and_members_react() {
    let app = spawn_app().await;
    let (ada, bob, eve, chat) = chat_of_two(&app).await;
    let message = send(&app, &ada, &chat, 1).await;
    let path = format!("/api/messages/{}", message["id"].as_str().unwrap());

    let (status, edited) = app.call("PATCH", &path, &ada, Some(json!({ "body": "changed" }))).await;
    assert_eq!(status, 200);
    assert_eq!(edited["body"], "changed");
    assert!(edited["edited_at"].is_i64());
    let (status, _) = app.call("PATCH", &path, &bob, Some(json!({ "body": "not mine" }))).await;
    assert!(status == 403 || status == 404, "{status}");
    let (status, _) = app.call("PATCH", &path, &eve, Some(json!({ "body": "outsider" }))).await;
    assert_eq!(status, 404);
    let (status, body) = app.call("PATCH", &path, &ada, Some(json!({ "body": "  " }))).await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("message_empty")));
    let (status, _) = app.call("PATCH", &path, &ada, Some(json!({ "text": "wrong field" }))).await;
    assert_eq!(status, 400);

    let react = format!("{path}/reactions");
    let (status, body) = app.call("POST", &react, &bob, Some(json!({ "emoji": "👍" }))).await;
    assert_eq!(status, 200);
    assert_eq!(body["reactions"][0]["emoji"], "👍");
    assert_eq!(body["reactions"][0]["mine"], true);
    let (status, body) = app.call("POST", &react, &bob, Some(json!({ "emoji": "👍" }))).await;
    assert_eq!((status, body["reactions"].as_array().unwrap().len()), (200, 0), "the same emoji again takes it back");
    let (status, _) = app.call("POST", &react, &eve, Some(json!({ "emoji": "👍" }))).await;
    assert_eq!(status, 404);
    let (status, body) = app.call("POST", &react, &bob, Some(json!({ "emoji": "abc" }))).await;
    assert_eq!((status, body["error"]["field"].as_str()), (422, Some("emoji")));

    let (status, _) = app.call("DELETE", &path, &bob, None).await;
    assert!(status == 403 || status == 404, "{status}");
    let (status, deleted) = app.call("DELETE", &path, &ada, None).await;
    assert_eq!(status, 200);
    assert_eq!((deleted["deleted"].as_bool(), deleted["body"].as_str()), (Some(true), Some("")));
}

#[tokio::test]
async fn read_marks_and_muting_belong_to_the_caller() {
    let app = spawn_app().await;
    let (ada, bob, eve, chat) = chat_of_two(&app).await;
    for n in 1..=3 {
        send(&app, &ada, &chat, n).await;
    }
    let unread = |list: &Value| list["items"][0]["unread"].as_u64();
    let (_, list) = app.call("GET", "/api/chats", &bob, None).await;
    assert_eq!(unread(&list), Some(3));
    let (status, _) = app.call("POST", &format!("/api/chats/{chat}/read"), &bob, Some(json!({ "seq": 2 }))).await;
    assert_eq!(status, 204);
    let (_, list) = app.call("GET", "/api/chats", &bob, None).await;
    assert_eq!(unread(&list), Some(1));
    let (status, _) = app.call("POST", &format!("/api/chats/{chat}/read"), &eve, Some(json!({ "seq": 2 }))).await;
    assert_eq!(status, 404);
    let (status, _) = app.call("POST", &format!("/api/chats/{chat}/read"), &bob, Some(json!({ "seq": "two" }))).await;
    assert_eq!(status, 400);

    let (status, _) = app.call("PUT", &format!("/api/chats/{chat}/muted"), &bob, Some(json!({ "muted": true }))).await;
    assert_eq!(status, 204);
    let (_, list) = app.call("GET", "/api/chats", &bob, None).await;
    assert_eq!(list["items"][0]["muted"], true);
    let (_, list) = app.call("GET", "/api/chats", &ada, None).await;
    assert_eq!(list["items"][0]["muted"], false, "muting is Bob's alone");
    let (status, _) = app.call("PUT", &format!("/api/chats/{chat}/muted"), &eve, Some(json!({ "muted": true }))).await;
    assert_eq!(status, 404);
    let (status, _) = app.call("PUT", &format!("/api/chats/{chat}/muted"), &bob, Some(json!({}))).await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn a_message_request_is_accepted_or_declined_by_its_recipient() {
    let app = spawn_app().await;
    let (_, ada) = app.person("ada", "+4915112350011").await;
    let (cleo_id, cleo) = app.person("cleo", "+4915112350012").await;
    let settings = json!({ "display_name": "Cleo", "bio": "", "who_can_message": "contacts", "last_seen": "everyone" });
    let (status, saved) = app.call("PUT", "/api/settings", &cleo, Some(settings)).await;
    assert_eq!((status, saved["who_can_message"].as_str()), (200, Some("contacts")));

    let (_, chat) = app.call("POST", "/api/chats", &ada, Some(json!({ "user_id": cleo_id }))).await;
    let chat = chat["id"].as_str().unwrap().to_owned();
    send(&app, &ada, &chat, 1).await;
    let (_, list) = app.call("GET", "/api/chats", &cleo, None).await;
    assert_eq!(list["items"][0]["request"], "incoming");

    let path = format!("/api/chats/{chat}/request");
    let (status, body) = app.call("POST", &path, &ada, Some(json!({ "accept": true }))).await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("no_request")), "only the recipient answers");
    let (status, _) = app.call("POST", &path, &cleo, Some(json!({ "accept": "yes" }))).await;
    assert_eq!(status, 400);
    let (status, _) = app.call("POST", &path, &cleo, Some(json!({ "accept": true }))).await;
    assert_eq!(status, 204);
    let (_, list) = app.call("GET", "/api/chats", &cleo, None).await;
    assert_eq!(list["items"][0]["request"], "none");
}

#[tokio::test]
async fn the_chat_list_pages_by_cursor() {
    let app = spawn_app().await;
    let (_, ada) = app.person("ada", "+4915112350021").await;
    for n in 0..5 {
        let (id, _) = app.person(&format!("friend{n}"), &format!("+491511235003{n}")).await;
        let (status, _) = app.call("POST", "/api/chats", &ada, Some(json!({ "user_id": id }))).await;
        assert_eq!(status, 201);
    }
    let (_, first) = app.call("GET", "/api/chats?limit=3", &ada, None).await;
    assert_eq!(first["items"].as_array().unwrap().len(), 3);
    let next = first["next"].as_str().unwrap();
    let (_, second) = app.call("GET", &format!("/api/chats?limit=3&cursor={next}"), &ada, None).await;
    assert_eq!(second["items"].as_array().unwrap().len(), 2);
    let ids = |page: &Value| page["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    let mut all = ids(&first);
    all.extend(ids(&second));
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 5, "no chat twice, none left out");
}

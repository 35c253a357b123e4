//! Talk to a stranger over HTTP and the socket: meeting, messages exactly once, anonymity on the
//! wire, leaving, reports that end in a ban, the heartbeat, and what a hostile client sends.
use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::helpers::{TestApp, spawn_app};
use crate::realtime::{Person, Socket, hello, open_with_token, person};

/// A person who accepted the rules, with a socket that said hello.
async fn stranger(app: &TestApp, n: u32) -> (Person, Socket) {
    let p = person(app, n).await;
    let (status, view) = app.call("POST", "/api/strangers/adult", &p.token, None).await;
    assert_eq!(status, 200, "{view}");
    assert_eq!(view["adult_confirmed"], true);
    let mut ws = open_with_token(app, &p.token).await;
    hello(&mut ws, &[]).await;
    (p, ws)
}

/// Reads frames until one of `kind` arrives (within 5 s); returns it and all read before.
async fn until(ws: &mut Socket, kind: &str) -> (Value, Vec<String>) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let mut seen = Vec::new();
    loop {
        let Ok(Some(Ok(message))) = tokio::time::timeout_at(deadline, ws.next()).await else {
            panic!("no {kind} frame; got {seen:?}");
        };
        if let Message::Text(text) = message {
            seen.push(text.to_string());
            let frame: Value = serde_json::from_str(&text).unwrap();
            if frame["type"] == kind {
                return (frame, seen);
            }
        }
    }
}

async fn look(app: &TestApp, p: &Person, interests: Value) -> (u16, Value) {
    app.call("POST", "/api/strangers/look", &p.token, Some(json!({ "interests": interests }))).await
}

#[tokio::test]
async fn two_strangers_meet_talk_and_part_over_rest_and_the_socket() {
    let app = spawn_app().await;
    let (ada, mut ada_ws) = stranger(&app, 1).await;
    let (bob, mut bob_ws) = stranger(&app, 2).await;
    let (status, waiting) = look(&app, &ada, json!(["Chess"])).await;
    assert_eq!(status, 200);
    assert_eq!(waiting["looking"]["interests"], json!(["chess"]));
    let (_, matched) = look(&app, &bob, json!(["chess", "go"])).await;
    let chat = matched["chat"]["id"].as_str().unwrap().to_owned();
    assert_eq!(matched["chat"]["shared_interests"], json!(["chess"]));
    let (frame, _) = until(&mut ada_ws, "stranger").await;
    assert_eq!(frame["view"]["chat"]["id"], chat.as_str(), "ada hears of the match");

    let path = format!("/api/strangers/chats/{chat}/messages");
    let sent = json!({ "body": "hi, I'm Ada, +49 151 10000001", "client_id": "m-1" });
    let (status, message) = app.call("POST", &path, &ada.token, Some(sent.clone())).await;
    assert_eq!((status, message["seq"].as_i64(), message["mine"].as_bool()), (201, Some(1), Some(true)));
    let (status, again) = app.call("POST", &path, &ada.token, Some(sent)).await;
    assert_eq!((status, again), (200, message), "the same client id adds nothing");
    let (frame, _) = until(&mut bob_ws, "stranger_message").await;
    assert_eq!(frame["message"]["mine"], false);
    assert_eq!(frame["message"]["client_id"], Value::Null);
    let (status, _) = app.call("POST", &format!("/api/strangers/chats/{chat}/typing"), &bob.token, None).await;
    assert_eq!(status, 204);
    until(&mut ada_ws, "stranger_typing").await;

    // Ada leaves; Bob is told, and the chat takes no more messages.
    let (_, left) = app.call("POST", "/api/strangers/leave", &ada.token, None).await;
    assert_eq!(left["chat"]["ended"], "you_left");
    let (frame, seen) = until(&mut bob_ws, "stranger").await;
    assert_eq!(frame["view"]["chat"]["ended"], "stranger_left");
    let (status, refused) = app.call("POST", &path, &bob.token, Some(json!({ "body": "wait", "client_id": "b-1" }))).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (422, Some("stranger_left")));

    // Nothing Bob's socket or state carried names Ada (what she typed herself aside).
    let (_, bob_state) = app.call("GET", "/api/strangers", &bob.token, None).await;
    let everything = format!("{}\n{bob_state}", seen.join("\n"));
    let ada_id = ada.shown.replace('-', "");
    for secret in [ada.shown.as_str(), ada_id.as_str(), "user1", ada.phone.as_str()] {
        assert!(!everything.contains(secret), "{secret} reached Bob: {everything}");
    }
}

#[tokio::test]
async fn a_page_that_stops_saying_it_is_there_has_left() {
    let app = spawn_app().await;
    let (ada, _ada_ws) = stranger(&app, 1).await;
    let (bob, mut bob_ws) = stranger(&app, 2).await;
    look(&app, &ada, json!([])).await;
    look(&app, &bob, json!([])).await;
    until(&mut bob_ws, "stranger").await;
    app.clock.advance_secs(20);
    assert_eq!(app.call("POST", "/api/strangers/here", &bob.token, None).await.0, 204);
    app.clock.advance_secs(15);
    assert_eq!(app.call("POST", "/api/strangers/here", &bob.token, None).await.0, 204);
    // The sweeper runs every second: Ada, silent for 35 s, has left.
    let (frame, _) = until(&mut bob_ws, "stranger").await;
    assert_eq!(frame["view"]["chat"]["ended"], "stranger_disconnected");
}

#[tokio::test]
async fn people_reported_by_three_strangers_are_kept_out_of_stranger_chat() {
    let app = spawn_app().await;
    let (target, _ws) = stranger(&app, 1).await;
    for n in 2..5 {
        let (reporter, _reporter_ws) = stranger(&app, n).await;
        let (status, _) = look(&app, &target, json!([])).await;
        assert_eq!(status, 200, "allowed after {} reports", n - 2);
        let (_, matched) = look(&app, &reporter, json!([])).await;
        let chat = matched["chat"]["id"].as_str().expect("matched with the target").to_owned();
        let report = json!({ "reason": "harassment", "note": "insults" });
        let (status, view) = app.call("POST", &format!("/api/strangers/chats/{chat}/report"), &reporter.token, Some(report)).await;
        assert_eq!(status, 200, "{view}");
        assert_eq!((view["chat"]["reported"].as_bool(), view["chat"]["ended"].as_str()), (Some(true), Some("you_left")));
    }
    let (status, refused) = look(&app, &target, json!([])).await;
    assert_eq!((status, refused["error"]["code"].as_str()), (422, Some("stranger_ban")));
    let (_, state) = app.call("GET", "/api/strangers", &target.token, None).await;
    assert!(state["banned_until"].as_i64().is_some());
    let reports = app.store().await.stranger_reports(10).await.unwrap();
    assert_eq!(reports.len(), 3);
    assert!(reports.iter().all(|r| r.reason == "harassment" && r.transcript == "[]"));
}

#[tokio::test]
async fn stranger_chat_refuses_what_a_hostile_client_sends() {
    let app = spawn_app().await;
    let newcomer = person(&app, 9).await;
    let (status, body) = look(&app, &newcomer, json!([])).await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("adult_required")), "the rules come first");
    assert_eq!(app.call("GET", "/api/strangers", "not-a-token", None).await.0, 401);

    let (ada, _) = stranger(&app, 1).await;
    let (bob, _) = stranger(&app, 2).await;
    let (eve, _) = stranger(&app, 3).await;
    for interests in [json!(["a", "b", "c", "d", "e", "f"]), json!(["x".repeat(25)]), json!(["<script>"]), json!("chess"), json!([1])] {
        let (status, _) = look(&app, &ada, interests.clone()).await;
        assert!(status == 400 || status == 422, "{interests} gave {status}");
    }
    look(&app, &ada, json!([])).await;
    let (_, matched) = look(&app, &bob, json!([])).await;
    let chat = matched["chat"]["id"].as_str().unwrap().to_owned();

    // Someone else's chat, by id, and ids that are no chat: not found.
    for id in [chat.as_str(), "0", "%00", &"f".repeat(64)] {
        let path = format!("/api/strangers/chats/{id}/messages");
        let (status, _) = app.call("POST", &path, &eve.token, Some(json!({ "body": "hi", "client_id": "e-1" }))).await;
        assert_eq!(status, 404, "{id}");
    }
    for (method, tail) in [("POST", "typing"), ("POST", "block"), ("PUT", "stay-in-touch"), ("POST", "report")] {
        let body = match tail {
            "stay-in-touch" => Some(json!({ "offer": true })),
            "report" => Some(json!({ "reason": "spam" })),
            _ => None,
        };
        assert_eq!(app.call(method, &format!("/api/strangers/chats/{chat}/{tail}"), &eve.token, body).await.0, 404, "{tail}");
    }
    // Bodies that are not what the schema says.
    let path = format!("/api/strangers/chats/{chat}/messages");
    for body in [
        json!({ "body": "x".repeat(4097), "client_id": "a-1" }),
        json!({ "body": "bell\u{7}", "client_id": "a-2" }),
        json!({ "body": "hi", "client_id": "no spaces" }),
        json!({ "body": "hi", "client_id": "a-3", "sender": "someone" }),
        json!({ "body": "   ", "client_id": "a-4" }),
    ] {
        let (status, _) = app.call("POST", &path, &ada.token, Some(body.clone())).await;
        assert!(status == 400 || status == 422, "{body} gave {status}");
    }
    let report_path = format!("/api/strangers/chats/{chat}/report");
    for body in [json!({ "reason": "boring" }), json!({ "reason": "spam", "note": "n".repeat(501) })] {
        let (status, _) = app.call("POST", &report_path, &ada.token, Some(body.clone())).await;
        assert!(status == 400 || status == 422, "{body} gave {status}");
    }
    let (_, state) = app.call("GET", "/api/strangers", &bob.token, None).await;
    assert_eq!(state["chat"]["messages"], json!([]), "nothing refused was added");

    // A flood is cut short with a wait to honour.
    let mut statuses = Vec::new();
    let mut retry_after = None;
    for i in 0..8 {
        let response = app
            .client
            .post(app.url(&path))
            .bearer_auth(&ada.token)
            .json(&json!({ "body": "spam", "client_id": format!("f-{i}") }))
            .send()
            .await
            .unwrap();
        statuses.push(response.status().as_u16());
        retry_after = retry_after.or(response.headers().get("retry-after").map(|v| v.to_str().unwrap().to_owned()));
    }
    assert_eq!(statuses, [201, 201, 201, 201, 201, 429, 429, 429]);
    assert!(retry_after.is_some(), "a 429 says when to try again");
    let (_, state) = app.call("GET", "/api/strangers", &bob.token, None).await;
    assert_eq!(state["chat"]["messages"].as_array().unwrap().len(), 5);
}

#[tokio::test]
async fn staying_in_touch_over_rest_turns_the_chat_into_a_direct_chat() {
    let app = spawn_app().await;
    let (ada, _) = stranger(&app, 1).await;
    let (bob, mut bob_ws) = stranger(&app, 2).await;
    look(&app, &ada, json!([])).await;
    let (_, matched) = look(&app, &bob, json!([])).await;
    let chat = matched["chat"]["id"].as_str().unwrap().to_owned();
    until(&mut bob_ws, "stranger").await; // the match
    let said = json!({ "body": "fun chat", "client_id": "a-1" });
    app.call("POST", &format!("/api/strangers/chats/{chat}/messages"), &ada.token, Some(said)).await;
    until(&mut bob_ws, "stranger_message").await;
    let path = format!("/api/strangers/chats/{chat}/stay-in-touch");
    let (_, offered) = app.call("PUT", &path, &ada.token, Some(json!({ "offer": true }))).await;
    assert_eq!(offered["chat"]["i_offered_contact"], true);
    let (frame, _) = until(&mut bob_ws, "stranger").await;
    assert_eq!(frame["view"]["chat"]["stranger_offered_contact"], true);
    let (status, done) = app.call("PUT", &path, &bob.token, Some(json!({ "offer": true }))).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["chat"]["ended"], "stayed_in_touch");
    let direct = done["chat"]["direct_chat"].as_str().unwrap().to_owned();
    let (_, list) = app.call("GET", "/api/chats", &ada.token, None).await;
    assert_eq!(list["items"][0]["id"], direct.as_str());
    assert_eq!(list["items"][0]["peer"]["user_id"], bob.shown.as_str());
    // Bob's socket hears the conversation again as direct-chat messages, then the end.
    let (frame, seen) = until(&mut bob_ws, "stranger").await;
    assert_eq!(frame["view"]["chat"]["ended"], "stayed_in_touch");
    let seen = seen.join("\n");
    assert!(seen.contains(&direct) && seen.contains("fun chat"), "the copied message arrives in the direct chat: {seen}");
}

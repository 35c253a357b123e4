//! What one hostile client can make the server do over `/ws` and the history API: the numbers
//! it sends are taken within the chat, a replay ends, a gap is never skipped, and its sockets
//! and typing are counted per user.
use std::time::Duration;

use app::realtime::protocol::{PROTOCOL_VERSION, ServerFrame, close};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::{self, Message};

use crate::{
    helpers::{TestApp, spawn_app, spawn_app_with},
    realtime::{Person, Socket, hello, hello_since, open, open_with_token, person, recv, send, try_recv},
    realtime_delivery::{direct, group},
};

/// The tests send faster than a person types.
pub async fn spawn(extra: &[(&str, &str)]) -> TestApp {
    let mut vars = vec![("CONFAB_WS_FRAMES_PER_SEC", "100000")];
    vars.extend_from_slice(extra);
    spawn_app_with(&vars).await
}

/// A direct chat between `a` and `b` holding `n` messages from `a` (sent over one socket, without
/// waiting for each ack); returns the chat id and the message ids by sequence (index 0 is seq 1).
pub async fn chat_with_messages(app: &TestApp, a: &Person, b: &Person, n: usize) -> (String, Vec<String>) {
    let chat = direct(app, a, b).await;
    let mut ws = open_with_token(app, &a.token).await;
    hello(&mut ws, &[]).await;
    for i in 0..n {
        send(&mut ws, json!({ "type": "send", "chat_id": chat, "client_id": format!("{chat}-{i}"), "body": format!("message {i}"), "reply_to": null })).await;
    }
    let mut ids = vec![String::new(); n];
    let mut acked = 0;
    while acked < n {
        match recv(&mut ws).await {
            ServerFrame::Ack { id, seq, .. } => {
                ids[seq as usize - 1] = id;
                acked += 1;
            }
            ServerFrame::Error { code, message, .. } => panic!("send refused: {code} {message}"),
            _ => {}
        }
    }
    (chat, ids)
}

/// Says hello with raw JSON cursors; the frames before `synced`, or why there was none: more
/// than `max_frames` of them, a close, or silence.
pub async fn replay(ws: &mut Socket, cursors: Value, since: Option<i64>, max_frames: usize) -> Result<Vec<ServerFrame>, String> {
    send(ws, json!({ "type": "hello", "version": PROTOCOL_VERSION, "cursors": cursors, "since": since })).await;
    match try_recv(ws, Duration::from_secs(5)).await {
        Some(ServerFrame::Welcome { .. }) => {}
        other => return Err(format!("no welcome: {other:?}")),
    }
    let mut frames = Vec::new();
    loop {
        match try_recv(ws, Duration::from_secs(5)).await {
            Some(ServerFrame::Synced { .. }) => return Ok(frames),
            Some(frame) if frames.len() < max_frames => frames.push(frame),
            Some(_) => return Err(format!("more than {max_frames} frames before synced")),
            None => return Err(format!("no synced after {} frames, last {:?}", frames.len(), frames.last())),
        }
    }
}

pub fn message_seqs(frames: &[ServerFrame]) -> Vec<i64> {
    frames
        .iter()
        .filter_map(|f| match f {
            ServerFrame::Message { message } => Some(message.seq),
            _ => None,
        })
        .collect()
}

#[tokio::test]
async fn a_hello_with_a_huge_cursor_does_not_replay_forever() {
    let app = spawn(&[]).await;
    let (ada, bob) = (person(&app, 1).await, person(&app, 2).await);
    // More than one replay page (200): the page after the wrapped cursor was always full.
    let (chat, _) = chat_with_messages(&app, &ada, &bob, 210).await;
    let mut ws = open_with_token(&app, &bob.token).await;
    let replayed = replay(&mut ws, json!([{ "chat_id": chat, "seq": i64::MAX }]), None, 1000).await.unwrap();
    assert!(message_seqs(&replayed).is_empty(), "a cursor past the end holds everything: {} messages replayed", replayed.len());

    // The cursor was taken as the chat's last message: the next one arrives live.
    let (status, _) = app.call("POST", &format!("/api/chats/{chat}/messages"), &ada.token, Some(json!({ "body": "next", "client_id": "n1" }))).await;
    assert_eq!(status, 201);
    loop {
        if let ServerFrame::Message { message } = recv(&mut ws).await {
            assert_eq!(message.seq, 211);
            break;
        }
    }
}

#[tokio::test]
async fn extreme_cursors_and_since_in_a_hello_are_taken_within_the_chat() {
    let app = spawn(&[]).await;
    let (ada, bob) = (person(&app, 3).await, person(&app, 4).await);
    let (chat, ids) = chat_with_messages(&app, &ada, &bob, 5).await;
    for (cursor, expected) in [(i64::MIN, 1..=5), (-1, 1..=5), (3, 4..=5), (6, 1..=0), (i64::MAX - 1, 1..=0)] {
        let mut ws = open_with_token(&app, &bob.token).await;
        let replayed = replay(&mut ws, json!([{ "chat_id": chat, "seq": cursor }]), None, 100).await.unwrap();
        assert_eq!(message_seqs(&replayed), expected.collect::<Vec<_>>(), "cursor {cursor}");
    }

    // A `since` before 1970 asks for every change (it wrapped around to "none" before).
    let (status, _) = app.call("PATCH", &format!("/api/messages/{}", ids[0]), &ada.token, Some(json!({ "body": "edited" }))).await;
    assert_eq!(status, 200);
    let mut ws = open_with_token(&app, &bob.token).await;
    let (replayed, _) = hello_since(&mut ws, &[(&chat, 5)], Some(i64::MIN)).await;
    let updated: Vec<&str> = replayed
        .iter()
        .filter_map(|f| match f {
            ServerFrame::MessageUpdated { message } => Some(message.body.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(updated, ["edited"]);
}

#[tokio::test]
async fn a_replay_longer_than_its_limit_is_cut_and_resumed_from_where_it_got_to() {
    let app = spawn(&[("CONFAB_WS_REPLAY_MESSAGES", "40")]).await;
    let (ada, bob) = (person(&app, 5).await, person(&app, 6).await);
    let (chat, _) = chat_with_messages(&app, &ada, &bob, 100).await;
    let mut got: Vec<i64> = Vec::new();
    for round in 1..=3 {
        let cursor = got.last().copied().unwrap_or(0);
        let mut ws = open_with_token(&app, &bob.token).await;
        send(&mut ws, json!({ "type": "hello", "version": PROTOCOL_VERSION, "cursors": [{ "chat_id": chat, "seq": cursor }] })).await;
        let (frames, closed_with) = until_synced_or_closed(&mut ws).await;
        let seqs = message_seqs(&frames);
        if round < 3 {
            // 40 messages, then `reconnect` and close 4004: the client resumes from its cursor.
            assert_eq!(seqs.len(), 40, "round {round}");
            assert!(matches!(frames.last(), Some(ServerFrame::Reconnect { reason, .. }) if reason == "replay_limit"), "{:?}", frames.last());
            assert_eq!(closed_with, Some(close::REPLAY_LIMIT));
        } else {
            assert!(matches!(frames.last(), Some(ServerFrame::Synced { .. })), "{:?}", frames.last());
        }
        got.extend(seqs);
    }
    assert_eq!(got, (1..=100).collect::<Vec<_>>(), "each message once, in order");
}

/// Frames until `synced` (the last one then) or the close, and the close code if it closed.
async fn until_synced_or_closed(ws: &mut Socket) -> (Vec<ServerFrame>, Option<u16>) {
    let mut frames = Vec::new();
    loop {
        let message = tokio::time::timeout(Duration::from_secs(5), ws.next()).await.expect("a frame or a close within 5 s");
        match message {
            Some(Ok(Message::Text(text))) => {
                let frame: ServerFrame = serde_json::from_str(&text).unwrap();
                let synced = matches!(frame, ServerFrame::Synced { .. });
                frames.push(frame);
                if synced {
                    return (frames, None);
                }
            }
            Some(Ok(Message::Close(frame))) => return (frames, frame.map(|f| u16::from(f.code))),
            Some(Ok(_)) => {}
            Some(Err(_)) | None => return (frames, None),
        }
    }
}

#[tokio::test]
async fn a_failed_gap_fill_does_not_move_the_cursor_past_the_gap() {
    let app = spawn(&[]).await;
    let (ada, bob) = (person(&app, 7).await, person(&app, 8).await);
    let (chat, _) = chat_with_messages(&app, &ada, &bob, 3).await;
    let mut ws = open_with_token(&app, &bob.token).await;
    assert_eq!(message_seqs(&replay(&mut ws, json!([{ "chat_id": chat, "seq": 3 }]), None, 10).await.unwrap()), Vec::<i64>::new());

    // Message 4 is stored but never published (as if its publish were slow), and the store
    // cannot be read for the fill: the message after it waits, then the fill fails.
    let ada_stored = ada.shown.replace('-', "");
    app.sql(&format!(
        "INSERT INTO messages (id, conversation_id, seq, sender_id, body, created_at)
         SELECT 'unpublished', id, last_seq + 1, '{ada_stored}', 'four', 0 FROM conversations WHERE id = '{chat}'"
    ))
    .await;
    app.sql(&format!("UPDATE conversations SET last_seq = last_seq + 1 WHERE id = '{chat}'")).await;
    app.sql("ALTER TABLE reactions RENAME TO reactions_away").await;
    let (status, _) = app.call("POST", &format!("/api/chats/{chat}/messages"), &ada.token, Some(json!({ "body": "five", "client_id": "c5" }))).await;
    assert_eq!(status, 201);

    let mut frames = Vec::new();
    while let Some(frame) = try_recv(&mut ws, Duration::from_secs(3)).await {
        frames.push(frame);
    }
    assert_eq!(message_seqs(&frames), Vec::<i64>::new(), "5 must not go out without 4: {frames:?}");
    assert!(matches!(frames.last(), Some(ServerFrame::Reconnect { reason, .. }) if reason == "unavailable"), "{frames:?}");

    // Once the store answers again, resuming from the true cursor gets 4 and 5.
    app.sql("ALTER TABLE reactions_away RENAME TO reactions").await;
    let mut ws = open_with_token(&app, &bob.token).await;
    let replayed = replay(&mut ws, json!([{ "chat_id": chat, "seq": 3 }]), None, 10).await.unwrap();
    assert_eq!(message_seqs(&replayed), [4, 5]);
}

#[tokio::test]
async fn a_user_cannot_open_more_than_sixteen_sockets() {
    let app = spawn_app().await;
    let ada = person(&app, 9).await;
    let mut sockets = Vec::new();
    for _ in 0..16 {
        let mut ws = open_with_token(&app, &ada.token).await;
        hello(&mut ws, &[]).await;
        sockets.push(ws);
    }
    let refused = open(&app, &[("authorization", &format!("Bearer {}", ada.token))]).await;
    match refused {
        Err(tungstenite::Error::Http(response)) => {
            assert_eq!(response.status().as_u16(), 429);
            let body: Value = serde_json::from_slice(response.body().as_deref().unwrap_or_default()).unwrap();
            assert_eq!(body["error"]["code"], "too_many_sockets");
        }
        Err(e) => panic!("expected 429, got {e}"),
        Ok(_) => panic!("a seventeenth socket was accepted"),
    }
    let bob = person(&app, 10).await;
    assert!(open(&app, &[("authorization", &format!("Bearer {}", bob.token))]).await.is_ok(), "others are not affected");

    // A socket that closes frees its place.
    let mut first = sockets.remove(0);
    first.close(None).await.unwrap();
    while first.next().await.is_some() {}
    let mut reopened = None;
    for _ in 0..100 {
        if let Ok((ws, _)) = open(&app, &[("authorization", &format!("Bearer {}", ada.token))]).await {
            reopened = Some(ws);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(reopened.is_some(), "the place was not given back");
}

#[tokio::test]
async fn typing_from_many_sockets_of_one_user_is_broadcast_once_per_interval() {
    let app = spawn(&[]).await;
    let (ada, bob) = (person(&app, 11).await, person(&app, 12).await);
    let chat = direct(&app, &ada, &bob).await;
    let mut bob_ws = open_with_token(&app, &bob.token).await;
    hello(&mut bob_ws, &[]).await;
    let mut ada_sockets = Vec::new();
    for _ in 0..4 {
        let mut ws = open_with_token(&app, &ada.token).await;
        hello(&mut ws, &[]).await;
        ada_sockets.push(ws);
    }
    while try_recv(&mut bob_ws, Duration::from_millis(200)).await.is_some() {}
    for ws in &mut ada_sockets {
        send(ws, json!({ "type": "typing", "chat_id": chat })).await;
    }
    assert_eq!(typing_frames(&mut bob_ws).await, 1, "one user typing in one chat, however many devices");
}

#[tokio::test]
async fn typing_in_many_chats_at_once_is_throttled_per_user() {
    let app = spawn(&[]).await;
    let (ada, bob) = (person(&app, 13).await, person(&app, 14).await);
    let mut chats = Vec::new();
    for _ in 0..8 {
        chats.push(group(&app, &ada, &[&bob]).await);
    }
    let mut bob_ws = open_with_token(&app, &bob.token).await;
    hello(&mut bob_ws, &[]).await;
    let mut ada_ws = open_with_token(&app, &ada.token).await;
    hello(&mut ada_ws, &[]).await;
    while try_recv(&mut bob_ws, Duration::from_millis(200)).await.is_some() {}
    for chat in &chats {
        send(&mut ada_ws, json!({ "type": "typing", "chat_id": chat })).await;
    }
    assert_eq!(typing_frames(&mut bob_ws).await, 5, "the burst of the user's typing budget");
}

/// Typing frames until nothing arrives for half a second.
async fn typing_frames(ws: &mut Socket) -> usize {
    let mut n = 0;
    while let Some(frame) = try_recv(ws, Duration::from_millis(500)).await {
        n += usize::from(matches!(frame, ServerFrame::Typing { .. }));
    }
    n
}

#[tokio::test]
async fn a_flood_of_ping_control_frames_is_cut_off() {
    let app = spawn_app().await;
    let ada = person(&app, 15).await;
    let mut ws = open_with_token(&app, &ada.token).await;
    hello(&mut ws, &[]).await;
    for _ in 0..2000 {
        if ws.send(Message::Ping(vec![0u8; 125].into())).await.is_err() {
            break;
        }
    }
    // The server closes (1008); pings still in flight may turn the close into a reset.
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    let ended = loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => break None,
            Ok(Some(Ok(Message::Close(frame)))) => break Some(frame.map(|f| u16::from(f.code))),
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_)) | None) => break Some(None),
        }
    };
    let ended = ended.expect("the socket must be closed: control frames count against the rate limit");
    assert!(matches!(ended, Some(close::POLICY) | None), "{ended:?}");
}

#[tokio::test]
async fn extreme_numbers_in_history_queries_are_taken_within_the_chat() {
    let app = spawn(&[]).await;
    let (ada, bob) = (person(&app, 16).await, person(&app, 17).await);
    let (chat, _) = chat_with_messages(&app, &ada, &bob, 60).await;
    let seqs = |body: &Value, key: &str| -> Vec<i64> { body[key].as_array().unwrap().iter().map(|m| m["seq"].as_i64().unwrap()).collect() };

    let (status, body) = app.call("GET", &format!("/api/chats/{chat}/messages?around={}", i64::MIN), &bob.token, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(seqs(&body, "items").first(), Some(&1), "before the start is the start");
    let (status, body) = app.call("GET", &format!("/api/chats/{chat}/messages?around={}", i64::MAX), &bob.token, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(seqs(&body, "items").last(), Some(&60), "past the end is the end");
    let (status, body) = app.call("GET", &format!("/api/chats/{chat}?around={}", i64::MIN + 1), &bob.token, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(seqs(&body, "messages").first(), Some(&1));

    for cursor in ["-5", "+5", "5x", "99999999999999999999", ""] {
        let (status, body) = app.call("GET", &format!("/api/chats/{chat}/messages?cursor={cursor}"), &bob.token, None).await;
        assert_eq!(status, 422, "cursor {cursor:?}: {body}");
        assert_eq!(body["error"]["code"], "invalid_cursor", "cursor {cursor:?}");
    }
    for before in [i64::MIN, -1, 0] {
        let (status, body) = app.call("GET", &format!("/api/chats/{chat}?before={before}"), &bob.token, None).await;
        assert_eq!((status, seqs(&body, "messages")), (200, vec![]), "before {before}");
    }
    let (status, body) = app.call("GET", &format!("/api/chats/{chat}?before={}", i64::MAX), &bob.token, None).await;
    assert_eq!(status, 200);
    assert_eq!(seqs(&body, "messages").last(), Some(&60));
    let (status, body) = app.call("GET", &format!("/api/chats/{chat}/messages?around=1e99"), &bob.token, None).await;
    assert_eq!((status, body["error"]["code"].as_str()), (400, Some("invalid_query")));
}

#[tokio::test]
async fn a_read_mark_with_an_extreme_seq_is_taken_within_the_chat() {
    let app = spawn(&[]).await;
    let (ada, bob) = (person(&app, 18).await, person(&app, 19).await);
    let (chat, _) = chat_with_messages(&app, &ada, &bob, 5).await;
    let mut ada_ws = open_with_token(&app, &ada.token).await;
    hello(&mut ada_ws, &[]).await;

    // Below 0 (down to past i64, which JSON carries as a float) and past i64 are refused; the
    // REST body says so in its schema (minimum 0, int64).
    for seq in [json!(-1), json!(i64::MIN), json!(-9.223372036854775809e18), json!(u64::MAX)] {
        let (status, body) = app.call("POST", &format!("/api/chats/{chat}/read"), &bob.token, Some(json!({ "seq": seq }))).await;
        assert_eq!((status, body["error"]["code"].as_str()), (400, Some("invalid_body")), "{seq}: {body}");
    }
    let (status, body) = app.call("POST", &format!("/api/chats/{chat}/read"), &bob.token, Some(json!({ "seq": 0 }))).await;
    assert_eq!(status, 204, "{body}");
    let mut bob_ws = open_with_token(&app, &bob.token).await;
    hello(&mut bob_ws, &[]).await;
    send(&mut bob_ws, json!({ "type": "read", "chat_id": chat, "seq": i64::MAX })).await;
    loop {
        if let ServerFrame::Read { user_id, seq, .. } = recv(&mut ada_ws).await {
            assert_eq!((user_id, seq), (bob.shown.clone(), 5), "the mark stops at the chat's last message");
            break;
        }
    }
    let (_, detail) = app.call("GET", &format!("/api/chats/{chat}"), &ada.token, None).await;
    assert_eq!(detail["peer_read_seq"], 5);
}

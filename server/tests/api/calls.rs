//! Calls over `/ws` between real sockets: ringing each of the callee's devices, answering on
//! one, signals relayed between the two in the call and to nobody else, hanging up, and the
//! call's record read back over REST.
use std::time::Duration;

use app::calls::types::{CallEnd, CallSignal, CallState};
use app::realtime::protocol::ServerFrame;
use serde_json::{Value, json};

use crate::helpers::spawn_app_with;
use crate::realtime::{Socket, hello, open_with_token, person, recv, send, try_recv};

/// The next call frame, reading past chat list and message updates.
async fn next_call_frame(ws: &mut Socket) -> ServerFrame {
    loop {
        match recv(ws).await {
            frame @ (ServerFrame::Call { .. }
            | ServerFrame::CallEnded { .. }
            | ServerFrame::CallSignal { .. }
            | ServerFrame::CallMedia { .. }
            | ServerFrame::Error { .. }) => return frame,
            _ => {}
        }
    }
}

/// Whether any call frame arrives within a short wait.
async fn hears_no_call_frame(ws: &mut Socket) -> bool {
    while let Some(frame) = try_recv(ws, Duration::from_millis(300)).await {
        if matches!(frame, ServerFrame::Call { .. } | ServerFrame::CallSignal { .. } | ServerFrame::CallMedia { .. }) {
            return false;
        }
    }
    true
}

async fn connected(app: &crate::helpers::TestApp, token: &str) -> Socket {
    let mut ws = open_with_token(app, token).await;
    hello(&mut ws, &[]).await;
    ws
}

#[tokio::test]
async fn a_call_rings_each_device_connects_on_the_one_that_answers_and_is_recorded() {
    let app = spawn_app_with(&[("CONFAB_TURN_URLS", "turn:127.0.0.1:3478"), ("CONFAB_TURN_SECRET", "s3cret")]).await;
    let (ada, bob, eve) = (person(&app, 1).await, person(&app, 2).await, person(&app, 3).await);
    let (status, chat) = app.call("POST", "/api/chats", &ada.token, Some(json!({ "user_id": bob.shown }))).await;
    assert_eq!(status, 201, "{chat}");
    let chat_id = chat["id"].as_str().unwrap().to_owned();
    let mut ada_ws = connected(&app, &ada.token).await;
    let (mut bob_phone, mut bob_laptop) = (connected(&app, &bob.token).await, connected(&app, &bob.token).await);
    let mut eve_ws = connected(&app, &eve.token).await;

    send(&mut ada_ws, json!({ "type": "call_invite", "chat_id": chat_id, "video": true })).await;
    let ServerFrame::Call { call } = next_call_frame(&mut ada_ws).await else { panic!("no call view") };
    assert_eq!((call.state, call.outgoing), (CallState::Ringing, true));
    let turn = call.ice_servers.iter().find(|s| s.username.is_some()).expect("TURN credentials");
    assert_eq!(turn.urls, vec!["turn:127.0.0.1:3478".to_string()]);
    for ws in [&mut bob_phone, &mut bob_laptop] {
        let ServerFrame::Call { call: incoming } = next_call_frame(ws).await else { panic!("no ring") };
        assert_eq!((incoming.id.as_str(), incoming.state, incoming.outgoing), (call.id.as_str(), CallState::Ringing, false));
    }
    // A third device of Bob's that connects during the ring rings too, right after `synced`.
    let mut bob_tablet = open_with_token(&app, &bob.token).await;
    hello(&mut bob_tablet, &[]).await;
    assert!(matches!(next_call_frame(&mut bob_tablet).await, ServerFrame::Call { .. }));

    // Eve knows the call's id and tries everything: answer, signal, hang up.
    for frame in [
        json!({ "type": "call_accept", "call_id": call.id, "video": false }),
        json!({ "type": "call_signal", "call_id": call.id, "signal": { "kind": "offer", "sdp": "v=0" } }),
        json!({ "type": "call_hangup", "call_id": call.id }),
    ] {
        send(&mut eve_ws, frame).await;
        let ServerFrame::Error { code, .. } = next_call_frame(&mut eve_ws).await else { panic!("Eve was not refused") };
        assert_eq!(code, "no_such_call");
    }

    send(&mut bob_laptop, json!({ "type": "call_accept", "call_id": call.id, "video": true })).await;
    assert!(matches!(next_call_frame(&mut bob_laptop).await, ServerFrame::Call { call } if call.state == CallState::Active));
    assert!(matches!(next_call_frame(&mut ada_ws).await, ServerFrame::Call { call } if call.state == CallState::Active));
    // With it, whether Bob answered with his camera on.
    assert_eq!(next_call_frame(&mut ada_ws).await, ServerFrame::CallMedia { call_id: call.id.clone(), muted: false, camera: true });
    for ws in [&mut bob_phone, &mut bob_tablet] {
        let ended = next_call_frame(ws).await;
        assert_eq!(ended, ServerFrame::CallEnded { call_id: call.id.clone(), reason: CallEnd::AnsweredElsewhere });
    }

    // Offer, answer and a candidate go between Ada and Bob's laptop only.
    send(&mut ada_ws, json!({ "type": "call_signal", "call_id": call.id, "signal": { "kind": "offer", "sdp": "v=0 ada" } })).await;
    let relayed = next_call_frame(&mut bob_laptop).await;
    assert_eq!(relayed, ServerFrame::CallSignal { call_id: call.id.clone(), signal: CallSignal::Offer { sdp: "v=0 ada".into() } });
    let candidate = json!({ "kind": "candidate", "candidate": "candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host", "sdp_mid": "0", "sdp_m_line_index": 0 });
    send(&mut bob_laptop, json!({ "type": "call_signal", "call_id": call.id, "signal": candidate })).await;
    assert!(matches!(next_call_frame(&mut ada_ws).await, ServerFrame::CallSignal { signal: CallSignal::Candidate { .. }, .. }));
    send(&mut ada_ws, json!({ "type": "call_media", "call_id": call.id, "muted": true, "camera": true })).await;
    assert_eq!(next_call_frame(&mut bob_laptop).await, ServerFrame::CallMedia { call_id: call.id.clone(), muted: true, camera: true });
    assert!(hears_no_call_frame(&mut bob_phone).await, "Bob's phone is not in the call");
    assert!(hears_no_call_frame(&mut eve_ws).await);

    // A signal that lies about its shape, or is too big, is refused and the socket stays.
    send(&mut ada_ws, json!({ "type": "call_signal", "call_id": call.id, "signal": { "kind": "exploit", "sdp": 1 } })).await;
    let ServerFrame::Error { code, .. } = next_call_frame(&mut ada_ws).await else { panic!("not refused") };
    assert_eq!(code, "bad_frame");
    let huge = "a".repeat(40 * 1024);
    send(&mut ada_ws, json!({ "type": "call_signal", "call_id": call.id, "signal": { "kind": "offer", "sdp": huge } })).await;
    let ServerFrame::Error { code, .. } = next_call_frame(&mut ada_ws).await else { panic!("not refused") };
    assert_eq!(code, "signal_too_large");

    send(&mut ada_ws, json!({ "type": "call_hangup", "call_id": call.id })).await;
    for ws in [&mut ada_ws, &mut bob_laptop] {
        assert_eq!(next_call_frame(ws).await, ServerFrame::CallEnded { call_id: call.id.clone(), reason: CallEnd::HungUp });
    }

    // The record, read back over REST as REST clients read call history. It is stored right
    // after both are told the call ended.
    let path = format!("/api/chats/{chat_id}/messages");
    let mut records = Vec::new();
    for _ in 0..50 {
        let (status, page) = app.call("GET", &path, &bob.token, None).await;
        assert_eq!(status, 200, "{page}");
        records = page["items"].as_array().unwrap().iter().filter(|m| m["system"]["event"] == "call").cloned().collect::<Vec<Value>>();
        if !records.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(records[0]["system"]["outcome"], "answered");
    assert_eq!(records[0]["system"]["video"], true);
    assert_eq!(records[0]["system"]["by"]["user_id"], ada.shown);
}

#[tokio::test]
async fn a_caller_whose_socket_is_gone_for_good_ends_the_call_for_the_callee() {
    let app = spawn_app_with(&[]).await;
    let (ada, bob) = (person(&app, 1).await, person(&app, 2).await);
    let (_, chat) = app.call("POST", "/api/chats", &ada.token, Some(json!({ "user_id": bob.shown }))).await;
    let mut ada_ws = connected(&app, &ada.token).await;
    let mut bob_ws = connected(&app, &bob.token).await;
    send(&mut ada_ws, json!({ "type": "call_invite", "chat_id": chat["id"], "video": false })).await;
    let ServerFrame::Call { call } = next_call_frame(&mut ada_ws).await else { panic!("no call") };
    // No TURN configured: no relay credentials are handed out.
    assert!(call.ice_servers.iter().all(|s| s.username.is_none()));
    send(&mut bob_ws, json!({ "type": "call_accept", "call_id": call.id, "video": false })).await;
    next_call_frame(&mut bob_ws).await;
    drop(ada_ws);
    // Ten seconds to come back (on the server's clock, which the test moves), and the sweeper
    // looks every second.
    let mut ended = None;
    for _ in 0..20 {
        app.clock.advance_secs(11);
        match try_recv(&mut bob_ws, Duration::from_millis(1500)).await {
            Some(ServerFrame::CallEnded { reason, .. }) => {
                ended = Some(reason);
                break;
            }
            Some(_) | None => {}
        }
    }
    assert_eq!(ended, Some(CallEnd::ConnectionLost));
}

#[tokio::test]
async fn calls_turned_off_over_rest_do_not_ring_and_leave_a_missed_call() {
    let app = spawn_app_with(&[]).await;
    let (ada, bob, eve) = (person(&app, 1).await, person(&app, 2).await, person(&app, 3).await);
    let (_, chat) = app.call("POST", "/api/chats", &ada.token, Some(json!({ "user_id": bob.shown }))).await;
    let chat_id = chat["id"].as_str().unwrap().to_owned();
    let path = format!("/api/chats/{chat_id}/calls");

    let (status, body) = app.call("PUT", &path, &bob.token, Some(json!({ "calls_off": true }))).await;
    assert_eq!(status, 204, "{body}");
    let (_, detail) = app.call("GET", &format!("/api/chats/{chat_id}"), &bob.token, None).await;
    assert_eq!(detail["calls_off"], true);
    let (_, detail) = app.call("GET", &format!("/api/chats/{chat_id}"), &ada.token, None).await;
    assert_eq!(detail["calls_off"], false, "Bob's setting alone");

    // Ada's call is refused with a reason, and nothing rings on Bob's side.
    let mut ada_ws = connected(&app, &ada.token).await;
    let mut bob_ws = connected(&app, &bob.token).await;
    send(&mut ada_ws, json!({ "type": "call_invite", "chat_id": chat_id, "video": false })).await;
    let ServerFrame::Error { code, message, .. } = next_call_frame(&mut ada_ws).await else { panic!("the call was not refused") };
    assert_eq!((code.as_str(), message.as_str()), ("calls_off", "user2 isn’t taking calls in this chat"));
    assert!(hears_no_call_frame(&mut bob_ws).await);
    // Bob finds the missed call, counted as unread; Ada placed it, so hers is read.
    let unread = |list: &Value| list["items"][0]["unread"].as_u64();
    let (_, list) = app.call("GET", "/api/chats", &bob.token, None).await;
    assert_eq!(list["items"][0]["last_message"]["excerpt"], "Missed voice call");
    assert_eq!(unread(&list), Some(1));
    let (_, list) = app.call("GET", "/api/chats", &ada.token, None).await;
    assert_eq!(unread(&list), Some(0));

    // Someone else's chat, a chat that does not exist, a group, and bodies that are not the setting.
    let (status, _) = app.call("PUT", &path, &eve.token, Some(json!({ "calls_off": true }))).await;
    assert_eq!(status, 404, "not Eve's chat");
    let (status, _) = app.call("PUT", "/api/chats/0000000000000000000000000000dead/calls", &bob.token, Some(json!({ "calls_off": true }))).await;
    assert_eq!(status, 404);
    let (_, group) = app.call("POST", "/api/groups", &bob.token, Some(json!({ "name": "Team", "public": false }))).await;
    let group_path = format!("/api/chats/{}/calls", group["id"].as_str().unwrap());
    let (status, body) = app.call("PUT", &group_path, &bob.token, Some(json!({ "calls_off": true }))).await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("group_call")), "{body}");
    for bad in [json!({}), json!({ "calls_off": "yes" }), json!({ "calls_off": null }), json!({ "calls_off": true, "muted": true }), json!([true])] {
        let (status, body) = app.call("PUT", &path, &bob.token, Some(bad.clone())).await;
        assert_eq!((status, body["error"]["code"].as_str()), (400, Some("invalid_body")), "{bad}: {body}");
    }
    let (_, detail) = app.call("GET", &format!("/api/chats/{chat_id}"), &bob.token, None).await;
    assert_eq!(detail["calls_off"], true, "a refused change changes nothing");

    // Calls on again: Ada's next call rings.
    let (status, _) = app.call("PUT", &path, &bob.token, Some(json!({ "calls_off": false }))).await;
    assert_eq!(status, 204);
    send(&mut ada_ws, json!({ "type": "call_invite", "chat_id": chat_id, "video": false })).await;
    assert!(matches!(next_call_frame(&mut ada_ws).await, ServerFrame::Call { .. }));
    assert!(matches!(next_call_frame(&mut bob_ws).await, ServerFrame::Call { call } if !call.outgoing));
}

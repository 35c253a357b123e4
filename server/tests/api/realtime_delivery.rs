//! Delivery over `/ws` with the real conversations service: order, idempotent sends, resume
//! without gaps or duplicates, authorization, slow consumers, typing, receipts and presence.
use std::{collections::BTreeSet, time::Duration};

use app::{
    chats::types::{MessageView, Presence},
    realtime::protocol::ServerFrame,
};
use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::{
    helpers::{TestApp, spawn_app_with},
    realtime::{Person, Socket, close_code, hello, open_with_token, person, recv, send, try_recv},
};

/// The tests send faster than a person types.
async fn spawn() -> TestApp {
    spawn_app_with(&[("CONFAB_WS_FRAMES_PER_SEC", "100000")]).await
}

/// Calls a conversations server fn as an API client (form body, Bearer token).
pub async fn call(app: &TestApp, who: &Person, name: &str, form: &[(&str, &str)]) -> Value {
    let response = app
        .client
        .post(app.url(&format!("/api/chats-fn/{name}")))
        .bearer_auth(&who.token)
        .form(form)
        .send()
        .await
        .expect("request");
    let status = response.status();
    let text = response.text().await.unwrap();
    assert!(status.is_success(), "{name}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

pub async fn direct(app: &TestApp, a: &Person, b: &Person) -> String {
    call(app, a, "start_direct", &[("user_id", &b.shown)]).await.as_str().unwrap().to_owned()
}

pub async fn group(app: &TestApp, owner: &Person, members: &[&Person]) -> String {
    let chat = call(app, owner, "create_group", &[("name", "Crew"), ("description", ""), ("public", "false")]).await;
    let chat = chat.as_str().unwrap().to_owned();
    for m in members {
        call(app, owner, "add_member", &[("chat_id", &chat), ("user_id", &m.shown)]).await;
    }
    chat
}

/// Sends over the socket and returns the ack (other frames before it are skipped).
async fn send_message(ws: &mut Socket, chat: &str, client_id: &str, body: &str) -> (String, i64) {
    send(ws, json!({ "type": "send", "chat_id": chat, "client_id": client_id, "body": body, "reply_to": null })).await;
    loop {
        match recv(ws).await {
            ServerFrame::Ack { client_id: c, id, seq, .. } if c == client_id => return (id, seq),
            ServerFrame::Error { code, message, .. } => panic!("send refused: {code} {message}"),
            _ => {}
        }
    }
}

/// Message frames until nothing arrives for `quiet`.
async fn messages_until_quiet(ws: &mut Socket, quiet: Duration) -> Vec<MessageView> {
    let mut out = Vec::new();
    while let Some(frame) = try_recv(ws, quiet).await {
        if let ServerFrame::Message { message } = frame {
            out.push(message);
        }
    }
    out
}

fn replayed_messages(frames: Vec<ServerFrame>) -> Vec<MessageView> {
    frames
        .into_iter()
        .filter_map(|f| match f {
            ServerFrame::Message { message } => Some(message),
            _ => None,
        })
        .collect()
}

fn seqs(messages: &[MessageView]) -> Vec<i64> {
    messages.iter().map(|m| m.seq).collect()
}

/// The newest sequence in a chat, as `who` sees it.
async fn last_seq(app: &TestApp, who: &Person, chat: &str) -> i64 {
    let detail = call(app, who, "open_chat", &[("chat_id", chat)]).await;
    detail["messages"].as_array().unwrap().iter().map(|m| m["seq"].as_i64().unwrap()).max().unwrap_or(0)
}

#[tokio::test]
async fn a_message_reaches_the_other_member_and_the_senders_other_devices_once() {
    let app = spawn().await;
    let (ada, bob) = (person(&app, 11).await, person(&app, 12).await);
    let chat = direct(&app, &ada, &bob).await;
    let mut ada_phone = open_with_token(&app, &ada.token).await;
    let mut ada_laptop = open_with_token(&app, &ada.token).await;
    let mut bob_ws = open_with_token(&app, &bob.token).await;
    for ws in [&mut ada_phone, &mut ada_laptop, &mut bob_ws] {
        hello(ws, &[(&chat, 0)]).await;
    }
    let (id, seq) = send_message(&mut ada_phone, &chat, "c-1", "hello bob").await;
    for ws in [&mut bob_ws, &mut ada_laptop, &mut ada_phone] {
        let got = messages_until_quiet(ws, Duration::from_millis(400)).await;
        assert_eq!(got.len(), 1, "{got:?}");
        assert_eq!((got[0].id.as_str(), got[0].seq, got[0].body.as_str()), (id.as_str(), seq, "hello bob"));
    }
}

#[tokio::test]
async fn sending_the_same_client_id_again_gets_the_same_ack_and_nothing_new() {
    let app = spawn().await;
    let (ada, bob) = (person(&app, 13).await, person(&app, 14).await);
    let chat = direct(&app, &ada, &bob).await;
    let mut ada_ws = open_with_token(&app, &ada.token).await;
    let mut bob_ws = open_with_token(&app, &bob.token).await;
    hello(&mut ada_ws, &[]).await;
    hello(&mut bob_ws, &[(&chat, 0)]).await;
    let first = send_message(&mut ada_ws, &chat, "same-id", "once").await;
    let again = send_message(&mut ada_ws, &chat, "same-id", "once").await;
    assert_eq!(first, again);
    let got = messages_until_quiet(&mut bob_ws, Duration::from_millis(500)).await;
    assert_eq!(seqs(&got), [first.1], "one message, not two");
}

#[tokio::test]
async fn a_refused_send_names_its_client_id() {
    let app = spawn().await;
    let (ada, bob, eve) = (person(&app, 15).await, person(&app, 16).await, person(&app, 17).await);
    let chat = direct(&app, &ada, &bob).await;
    let mut eve_ws = open_with_token(&app, &eve.token).await;
    hello(&mut eve_ws, &[]).await;
    send(&mut eve_ws, json!({ "type": "send", "chat_id": chat, "client_id": "x1", "body": "let me in", "reply_to": null })).await;
    match recv(&mut eve_ws).await {
        ServerFrame::Error { code, client_id, .. } => {
            assert_eq!(code, "not_found", "an outsider learns nothing about the chat");
            assert_eq!(client_id.as_deref(), Some("x1"));
        }
        other => panic!("{other:?}"),
    }
    let mut ada_ws = open_with_token(&app, &ada.token).await;
    hello(&mut ada_ws, &[]).await;
    send(&mut ada_ws, json!({ "type": "send", "chat_id": chat, "client_id": "x2", "body": "   ", "reply_to": null })).await;
    match recv(&mut ada_ws).await {
        ServerFrame::Error { client_id, .. } => assert_eq!(client_id.as_deref(), Some("x2")),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn concurrent_senders_are_seen_in_sequence_order_by_everyone() {
    let app = spawn().await;
    let (ada, bob, cat) = (person(&app, 18).await, person(&app, 19).await, person(&app, 20).await);
    let chat = group(&app, &ada, &[&bob, &cat]).await;
    let start = last_seq(&app, &cat, &chat).await;
    let mut cat_ws = open_with_token(&app, &cat.token).await;
    hello(&mut cat_ws, &[(&chat, start)]).await;

    const EACH: usize = 60;
    let sender = |who: &Person, tag: &'static str| {
        let (token, chat, app_url) = (who.token.clone(), chat.clone(), app.address);
        async move {
            let request = format!("ws://{app_url}/ws");
            let mut req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(request).unwrap();
            req.headers_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
            let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
            hello(&mut ws, &[]).await;
            for i in 0..EACH {
                send_message(&mut ws, &chat, &format!("{tag}-{i}"), &format!("{tag} {i}")).await;
            }
        }
    };
    tokio::join!(sender(&ada, "ada"), sender(&bob, "bob"));

    let got = messages_until_quiet(&mut cat_ws, Duration::from_millis(800)).await;
    let expected: Vec<i64> = (start + 1..=start + 2 * EACH as i64).collect();
    assert_eq!(seqs(&got), expected, "every message once, in sequence order");
    for tag in ["ada", "bob"] {
        let bodies: Vec<&str> = got.iter().map(|m| m.body.as_str()).filter(|b| b.starts_with(tag)).collect();
        let sent: Vec<String> = (0..EACH).map(|i| format!("{tag} {i}")).collect();
        assert_eq!(bodies, sent, "each sender's messages in the order sent");
    }
}

#[tokio::test]
async fn a_device_that_reconnects_gets_exactly_what_it_missed() {
    let app = spawn().await;
    let (ada, bob) = (person(&app, 21).await, person(&app, 22).await);
    let chat = direct(&app, &ada, &bob).await;
    let mut ada_ws = open_with_token(&app, &ada.token).await;
    hello(&mut ada_ws, &[]).await;
    let mut bob_ws = open_with_token(&app, &bob.token).await;
    hello(&mut bob_ws, &[(&chat, 0)]).await;
    for i in 1..=5 {
        send_message(&mut ada_ws, &chat, &format!("a{i}"), &format!("before {i}")).await;
    }
    let seen = messages_until_quiet(&mut bob_ws, Duration::from_millis(400)).await;
    let cursor = *seqs(&seen).last().unwrap();
    drop(bob_ws);

    for i in 6..=10 {
        send_message(&mut ada_ws, &chat, &format!("a{i}"), &format!("meanwhile {i}")).await;
    }
    let mut bob_ws = open_with_token(&app, &bob.token).await;
    let replayed = replayed_messages(hello(&mut bob_ws, &[(&chat, cursor)]).await);
    assert_eq!(seqs(&replayed), (cursor + 1..=cursor + 5).collect::<Vec<_>>());
    assert!(replayed.iter().all(|m| m.body.starts_with("meanwhile")));
    assert!(messages_until_quiet(&mut bob_ws, Duration::from_millis(400)).await.is_empty(), "nothing twice");

    let (_, seq) = send_message(&mut ada_ws, &chat, "a11", "live again").await;
    assert_eq!(seqs(&messages_until_quiet(&mut bob_ws, Duration::from_millis(400)).await), [seq]);
}

#[tokio::test]
async fn a_replay_racing_new_messages_ends_with_each_message_exactly_once() {
    let app = spawn().await;
    let (ada, bob) = (person(&app, 23).await, person(&app, 24).await);
    let chat = direct(&app, &ada, &bob).await;
    let mut ada_ws = open_with_token(&app, &ada.token).await;
    hello(&mut ada_ws, &[]).await;
    const BEFORE: usize = 450; // more than two replay pages
    const DURING: usize = 150;
    for i in 0..BEFORE {
        send_message(&mut ada_ws, &chat, &format!("b{i}"), "before").await;
    }
    let keep_sending = async {
        for i in 0..DURING {
            send_message(&mut ada_ws, &chat, &format!("d{i}"), "during").await;
        }
    };
    let resume = async {
        let mut bob_ws = open_with_token(&app, &bob.token).await;
        let replayed = replayed_messages(hello(&mut bob_ws, &[(&chat, 0)]).await);
        (bob_ws, replayed)
    };
    let ((), (mut bob_ws, replayed)) = tokio::join!(keep_sending, resume);
    let mut all = replayed;
    all.extend(messages_until_quiet(&mut bob_ws, Duration::from_millis(800)).await);
    let n = (BEFORE + DURING) as i64;
    assert_eq!(seqs(&all), (1..=n).collect::<Vec<_>>(), "1..=N, no gap, no duplicate, in order");
}

#[tokio::test]
async fn no_events_from_conversations_one_is_not_in_nor_after_removal() {
    let app = spawn().await;
    let (ada, bob, eve) = (person(&app, 25).await, person(&app, 26).await, person(&app, 27).await);
    let dm = direct(&app, &ada, &bob).await;
    let crew = group(&app, &ada, &[&eve]).await;
    let mut ada_ws = open_with_token(&app, &ada.token).await;
    hello(&mut ada_ws, &[]).await;
    let mut eve_ws = open_with_token(&app, &eve.token).await;
    // A cursor for someone else's chat replays nothing and says the chat is not hers.
    let replayed = hello(&mut eve_ws, &[(&dm, 0)]).await;
    assert_eq!(replayed, [ServerFrame::ChatRemoved { chat_id: dm.clone() }]);

    send_message(&mut ada_ws, &dm, "p1", "private").await;
    send(&mut ada_ws, json!({ "type": "typing", "chat_id": dm })).await;
    let (_, crew_seq) = send_message(&mut ada_ws, &crew, "g1", "for the crew").await;
    let mut frames = Vec::new();
    while let Some(f) = try_recv(&mut eve_ws, Duration::from_millis(500)).await {
        frames.push(f);
    }
    let messages: Vec<_> = frames.iter().filter_map(|f| if let ServerFrame::Message { message } = f { Some(message) } else { None }).collect();
    assert_eq!(messages.len(), 1, "only the group's message: {frames:?}");
    assert_eq!((messages[0].chat_id.as_str(), messages[0].seq), (crew.as_str(), crew_seq));
    assert!(frames.iter().all(|f| !format!("{f:?}").contains(&dm)), "nothing about the DM: {frames:?}");

    call(&app, &ada, "remove_member", &[("chat_id", &crew), ("user_id", &eve.shown)]).await;
    send_message(&mut ada_ws, &crew, "g2", "after eve left").await;
    let mut after = Vec::new();
    while let Some(f) = try_recv(&mut eve_ws, Duration::from_millis(500)).await {
        after.push(f);
    }
    assert!(after.iter().any(|f| *f == ServerFrame::ChatRemoved { chat_id: crew.clone() }), "{after:?}");
    assert!(!after.iter().any(|f| matches!(f, ServerFrame::Message { message } if message.body == "after eve left")), "{after:?}");

    // Blocking: bob blocks ada; ada's sends to him are refused and he hears nothing of them.
    let mut bob_ws = open_with_token(&app, &bob.token).await;
    hello(&mut bob_ws, &[]).await;
    call(&app, &bob, "set_blocked", &[("user_id", &ada.shown), ("blocked", "true")]).await;
    while try_recv(&mut bob_ws, Duration::from_millis(300)).await.is_some() {}
    send(&mut ada_ws, json!({ "type": "send", "chat_id": dm, "client_id": "p2", "body": "hello?", "reply_to": null })).await;
    send(&mut ada_ws, json!({ "type": "typing", "chat_id": dm })).await;
    let mut bob_frames = Vec::new();
    while let Some(f) = try_recv(&mut bob_ws, Duration::from_millis(500)).await {
        bob_frames.push(f);
    }
    assert!(!bob_frames.iter().any(|f| matches!(f, ServerFrame::Message { .. } | ServerFrame::Typing { .. })), "{bob_frames:?}");
}

#[tokio::test]
async fn a_client_that_stops_reading_is_cut_off_and_others_are_unaffected() {
    let app = spawn().await;
    let (ada, bob) = (person(&app, 28).await, person(&app, 29).await);
    let chat = direct(&app, &ada, &bob).await;
    // Bob's slow device: a tiny receive buffer, and it never reads during the burst.
    let socket = tokio::net::TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket.connect(app.address).await.unwrap();
    let mut req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(format!("ws://{}/ws", app.address)).unwrap();
    req.headers_mut().insert("authorization", format!("Bearer {}", bob.token).parse().unwrap());
    let (mut slow, _) = tokio_tungstenite::client_async(req, tokio_tungstenite::MaybeTlsStream::Plain(stream)).await.unwrap();
    hello(&mut slow, &[(&chat, 0)]).await;
    let mut fast = open_with_token(&app, &bob.token).await;
    hello(&mut fast, &[(&chat, 0)]).await;

    let mut ada_ws = open_with_token(&app, &ada.token).await;
    hello(&mut ada_ws, &[]).await;
    const BURST: usize = 1500;
    let body = "x".repeat(4000);
    let reader = async {
        let mut got = BTreeSet::new();
        while got.len() < BURST {
            match try_recv(&mut fast, Duration::from_secs(10)).await {
                Some(ServerFrame::Message { message }) => {
                    got.insert(message.seq);
                }
                Some(_) => {}
                None => break,
            }
        }
        got
    };
    let burst = async {
        for i in 0..BURST {
            send(&mut ada_ws, json!({ "type": "send", "chat_id": chat, "client_id": format!("burst{i}"), "body": body, "reply_to": null })).await;
        }
        let mut acks = 0;
        while acks < BURST {
            if let ServerFrame::Ack { .. } = recv(&mut ada_ws).await {
                acks += 1;
            }
        }
    };
    let (got, ()) = tokio::join!(reader, burst);
    assert_eq!(got.len(), BURST, "the fast device got everything");

    // The slow one, reading at last, finds what was queued, then is told to reconnect.
    let mut messages = 0;
    let mut reconnect = None;
    while let Some(frame) = try_recv(&mut slow, Duration::from_secs(15)).await {
        match frame {
            ServerFrame::Message { .. } => messages += 1,
            ServerFrame::Reconnect { reason, retry_after_ms } => {
                reconnect = Some((reason, retry_after_ms));
                break;
            }
            _ => {}
        }
    }
    assert!(messages < BURST, "cut off before the end: {messages}");
    assert_eq!(reconnect.map(|r| r.0).as_deref(), Some("slow"));
    assert_eq!(close_code(&mut slow).await, Some(4002));

    // Resuming from what it had brings the rest.
    let mut again = open_with_token(&app, &bob.token).await;
    let replayed = replayed_messages(hello(&mut again, &[(&chat, messages as i64)]).await);
    assert_eq!(replayed.len(), BURST - messages);
}

#[tokio::test]
async fn typing_is_broadcast_to_the_others_at_most_every_two_seconds() {
    let app = spawn().await;
    let (ada, bob) = (person(&app, 30).await, person(&app, 31).await);
    let chat = direct(&app, &ada, &bob).await;
    let mut ada_ws = open_with_token(&app, &ada.token).await;
    let mut bob_ws = open_with_token(&app, &bob.token).await;
    hello(&mut ada_ws, &[]).await;
    hello(&mut bob_ws, &[]).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    while try_recv(&mut bob_ws, Duration::from_millis(100)).await.is_some() {}
    for _ in 0..3 {
        send(&mut ada_ws, json!({ "type": "typing", "chat_id": chat })).await;
    }
    let mut typing = Vec::new();
    while let Some(f) = try_recv(&mut bob_ws, Duration::from_millis(500)).await {
        if let ServerFrame::Typing { chat_id, user_id, display_name } = f {
            typing.push((chat_id, user_id, display_name));
        }
    }
    assert_eq!(typing.len(), 1, "{typing:?}");
    assert_eq!(typing[0].0, chat);
    assert_eq!(typing[0].1, ada.shown);
    assert!(try_recv(&mut ada_ws, Duration::from_millis(200)).await.is_none_or(|f| !matches!(f, ServerFrame::Typing { .. })), "not to herself");
}

#[tokio::test]
async fn reading_and_receiving_turn_into_receipts_for_the_sender() {
    let app = spawn().await;
    let (ada, bob) = (person(&app, 32).await, person(&app, 33).await);
    let chat = direct(&app, &ada, &bob).await;
    let mut ada_ws = open_with_token(&app, &ada.token).await;
    hello(&mut ada_ws, &[]).await;
    let mut bob_ws = open_with_token(&app, &bob.token).await;
    hello(&mut bob_ws, &[(&chat, 0)]).await;
    let (_, seq) = send_message(&mut ada_ws, &chat, "r1", "did you get this?").await;

    let delivered = loop {
        if let ServerFrame::Delivered { chat_id, user_id, seq } = try_recv(&mut ada_ws, Duration::from_secs(3)).await.expect("a delivery receipt") {
            break (chat_id, user_id, seq);
        }
    };
    assert_eq!(delivered, (chat.clone(), bob.shown.clone(), seq));

    send(&mut bob_ws, json!({ "type": "read", "chat_id": chat, "seq": seq })).await;
    let read = loop {
        if let ServerFrame::Read { chat_id, user_id, seq } = try_recv(&mut ada_ws, Duration::from_secs(3)).await.expect("a read receipt") {
            break (chat_id, user_id, seq);
        }
    };
    assert_eq!(read, (chat, bob.shown.clone(), seq));
}

#[tokio::test]
async fn presence_follows_the_first_and_last_device() {
    let app = spawn().await;
    let (ada, bob) = (person(&app, 34).await, person(&app, 35).await);
    direct(&app, &ada, &bob).await;
    let mut ada_ws = open_with_token(&app, &ada.token).await;
    hello(&mut ada_ws, &[]).await;

    let presence = |frame: Option<ServerFrame>| match frame {
        Some(ServerFrame::Presence { user_id, presence }) => Some((user_id, presence)),
        _ => None,
    };
    let mut bob_phone = open_with_token(&app, &bob.token).await;
    hello(&mut bob_phone, &[]).await;
    assert_eq!(presence(try_recv(&mut ada_ws, Duration::from_secs(2)).await), Some((bob.shown.clone(), Presence::Online)));
    let mut bob_laptop = open_with_token(&app, &bob.token).await;
    hello(&mut bob_laptop, &[]).await;
    drop(bob_phone);
    assert!(try_recv(&mut ada_ws, Duration::from_millis(500)).await.is_none(), "still online on the laptop");
    bob_laptop.close(None).await.unwrap();
    while bob_laptop.next().await.is_some() {}
    match presence(try_recv(&mut ada_ws, Duration::from_secs(2)).await) {
        Some((who, Presence::LastSeen { at })) => {
            assert_eq!(who, bob.shown);
            assert!((time::OffsetDateTime::now_utc().unix_timestamp() - at).abs() < 10);
        }
        other => panic!("{other:?}"),
    }
}

/// Not a check: prints the send rate (`cargo test ... -- --ignored --nocapture measure`).
#[tokio::test]
#[ignore]
async fn measure_messages_per_second() {
    let app = spawn().await;
    let (ada, bob) = (person(&app, 36).await, person(&app, 37).await);
    let chat = direct(&app, &ada, &bob).await;
    let mut ada_ws = open_with_token(&app, &ada.token).await;
    hello(&mut ada_ws, &[]).await;
    let mut bob_ws = open_with_token(&app, &bob.token).await;
    hello(&mut bob_ws, &[(&chat, 0)]).await;
    const N: usize = 2000;
    let started = std::time::Instant::now();
    let sending = async {
        for i in 0..N {
            send(&mut ada_ws, json!({ "type": "send", "chat_id": chat, "client_id": format!("m{i}"), "body": format!("message {i}"), "reply_to": null })).await;
        }
        let mut acks = 0;
        while acks < N {
            if let ServerFrame::Ack { .. } = recv(&mut ada_ws).await {
                acks += 1;
            }
        }
    };
    let receiving = async {
        let mut n = 0;
        while n < N {
            if let Some(ServerFrame::Message { .. }) = try_recv(&mut bob_ws, Duration::from_secs(10)).await {
                n += 1;
            }
        }
    };
    tokio::join!(sending, receiving);
    let secs = started.elapsed().as_secs_f64();
    println!("{N} messages sent, acked and delivered in {secs:.2} s: {:.0} messages/s", N as f64 / secs);
}

/// Not a check: prints the server's resident memory per idle, authenticated socket. Runs the
/// `confab` binary in its own process so the client sockets' memory is not counted
/// (`cargo test ... -- --ignored --nocapture measure`).
#[tokio::test]
#[ignore]
async fn measure_memory_per_idle_connection() {
    use std::io::{BufRead, BufReader};
    const SOCKETS: usize = 2000;
    let dir = tempfile::tempdir().unwrap();
    let outbox = dir.path().join("outbox");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_confab"))
        .env("CONFAB_DATA_DIR", dir.path().join("data"))
        .env("CONFAB_LISTEN", "127.0.0.1:0")
        .env("CONFAB_LOG", "info")
        // One user holds all the sockets here.
        .env("CONFAB_WS_SOCKETS_PER_USER", "100000")
        .env("CONFAB_CODE_DELIVERY", "outbox")
        .env("CONFAB_OUTBOX_DIR", &outbox)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let url = loop {
        let line = lines.next().expect("start-up line").unwrap();
        if let Some(rest) = line.split("Confab is ready at ").nth(1) {
            break rest.split_whitespace().next().unwrap().to_owned();
        }
    };
    std::thread::spawn(move || for _ in lines {});
    let rss_kib = |pid: u32| -> u64 {
        let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
        let line = status.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
        line.split_whitespace().nth(1).unwrap().parse().unwrap()
    };

    let http = reqwest::Client::new();
    let phone = crate::realtime::phone(900);
    let pending: Value = http.post(format!("{url}/api/register/")).json(&json!({ "username": "idle", "phone": phone })).send().await.unwrap().json().await.unwrap();
    let file = std::fs::read_dir(&outbox).unwrap().next().unwrap().unwrap().path();
    let code: Value = serde_json::from_slice(&std::fs::read(file).unwrap()).unwrap();
    let done: Value = http
        .post(format!("{url}/api/register/verify/"))
        .json(&json!({ "pending_id": pending["pending_id"], "code": code["code"] }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = done["access_token"].as_str().unwrap().to_owned();
    let ws_url = url.replace("http://", "ws://") + "/ws";
    let connect = |ws_url: String, token: String| async move {
        let mut req = tokio_tungstenite::tungstenite::client::IntoClientRequest::into_client_request(ws_url).unwrap();
        req.headers_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
        let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
        hello(&mut ws, &[]).await;
        ws
    };
    // Warm up: the first connections allocate pools and caches once.
    let mut sockets = Vec::new();
    for _ in 0..50 {
        sockets.push(connect(ws_url.clone(), token.clone()).await);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let before = rss_kib(child.id());
    for _ in 0..SOCKETS {
        sockets.push(connect(ws_url.clone(), token.clone()).await);
    }
    tokio::time::sleep(Duration::from_secs(2)).await;
    let after = rss_kib(child.id());
    println!(
        "{SOCKETS} idle sockets: server RSS {before} KiB → {after} KiB, {:.1} KiB per connection",
        (after - before) as f64 / SOCKETS as f64
    );
    drop(sockets);
    let _ = child.kill();
    let _ = child.wait();
}

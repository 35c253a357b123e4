//! `/ws` over real sockets: authentication at the upgrade, the hello handshake, limits, and
//! (with the conversations service) delivery, resume and authorization.
use std::time::Duration;

use app::realtime::protocol::{MAX_FRAME_BYTES, PROTOCOL_VERSION, ServerFrame};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::{
    MaybeTlsStream, WebSocketStream, connect_async,
    tungstenite::{self, Message, client::IntoClientRequest, http::{HeaderName, HeaderValue}},
};

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

pub type Socket = WebSocketStream<MaybeTlsStream<TcpStream>>;
/// An upgrade: the socket and the handshake response, or why it was refused.
pub type Opened = Result<(Socket, tungstenite::http::Response<Option<Vec<u8>>>), tungstenite::Error>;

/// A German mobile number unique to `n`.
pub fn phone(n: u32) -> String {
    format!("+49151{:08}", 10_000_000 + n)
}

/// A signed-up person: their shown id, an access token and their phone.
pub struct Person {
    pub shown: String,
    pub token: String,
    pub phone: String,
}

pub async fn person(app: &TestApp, n: u32) -> Person {
    let phone = phone(n);
    let done = app.sign_up(&format!("user{n}"), &phone).await;
    let shown = done["user_id"].as_str().unwrap().to_owned();
    Person { shown, token: done["access_token"].as_str().unwrap().to_owned(), phone }
}

/// Opens `/ws` with extra request headers; the handshake response or the refusal.
pub async fn open(app: &TestApp, headers: &[(&str, &str)]) -> Opened {
    let mut request = format!("ws://{}/ws", app.address).into_client_request().unwrap();
    for (name, value) in headers {
        request.headers_mut().insert(HeaderName::from_bytes(name.as_bytes()).unwrap(), HeaderValue::from_str(value).unwrap());
    }
    connect_async(request).await
}

pub async fn open_with_token(app: &TestApp, token: &str) -> Socket {
    open(app, &[("authorization", &format!("Bearer {token}"))]).await.expect("upgrade").0
}

fn refusal_status(result: Opened) -> u16 {
    match result {
        Err(tungstenite::Error::Http(response)) => response.status().as_u16(),
        Err(e) => panic!("expected an HTTP refusal, got {e}"),
        Ok(_) => panic!("expected a refusal, the upgrade succeeded"),
    }
}

pub async fn send(ws: &mut Socket, frame: Value) {
    ws.send(Message::text(frame.to_string())).await.expect("send");
}

/// The next server frame (pings and pongs skipped); panics after 5 s.
pub async fn recv(ws: &mut Socket) -> ServerFrame {
    try_recv(ws, Duration::from_secs(5)).await.expect("a frame within 5 s")
}

/// The next server frame within `wait`, or None (timeout or close).
pub async fn try_recv(ws: &mut Socket, wait: Duration) -> Option<ServerFrame> {
    let deadline = tokio::time::Instant::now() + wait;
    loop {
        let message = tokio::time::timeout_at(deadline, ws.next()).await.ok()??.ok()?;
        match message {
            Message::Text(text) => return Some(serde_json::from_str(&text).expect("a ServerFrame")),
            Message::Close(_) => return None,
            _ => {}
        }
    }
}

/// The close frame's code, reading past anything else.
pub async fn close_code(ws: &mut Socket) -> Option<u16> {
    loop {
        match tokio::time::timeout(Duration::from_secs(5), ws.next()).await.ok()?? {
            Ok(Message::Close(frame)) => return frame.map(|f| u16::from(f.code)),
            Ok(_) => {}
            Err(_) => return None,
        }
    }
}

/// Says hello with `cursors`; returns what was replayed before `synced`.
pub async fn hello(ws: &mut Socket, cursors: &[(&str, i64)]) -> Vec<ServerFrame> {
    hello_since(ws, cursors, None).await.0
}

/// Says hello with `cursors` and `since`; returns what was replayed and `synced.at`.
pub async fn hello_since(ws: &mut Socket, cursors: &[(&str, i64)], since: Option<i64>) -> (Vec<ServerFrame>, i64) {
    let cursors: Vec<Value> = cursors.iter().map(|(c, s)| json!({ "chat_id": c, "seq": s })).collect();
    send(ws, json!({ "type": "hello", "version": PROTOCOL_VERSION, "cursors": cursors, "since": since })).await;
    let welcome = recv(ws).await;
    assert!(matches!(welcome, ServerFrame::Welcome { version: PROTOCOL_VERSION, .. }), "{welcome:?}");
    let mut replayed = Vec::new();
    loop {
        match recv(ws).await {
            ServerFrame::Synced { at } => return (replayed, at),
            frame => replayed.push(frame),
        }
    }
}

/// Signs a browser in with a phone code and returns its session cookie (`name=value`).
pub async fn session_cookie(app: &TestApp, phone: &str) -> String {
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let pending: Value = client
        .post(app.url("/api/accounts/login_start"))
        .form(&[("user_id", ""), ("phone", phone)])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let code = app.latest_code(phone);
    let done = client
        .post(app.url("/api/accounts/verify_code"))
        .form(&[("pending_id", pending["pending_id"].as_str().unwrap()), ("code", &code)])
        .send()
        .await
        .unwrap();
    assert_eq!(done.status(), 200);
    let cookie = done
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("confab_session="))
        .expect("a session cookie");
    cookie.split(';').next().unwrap().to_owned()
}

#[tokio::test]
async fn an_upgrade_without_credentials_is_refused_with_401() {
    let app = spawn_app().await;
    assert_eq!(refusal_status(open(&app, &[]).await), 401);
    assert_eq!(refusal_status(open(&app, &[("authorization", "Bearer not.a.token")]).await), 401);
    assert_eq!(refusal_status(open(&app, &[("sec-websocket-protocol", "confab.bearer.forged")]).await), 401);
    assert_eq!(refusal_status(open(&app, &[("cookie", "confab_session=nothing")]).await), 401);
}

#[tokio::test]
async fn a_bearer_token_in_the_header_opens_a_socket_that_says_welcome() {
    let app = spawn_app().await;
    let ada = person(&app, 1).await;
    let mut ws = open_with_token(&app, &ada.token).await;
    send(&mut ws, json!({ "type": "hello", "version": PROTOCOL_VERSION, "cursors": [] })).await;
    match recv(&mut ws).await {
        ServerFrame::Welcome { version, user_id } => {
            assert_eq!(version, PROTOCOL_VERSION);
            assert_eq!(user_id, ada.shown);
        }
        other => panic!("expected welcome, got {other:?}"),
    }
    assert!(matches!(recv(&mut ws).await, ServerFrame::Synced { at } if at > 0));
}

#[tokio::test]
async fn a_bearer_token_in_the_subprotocol_works_and_the_plain_protocol_is_chosen() {
    let app = spawn_app().await;
    let ada = person(&app, 2).await;
    let offered = format!("confab.v1, confab.bearer.{}", ada.token);
    let (mut ws, response) = open(&app, &[("sec-websocket-protocol", &offered)]).await.expect("upgrade");
    assert_eq!(response.headers()["sec-websocket-protocol"], "confab.v1", "the token is not echoed back");
    assert!(hello(&mut ws, &[]).await.is_empty());

    // A browser that offers only the token gets that protocol echoed (it must get one it offered).
    let offered = format!("confab.bearer.{}", ada.token);
    let (mut ws, response) = open(&app, &[("sec-websocket-protocol", &offered)]).await.expect("upgrade");
    assert_eq!(response.headers()["sec-websocket-protocol"], offered.as_str());
    assert!(hello(&mut ws, &[]).await.is_empty());
}

#[tokio::test]
async fn the_session_cookie_works_from_our_origin_only() {
    let app = spawn_app().await;
    let ada = person(&app, 3).await;
    let cookie = session_cookie(&app, &ada.phone).await;
    let ours = format!("http://{}", app.address);

    let (mut ws, _) = open(&app, &[("cookie", &cookie), ("origin", &ours)]).await.expect("same origin");
    assert!(hello(&mut ws, &[]).await.is_empty());

    let foreign = open(&app, &[("cookie", &cookie), ("origin", "https://evil.example")]).await;
    assert_eq!(refusal_status(foreign), 403, "another site cannot open a socket as the user");
    assert_eq!(refusal_status(open(&app, &[("cookie", &cookie)]).await), 403, "no origin, no cookie");
}

#[tokio::test]
async fn another_protocol_version_is_told_and_closed() {
    let app = spawn_app().await;
    let ada = person(&app, 4).await;
    let mut ws = open_with_token(&app, &ada.token).await;
    send(&mut ws, json!({ "type": "hello", "version": 99, "cursors": [] })).await;
    match recv(&mut ws).await {
        ServerFrame::Error { code, .. } => assert_eq!(code, "unsupported_version"),
        other => panic!("{other:?}"),
    }
    assert_eq!(close_code(&mut ws).await, Some(4000));
}

#[tokio::test]
async fn the_first_frame_must_be_hello() {
    let app = spawn_app().await;
    let ada = person(&app, 5).await;
    let mut ws = open_with_token(&app, &ada.token).await;
    send(&mut ws, json!({ "type": "ping", "nonce": 1 })).await;
    match recv(&mut ws).await {
        ServerFrame::Error { code, .. } => assert_eq!(code, "hello_required"),
        other => panic!("{other:?}"),
    }
    assert_eq!(close_code(&mut ws).await, Some(1008));
}

#[tokio::test]
async fn a_ping_is_answered_with_its_nonce() {
    let app = spawn_app().await;
    let ada = person(&app, 6).await;
    let mut ws = open_with_token(&app, &ada.token).await;
    hello(&mut ws, &[]).await;
    send(&mut ws, json!({ "type": "ping", "nonce": 42 })).await;
    assert_eq!(recv(&mut ws).await, ServerFrame::Pong { nonce: 42 });
}

#[tokio::test]
async fn malformed_binary_and_oversized_frames_are_answered_with_errors_and_the_socket_stays() {
    let app = spawn_app().await;
    let ada = person(&app, 7).await;
    let mut ws = open_with_token(&app, &ada.token).await;
    hello(&mut ws, &[]).await;
    let expect_error = |frame: ServerFrame, want: &str| match frame {
        ServerFrame::Error { code, client_id, .. } => {
            assert_eq!(code, want);
            assert_eq!(client_id, None);
        }
        other => panic!("expected {want}, got {other:?}"),
    };

    for bad in ["{not json", r#"{"type":"launch_rockets"}"#, r#"{"type":"send","chat_id":1}"#, "null", ""] {
        ws.send(Message::text(bad)).await.unwrap();
        expect_error(recv(&mut ws).await, "bad_frame");
    }
    ws.send(Message::binary(vec![1u8, 2, 3])).await.unwrap();
    expect_error(recv(&mut ws).await, "bad_frame");

    let big = json!({ "type": "ping", "nonce": 1, "pad": "x".repeat(MAX_FRAME_BYTES) }).to_string();
    ws.send(Message::text(big)).await.unwrap();
    expect_error(recv(&mut ws).await, "frame_too_large");

    send(&mut ws, json!({ "type": "ping", "nonce": 7 })).await;
    assert_eq!(recv(&mut ws).await, ServerFrame::Pong { nonce: 7 }, "still open");

    // Far above the limit the WebSocket layer refuses the frame and the socket closes.
    let huge = "x".repeat(8 * MAX_FRAME_BYTES);
    let _ = ws.send(Message::text(huge)).await;
    let mut closed_with = None;
    while let Ok(Some(message)) = tokio::time::timeout(Duration::from_secs(5), ws.next()).await {
        match message {
            Ok(Message::Close(frame)) => {
                closed_with = frame.map(|f| u16::from(f.code));
                break;
            }
            Ok(Message::Text(text)) => assert!(text.contains("frame_too_large"), "{text}"),
            Ok(_) => {}
            Err(_) => break,
        }
    }
    assert!(matches!(closed_with, Some(1009) | None), "{closed_with:?}");
}

#[tokio::test]
async fn a_flood_of_frames_is_rate_limited() {
    let app = spawn_app().await;
    let ada = person(&app, 8).await;
    let mut ws = open_with_token(&app, &ada.token).await;
    hello(&mut ws, &[]).await; // the hello took one token of the burst of 40
    for nonce in 0..60 {
        send(&mut ws, json!({ "type": "ping", "nonce": nonce })).await;
    }
    let (mut pongs, mut limited) = (0, 0);
    while let Some(frame) = try_recv(&mut ws, Duration::from_millis(500)).await {
        match frame {
            ServerFrame::Pong { .. } => pongs += 1,
            ServerFrame::Error { code, .. } if code == "rate_limited" => limited += 1,
            other => panic!("{other:?}"),
        }
    }
    assert!((39..=42).contains(&pongs), "about the burst passes: {pongs}");
    assert_eq!(limited, 1, "one error per second, not one per frame");

    tokio::time::sleep(Duration::from_millis(200)).await;
    send(&mut ws, json!({ "type": "ping", "nonce": 99 })).await;
    assert_eq!(recv(&mut ws).await, ServerFrame::Pong { nonce: 99 }, "tokens come back");
}

#[tokio::test]
async fn the_rate_limit_is_configurable() {
    let app = spawn_app_with(&[("CONFAB_WS_FRAMES_PER_SEC", "1000")]).await;
    let ada = person(&app, 9).await;
    let mut ws = open_with_token(&app, &ada.token).await;
    hello(&mut ws, &[]).await;
    for nonce in 0..500 {
        send(&mut ws, json!({ "type": "ping", "nonce": nonce })).await;
    }
    for nonce in 0..500 {
        assert_eq!(recv(&mut ws).await, ServerFrame::Pong { nonce });
    }
}

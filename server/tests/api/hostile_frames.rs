//! Property tests: arbitrary frames into the frame reader and into a live socket, and arbitrary
//! cursors into `hello` against a real server. A few seconds in the normal run; longer with
//! `PROPTEST_CASES=<n>` (see each test's default below).
use std::{
    cell::{Cell, RefCell},
    time::Duration,
};

use app::realtime::protocol::{MAX_FRAME_BYTES, ServerFrame, read_client_frame};
use confab::ws::limits::HARD_FRAME_BYTES;
use proptest::{prelude::*, test_runner::TestRunner};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use crate::{
    helpers::TestApp,
    hostile_realtime::{chat_with_messages, message_seqs, replay, spawn},
    realtime::{Socket, hello, open_with_token, person, send, try_recv},
};
use futures_util::{SinkExt, StreamExt};

/// `PROPTEST_CASES` when set, else the test's own default (kept to a few seconds).
fn runner(default_cases: u32) -> TestRunner {
    let cases = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default_cases);
    TestRunner::new(ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() })
}

/// Integers near the edges as often as anywhere.
fn extreme_i64() -> impl Strategy<Value = i64> {
    prop_oneof![Just(i64::MIN), Just(i64::MIN + 1), Just(-1i64), Just(0i64), Just(i64::MAX - 1), Just(i64::MAX), -5i64..300, any::<i64>()]
}

/// Any JSON value, nested a little.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        extreme_i64().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,40}".prop_map(Value::from),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".{0,12}", inner, 0..6).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Frames shaped like the protocol's, with any values in their fields (wrong types included).
fn frame_like() -> impl Strategy<Value = Value> {
    let kind = prop_oneof![
        Just("hello"), Just("send"), Just("typing"), Just("read"), Just("ping"), Just("welcome"), Just(""), Just("HELLO")
    ];
    let field = prop_oneof![
        Just("version"), Just("cursors"), Just("since"), Just("chat_id"), Just("client_id"), Just("body"), Just("reply_to"),
        Just("seq"), Just("nonce"), Just("type")
    ];
    let cursor = (prop_oneof![".{0,70}", Just("x".repeat(5000))], extreme_i64()).prop_map(|(c, s)| json!({ "chat_id": c, "seq": s }));
    let value = prop_oneof![
        3 => json_value(),
        2 => extreme_i64().prop_map(Value::from),
        1 => prop::collection::vec(cursor, 0..40).prop_map(Value::Array),
        1 => (0usize..3 * MAX_FRAME_BYTES / 2).prop_map(|n| Value::from("y".repeat(n))),
    ];
    (kind, prop::collection::btree_map(field, value, 0..6)).prop_map(|(kind, fields)| {
        let mut frame: serde_json::Map<String, Value> = fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect();
        frame.entry("type").or_insert(Value::from(kind));
        Value::Object(frame)
    })
}

/// Text a client might send: random characters, random JSON, or protocol-shaped frames.
fn client_text() -> impl Strategy<Value = String> {
    prop_oneof![
        ".{0,200}",
        prop::collection::vec(any::<u8>(), 0..200).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        json_value().prop_map(|v| v.to_string()),
        frame_like().prop_map(|v| v.to_string()),
    ]
}

#[test]
fn the_frame_reader_answers_any_text_with_a_frame_or_a_short_error() {
    runner(3000)
        .run(&client_text(), |text| {
            match read_client_frame(&text) {
                Ok(frame) => {
                    // What was read reads back the same once written.
                    let again = read_client_frame(&serde_json::to_string(&frame).unwrap());
                    prop_assert_eq!(again, Ok(frame));
                }
                Err(e) => {
                    prop_assert!(["bad_frame", "frame_too_large"].contains(&e.code), "{}", e.code);
                    prop_assert!(e.message.chars().count() <= 250, "the input is not echoed back whole");
                    prop_assert_eq!(e.code == "frame_too_large", text.len() > MAX_FRAME_BYTES);
                }
            }
            Ok(())
        })
        .unwrap();
}

/// A tokio runtime for a property test's server and client (proptest cases are plain closures).
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

#[test]
fn a_live_socket_answers_any_frame_and_stays_open() {
    let rt = runtime();
    let (app, ws) = rt.block_on(async {
        let app = spawn(&[]).await;
        let ada = person(&app, 1).await;
        let mut ws = open_with_token(&app, &ada.token).await;
        hello(&mut ws, &[]).await;
        (app, ws)
    });
    let (ws, next_nonce) = (RefCell::new(ws), Cell::new(u64::MAX / 2));
    // A frame above the hard limit closes the socket by design (`realtime.rs` tests that); a few
    // generated frames with several big fields get there.
    let texts = client_text().prop_filter("under the hard frame limit", |text| text.len() <= HARD_FRAME_BYTES);
    runner(150)
        .run(&texts, |text| {
            let nonce = next_nonce.get() + 1;
            next_nonce.set(nonce);
            let mut ws = ws.borrow_mut();
            rt.block_on(async {
                ws.send(Message::text(text.clone())).await.unwrap();
                send(&mut *ws, json!({ "type": "ping", "nonce": nonce })).await;
                // Whatever the frame asked for (or why it was refused) comes before the pong.
                loop {
                    match try_recv(&mut *ws, Duration::from_secs(5)).await {
                        Some(ServerFrame::Pong { nonce: n }) if n == nonce => break Ok(()),
                        Some(_) => {}
                        None => break Err(TestCaseError::fail(format!("the socket closed or went silent after {text:?}"))),
                    }
                }
            })
        })
        .unwrap();
    drop(app);
}

/// A cursor a hostile client might send: one of its chats, someone else's, or made up.
fn any_cursor(chats: Vec<String>) -> impl Strategy<Value = (String, i64)> {
    let chat = prop_oneof![3 => prop::sample::select(chats), 1 => "[A-Za-z0-9_-]{0,70}"];
    (chat, extreme_i64())
}

#[test]
fn a_hello_with_any_cursors_replays_exactly_what_follows_them() {
    const MESSAGES: i64 = 210; // more than one replay page
    let rt = runtime();
    let (app, bob_token, mine, theirs) = rt.block_on(async {
        let app = spawn(&[("CONFAB_WS_SOCKETS_PER_USER", "1000")]).await;
        let (ada, bob, cyd) = (person(&app, 2).await, person(&app, 3).await, person(&app, 4).await);
        let (mine, _) = chat_with_messages(&app, &ada, &bob, MESSAGES as usize).await;
        let (theirs, _) = chat_with_messages(&app, &ada, &cyd, 3).await;
        (app, bob.token, mine, theirs)
    });
    let hellos = (prop::collection::vec(any_cursor(vec![mine.clone(), theirs.clone()]), 0..12), prop::option::of(extreme_i64()));
    runner(40)
        .run(&hellos, |(cursors, since)| {
            rt.block_on(check_hello(&app, &bob_token, &mine, MESSAGES, cursors, since))
        })
        .unwrap();
}

/// One hello against the server: its own chat replays from the first cursor given for it, taken
/// within `0..=last`; any other chat id is answered with `chat_removed`; `synced` always comes.
async fn check_hello(app: &TestApp, token: &str, mine: &str, last: i64, cursors: Vec<(String, i64)>, since: Option<i64>) -> Result<(), TestCaseError> {
    let mut ws: Socket = open_with_token(app, token).await;
    let raw: Vec<Value> = cursors.iter().map(|(c, s)| json!({ "chat_id": c, "seq": s })).collect();
    let frames = replay(&mut ws, Value::Array(raw), since, 5000).await.map_err(TestCaseError::fail)?;
    let expected: Vec<i64> = match cursors.iter().find(|(c, _)| c == mine) {
        Some((_, seq)) => ((*seq).clamp(0, last) + 1..=last).collect(),
        None => Vec::new(),
    };
    prop_assert_eq!(message_seqs(&frames), expected);
    let mut removed: Vec<&str> = frames
        .iter()
        .filter_map(|f| match f {
            ServerFrame::ChatRemoved { chat_id } => Some(chat_id.as_str()),
            _ => None,
        })
        .collect();
    removed.sort();
    let mut others: Vec<&str> = cursors.iter().map(|(c, _)| c.as_str()).filter(|c| *c != mine).collect();
    others.sort();
    others.dedup();
    prop_assert_eq!(removed, others);
    let _ = ws.close(None).await;
    while let Ok(Some(_)) = tokio::time::timeout(Duration::from_secs(1), ws.next()).await {}
    Ok(())
}

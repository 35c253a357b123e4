//! The socket itself: one per tab, kept in a thread-local (the wasm runs on one thread).
use std::{cell::RefCell, time::Duration};

use leptos::prelude::*;
use wasm_bindgen::{JsCast, closure::Closure};
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use super::{Connection, Realtime, now_ms};
use crate::realtime::protocol::{ClientFrame, ServerFrame, close};

/// First retry after half a second, doubling up to 30 s, each ±50 % so that a server
/// restart is not met by every client at the same instant.
const FIRST_RETRY_MS: f64 = 500.0;
const MAX_RETRY_MS: f64 = 30_000.0;
/// The client's own liveness check: a `ping` every 20 s; nothing heard for 50 s → reconnect.
const PING_EVERY: Duration = Duration::from_secs(20);
const SILENCE_MS: i64 = 50_000;

struct Socket {
    ws: WebSocket,
    last_heard: i64,
    /// Kept so they live exactly as long as the socket.
    _handlers: Vec<Box<dyn std::any::Any>>,
}

thread_local! {
    static SOCKET: RefCell<Option<Socket>> = const { RefCell::new(None) };
    static ATTEMPTS: RefCell<u32> = const { RefCell::new(0) };
    static RETRY_PENDING: RefCell<bool> = const { RefCell::new(false) };
    /// Closed for good (`close`): no more connecting.
    static CLOSED: RefCell<bool> = const { RefCell::new(false) };
}

pub fn start(realtime: Realtime) {
    connect(realtime);
    let _ = set_interval_with_handle(move || keep_alive(realtime), PING_EVERY);
    // Leaving the network closes the socket at once (sends then queue in the outbox);
    // coming back reconnects without waiting for the backoff.
    let offline = window_event_listener_untyped("offline", move |_| drop_socket(realtime));
    let online = window_event_listener_untyped("online", move |_| {
        ATTEMPTS.with(|a| *a.borrow_mut() = 0);
        if SOCKET.with(|s| s.borrow().is_none()) {
            connect(realtime);
        }
    });
    on_cleanup(move || {
        offline.remove();
        online.remove();
        SOCKET.with(|s| {
            if let Some(socket) = s.borrow_mut().take() {
                let _ = socket.ws.close();
            }
        });
    });
}

pub fn send(frame: &ClientFrame) {
    let Ok(text) = serde_json::to_string(frame) else { return };
    SOCKET.with(|s| {
        if let Some(socket) = s.borrow().as_ref() {
            if socket.ws.ready_state() == WebSocket::OPEN {
                let _ = socket.ws.send_with_str(&text);
            }
        }
    });
}

fn url() -> Option<String> {
    let location = web_sys::window()?.location();
    let scheme = if location.protocol().ok()? == "https:" { "wss" } else { "ws" };
    Some(format!("{scheme}://{}/ws", location.host().ok()?))
}

/// Off to the login page, which brings the person back here afterwards.
fn signed_out() {
    let Some(window) = web_sys::window() else { return };
    let location = window.location();
    let here = format!("{}{}", location.pathname().unwrap_or_default(), location.search().unwrap_or_default());
    let next = String::from(js_sys::encode_uri_component(&here));
    let _ = location.assign(&format!("/login?next={next}"));
}

fn connect(realtime: Realtime) {
    if CLOSED.with(|c| *c.borrow()) {
        return;
    }
    if web_sys::window().is_some_and(|w| !w.navigator().on_line()) {
        realtime.connection.set(Connection::Waiting);
        return;
    }
    let Some(ws) = url().and_then(|u| WebSocket::new(&u).ok()) else {
        retry(realtime);
        return;
    };
    realtime.connection.set(Connection::Connecting);
    let this = ws.clone();
    let on_open = Closure::<dyn FnMut()>::new(move || {
        if let Ok(text) = serde_json::to_string(&realtime.hello()) {
            let _ = this.send_with_str(&text);
        }
    });
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| {
        SOCKET.with(|s| {
            if let Some(socket) = s.borrow_mut().as_mut() {
                socket.last_heard = now_ms();
            }
        });
        let Some(text) = e.data().as_string() else { return };
        match ServerFrame::from_json(&text) {
            Ok(frame @ ServerFrame::Synced { .. }) => {
                ATTEMPTS.with(|a| *a.borrow_mut() = 0);
                realtime.receive(frame);
            }
            Ok(ServerFrame::Reconnect { retry_after_ms, .. }) => {
                drop_socket(realtime);
                schedule(realtime, retry_after_ms as f64);
            }
            Ok(frame) => realtime.receive(frame),
            Err(_) => leptos::logging::warn!("unreadable frame from the server"),
        }
    });
    let closed_ws = ws.clone();
    let on_close = Closure::<dyn FnMut(CloseEvent)>::new(move |e: CloseEvent| {
        let current = SOCKET.with(|s| s.borrow().as_ref().is_some_and(|x| x.ws == closed_ws));
        if !current {
            return;
        }
        SOCKET.with(|s| s.borrow_mut().take());
        if e.code() == close::VERSION {
            // Another protocol version: the page itself is out of date.
            let _ = web_sys::window().map(|w| w.location().reload());
            return;
        }
        if e.code() == close::SIGNED_OUT {
            // This browser was signed out (from another device, or the session ended).
            signed_out();
            return;
        }
        retry(realtime);
    });
    ws.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    ws.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    ws.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    let handlers: Vec<Box<dyn std::any::Any>> = vec![Box::new(on_open), Box::new(on_message), Box::new(on_close)];
    SOCKET.with(|s| {
        if let Some(old) = s.borrow_mut().replace(Socket { ws, last_heard: now_ms(), _handlers: handlers }) {
            old.ws.set_onclose(None);
            let _ = old.ws.close();
        }
    });
}

/// Closes the socket for good (until the page loads again).
pub fn close(realtime: Realtime) {
    CLOSED.with(|c| *c.borrow_mut() = true);
    drop_socket(realtime);
}

fn drop_socket(realtime: Realtime) {
    SOCKET.with(|s| {
        if let Some(socket) = s.borrow_mut().take() {
            socket.ws.set_onclose(None);
            socket.ws.set_onmessage(None);
            let _ = socket.ws.close();
        }
    });
    realtime.connection.set(Connection::Waiting);
}

fn retry(realtime: Realtime) {
    let attempt = ATTEMPTS.with(|a| {
        let mut a = a.borrow_mut();
        *a += 1;
        *a
    });
    let base = (FIRST_RETRY_MS * 2f64.powi(attempt.saturating_sub(1).min(10) as i32)).min(MAX_RETRY_MS);
    schedule(realtime, base * (0.5 + js_sys::Math::random()));
}

fn schedule(realtime: Realtime, delay_ms: f64) {
    realtime.connection.set(Connection::Waiting);
    if RETRY_PENDING.with(|p| p.replace(true)) {
        return;
    }
    set_timeout(
        move || {
            RETRY_PENDING.with(|p| *p.borrow_mut() = false);
            if SOCKET.with(|s| s.borrow().is_none()) {
                connect(realtime);
            }
        },
        Duration::from_millis(delay_ms as u64),
    );
}

fn keep_alive(realtime: Realtime) {
    let silent = SOCKET.with(|s| s.borrow().as_ref().map(|x| (x.ws.ready_state(), now_ms() - x.last_heard)));
    match silent {
        Some((state, quiet)) if state == WebSocket::OPEN && quiet > SILENCE_MS => {
            drop_socket(realtime);
            retry(realtime);
        }
        Some((WebSocket::OPEN, _)) => send(&ClientFrame::Ping { nonce: now_ms() as u64 }),
        _ => {}
    }
}

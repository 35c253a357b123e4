//! The browser's end of `/ws`: one socket per tab, reconnecting with backoff, turned into signals
//! that pages read (connection state, typing, presence, receipts, pending sends) and frames that
//! pages subscribe to. Components never touch the socket. On the server this is inert: the
//! signals exist (so the same components render) and nothing connects.
use std::{collections::HashMap, sync::Arc};

use leptos::prelude::*;

use crate::chats::types::{MessageView, Presence, ReplyPreview};
use crate::realtime::protocol::{ClientFrame, Cursor, PROTOCOL_VERSION, ServerFrame, typing};


#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    /// Opening the socket or replaying what was missed.
    Connecting,
    /// Synced: events are live.
    Online,
    /// Closed; the next attempt is scheduled.
    Waiting,
}

/// A send whose stored copy has not arrived yet; the conversation shows it as a pending bubble.
/// Until the server acks it, it stays across reconnects and is sent again (with the same client
/// id, so it is stored once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingSend {
    pub client_id: String,
    pub chat_id: String,
    pub body: String,
    pub reply_to: Option<ReplyPreview>,
    /// The server has stored it: it is not sent again, and leaves when its copy arrives.
    pub acked: bool,
    /// Why the server refused it (the page offers Retry).
    pub failed: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Typist {
    pub chat_id: String,
    pub user_id: String,
    pub display_name: String,
    until_ms: i64,
}

type Listener = Arc<dyn Fn(&ServerFrame) + Send + Sync>;

/// The realtime service, `Copy` like a signal: take it with `use_realtime()`.
#[derive(Clone, Copy)]
pub struct Realtime {
    pub connection: RwSignal<Connection>,
    pub outbox: RwSignal<Vec<PendingSend>>,
    pub typing: RwSignal<Vec<Typist>>,
    /// Shown user id → presence, as last heard.
    pub presence: RwSignal<HashMap<String, Presence>>,
    /// (chat, user) → highest sequence read.
    pub read: RwSignal<HashMap<(String, String), i64>>,
    /// (chat, user) → highest sequence delivered to one of their devices.
    pub delivered: RwSignal<HashMap<(String, String), i64>>,
    /// The highest sequence the client holds per chat (sent as cursors in `hello`).
    cursors: StoredValue<HashMap<String, i64>>,
    /// The server time (ms) the client's copy is as of: the last `synced.at`, or when the page
    /// read its data. Sent in `hello`, so changes made since are replayed.
    since: StoredValue<Option<i64>>,
    /// The signed-in user's id as shown, from `welcome`.
    me: StoredValue<Option<String>>,
    listeners: StoredValue<Vec<(u64, Listener)>>,
    typing_sent: StoredValue<HashMap<String, i64>>,
    next_listener: StoredValue<u64>,
}

/// Creates the service, provides it in context and (in the browser) connects.
pub fn provide_realtime() -> Realtime {
    if let Some(existing) = use_context::<Realtime>() {
        return existing;
    }
    let realtime = Realtime {
        connection: RwSignal::new(Connection::Connecting),
        outbox: RwSignal::new(Vec::new()),
        typing: RwSignal::new(Vec::new()),
        presence: RwSignal::new(HashMap::new()),
        read: RwSignal::new(HashMap::new()),
        delivered: RwSignal::new(HashMap::new()),
        cursors: StoredValue::new(HashMap::new()),
        since: StoredValue::new(None),
        me: StoredValue::new(None),
        listeners: StoredValue::new(Vec::new()),
        typing_sent: StoredValue::new(HashMap::new()),
        next_listener: StoredValue::new(0),
    };
    provide_context(realtime);
    #[cfg(feature = "hydrate")]
    browser::start(realtime);
    realtime
}

/// The service provided by `provide_realtime` (None outside the chats layout).
pub fn use_realtime() -> Option<Realtime> {
    use_context::<Realtime>()
}

impl Realtime {
    /// Calls `f` with every frame from now on (replayed and live), until the calling component
    /// is cleaned up.
    pub fn subscribe(self, f: impl Fn(&ServerFrame) + Send + Sync + 'static) {
        let id = self.next_listener.get_value();
        self.next_listener.set_value(id + 1);
        self.listeners.update_value(|l| l.push((id, Arc::new(f))));
        on_cleanup(move || self.listeners.update_value(|l| l.retain(|(i, _)| *i != id)));
    }

    /// The client holds the chat's messages up to `seq`; a reconnect resumes after it.
    pub fn track(self, chat_id: &str, seq: i64) {
        self.cursors.update_value(|c| {
            let at = c.entry(chat_id.to_owned()).or_insert(seq);
            *at = (*at).max(seq);
        });
    }

    /// The page holds data read at `server_ms` (server time): a reconnect asks for what changed
    /// since the oldest such moment.
    pub fn loaded_at(self, server_ms: i64) {
        self.since.update_value(|s| *s = Some(s.map_or(server_ms, |at| at.min(server_ms))));
    }

    /// Queues a message: it shows as pending at once and goes out now or after the reconnect.
    pub fn send(self, chat_id: &str, body: &str, reply_to: Option<ReplyPreview>) {
        let pending = PendingSend {
            client_id: new_client_id(),
            chat_id: chat_id.to_owned(),
            body: body.to_owned(),
            reply_to,
            acked: false,
            failed: None,
        };
        self.outbox.update(|o| o.push(pending.clone()));
        // A message ends the typing; what is typed next is news again at once.
        self.typing_sent.update_value(|t| {
            t.remove(chat_id);
        });
        self.transmit(&pending);
    }

    /// Sends a refused message again, with the same client id.
    pub fn retry(self, client_id: &str) {
        let mut again = None;
        self.outbox.update(|o| {
            if let Some(p) = o.iter_mut().find(|p| p.client_id == client_id) {
                p.failed = None;
                again = Some(p.clone());
            }
        });
        if let Some(p) = again {
            self.transmit(&p);
        }
    }

    /// The sends still on their way in one chat, oldest first (reactive).
    pub fn pending_in(self, chat_id: &str) -> Vec<PendingSend> {
        self.outbox.with(|o| o.iter().filter(|p| p.chat_id == chat_id).cloned().collect())
    }

    /// Drops a refused send.
    pub fn discard(self, client_id: &str) {
        self.outbox.update(|o| o.retain(|p| p.client_id != client_id));
    }

    /// The person is typing in `chat_id`: call on every input; a frame goes out at most every
    /// `typing::SEND_EVERY_MS` per chat (the server would drop the rest, and they count against the
    /// socket's rate limit).
    pub fn typing(self, chat_id: &str) {
        let now = now_ms();
        let mut due = false;
        self.typing_sent.update_value(|t| {
            if t.get(chat_id).is_none_or(|at| now - at >= typing::SEND_EVERY_MS as i64) {
                t.insert(chat_id.to_owned(), now);
                due = true;
            }
        });
        if due {
            self.frame(&ClientFrame::Typing { chat_id: chat_id.to_owned() });
        }
    }

    pub fn mark_read(self, chat_id: &str, seq: i64) {
        self.frame(&ClientFrame::Read { chat_id: chat_id.to_owned(), seq });
    }

    /// The signed-in user's id as shown (`7KQ4-M2XD`), once the socket has said hello.
    pub fn me(self) -> Option<String> {
        self.me.get_value()
    }

    /// Display names of who is typing in the chat now.
    pub fn typists(self, chat_id: &str) -> Vec<String> {
        self.typing.with(|t| t.iter().filter(|t| t.chat_id == chat_id).map(|t| t.display_name.clone()).collect())
    }

    /// The highest sequence `user_id` has read / received in the chat (reactive).
    pub fn read_by(self, chat_id: &str, user_id: &str) -> i64 {
        self.read.with(|r| r.get(&(chat_id.to_owned(), user_id.to_owned())).copied().unwrap_or(0))
    }

    pub fn delivered_to(self, chat_id: &str, user_id: &str) -> i64 {
        self.delivered.with(|r| r.get(&(chat_id.to_owned(), user_id.to_owned())).copied().unwrap_or(0))
    }

    /// How many members other than `me` have read `seq` (groups: "seen by N").
    pub fn seen_by(self, chat_id: &str, me: &str, seq: i64) -> usize {
        self.read.with(|r| r.iter().filter(|((c, u), s)| c == chat_id && u != me && **s >= seq).count())
    }

    /// The stored copy of one of our sends takes the place of its pending bubble.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn stored_copy_arrived(self, message: &MessageView) {
        if let Some(id) = &message.client_id {
            self.outbox.update(|o| o.retain(|p| &p.client_id != id));
        }
    }

    fn transmit(self, pending: &PendingSend) {
        if self.connection.get_untracked() == Connection::Online {
            self.frame(&ClientFrame::Send {
                chat_id: pending.chat_id.clone(),
                client_id: pending.client_id.clone(),
                body: pending.body.clone(),
                reply_to: pending.reply_to.as_ref().map(|r| r.id.clone()),
            });
        }
    }

    fn frame(self, frame: &ClientFrame) {
        #[cfg(feature = "hydrate")]
        browser::send(frame);
        #[cfg(not(feature = "hydrate"))]
        let _ = frame;
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn hello(self) -> ClientFrame {
        let cursors = self
            .cursors
            .with_value(|c| c.iter().map(|(chat_id, seq)| Cursor { chat_id: chat_id.clone(), seq: *seq }).collect());
        ClientFrame::Hello { version: PROTOCOL_VERSION, cursors, since: self.since.get_value() }
    }

    /// Applies a frame to the signals, then hands it to the subscribers.
    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn receive(self, frame: ServerFrame) {
        match &frame {
            ServerFrame::Welcome { user_id, .. } => self.me.set_value(Some(user_id.clone())),
            ServerFrame::Synced { at } => {
                self.since.set_value(Some(*at));
                self.connection.set(Connection::Online);
                // Whatever was typed while offline goes out now; the same client id makes a
                // re-send of something already stored harmless.
                for pending in self.outbox.get_untracked().iter().filter(|p| !p.acked && p.failed.is_none()) {
                    self.transmit(pending);
                }
            }
            ServerFrame::Message { message } => {
                self.track(&message.chat_id, message.seq);
                self.stored_copy_arrived(message);
            }
            ServerFrame::MessageUpdated { message } => self.stored_copy_arrived(message),
            ServerFrame::Ack { client_id, .. } => self.outbox.update(|o| {
                if let Some(p) = o.iter_mut().find(|p| &p.client_id == client_id) {
                    p.acked = true;
                }
            }),
            ServerFrame::Error { client_id: Some(id), message, .. } => self.outbox.update(|o| {
                if let Some(p) = o.iter_mut().find(|p| &p.client_id == id) {
                    p.failed = Some(message.clone());
                }
            }),
            ServerFrame::Typing { chat_id, user_id, display_name } => {
                let until_ms = now_ms() + typing::SHOWN_MS as i64;
                self.typing.update(|t| {
                    t.retain(|x| !(x.chat_id == *chat_id && x.user_id == *user_id));
                    t.push(Typist { chat_id: chat_id.clone(), user_id: user_id.clone(), display_name: display_name.clone(), until_ms });
                });
                #[cfg(feature = "hydrate")]
                set_timeout(
                    move || self.typing.update(|t| t.retain(|x| x.until_ms > now_ms())),
                    std::time::Duration::from_millis(typing::SHOWN_MS + 50),
                );
            }
            ServerFrame::Presence { user_id, presence } => {
                self.presence.update(|p| {
                    p.insert(user_id.clone(), *presence);
                });
                // Someone who went away is no longer typing.
                if !matches!(presence, Presence::Online) {
                    self.typing.update(|t| t.retain(|x| x.user_id != *user_id));
                }
            }
            ServerFrame::Read { chat_id, user_id, seq } => raise(self.read, chat_id, user_id, *seq),
            ServerFrame::Delivered { chat_id, user_id, seq } => raise(self.delivered, chat_id, user_id, *seq),
            ServerFrame::ChatRemoved { chat_id } => {
                self.cursors.update_value(|c| {
                    c.remove(chat_id);
                });
                self.outbox.update(|o| o.retain(|p| &p.chat_id != chat_id));
            }
            ServerFrame::ChatUpdated { chat } => {
                if let Some(last) = &chat.last_message {
                    self.track(&chat.id, last.seq);
                }
            }
            _ => {}
        }
        if let ServerFrame::Message { message } = &frame {
            // A message from someone ends their typing indicator.
            if let Some(sender) = &message.sender {
                self.typing.update(|t| t.retain(|x| !(x.chat_id == message.chat_id && x.user_id == sender.user_id)));
            }
        }
        for (_, listener) in self.listeners.get_value() {
            listener(&frame);
        }
    }
}

#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn raise(signal: RwSignal<HashMap<(String, String), i64>>, chat_id: &str, user_id: &str, seq: i64) {
    signal.update(|m| {
        let at = m.entry((chat_id.to_owned(), user_id.to_owned())).or_insert(seq);
        *at = (*at).max(seq);
    });
}

fn now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    return js_sys::Date::now() as i64;
    #[cfg(not(feature = "hydrate"))]
    return 0;
}

/// The time in milliseconds, then 64 random bits, as hex: unique per send, reused for its
/// re-sends. Time-first ids keep the server's client-id index appending.
fn new_client_id() -> String {
    #[cfg(feature = "hydrate")]
    {
        let mut bytes = [0u8; 8];
        if let Some(crypto) = web_sys::window().and_then(|w| w.crypto().ok()) {
            let _ = crypto.get_random_values_with_u8_array(&mut bytes);
        }
        format!("{:012x}{:016x}", now_ms(), u64::from_be_bytes(bytes))
    }
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

/// A thin bar while the socket is not live ("Connecting…"); nothing when all is well. It waits
/// a moment before showing, so an ordinary page load (connect, sync) never flashes it.
#[component]
pub fn ConnectionBanner() -> impl IntoView {
    let realtime = use_realtime();
    let state = move || realtime.map_or(Connection::Online, |r| r.connection.get());
    let shown = RwSignal::new(false);
    Effect::new(move |_| {
        if state() == Connection::Online {
            shown.set(false);
        } else {
            #[cfg(feature = "hydrate")]
            set_timeout(
                move || shown.set(realtime.is_some_and(|r| r.connection.get_untracked() != Connection::Online)),
                std::time::Duration::from_millis(1500),
            );
        }
    });
    view! {
        <Show when=move || shown.get()>
            <div role="status" aria-live="polite" data-testid="connection-banner"
                class="bg-amber-100 px-4 py-1 text-center text-xs font-medium text-amber-900 dark:bg-amber-900/60 dark:text-amber-100">
                {move || if state() == Connection::Waiting { "Waiting for network…" } else { "Connecting…" }}
            </div>
        </Show>
    }
}

/// "Ada is typing…" under a conversation while someone else types in it.
#[component]
pub fn TypingIndicator(#[prop(into)] chat_id: Signal<String>) -> impl IntoView {
    let realtime = use_realtime();
    let names = move || realtime.map(|r| r.typists(&chat_id.get())).unwrap_or_default();
    view! {
        <Show when=move || { !names().is_empty() }>
            <p data-testid="typing" aria-live="polite" class="px-4 pb-1 text-xs italic text-slate-500 dark:text-slate-400">
                {move || typing_text(&names())}
            </p>
        </Show>
    }
}

fn typing_text(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => format!("{one} is typing…"),
        [a, b] => format!("{a} and {b} are typing…"),
        [a, rest @ ..] => format!("{a} and {} others are typing…", rest.len()),
    }
}

/// Where one of the viewer's messages has got to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tick {
    Sent,
    Delivered,
    Read,
}

/// A direct message's state from the peer's marks (the page's loaded marks and the live ones).
pub fn tick(seq: i64, delivered: i64, read: i64) -> Tick {
    if read >= seq {
        Tick::Read
    } else if delivered >= seq {
        Tick::Delivered
    } else {
        Tick::Sent
    }
}

/// ✓ sent, ✓✓ delivered, ✓✓ in colour once read. `read_seq` / `delivered_seq`: the peer's marks
/// the page loaded; live `read` / `delivered` frames raise them.
#[component]
pub fn Receipt(
    #[prop(into)] chat_id: String,
    #[prop(into)] peer: String,
    seq: i64,
    #[prop(default = 0)] read_seq: i64,
    #[prop(default = 0)] delivered_seq: i64,
) -> impl IntoView {
    let realtime = use_realtime();
    let state = Memo::new(move |_| {
        let (live_read, live_delivered) =
            realtime.map_or((0, 0), |r| (r.read_by(&chat_id, &peer), r.delivered_to(&chat_id, &peer)));
        let read = read_seq.max(live_read);
        tick(seq, delivered_seq.max(live_delivered).max(read), read)
    });
    view! {
        <span data-testid="receipt"
            data-state=move || match state.get() { Tick::Sent => "sent", Tick::Delivered => "delivered", Tick::Read => "read" }
            aria-label=move || match state.get() { Tick::Sent => "Sent", Tick::Delivered => "Delivered", Tick::Read => "Read" }
            class=move || if state.get() == Tick::Read { "text-sky-400" } else { "opacity-70" }>
            {move || if state.get() == Tick::Sent { "✓" } else { "✓✓" }}
        </span>
    }
}

#[cfg(feature = "hydrate")]
mod browser {
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
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    fn message(chat: &str, seq: i64, sender: &str, client_id: Option<&str>) -> MessageView {
        MessageView { client_id: client_id.map(Into::into), ..MessageView::sample(chat, seq, sender, "hi") }
    }

    fn with_realtime(test: impl FnOnce(Realtime)) {
        let owner = Owner::new();
        owner.with(|| test(provide_realtime()));
    }

    fn pending(rt: Realtime, client_id: &str) {
        rt.outbox.update(|o| {
            o.push(PendingSend {
                client_id: client_id.into(),
                chat_id: "c".into(),
                body: "hi".into(),
                reply_to: None,
                acked: false,
                failed: None,
            })
        });
    }

    #[test]
    fn a_pending_send_is_acked_then_leaves_the_outbox_on_its_stored_copy_and_fails_on_an_error() {
        with_realtime(|rt| {
            for id in ["a", "b", "c"] {
                pending(rt, id);
            }
            rt.receive(ServerFrame::Ack { client_id: "a".into(), chat_id: "c".into(), id: "m1".into(), seq: 1, created_at: 0 });
            let acked: Vec<bool> = rt.outbox.get_untracked().iter().map(|p| p.acked).collect();
            assert_eq!(acked, vec![true, false, false]);
            rt.receive(ServerFrame::Message { message: message("c", 1, "ME", Some("a")) });
            rt.receive(ServerFrame::Message { message: message("c", 2, "ME", Some("b")) });
            rt.receive(ServerFrame::Error { code: "not_found".into(), message: "Not found".into(), client_id: Some("c".into()) });
            let outbox = rt.outbox.get_untracked();
            assert_eq!(outbox.len(), 1);
            assert_eq!((outbox[0].client_id.as_str(), outbox[0].failed.as_deref()), ("c", Some("Not found")));
            rt.retry("c");
            assert_eq!(rt.outbox.get_untracked()[0].failed, None, "pending again, waiting for the socket");
        });
    }

    #[test]
    fn a_send_shows_at_once_and_waits_after_its_ack_for_its_stored_copy_without_going_out_again() {
        with_realtime(|rt| {
            rt.send("c", "hi", None);
            rt.send("other", "elsewhere", None);
            let sent = rt.pending_in("c");
            assert_eq!((sent.len(), sent[0].body.as_str(), sent[0].acked), (1, "hi", false));
            let id = sent[0].client_id.clone();
            rt.receive(ServerFrame::Ack { client_id: id.clone(), chat_id: "c".into(), id: "m1".into(), seq: 1, created_at: 0 });
            assert!(rt.pending_in("c")[0].acked, "still shown until the stored copy arrives, and not resent on reconnect");
            rt.receive(ServerFrame::Message { message: message("c", 1, "ME", Some(&id)) });
            assert!(rt.pending_in("c").is_empty());
            rt.receive(ServerFrame::ChatRemoved { chat_id: "other".into() });
            assert!(rt.outbox.get_untracked().is_empty(), "a removed chat takes its sends with it");
        });
    }

    #[test]
    fn cursors_follow_the_highest_sequence_seen_and_go_into_hello() {
        with_realtime(|rt| {
            rt.track("c", 5);
            rt.receive(ServerFrame::Message { message: message("c", 7, "X", None) });
            rt.track("c", 6);
            rt.receive(ServerFrame::ChatRemoved { chat_id: "gone".into() });
            let ClientFrame::Hello { cursors, .. } = rt.hello() else { panic!() };
            assert_eq!(cursors, vec![Cursor { chat_id: "c".into(), seq: 7 }]);
        });
    }

    #[test]
    fn hello_says_how_old_the_copy_is_the_oldest_page_data_then_the_last_sync() {
        with_realtime(|rt| {
            let since = |rt: Realtime| match rt.hello() {
                ClientFrame::Hello { since, .. } => since,
                _ => panic!(),
            };
            assert_eq!(since(rt), None, "nothing loaded yet");
            rt.loaded_at(5_000);
            rt.loaded_at(7_000);
            assert_eq!(since(rt), Some(5_000), "the oldest data decides");
            rt.receive(ServerFrame::Synced { at: 9_000 });
            assert_eq!(since(rt), Some(9_000));
        });
    }

    #[test]
    fn receipts_only_rise_and_groups_count_who_has_seen() {
        with_realtime(|rt| {
            rt.receive(ServerFrame::Read { chat_id: "g".into(), user_id: "A".into(), seq: 9 });
            rt.receive(ServerFrame::Read { chat_id: "g".into(), user_id: "A".into(), seq: 4 });
            rt.receive(ServerFrame::Read { chat_id: "g".into(), user_id: "B".into(), seq: 3 });
            rt.receive(ServerFrame::Delivered { chat_id: "g".into(), user_id: "B".into(), seq: 8 });
            assert_eq!(rt.read_by("g", "A"), 9);
            assert_eq!(rt.delivered_to("g", "B"), 8);
            assert_eq!(rt.seen_by("g", "ME", 3), 2);
            assert_eq!(rt.seen_by("g", "ME", 5), 1);
        });
    }

    #[test]
    fn ticks_and_typing_lines() {
        assert_eq!(tick(5, 4, 3), Tick::Sent);
        assert_eq!(tick(5, 5, 3), Tick::Delivered);
        assert_eq!(tick(5, 0, 7), Tick::Read);
        assert_eq!(typing_text(&["Ada".into()]), "Ada is typing…");
        assert_eq!(typing_text(&["Ada".into(), "Bob".into(), "Cy".into()]), "Ada and 2 others are typing…");
    }

    #[test]
    fn typing_shows_until_that_person_sends_and_subscribers_hear_every_frame() {
        with_realtime(|rt| {
            let heard = Arc::new(AtomicUsize::new(0));
            let counter = heard.clone();
            rt.subscribe(move |_| {
                counter.fetch_add(1, Ordering::Relaxed);
            });
            rt.receive(ServerFrame::Typing { chat_id: "c".into(), user_id: "A".into(), display_name: "Ada".into() });
            rt.receive(ServerFrame::Typing { chat_id: "c".into(), user_id: "A".into(), display_name: "Ada".into() });
            assert_eq!(rt.typists("c"), vec!["Ada".to_string()]);
            rt.receive(ServerFrame::Message { message: message("c", 1, "A", None) });
            assert!(rt.typists("c").is_empty());
            rt.receive(ServerFrame::Presence { user_id: "A".into(), presence: Presence::Online });
            assert_eq!(rt.presence.get_untracked().get("A"), Some(&Presence::Online));
            assert_eq!(heard.load(Ordering::Relaxed), 4);
        });
    }
}

//! The browser's end of `/ws`: one socket per tab, reconnecting with backoff, turned into signals
//! that pages read (connection state, typing, presence, receipts, pending sends) and frames that
//! pages subscribe to. Components never touch the socket. On the server this is inert: the
//! signals exist (so the same components render) and nothing connects.
mod indicators;
mod outbox;
mod receive;
#[cfg(feature = "hydrate")]
mod socket;
#[cfg(test)]
mod tests;
mod uploads;
#[cfg(feature = "hydrate")]
mod xhr;

use std::{collections::HashMap, sync::Arc};

use leptos::prelude::*;

use crate::chats::types::Presence;
use crate::realtime::protocol::{ClientFrame, Cursor, PROTOCOL_VERSION, ServerFrame, typing};

pub use indicators::{ConnectionBanner, Receipt, TypingIndicator};
pub use outbox::{PendingSend, new_client_id};
pub use uploads::{LocalAttachment, UploadState, room_for};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    /// Opening the socket or replaying what was missed.
    Connecting,
    /// Synced: events are live.
    Online,
    /// Closed; the next attempt is scheduled.
    Waiting,
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
    /// Files picked for the next message of each chat, uploading already.
    pub drafts: RwSignal<Vec<LocalAttachment>>,
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
        drafts: RwSignal::new(Vec::new()),
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
    socket::start(realtime);
    realtime
}

/// The service provided by `provide_realtime` (None outside the signed-in pages).
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

    pub(crate) fn frame(self, frame: &ClientFrame) {
        #[cfg(feature = "hydrate")]
        socket::send(frame);
        #[cfg(all(test, not(feature = "hydrate")))]
        tests::SENT.with(|s| s.borrow_mut().push(frame.clone()));
        #[cfg(not(any(feature = "hydrate", test)))]
        let _ = frame;
    }

    /// The person signs out on this page: the socket closes quietly, without the trip to the
    /// login page (and back) that a session ended elsewhere gets.
    pub fn close(self) {
        #[cfg(feature = "hydrate")]
        socket::close(self);
    }

    #[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
    fn hello(self) -> ClientFrame {
        let cursors = self
            .cursors
            .with_value(|c| c.iter().map(|(chat_id, seq)| Cursor { chat_id: chat_id.clone(), seq: *seq }).collect());
        ClientFrame::Hello { version: PROTOCOL_VERSION, cursors, since: self.since.get_value() }
    }
}

fn now_ms() -> i64 {
    #[cfg(feature = "hydrate")]
    return js_sys::Date::now() as i64;
    #[cfg(not(feature = "hydrate"))]
    return 0;
}

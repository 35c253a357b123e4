//! One device's socket: `hello`, the replay after its cursors, then live delivery until either
//! side goes away. Everything the client asks for goes through `ChatsService`, which stores,
//! publishes to the hub and decides who may do what; this loop only translates frames.
//!
//! Here: the handshake and the connection's life. `resume` replays and fills gaps, `live` runs
//! the loop over hub events, timers and input, `dispatch` answers the client's frames, `input`
//! reads them, `output` writes and closes, `presence` reports the device coming and going.
use std::{
    collections::{HashMap, VecDeque},
    sync::Arc,
};

use app::{
    accounts::validate::display_user_id,
    backend::{
        Services,
        clock::{Clock, SystemClock},
        hub::DeviceLink,
    },
    ids::UserId,
    realtime::protocol::{ClientFrame, PROTOCOL_VERSION, ServerFrame},
};
use axum::extract::ws::{Message, WebSocket};
use futures_util::{
    StreamExt,
    stream::{SplitSink, SplitStream},
};
use tokio::{
    task::JoinHandle,
    time::{Instant, timeout},
};
use tracing::Instrument;

use super::{
    limits::*,
    per_user::{PerUser, SocketSlot},
    replay::Sequencer,
};

mod dispatch;
mod input;
mod live;
mod output;
mod presence;
mod resume;

use input::Incoming;
use resume::Hello;

/// Who is on the socket and what they may do; made by the upgrade handler.
pub struct Context {
    pub services: Services,
    /// The stored user id (`7KQ4M2XD`).
    pub user: UserId,
    pub display_name: String,
    /// The session or token the socket was opened with.
    pub device: super::SignedInDevice,
    pub rate: RateLimit,
    /// Messages one replay sends at most.
    pub replay_messages: usize,
    /// Limits shared by all of the user's sockets (typing).
    pub per_user: Arc<PerUser>,
    /// This socket's place among the user's; given back when the connection ends.
    pub _slot: SocketSlot,
    pub stopping: tokio::sync::watch::Receiver<bool>,
    pub conn_id: u64,
}

/// How a connection ends.
#[derive(Debug)]
enum End {
    /// The client closed, vanished, or stopped reading: nothing more can be said.
    Gone,
    /// Close with a code and reason.
    Close(u16, &'static str),
    /// Tell the client to reconnect and resume, then close.
    Reconnect(&'static str),
    /// The session or token behind the socket is no longer valid: an `error` frame with this
    /// code, then close (4003). The client signs in again (or refreshes its token) first.
    SignedOut(&'static str),
}

type Step = Result<(), End>;

pub async fn run(socket: WebSocket, cx: Context) {
    let span = tracing::info_span!("ws", user_id = %cx.user, conn_id = cx.conn_id);
    async move {
        tracing::debug!("connected");
        let (sink, stream) = socket.split();
        let now = Instant::now();
        let mut connection = Connection {
            me_shown: display_user_id(cx.user.as_str()),
            bucket: TokenBucket::new(cx.rate, now),
            cx,
            sink,
            stream,
            last_heard: now,
            sequencer: Sequencer::default(),
            delivered: HashMap::new(),
            delivered_stored: HashMap::new(),
            receipts_in_flight: None,
            refused_in_a_row: 0,
            last_rate_error: None,
            hold_flush: false,
            call_device: Arc::from(format!("{:016x}", rand::random::<u64>())),
        };
        let end = connection.serve().await;
        tracing::debug!(?end, "disconnected");
        connection.finish(end).await;
    }
    .instrument(span)
    .await
}

struct Connection {
    cx: Context,
    /// The user id as frames show it (`7KQ4-M2XD`).
    me_shown: String,
    sink: SplitSink<WebSocket, Message>,
    stream: SplitStream<WebSocket>,
    last_heard: Instant,
    bucket: TokenBucket,
    sequencer: Sequencer,
    /// Highest sequence per chat forwarded from someone else, not yet stored as delivered.
    delivered: HashMap<String, i64>,
    delivered_stored: HashMap<String, i64>,
    /// The task storing the last receipts. The next waits for it: a writer that falls behind
    /// would otherwise get one more task from every socket every `DELIVERED_EVERY`.
    receipts_in_flight: Option<JoinHandle<()>>,
    /// Frames refused by the rate limit since the last one let through.
    refused_in_a_row: u32,
    last_rate_error: Option<Instant>,
    /// Frames are being queued for one flush (see `forward_queued`).
    hold_flush: bool,
    /// This socket's key as a device in calls (frames for one device of a person carry it).
    call_device: Arc<str>,
}

impl Connection {
    async fn serve(&mut self) -> Step {
        let hello = match timeout(HELLO_TIMEOUT, self.read_hello()).await {
            Ok(result) => result?,
            Err(_) => return Err(End::Close(close::POLICY, "no hello")),
        };
        // Attach before reading the replay: whatever is committed from here on reaches this
        // device live, and whatever was committed before is in the replay.
        let mut link = self.cx.services.hub.attach(self.cx.user.as_str());
        let synced_at = SystemClock.now_ms();
        if link.first_device {
            presence::came_online(&self.cx.services, &self.cx.user);
        }
        let result = self.session(&mut link, hello, synced_at).await;
        self.cx.services.calls.device_gone(&self.cx.user, &self.call_device);
        let cut_off = link.was_cut_off();
        let last_device = link.detach();
        if last_device || (cut_off && !self.cx.services.hub.is_online(self.cx.user.as_str()).await) {
            presence::went_offline(&self.cx.services, &self.cx.user);
        }
        result
    }

    async fn read_hello(&mut self) -> Result<Hello, End> {
        loop {
            match self.read().await? {
                Incoming::Frame(ClientFrame::Hello { version, cursors, since }) if version == PROTOCOL_VERSION => {
                    return Ok(Hello { cursors, since });
                }
                Incoming::Frame(ClientFrame::Hello { version, .. }) => {
                    let message = format!("This server speaks protocol version {PROTOCOL_VERSION}, not {version}");
                    self.error("unsupported_version", message, None).await?;
                    return Err(End::Close(close::VERSION, "unsupported version"));
                }
                Incoming::Frame(_) => {
                    self.error("hello_required", "The first frame must be hello".into(), None).await?;
                    return Err(End::Close(close::POLICY, "hello required"));
                }
                Incoming::Bad { code, message } => self.error(code, message, None).await?,
                Incoming::Control => {}
            }
        }
    }

    async fn session(&mut self, link: &mut DeviceLink, hello: Hello, synced_at: i64) -> Step {
        self.send(&ServerFrame::Welcome { version: PROTOCOL_VERSION, user_id: self.me_shown.clone() }).await?;
        let mut buffered = VecDeque::new();
        self.replay(link, hello, &mut buffered).await?;
        self.send(&ServerFrame::Synced { at: synced_at }).await?;
        while let Some(event) = buffered.pop_front() {
            self.forward(event).await?;
        }
        // A device that connects while a call rings for its person rings too.
        if let Some(ringing) = self.cx.services.calls.ringing_for(&self.cx.user) {
            self.send(&ringing).await?;
        }
        self.live(link).await
    }
}

/// The monotonic instant of a unix time (now, if it has passed).
fn instant_at(unix_secs: i64) -> Instant {
    let left = unix_secs.saturating_sub(SystemClock.now());
    Instant::now() + std::time::Duration::from_secs(left.max(0) as u64)
}

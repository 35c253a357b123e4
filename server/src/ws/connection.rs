//! One device's socket: `hello`, the replay after its cursors, then live delivery until either
//! side goes away. Everything the client asks for goes through `ChatsService`, which stores,
//! publishes to the hub and decides who may do what; this loop only translates frames.
use std::{
    collections::{HashMap, VecDeque},
    sync::Arc,
};

use app::{
    accounts::validate::display_user_id,
    chats::types::{MessageView, Presence},
    realtime::protocol::{ClientFrame, PROTOCOL_VERSION, ServerFrame},
    backend::{
        Services,
        hub::{DeviceLink, Payload},
    },
};
use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures_util::{
    SinkExt, StreamExt,
    stream::{SplitSink, SplitStream},
};
use tokio::{
    sync::mpsc::error::TryRecvError,
    task::JoinHandle,
    time::{Instant, MissedTickBehavior, interval, interval_at, sleep_until, timeout},
};
use tracing::Instrument;

use super::{
    limits::*,
    per_user::{PerUser, SocketSlot},
    replay::{Outgoing, Sequencer, peek_message},
};

mod input;
mod presence;
mod resume;

use input::Incoming;
use presence::{announce, publish, went_offline};
use resume::Hello;

/// Who is on the socket and what they may do; made by the upgrade handler.
pub struct Context {
    pub services: Services,
    /// The stored user id (`7KQ4M2XD`).
    pub user: String,
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
            me_shown: display_user_id(&cx.user),
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
}

impl Connection {
    async fn serve(&mut self) -> Step {
        let hello = match timeout(HELLO_TIMEOUT, self.read_hello()).await {
            Ok(result) => result?,
            Err(_) => return Err(End::Close(close::POLICY, "no hello")),
        };
        // Attach before reading the replay: whatever is committed from here on reaches this
        // device live, and whatever was committed before is in the replay.
        let mut link = self.cx.services.hub.attach(&self.cx.user);
        let synced_at = now_ms();
        if link.first_device {
            announce(self.cx.services.clone(), self.cx.user.clone(), Presence::Online);
        }
        let result = self.session(&mut link, hello, synced_at).await;
        let cut_off = link.was_cut_off();
        let last_device = link.detach();
        if last_device || (cut_off && !self.cx.services.hub.is_online(&self.cx.user)) {
            went_offline(self.cx.services.clone(), self.cx.user.clone());
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
        while let Some(payload) = buffered.pop_front() {
            self.forward(payload).await?;
        }
        self.live(link).await
    }

    async fn live(&mut self, link: &mut DeviceLink) -> Step {
        let mut ping = interval_at(Instant::now() + PING_EVERY, PING_EVERY);
        ping.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut receipts = interval(DELIVERED_EVERY);
        receipts.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut stopping = self.cx.stopping.clone();
        // Spread over the period, so sockets opened together do not all check at once.
        let first_check = Instant::now() + DEVICE_CHECK_EVERY.mul_f64(rand::random_range(0.5..1.5));
        let mut device_check = interval_at(first_check, DEVICE_CHECK_EVERY);
        device_check.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let token_expiry = self.cx.device.expires_at.map(instant_at);
        loop {
            if *stopping.borrow_and_update() {
                return Err(End::Reconnect("restart"));
            }
            let reorder = self.sequencer.next_deadline();
            let idle_at = self.last_heard + IDLE_TIMEOUT;
            // Biased: queued events go out before more input is read, so a client that sends
            // fast (and hears its own messages back) cannot fill its own queue and be cut off.
            tokio::select! {
                biased;
                event = link.events.recv() => match event {
                    Some(payload) => self.forward_queued(Some(payload), link).await?,
                    // The hub dropped this device's queue: it fell too far behind.
                    None => return Err(End::Reconnect("slow")),
                },
                () = sleep_until(reorder.unwrap_or(idle_at)), if reorder.is_some() => self.fill_gaps().await?,
                _ = receipts.tick() => {
                    if self.receipts_in_flight.as_ref().is_none_or(JoinHandle::is_finished) {
                        self.store_receipts();
                    }
                }
                _ = device_check.tick() => self.check_device().await?,
                () = sleep_until(token_expiry.unwrap_or(idle_at)), if token_expiry.is_some() => {
                    return Err(End::SignedOut("token_expired"));
                }
                _ = ping.tick() => self.raw(Message::Ping(Default::default())).await?,
                () = sleep_until(idle_at) => return Err(End::Close(close::IDLE, "idle")),
                changed = stopping.changed() => if changed.is_err() {
                    return Err(End::Reconnect("restart"));
                },
                incoming = self.read() => match incoming? {
                    Incoming::Frame(frame) => {
                        self.hold_flush = true;
                        let handled = self.handle(frame).await;
                        self.hold_flush = false;
                        handled?;
                        self.forward_queued(None, link).await?
                    }
                    Incoming::Bad { code, message } => self.error(code, message, None).await?,
                    Incoming::Control => {}
                },
            }
        }
    }

    async fn handle(&mut self, frame: ClientFrame) -> Step {
        let services = self.cx.services.clone();
        let me = self.cx.user.clone();
        match frame {
            ClientFrame::Hello { .. } => self.error("unexpected_hello", "Already said hello".into(), None).await,
            ClientFrame::Ping { nonce } => self.send(&ServerFrame::Pong { nonce }).await,
            ClientFrame::Send { chat_id, client_id, body, reply_to } => {
                self.cx.per_user.message_sent(&me, &chat_id);
                // The service commits before it returns, so the ack never names a lost message.
                match services.chats.send_message(&me, &chat_id, &client_id, &body, reply_to.as_deref()).await {
                    Ok((message, _new)) => {
                        let ack = ServerFrame::Ack {
                            client_id,
                            chat_id: message.chat_id,
                            id: message.id,
                            seq: message.seq,
                            created_at: message.created_at,
                        };
                        self.send(&ack).await
                    }
                    Err(e) => self.error(e.code(), e.to_string(), Some(client_id)).await,
                }
            }
            ClientFrame::Typing { chat_id } => {
                // Dropped without a word when too frequent: typing is a hint, not a request.
                if !self.cx.per_user.may_broadcast_typing(&me, &chat_id, Instant::now()) {
                    return Ok(());
                }
                match services.chats.member_ids(&me, &chat_id).await {
                    Ok(members) => {
                        let others: Vec<&str> = members.iter().map(String::as_str).filter(|m| *m != me).collect();
                        let frame = ServerFrame::Typing {
                            chat_id,
                            user_id: self.me_shown.clone(),
                            display_name: self.cx.display_name.clone(),
                        };
                        publish(&services, &others, &frame);
                        Ok(())
                    }
                    Err(e) => self.error(e.code(), e.to_string(), None).await,
                }
            }
            ClientFrame::Read { chat_id, seq } => match services.chats.mark_read(&me, &chat_id, seq).await {
                Ok(()) => Ok(()),
                Err(e) => self.error(e.code(), e.to_string(), None).await,
            },
        }
    }

    /// Live events already queued (after `first`, when a hub event woke the socket), written
    /// with one flush together with anything written unflushed before (an ack, which then
    /// leaves with the sender's own copy of its message): under load, a busy group's frames
    /// leave in a few writes instead of one system call each.
    async fn forward_queued(&mut self, first: Option<Payload>, link: &mut DeviceLink) -> Step {
        self.hold_flush = true;
        let mut next = first;
        let mut result = Ok(());
        for _ in 0..MAX_FRAMES_PER_FLUSH {
            let payload = match next.take().map_or_else(|| link.events.try_recv(), Ok) {
                Ok(payload) => payload,
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => {
                    result = Err(End::Reconnect("slow"));
                    break;
                }
            };
            result = self.forward(payload).await;
            if result.is_err() {
                break;
            }
        }
        self.hold_flush = false;
        result?;
        self.flush().await
    }

    async fn flush(&mut self) -> Step {
        match timeout(WRITE_TIMEOUT, self.sink.flush()).await {
            Ok(Ok(())) => Ok(()),
            _ => Err(End::Gone),
        }
    }

    /// A live event from the hub: message frames go through the sequencer, the hub's own
    /// device check is acted on here, the rest goes straight on.
    async fn forward(&mut self, payload: Payload) -> Step {
        if payload.is_recheck_device() {
            return self.check_device().await;
        }
        match peek_message(&payload, &self.me_shown) {
            Some(message) => {
                for outgoing in self.sequencer.live(message, Instant::now()) {
                    self.send_message(outgoing).await?;
                }
                Ok(())
            }
            None => self.text(&payload.text).await,
        }
    }

    /// Ends the connection when the session or token family it was opened with has been signed
    /// out. A store that cannot answer keeps the socket (the next check asks again).
    async fn check_device(&mut self) -> Step {
        let Some(device) = self.cx.device.id.clone() else { return Ok(()) };
        match self.cx.services.accounts.device_active(&device).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(End::SignedOut("signed_out")),
            Err(e) => {
                tracing::warn!(error = %e, "checking the device's sign-in failed");
                Ok(())
            }
        }
    }

    fn outgoing(&self, message: MessageView) -> Outgoing {
        let from_other = message.sender.as_ref().is_some_and(|s| s.user_id != self.me_shown);
        let (chat_id, seq) = (message.chat_id.clone(), message.seq);
        let payload = Payload::of(&ServerFrame::Message { message }).unwrap_or_else(|e| {
            tracing::error!(error = %e, "a message frame could not be serialised");
            Payload::text("")
        });
        Outgoing { chat_id, seq, payload, from_other }
    }

    async fn send_message(&mut self, message: Outgoing) -> Step {
        if message.from_other {
            let highest = self.delivered.entry(message.chat_id.clone()).or_insert(0);
            *highest = (*highest).max(message.seq);
        }
        self.text(&message.payload.text).await
    }

    /// Stores the delivery receipts gathered since the last tick, off the socket's path.
    fn store_receipts(&mut self) {
        if self.delivered.is_empty() {
            return;
        }
        let mut batch = Vec::new();
        for (chat_id, seq) in self.delivered.drain() {
            let stored = self.delivered_stored.entry(chat_id.clone()).or_insert(0);
            if seq > *stored {
                *stored = seq;
                batch.push((chat_id, seq));
            }
        }
        let services = self.cx.services.clone();
        let me = self.cx.user.clone();
        self.receipts_in_flight = Some(tokio::spawn(
            async move {
                for (chat_id, seq) in batch {
                    if let Err(e) = services.chats.mark_delivered(&me, &chat_id, seq).await {
                        tracing::debug!(error = %e, "storing a delivery receipt failed");
                    }
                }
            }
            .in_current_span(),
        ));
    }

    async fn send(&mut self, frame: &ServerFrame) -> Step {
        match serde_json::to_string(frame) {
            Ok(text) => self.raw(Message::Text(text.into())).await,
            Err(e) => {
                tracing::error!(error = %e, "a frame could not be serialised");
                Ok(())
            }
        }
    }

    async fn text(&mut self, text: &str) -> Step {
        self.raw(Message::Text(text.into())).await
    }

    async fn error(&mut self, code: &str, message: String, client_id: Option<String>) -> Step {
        self.send(&ServerFrame::Error { code: code.to_owned(), message, client_id }).await
    }

    /// A write that does not finish in `WRITE_TIMEOUT` means the client stopped reading.
    /// While `hold_flush` is set the frame is only queued (it still goes out once the write
    /// buffer fills); the caller flushes.
    async fn raw(&mut self, message: Message) -> Step {
        let written = match self.hold_flush {
            true => timeout(WRITE_TIMEOUT, self.sink.feed(message)).await,
            false => timeout(WRITE_TIMEOUT, self.sink.send(message)).await,
        };
        match written {
            Ok(Ok(())) => Ok(()),
            _ => Err(End::Gone),
        }
    }

    async fn finish(&mut self, end: Step) {
        self.store_receipts();
        let (code, reason) = match end {
            Ok(()) | Err(End::Gone) => return,
            Err(End::Close(code, reason)) => (code, reason),
            Err(End::Reconnect(reason)) => {
                let frame = ServerFrame::Reconnect { reason: reason.into(), retry_after_ms: RECONNECT_AFTER_MS };
                if self.send(&frame).await.is_err() {
                    return;
                }
                let code = match reason {
                    "slow" => close::SLOW,
                    "replay_limit" => close::REPLAY_LIMIT,
                    _ => close::GOING_AWAY,
                };
                (code, reason)
            }
            Err(End::SignedOut(code)) => {
                let message = if code == "token_expired" {
                    "The access token expired: refresh it and connect again"
                } else {
                    "This device was signed out"
                };
                if self.error(code, message.into(), None).await.is_err() {
                    return;
                }
                (close::SIGNED_OUT, code)
            }
        };
        let frame = CloseFrame { code, reason: reason.into() };
        let _ = timeout(std::time::Duration::from_secs(2), self.sink.send(Message::Close(Some(frame)))).await;
    }
}

fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// The monotonic instant of a unix time (now, if it has passed).
fn instant_at(unix_secs: i64) -> Instant {
    let left = unix_secs.saturating_sub(time::OffsetDateTime::now_utc().unix_timestamp());
    Instant::now() + std::time::Duration::from_secs(left.max(0) as u64)
}


//! Sockets carrying messages: connecting many at once, senders at a fixed rate, and receivers
//! that time every message and check its sequence (1, 2, 3… per chat: a jump is a lost message,
//! a repeat a duplicate).
use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use app::realtime::protocol::{ClientFrame, Cursor};
use futures_util::{SinkExt, StreamExt};
use hdrhistogram::Histogram;
use indicatif::{ProgressBar, ProgressStyle};
use tokio::sync::{Semaphore, watch};
use tokio_tungstenite::tungstenite::Message;

use crate::{
    client::{Auth, Dialer, Event, Msg, Ws, latency_of, micros_now, parse, stamped_body},
    target::{Kind, Target},
};

/// Connection attempts in flight at once.
const CONNECT_CONCURRENCY: usize = 256;
/// After the sending stops: how long acks and deliveries may take to arrive.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);

/// A latency histogram in microseconds (1 µs to 10 minutes, two significant digits: small
/// enough to keep one per socket).
pub fn histogram() -> Histogram<u64> {
    Histogram::new_with_bounds(1, 600_000_000, 2).expect("static histogram bounds are valid")
}

pub fn bar(len: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template("{prefix:>12} [{bar:40}] {pos}/{len} {msg} ({elapsed})")
            .expect("static template")
            .progress_chars("=> "),
    );
    bar.set_prefix(what.to_owned());
    bar
}

pub fn auth_for(target: &Target, user: usize) -> Auth {
    match target.kind {
        Kind::Confab => Auth::Bearer(target.fixture.users[user].token.clone()),
        Kind::Baseline => Auth::UserIndex(user),
    }
}

/// Opens a socket for each user (in order), several at a time, with a progress bar. Failed
/// attempts come back as errors in their place.
pub async fn connect_all(target: &Target, dialer: &Arc<Dialer>, users: &[usize], holding: &[(String, i64)]) -> Vec<Result<Ws, String>> {
    let bar = bar(users.len() as u64, "connecting");
    let gate = Arc::new(Semaphore::new(CONNECT_CONCURRENCY));
    let mut tasks = Vec::with_capacity(users.len());
    for (i, &user) in users.iter().enumerate() {
        let (dialer, gate, bar, auth) = (dialer.clone(), gate.clone(), bar.clone(), auth_for(target, user));
        let cursors: Vec<Cursor> = match (target.kind, holding.get(i)) {
            (Kind::Confab, Some((chat_id, seq))) => vec![Cursor { chat_id: chat_id.clone(), seq: *seq }],
            _ => Vec::new(),
        };
        tasks.push(tokio::spawn(async move {
            let _permit = gate.acquire_owned().await.map_err(|e| e.to_string())?;
            let opened = dialer.open(&auth, cursors).await.map(|(ws, _)| ws);
            bar.inc(1);
            opened
        }));
    }
    let mut sockets = Vec::with_capacity(tasks.len());
    for task in tasks {
        sockets.push(task.await.unwrap_or_else(|e| Err(e.to_string())));
    }
    bar.finish_and_clear();
    sockets
}

/// Counters every socket of a run adds to.
#[derive(Default)]
pub struct Counters {
    pub sent: AtomicU64,
    pub acked: AtomicU64,
    /// Messages received from someone else (the sender's own copies not counted).
    pub delivered: AtomicU64,
    pub errors: AtomicU64,
    /// `micros_now()` of the first and latest ack and delivery.
    pub first_ack_at: AtomicU64,
    pub last_ack_at: AtomicU64,
    pub first_delivery_at: AtomicU64,
    pub last_delivery_at: AtomicU64,
}

impl Counters {
    pub fn new() -> Self {
        Self { first_ack_at: AtomicU64::new(u64::MAX), first_delivery_at: AtomicU64::new(u64::MAX), ..Self::default() }
    }

    pub fn acked_now(&self) {
        let now = micros_now();
        self.acked.fetch_add(1, Ordering::Relaxed);
        self.first_ack_at.fetch_min(now, Ordering::Relaxed);
        self.last_ack_at.fetch_max(now, Ordering::Relaxed);
    }

    fn delivered_now(&self) {
        let now = micros_now();
        self.delivered.fetch_add(1, Ordering::Relaxed);
        self.first_delivery_at.fetch_min(now, Ordering::Relaxed);
        self.last_delivery_at.fetch_max(now, Ordering::Relaxed);
    }
}

/// What one socket saw: latency of others' messages, and the order of every message.
pub struct Tally {
    pub latency: Histogram<u64>,
    /// Highest sequence seen per chat.
    pub highest: HashMap<String, i64>,
    pub gaps: u64,
    pub duplicates: u64,
    /// Sockets the server closed (or asked to reconnect) before the run ended.
    pub cut_off: u64,
}

impl Tally {
    pub fn new() -> Self {
        Self { latency: histogram(), highest: HashMap::new(), gaps: 0, duplicates: 0, cut_off: 0 }
    }

    /// A message arrived (live or replayed).
    pub fn message(&mut self, msg: &Msg, counters: &Counters) {
        let highest = self.highest.entry(msg.chat_id.clone()).or_insert(0);
        if msg.seq <= *highest {
            self.duplicates += 1;
            return;
        }
        if msg.seq > *highest + 1 {
            self.gaps += (msg.seq - *highest - 1) as u64;
        }
        *highest = msg.seq;
        if msg.client_id.is_none() {
            if let Some(us) = latency_of(&msg.body) {
                let _ = self.latency.record(us.max(1));
            }
            counters.delivered_now();
        }
    }

    pub fn merge(&mut self, other: &Tally) {
        let _ = self.latency.add(&other.latency);
        self.gaps += other.gaps;
        self.duplicates += other.duplicates;
        self.cut_off += other.cut_off;
    }

    /// Reads frames until `stop` turns true or the socket ends.
    pub async fn read<S>(&mut self, mut stream: S, counters: &Counters, mut stop: watch::Receiver<bool>)
    where
        S: futures_util::Stream<Item = Result<Message, tokio_tungstenite::tungstenite::Error>> + Unpin,
    {
        loop {
            let message = tokio::select! {
                _ = stop.wait_for(|s| *s) => return,
                message = stream.next() => message,
            };
            let text = match message {
                Some(Ok(Message::Text(text))) => text,
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => {
                    self.cut_off = 1;
                    return;
                }
                Some(Ok(_)) => continue,
            };
            match parse(&text) {
                Ok(Event::Message { message }) => self.message(&message, counters),
                Ok(Event::Ack) => counters.acked_now(),
                Ok(Event::Error { .. }) | Err(_) => {
                    counters.errors.fetch_add(1, Ordering::Relaxed);
                }
                Ok(Event::Reconnect { .. }) => {
                    self.cut_off = 1;
                    return;
                }
                Ok(_) => {}
            }
        }
    }
}

/// One socket's sending: a message into `chat_id` every `period`, the first `offset` after the
/// run's start (offsets spread the senders evenly over a period).
#[derive(Debug, Clone)]
pub struct Sender {
    pub chat_id: String,
    pub period: Duration,
    pub offset: Duration,
}

struct SendPlan {
    chat_id: String,
    first: tokio::time::Instant,
    period: Duration,
    until: tokio::time::Instant,
}

/// Runs a socket until `stop`: sends per `plan` (if any) while reading everything.
async fn run_socket(ws: Ws, chat: (String, i64), plan: Option<SendPlan>, tag: usize, counters: Arc<Counters>, stop: watch::Receiver<bool>) -> Tally {
    let (mut sink, stream) = ws.split();
    let mut tally = Tally::new();
    tally.highest.insert(chat.0, chat.1);
    let writer = async {
        let Some(plan) = plan else { return };
        let mut ticks = tokio::time::interval_at(plan.first, plan.period);
        // Burst: a sender that fell behind catches up, so the offered rate stays what was asked.
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
        let mut n = 0u64;
        loop {
            let at = ticks.tick().await;
            if at >= plan.until {
                return;
            }
            n += 1;
            let frame = ClientFrame::Send {
                chat_id: plan.chat_id.clone(),
                client_id: crate::client::client_id(&format!("b{tag}x{n}")),
                body: stamped_body(),
                reply_to: None,
                attachments: Vec::new(),
            };
            let Ok(text) = serde_json::to_string(&frame) else { return };
            if sink.send(Message::text(text)).await.is_err() {
                return;
            }
            counters.sent.fetch_add(1, Ordering::Relaxed);
        }
    };
    let reader = tally.read(stream, &counters, stop);
    tokio::join!(writer, reader);
    tally
}

/// Totals of a timed run.
pub struct Outcome {
    pub sent: u64,
    pub acked: u64,
    pub delivered: u64,
    /// Deliveries the acked messages owe: acked × other members.
    pub expected: u64,
    pub errors: u64,
    /// Acks and deliveries per second, between the first and the last of each.
    pub stored_per_sec: f64,
    pub delivered_per_sec: f64,
    pub tally: Tally,
}

impl Outcome {
    pub fn delivered_ratio(&self) -> f64 {
        if self.expected == 0 { 0.0 } else { self.delivered as f64 / self.expected as f64 }
    }
}

/// Sockets at work: senders at their rates, everyone reading, until `finish`.
pub struct Run {
    pub counters: Arc<Counters>,
    stop: watch::Sender<bool>,
    tasks: Vec<tokio::task::JoinHandle<Tally>>,
    /// When the sending starts and stops.
    pub start: tokio::time::Instant,
    pub until: tokio::time::Instant,
}

impl Run {
    /// Socket i is in chat `chats[i]` = (id, its sequence before the run) and sends if
    /// `senders[i]` says so, for `seconds`.
    pub fn start(sockets: Vec<Ws>, chats: Vec<(String, i64)>, senders: Vec<Option<Sender>>, seconds: f64) -> Self {
        let counters = Arc::new(Counters::new());
        let (stop, stopped) = watch::channel(false);
        // A moment for every task to be waiting before the first send.
        let start = tokio::time::Instant::now() + Duration::from_millis(200);
        let until = start + Duration::from_secs_f64(seconds);
        let tasks = sockets
            .into_iter()
            .zip(chats.into_iter().zip(senders))
            .enumerate()
            .map(|(i, (ws, (chat, sender)))| {
                let plan = sender.map(|s| SendPlan { chat_id: s.chat_id, first: start + s.offset, period: s.period, until });
                tokio::spawn(run_socket(ws, chat, plan, i, counters.clone(), stopped.clone()))
            })
            .collect();
        Self { counters, stop, tasks, start, until }
    }

    pub fn stopped(&self) -> watch::Receiver<bool> {
        self.stop.subscribe()
    }

    /// Adds a task that ends with `stop` and reports its tally.
    pub fn add(&mut self, task: tokio::task::JoinHandle<Tally>) {
        self.tasks.push(task);
    }

    /// Shows progress until the sending ends.
    pub async fn wait_sending(&self) {
        let seconds = (self.until - self.start).as_secs_f64();
        let bar = bar((seconds * 10.0).ceil() as u64, "sending");
        tokio::time::sleep_until(self.start).await;
        while tokio::time::Instant::now() < self.until {
            tokio::time::sleep(Duration::from_millis(100)).await;
            let secs = self.start.elapsed().as_secs_f64().max(0.1);
            bar.set_position((secs * 10.0) as u64);
            let c = &self.counters;
            bar.set_message(format!(
                "{:.0} acked/s, {:.0} delivered/s",
                c.acked.load(Ordering::Relaxed) as f64 / secs,
                c.delivered.load(Ordering::Relaxed) as f64 / secs
            ));
        }
        bar.finish_and_clear();
    }

    /// Waits (within `DRAIN_TIMEOUT` of the call) for every ack and the deliveries they owe to
    /// `others` members each.
    pub async fn drain(&self, others: u64) {
        let c = &self.counters;
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let drained = Instant::now() + DRAIN_TIMEOUT;
        while Instant::now() < drained && (load(&c.acked) < load(&c.sent) || load(&c.delivered) < load(&c.acked) * others) {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    /// Drains (see `drain`), then stops every socket and adds up.
    pub async fn finish(self, others: u64) -> Outcome {
        self.drain(others).await;
        let c = &self.counters;
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        // A moment for anything beyond the expected (duplicates) to show up too.
        tokio::time::sleep(Duration::from_millis(300)).await;
        let _ = self.stop.send(true);
        let mut tally = Tally::new();
        for task in self.tasks {
            if let Ok(t) = task.await {
                tally.merge(&t);
            }
        }
        let per_sec = |n: u64, first: &AtomicU64, last: &AtomicU64| {
            let span = load(last).saturating_sub(load(first)) as f64 / 1e6;
            if n < 2 || span <= 0.0 { 0.0 } else { (n - 1) as f64 / span }
        };
        Outcome {
            sent: load(&c.sent),
            acked: load(&c.acked),
            delivered: load(&c.delivered),
            expected: load(&c.acked) * others,
            errors: load(&c.errors),
            stored_per_sec: per_sec(load(&c.acked), &c.first_ack_at, &c.last_ack_at),
            delivered_per_sec: per_sec(load(&c.delivered), &c.first_delivery_at, &c.last_delivery_at),
            tally,
        }
    }
}

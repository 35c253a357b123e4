//! Reconnect storm: K clients, each in a direct chat whose other member keeps writing, drop
//! their sockets at the same moment and reconnect at once, resuming from the last sequence they
//! hold. Time until every one has `synced` again; then every message must have arrived exactly
//! once (sequences 1, 2, 3… with no gap and no repeat). The writers post over HTTP
//! (`POST /api/chats/{id}/messages`), so only the K clients hold sockets: one process may
//! have only so many files open.
use std::{
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use app::realtime::protocol::Cursor;
use tokio::sync::watch;

use super::{connect, param, pick, report};
use crate::{
    Common,
    client::{Auth, Dialer, Ws, micros_now},
    fixture::Needs,
    report::{Goal, Metric, Report, load_average},
    target::{Kind, Plan, Target},
    traffic::{Counters, Outcome, Run, Tally, auth_for, bar},
};

#[derive(clap::Args, Debug, Clone, Default)]
pub struct Args {
    /// Clients that drop and reconnect [default: 10000; --quick: 20]
    #[arg(long)]
    pub clients: Option<usize>,
    /// Messages per second the other members post over HTTP, in total [default: 1000; --quick: 50]
    #[arg(long)]
    pub rate: Option<f64>,
    /// Seconds of writing before the drop, and after it [default: 5; --quick: 1]
    #[arg(long)]
    pub phase: Option<f64>,
}

/// Concurrent HTTP writers (and connections) carrying the other members' messages.
const WRITERS: usize = 32;
/// How long the clients get to come back.
const LIVE_TIMEOUT: Duration = Duration::from_secs(120);
const ATTEMPTS: u32 = 8;

struct Storm {
    outcome: Outcome,
    /// Seconds from the drop until the last client had `synced`; `None` if some never did.
    all_live_after: Option<f64>,
    came_back: u64,
}

pub async fn run(common: &Common, args: &Args) -> Result<Report, String> {
    let clients = pick(args.clients, common.quick, 10_000, 20);
    let rate = pick(args.rate, common.quick, 1_000.0, 50.0);
    let phase = pick(args.phase, common.quick, 5.0, 1.0);
    let load_before = load_average();
    let needs = Needs { direct: clients, ..Needs::default() };
    let confab = storm(Target::confab(common, &Plan { needs, ..Plan::default() }).await?, common, clients, rate, phase).await?;
    let baseline = match common.no_baseline {
        true => None,
        false => Some(storm(Target::baseline(needs).await?, common, clients, rate, phase).await?),
    };
    let b = baseline.as_ref();

    let params = vec![param("clients", clients), param("writers' rate", format!("{rate} msg/s")), param("phase", format!("{phase} s"))];
    let command = format!("confab-bench reconnect --clients {clients} --rate {rate} --phase {phase}");
    let mut r = report("reconnect", "Reconnect storm", load_before, params, command);
    let live = |s: &Storm| s.all_live_after.unwrap_or(f64::INFINITY);
    r.metrics.push(Metric::new("all live again after", live(&confab), "s").baseline(b.map(live)).target(Goal::AtMost(10.0)));
    r.metrics.push(Metric::new("clients back", confab.came_back as f64, "").baseline(b.map(|b| b.came_back as f64)).target(Goal::AtLeast(clients as f64)));
    let o = &confab.outcome;
    let lost = o.tally.gaps + o.expected.saturating_sub(o.delivered + o.tally.duplicates);
    r.metrics.push(Metric::new("messages written", o.acked as f64, ""));
    r.metrics.push(Metric::new("lost", lost as f64, "").target(Goal::AtMost(0.0)));
    r.metrics.push(Metric::new("duplicated", o.tally.duplicates as f64, "").target(Goal::AtMost(0.0)));
    r.notes.push("The baseline stores nothing, so it replays nothing: only its reconnect time compares.".into());
    if o.errors > 0 {
        r.notes.push(format!("{} error frames or failed reconnect attempts.", o.errors));
    }
    Ok(r)
}

async fn storm(mut target: Target, common: &Common, clients: usize, rate: f64, phase: f64) -> Result<Storm, String> {
    let pairs = target.fixture.direct.clone();
    let writers: Vec<usize> = pairs.iter().map(|d| d.a).collect();
    let readers: Vec<usize> = pairs.iter().map(|d| d.b).collect();
    let chats: Vec<(String, i64)> = pairs.iter().map(|d| (d.chat_id.clone(), 0)).collect();
    let reader_sockets = connect(&target, common, &readers, &chats).await?;

    let mut run = Run::start(Vec::new(), Vec::new(), Vec::new(), 2.0 * phase);
    let posts: Vec<Post> = pairs
        .iter()
        .zip(&writers)
        .map(|(d, &user)| match target.kind {
            Kind::Confab => Post {
                url: format!("{}/api/chats/{}/messages", target.http_url(), d.chat_id),
                token: Some(target.fixture.users[user].token.clone()),
            },
            Kind::Baseline => Post { url: format!("{}/api/chats/{}/messages?user={user}", target.http_url(), d.chat_id), token: None },
        })
        .collect();
    let posts = Arc::new(posts);
    for worker in 0..WRITERS {
        let writer = Writer { posts: posts.clone(), counters: run.counters.clone(), worker, rate, start: run.start, until: run.until };
        run.add(tokio::spawn(writer.run()));
    }
    let dialer = Arc::new(Dialer::new(target.addr, common.sources));
    let (drop_all, dropped) = watch::channel(false);
    let back = Arc::new(AtomicU64::new(0));
    let last_synced = Arc::new(AtomicU64::new(0));
    for ((ws, chat), &user) in reader_sockets.into_iter().zip(chats).zip(&readers) {
        let client = Client {
            dialer: dialer.clone(),
            auth: auth_for(&target, user),
            counters: run.counters.clone(),
            back: back.clone(),
            last_synced: last_synced.clone(),
            resume: target.kind == Kind::Confab,
        };
        run.add(tokio::spawn(client.run(ws, chat, dropped.clone(), run.stopped())));
    }

    tokio::time::sleep_until(run.start + Duration::from_secs_f64(phase)).await;
    let dropped_at = micros_now();
    let _ = drop_all.send(true);
    let bar = bar(clients as u64, "reconnecting");
    let deadline = tokio::time::Instant::now() + LIVE_TIMEOUT;
    while (back.load(Ordering::Relaxed) as usize) < clients && tokio::time::Instant::now() < deadline {
        bar.set_position(back.load(Ordering::Relaxed));
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    bar.finish_and_clear();
    let came_back = back.load(Ordering::Relaxed);
    let all_live_after = (came_back as usize == clients).then(|| last_synced.load(Ordering::Relaxed).saturating_sub(dropped_at) as f64 / 1e6);
    run.wait_sending().await;
    let outcome = run.finish(1).await;
    target.stop();
    Ok(Storm { outcome, all_live_after, came_back })
}

struct Client {
    dialer: Arc<Dialer>,
    auth: Auth,
    counters: Arc<Counters>,
    back: Arc<AtomicU64>,
    last_synced: Arc<AtomicU64>,
    /// Say `hello` with the last sequence held (the baseline has nothing to replay).
    resume: bool,
}

impl Client {
    /// Reads until the drop, drops the socket without a goodbye, and reconnects with its cursor.
    async fn run(self, mut ws: Ws, chat: (String, i64), dropped: watch::Receiver<bool>, stop: watch::Receiver<bool>) -> Tally {
        let mut tally = Tally::new();
        tally.highest.insert(chat.0.clone(), chat.1);
        tally.read(&mut ws, &self.counters, dropped).await;
        drop(ws);
        let seq = tally.highest.get(&chat.0).copied().unwrap_or(0);
        let cursors = if self.resume { vec![Cursor { chat_id: chat.0.clone(), seq }] } else { Vec::new() };
        let mut pause = Duration::from_millis(100);
        for _ in 0..ATTEMPTS {
            match self.dialer.open(&self.auth, cursors.clone()).await {
                Ok((ws, replayed)) => {
                    self.last_synced.fetch_max(micros_now(), Ordering::Relaxed);
                    self.back.fetch_add(1, Ordering::Relaxed);
                    for message in &replayed {
                        tally.message(message, &self.counters);
                    }
                    tally.read(ws, &self.counters, stop).await;
                    return tally;
                }
                Err(_) => {
                    self.counters.errors.fetch_add(1, Ordering::Relaxed);
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_secs(2));
                }
            }
        }
        tally.cut_off += 1;
        tally
    }
}

/// Where one direct chat's writer posts, and as whom.
struct Post {
    url: String,
    token: Option<String>,
}

/// One of `WRITERS` workers: message k (k ≡ worker mod WRITERS) is due at start + k / rate and
/// goes to chat k mod K, so every chat hears at the same pace.
struct Writer {
    posts: Arc<Vec<Post>>,
    counters: Arc<Counters>,
    worker: usize,
    rate: f64,
    start: tokio::time::Instant,
    until: tokio::time::Instant,
}

impl Writer {
    async fn run(self) -> Tally {
        let client = reqwest::Client::new();
        let mut k = self.worker;
        loop {
            let due = self.start + Duration::from_secs_f64(k as f64 / self.rate);
            if due >= self.until {
                return Tally::new();
            }
            tokio::time::sleep_until(due).await;
            let post = &self.posts[k % self.posts.len()];
            let body = serde_json::json!({ "client_id": crate::client::client_id(&format!("w{k}")), "body": crate::client::stamped_body() });
            let mut request = client.post(&post.url).json(&body);
            if let Some(token) = &post.token {
                request = request.bearer_auth(token);
            }
            self.counters.sent.fetch_add(1, Ordering::Relaxed);
            match request.send().await {
                Ok(response) if response.status().is_success() => self.counters.acked_now(),
                _ => {
                    self.counters.errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            k += WRITERS;
        }
    }
}

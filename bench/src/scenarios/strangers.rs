//! Talk to a stranger: W people wait in the queue, each for an interest nobody else has, and A
//! more arrive at a fixed rate wanting anyone, so they pair with each other while the queue
//! stands. Match latency (the second person's `look` sent → their answer and the first
//! person's `stranger` frame both in), matches made, and the server's memory per waiting person.
use std::{
    collections::HashMap,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use app::strangers::types::StrangerView;
use hdrhistogram::Histogram;
use reqwest::{Method, RequestBuilder};
use tokio::sync::{Semaphore, watch};

use super::{connect, param, pick, report};
use crate::{
    Common,
    client::{Event, Ws, micros_now, next_event},
    fixture::Needs,
    report::{Goal, Metric, Report, curve, latency_metrics, load_average},
    target::{Plan, Target},
    traffic::{bar, histogram},
};

#[derive(clap::Args, Debug, Clone, Default)]
pub struct Args {
    /// People waiting in the queue throughout, each for an interest of their own [default: 10000; --quick: 50]
    #[arg(long)]
    pub waiting: Option<usize>,
    /// People arriving who take anyone, one socket each (an even number: they pair up) [default: 10000; --quick: 40]
    #[arg(long)]
    pub arrivals: Option<usize>,
    /// Arrivals per second [default: 1000; --quick: 100]
    #[arg(long)]
    pub rate: Option<f64>,
}

/// Requests in flight at once while setting up and checking (not during the arrivals, which
/// are sent on schedule).
const IN_FLIGHT: usize = 64;
/// After the last arrival: how long the answers and frames may take to come in.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(30);
/// The target: p99 at 1,000 arrivals a second.
const TARGET_RATE: f64 = 1_000.0;
const P99_TARGET_MS: f64 = 50.0;

pub async fn run(common: &Common, args: &Args) -> Result<Report, String> {
    let waiting = pick(args.waiting, common.quick, 10_000, 50);
    let wanted = pick(args.arrivals, common.quick, 10_000, 40);
    // Both ends hold one file per arrival's socket; where the limit is lower than the default,
    // the default gives way (an explicit --arrivals does not, and fails with the reason).
    let limit = crate::open_files_limit();
    let capped = args.arrivals.is_none() && wanted as u64 + 500 > limit;
    let n = if capped { limit.saturating_sub(500) as usize } else { wanted };
    // They pair up: an even number.
    let arrivals = n - n % 2;
    if arrivals < 2 {
        return Err("--arrivals: at least 2, to make a pair".into());
    }
    let rate = pick(args.rate, common.quick, TARGET_RATE, 100.0);
    let load_before = load_average();

    // Nobody's interest window or absence ends within the run: the queue stands as it was
    // filled, and nobody needs a heartbeat.
    let hour = "3600000".to_owned();
    let plan = Plan {
        needs: Needs { users: waiting + arrivals, ..Needs::default() },
        server_env: vec![("CONFAB_STRANGER_INTEREST_WAIT_MS", hour.clone()), ("CONFAB_STRANGER_AWAY_MS", hour)],
        ..Plan::default()
    };
    let mut target = Target::confab(common, &plan).await?;
    let outcome = meet(&target, common, waiting, arrivals, rate).await;
    target.stop();
    let o = outcome?;

    let params = vec![param("waiting", waiting), param("arrivals", arrivals), param("rate", format!("{rate} arrivals/s"))];
    let command = format!("confab-bench strangers --waiting {waiting} --arrivals {arrivals} --rate {rate}");
    let mut r = report("strangers", "Talk to a stranger", load_before, params, command);
    let at = format!("@ {rate} arrivals/s");
    let p99 = (rate == TARGET_RATE).then_some(Goal::AtMost(P99_TARGET_MS));
    r.metrics.extend(latency_metrics(&format!("match latency {at}"), &o.matches.latency, None, p99));
    let expected = (arrivals / 2) as f64;
    r.metrics.push(Metric::new("matches made", o.matches.made as f64, "").target(Goal::AtLeast(expected)));
    r.metrics.push(Metric::new("people matched twice or with themselves", o.matches.twice as f64, "").target(Goal::AtMost(0.0)));
    r.metrics.push(Metric::new("still waiting after the arrivals", o.still_waiting as f64, "").target(Goal::AtLeast(waiting as f64)));
    r.metrics.push(Metric::new("failed looks", o.failed as f64, "").target(Goal::AtMost(0.0)));
    r.metrics.push(Metric::new("arrival rate achieved", o.achieved_rate, "arrivals/s"));
    match o.rss {
        Some((before, after)) => {
            let per_person = after.saturating_sub(before) as f64 / 1024.0 / waiting.max(1) as f64;
            r.metrics.push(Metric::new("server RSS per waiting person", per_person, "KiB"));
            r.metrics.push(Metric::new(&format!("server RSS, {waiting} waiting"), after as f64 / 1024.0 / 1024.0, "MiB"));
        }
        None => r.notes.push("The server was not started by the tool (--url), so its memory was not measured.".into()),
    }
    if let Some(percent) = o.cpu_percent {
        r.metrics.push(Metric::new(&format!("server CPU {at}"), percent, "% of a core"));
    }
    r.curves.push(curve(&format!("Confab {rate} arrivals/s"), &o.matches.latency));
    r.notes.push(format!(
        "The queue: {waiting} people each look for an interest of their own, with the interest window and the absence \
         limit set to an hour (CONFAB_STRANGER_INTEREST_WAIT_MS, CONFAB_STRANGER_AWAY_MS), so none of them can be \
         matched during the run. Then {arrivals} people with sockets open look without interests, one every {:.2} ms \
         on schedule whatever the answers: each takes the one who arrived before them, or waits for the next. Match \
         latency runs from the second one's look being sent until both its answer (naming the chat) and the first \
         one's `stranger` frame for that chat are in. Memory per waiting person: the server's RSS grown while the \
         queue filled, divided by its length.",
        1000.0 / rate
    ));
    r.notes.push("No baseline: the bare fan-out server has no queue to compare with.".into());
    if common.url.is_some() {
        r.notes.push("--url: the running server must have been started with both stranger settings at an hour or more.".into());
    }
    if capped {
        r.notes.push(format!(
            "{arrivals} arrivals, not {wanted}: a process may have at most {limit} open files here (the hard limit, \
             which only CAP_SYS_RESOURCE can raise), and every arrival holds a socket."
        ));
    }
    if o.cut_off > 0 {
        r.notes.push(format!("{} arrivals' sockets were closed by the server during the run.", o.cut_off));
    }
    r.load_after = load_average();
    Ok(r)
}

struct Outcome {
    matches: Matches,
    /// Waiting people who, after the arrivals, still wait and were matched with nobody.
    still_waiting: usize,
    failed: usize,
    achieved_rate: f64,
    /// Server memory before the queue filled and once it had.
    rss: Option<(u64, u64)>,
    /// Share of one core the server used while the arrivals came.
    cpu_percent: Option<f64>,
    cut_off: usize,
}

/// Fills the queue with `waiting` people (users 0..waiting), then sends `arrivals` more (the
/// users after them) at `rate` a second.
async fn meet(target: &Target, common: &Common, waiting: usize, arrivals: usize, rate: f64) -> Result<Outcome, String> {
    let api = Api {
        http: reqwest::Client::new(),
        base: target.http_url(),
        tokens: target.fixture.users.iter().map(|u| u.token.clone()).collect(),
    };
    let everyone: Vec<usize> = (0..waiting + arrivals).collect();
    let (queue, newcomers) = everyone.split_at(waiting);
    for_each(&everyone, "adult", |user| api.request(Method::POST, user, "/adult")).await?;

    let before = target.rss_bytes();
    let views = for_each(queue, "queueing", |user| api.look(user, &[format!("w{user}")])).await?;
    if let Some(matched) = views.iter().position(|v| v.chat.is_some()) {
        return Err(format!("waiting person {matched} was matched while the queue filled"));
    }
    let after = target.rss_bytes();

    let sockets = connect(target, common, newcomers, &[]).await?;
    let told = Arc::new(AtomicU64::new(0));
    let (stop, stopped) = watch::channel(false);
    let listeners: Vec<_> = sockets.into_iter().map(|ws| tokio::spawn(listen(ws, told.clone(), stopped.clone()))).collect();
    let cpu_before = target.cpu_seconds();
    let window = std::time::Instant::now();
    let arrived = arrive(&api, newcomers, rate).await;
    // Everyone matched is told once: the first by their frame, the second by theirs too.
    let deadline = tokio::time::Instant::now() + DRAIN_TIMEOUT;
    while (told.load(Ordering::Relaxed) as usize) < arrivals && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    let cpu_percent = cpu_before.zip(target.cpu_seconds()).map(|(a, b)| 100.0 * (b - a) / window.elapsed().as_secs_f64());
    // A moment for anything beyond the expected (a second match, a repeated frame) to show up too.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let _ = stop.send(true);
    let mut frames = Vec::with_capacity(arrivals);
    let mut cut_off = 0;
    for listener in listeners {
        let (seen, closed) = listener.await.map_err(|e| e.to_string())?;
        frames.push(seen);
        cut_off += usize::from(closed);
    }

    let views = for_each(queue, "checking", |user| api.request(Method::GET, user, "")).await?;
    let still_waiting = views.iter().filter(|v| v.looking.is_some() && v.chat.is_none()).count();
    let sent: Vec<u64> = arrived.iter().map(|a| a.sent_at).collect();
    let span = sent.iter().max().zip(sent.iter().min()).map_or(0, |(last, first)| last - first) as f64 / 1e6;
    Ok(Outcome {
        matches: matches(&arrived, &frames),
        still_waiting,
        failed: arrived.iter().filter(|a| a.answer.is_err()).count(),
        achieved_rate: if span > 0.0 { (arrived.len() - 1) as f64 / span } else { 0.0 },
        rss: before.zip(after),
        cpu_percent,
        cut_off,
    })
}

/// The stranger endpoints, as any of the fixture's people.
struct Api {
    http: reqwest::Client,
    base: String,
    tokens: Vec<String>,
}

impl Api {
    fn request(&self, method: Method, user: usize, path: &str) -> RequestBuilder {
        self.http.request(method, format!("{}/api/strangers{path}", self.base)).bearer_auth(&self.tokens[user])
    }

    fn look(&self, user: usize, interests: &[String]) -> RequestBuilder {
        self.request(Method::POST, user, "/look").json(&serde_json::json!({ "interests": interests }))
    }
}

/// Every stranger endpoint answers with the caller's view.
async fn view_of(request: RequestBuilder) -> Result<StrangerView, String> {
    let response = request.send().await.map_err(|e| e.to_string())?;
    let status = response.status();
    if !status.is_success() {
        return Err(format!("{status}: {}", response.text().await.unwrap_or_default()));
    }
    response.json().await.map_err(|e| e.to_string())
}

/// `request(user)` for each of `users`, `IN_FLIGHT` at a time, with a progress bar: their views
/// in order, or the first refusal.
async fn for_each(users: &[usize], what: &str, request: impl Fn(usize) -> RequestBuilder) -> Result<Vec<StrangerView>, String> {
    let bar = bar(users.len() as u64, what);
    let gate = Arc::new(Semaphore::new(IN_FLIGHT));
    let mut tasks = Vec::with_capacity(users.len());
    for &user in users {
        let permit = gate.clone().acquire_owned().await.map_err(|e| e.to_string())?;
        let (request, bar) = (request(user), bar.clone());
        tasks.push(tokio::spawn(async move {
            let view = view_of(request).await;
            bar.inc(1);
            drop(permit);
            view
        }));
    }
    let mut views = Vec::with_capacity(tasks.len());
    for (task, user) in tasks.into_iter().zip(users) {
        views.push(task.await.map_err(|e| e.to_string())?.map_err(|e| format!("{what}, user {user}: {e}"))?);
    }
    bar.finish_and_clear();
    Ok(views)
}

/// One arrival's look: when it was sent and answered (µs, `micros_now`) and the chat its
/// answer named, if it was matched at once.
struct Arrival {
    sent_at: u64,
    answered_at: u64,
    answer: Result<Option<String>, String>,
}

/// Each of `users` looks, without interests, at `rate` a second from a common start, whether or
/// not the earlier ones were answered yet.
async fn arrive(api: &Api, users: &[usize], rate: f64) -> Vec<Arrival> {
    let bar = bar(users.len() as u64, "arriving");
    let start = tokio::time::Instant::now();
    let mut tasks = Vec::with_capacity(users.len());
    for (k, &user) in users.iter().enumerate() {
        tokio::time::sleep_until(start + Duration::from_secs_f64(k as f64 / rate)).await;
        let request = api.look(user, &[]);
        tasks.push(tokio::spawn(async move {
            let sent_at = micros_now();
            let answer = view_of(request).await.map(|view| view.chat.map(|chat| chat.id));
            Arrival { sent_at, answered_at: micros_now(), answer }
        }));
        bar.inc(1);
    }
    let mut arrived = Vec::with_capacity(tasks.len());
    for task in tasks {
        arrived.push(task.await.unwrap_or_else(|e| Arrival { sent_at: 0, answered_at: 0, answer: Err(e.to_string()) }));
    }
    bar.finish_and_clear();
    arrived
}

/// Reads a socket until `stop`, noting each `stranger` frame that names a chat: (chat id, when).
/// Also says whether the server closed the socket first.
async fn listen(mut ws: Ws, told: Arc<AtomicU64>, mut stop: watch::Receiver<bool>) -> (Vec<(String, u64)>, bool) {
    let mut seen = Vec::new();
    loop {
        let event = tokio::select! {
            _ = stop.wait_for(|s| *s) => return (seen, false),
            event = next_event(&mut ws) => event,
        };
        match event {
            Ok(Some(Event::Stranger { view })) => {
                if let Some(chat) = view.chat {
                    seen.push((chat.id, micros_now()));
                    told.fetch_add(1, Ordering::Relaxed);
                }
            }
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => return (seen, true),
        }
    }
}

struct Matches {
    /// Match latency in µs, one per match made.
    latency: Histogram<u64>,
    /// Chats the answer to one arrival named and another arrival's socket was told of.
    made: u64,
    /// People told of more than one chat, or of one chat twice (a match with oneself tells
    /// both sides, both them).
    twice: u64,
}

/// Pairs arrival `i`'s answer with the frames socket `i` received (`frames[i]`). No order of
/// arrival is assumed: whoever's answer names a chat is its second person, whoever else was
/// told of it, the first.
fn matches(arrived: &[Arrival], frames: &[Vec<(String, u64)>]) -> Matches {
    let mut told: HashMap<&str, Vec<(usize, u64)>> = HashMap::new();
    for (i, seen) in frames.iter().enumerate() {
        for (chat, at) in seen {
            told.entry(chat.as_str()).or_default().push((i, *at));
        }
    }
    let mut m = Matches { latency: histogram(), made: 0, twice: 0 };
    for (second, arrival) in arrived.iter().enumerate() {
        let Ok(Some(chat)) = &arrival.answer else { continue };
        let first = told.get(chat.as_str()).and_then(|t| t.iter().find(|(i, _)| *i != second));
        if let Some(&(_, told_at)) = first {
            m.made += 1;
            let _ = m.latency.record(told_at.max(arrival.answered_at).saturating_sub(arrival.sent_at).max(1));
        }
    }
    for (i, seen) in frames.iter().enumerate() {
        let mut chats: Vec<&str> = seen.iter().map(|(chat, _)| chat.as_str()).collect();
        chats.sort_unstable();
        let repeated = chats.windows(2).any(|w| w[0] == w[1]);
        if let Some(Ok(Some(chat))) = arrived.get(i).map(|a| &a.answer) {
            chats.push(chat);
        }
        chats.sort_unstable();
        chats.dedup();
        if repeated || chats.len() > 1 {
            m.twice += 1;
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::{Arrival, matches};

    fn arrival(sent_at: u64, answered_at: u64, chat: Option<&str>) -> Arrival {
        Arrival { sent_at, answered_at, answer: Ok(chat.map(str::to_owned)) }
    }

    fn told(chat: &str, at: u64) -> (String, u64) {
        (chat.to_owned(), at)
    }

    #[test]
    fn a_match_waits_for_the_answer_and_the_first_ones_frame_whichever_is_later() {
        let arrived = [arrival(0, 5, None), arrival(100, 130, Some("c1")), arrival(200, 210, None), arrival(300, 302, Some("c2"))];
        let frames = [vec![told("c1", 160)], vec![told("c1", 120)], vec![told("c2", 301)], vec![told("c2", 301)]];
        let m = matches(&arrived, &frames);
        assert_eq!((m.made, m.twice), (2, 0));
        assert_eq!(m.latency.max(), 60, "c1: the first one's frame came after the answer");
        assert_eq!(m.latency.min(), 2, "c2: the answer came last");
    }

    #[test]
    fn an_untold_first_one_means_no_match_and_a_second_chat_or_repeated_frame_counts_twice() {
        let arrived = [arrival(0, 1, None), arrival(10, 12, Some("c1")), arrival(20, 21, Some("c3"))];
        let frames = [vec![told("c2", 15)], vec![told("c1", 11)], vec![told("c3", 22), told("c3", 22)]];
        let m = matches(&arrived, &frames);
        assert_eq!(m.made, 0, "nobody else was told of c1 or c3");
        assert_eq!(m.twice, 1, "the one matched with themselves; the others were told of one chat each");
        let frames = [vec![told("c2", 15)], vec![told("c1", 11), told("c2", 15)], vec![]];
        assert_eq!(matches(&arrived, &frames).twice, 1, "told of c1 and c2");
    }
}

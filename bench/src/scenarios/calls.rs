//! Calls: N pairs of people, each pair in a direct chat, place N calls at the same moment. The
//! callee answers its ring, and the two devices exchange what a browser needs before ICE can
//! start (offer, answer, candidates both ways, microphone and camera state) over `/ws`, stay
//! up a moment and hang up. Meanwhile other people exchange direct messages at a fixed rate.
//! Set-up time per call and for all N, the call frames through the server, and the messages'
//! latency beside the same traffic on a server where nobody calls, in one run.
use std::{
    collections::BTreeMap,
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::Duration,
};

use app::{
    calls::types::{CallEnd, CallSignal, CallState},
    realtime::protocol::ClientFrame,
};
use hdrhistogram::Histogram;
use tokio::{sync::watch, task::JoinHandle, time::Instant};

use super::{connect, param, pick, report};
use crate::{
    Common,
    client::{Event, Ws, micros_now, next_event, send},
    fixture::{DirectChat, Needs},
    report::{Goal, Metric, Report, curve, latency_metrics, load_average},
    target::{Plan, Target},
    traffic::{Outcome, Run, Sender, histogram},
};

#[derive(clap::Args, Debug, Clone, Default)]
pub struct Args {
    /// Calls placed at once, each in a direct chat of its own; two sockets each [default: 1000; --quick: 10]
    #[arg(long)]
    pub calls: Option<usize>,
    /// Direct chats carrying messages meanwhile, one sending socket each [default: 1000; --quick: 10]
    #[arg(long)]
    pub senders: Option<usize>,
    /// Messages per second in total [default: 1000; --quick: 100]
    #[arg(long)]
    pub rate: Option<f64>,
    /// Seconds of messages on each server; the calls are placed a quarter of the way in [default: 20; --quick: 3]
    #[arg(long)]
    pub seconds: Option<f64>,
    /// Seconds the calls stay up once the last one is connected [default: 2; --quick: 0.2]
    #[arg(long)]
    pub hold: Option<f64>,
}

/// The target: 1,000 calls set up at once in under 10 s, messages undisturbed.
const TARGET_CALLS: usize = 1_000;
const TARGET_SECONDS: f64 = 10.0;
/// The direct scenario's p99 target, which the calls must not push the messages past.
const MESSAGE_P99_MS: f64 = 25.0;
/// ICE candidates each side sends: host UDP and TCP, server-reflexive, relay.
const CANDIDATES: usize = 4;
/// A video offer or answer is 5–10 KB.
const SDP_BYTES: usize = 6 * 1024;
/// How long the calls may take to connect, and then to end once hung up.
const SETUP_TIMEOUT: Duration = Duration::from_secs(60);
const END_TIMEOUT: Duration = Duration::from_secs(30);

/// One run's sizes.
struct Shape {
    calls: usize,
    senders: usize,
    rate: f64,
    seconds: f64,
    hold: f64,
}

pub async fn run(common: &Common, args: &Args) -> Result<Report, String> {
    let shape = Shape {
        calls: pick(args.calls, common.quick, TARGET_CALLS, 10).max(1),
        senders: pick(args.senders, common.quick, 1_000, 10).max(1),
        rate: pick(args.rate, common.quick, 1_000.0, 100.0),
        seconds: pick(args.seconds, common.quick, 20.0, 3.0),
        hold: pick(args.hold, common.quick, 2.0, 0.2),
    };
    let Shape { calls, senders, rate, seconds, hold } = shape;
    let sockets = 2 * (calls + senders);
    let limit = crate::open_files_limit();
    if sockets as u64 + 200 > limit {
        return Err(format!("{sockets} sockets need more open files than the {limit} this process may have: use fewer --calls or --senders"));
    }
    let load_before = load_average();
    let plan = Plan { needs: Needs { direct: calls + senders, ..Needs::default() }, ..Plan::default() };
    let without = match common.no_baseline {
        true => None,
        false => Some(session(Target::confab(common, &plan).await?, common, &shape, false).await?),
    };
    let with = session(Target::confab(common, &plan).await?, common, &shape, true).await?;

    let params = vec![
        param("calls", calls),
        param("message senders", senders),
        param("rate", format!("{rate} msg/s")),
        param("seconds", seconds),
        param("hold", format!("{hold} s")),
    ];
    let command = format!("confab-bench calls --calls {calls} --senders {senders} --rate {rate} --seconds {seconds} --hold {hold}");
    let mut r = report("calls", "Calls", load_before, params, command);
    r.columns = Some(("with calls".into(), "without calls".into()));

    let f = figures(&with.sides);
    r.metrics.extend(latency_metrics("call set-up, invite → both connected", &f.setup, None, None));
    let ms = |h: &Histogram<u64>, q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    r.metrics.push(Metric::new("invite → callee rings p50", ms(&f.ring, 0.5), "ms"));
    r.metrics.push(Metric::new("invite → callee rings p99", ms(&f.ring, 0.99), "ms"));
    // "never" unless every call connected.
    let span = f.span.filter(|_| f.connected == calls).map_or(f64::INFINITY, |us| us as f64 / 1e6);
    let all = Metric::new(&format!("all {calls} set-ups, first invite → last connected"), span, "s");
    r.metrics.push(if calls == TARGET_CALLS { all.target(Goal::AtMost(TARGET_SECONDS)) } else { all });
    r.metrics.push(Metric::new("calls set up (both connected)", f.connected as f64, "").target(Goal::AtLeast(calls as f64)));
    r.metrics.push(Metric::new("calls ended, both told `hung_up`", f.ended as f64, "").target(Goal::AtLeast(calls as f64)));
    r.metrics.push(Metric::new("failed calls", f.failed as f64, "").target(Goal::AtMost(0.0)));
    r.metrics.push(Metric::new("call frames per call, both sockets, both ways", f.frames as f64 / calls as f64, ""));
    if let Some(us) = f.span.filter(|us| *us > 0) {
        r.metrics.push(Metric::new("call frames through the server while setting up", f.frames_to_connect as f64 * 1e6 / us as f64, "/s"));
    }

    let (m, b) = (&with.messages, without.as_ref().map(|w| &w.messages));
    let p99 = Some(Goal::AtMost(MESSAGE_P99_MS));
    r.metrics.extend(latency_metrics("messages, send → receive", &m.tally.latency, b.map(|b| &b.tally.latency), p99));
    let both = |o: &Outcome| o.stored_per_sec.min(o.delivered_per_sec);
    r.metrics.push(Metric::new("messages stored and delivered", both(m), "msg/s").baseline(b.map(both)));
    let delivered = |o: &Outcome| 100.0 * o.delivered_ratio();
    r.metrics.push(Metric::new("messages delivered / expected", delivered(m), "%").baseline(b.map(delivered)).target(Goal::AtLeast(100.0)));
    let lost = |o: &Outcome| (o.tally.gaps + o.tally.duplicates + o.sent.saturating_sub(o.acked)) as f64;
    r.metrics.push(Metric::new("messages unacked + lost + duplicated", lost(m), "").baseline(b.map(lost)).target(Goal::AtMost(0.0)));
    if let Some(percent) = with.cpu_percent {
        let base = without.as_ref().and_then(|w| w.cpu_percent);
        r.metrics.push(Metric::new("server CPU over the message window", percent, "% of a core").baseline(base));
    }

    r.curves.push(curve("call set-up", &f.setup));
    r.curves.push(curve("messages with calls", &m.tally.latency));
    if let Some(b) = b {
        r.curves.push(curve("messages without calls", &b.tally.latency));
    }
    r.notes.push(format!(
        "A fresh server with {calls} direct chats for calls and {senders} for messages (every person one socket, \
         {sockets} in all) and {rate} msg/s for {seconds} s. A quarter of the way in, every caller sends \
         `call_invite` at the same moment; the callee answers its ring (`call_accept`); once told the call is active \
         the caller sends an offer of {} KB, {CANDIDATES} ICE candidates and `call_media`, and the callee answers in \
         kind on the offer. No media flows in the bench: a call counts as set up (\"connected\") when both sides hold \
         the other's description and all its candidates, which is what a browser needs before its ICE checks begin. \
         {hold} s after the last one connected, every caller hangs up. Beside it, unless --no-baseline, a second \
         fresh server with the same people, sockets and messages where nobody calls (the call sockets stay open and \
         idle). Message latency covers the whole window, set-ups and hang-ups included: each ended call is recorded \
         in its chat, through the writer that batches sends. A --hold longer than the rest of the window leaves the hang-ups after it, \
         and the set-ups alone in it.",
        SDP_BYTES / 1024
    ));
    if !f.refusals.is_empty() {
        let codes: Vec<String> = f.refusals.iter().map(|(code, n)| format!("{code} ×{n}")).collect();
        r.notes.push(format!("Error frames on the call sockets: {}.", codes.join(", ")));
    }
    if f.cut_off > 0 || m.tally.cut_off > 0 || m.errors > 0 {
        r.notes.push(format!(
            "{} call sockets and {} message sockets were closed by the server; {} error frames on the message sockets.",
            f.cut_off, m.tally.cut_off, m.errors
        ));
    }
    if with.calls_overran > 0.0 {
        r.notes.push(format!("The calls went on {:.1} s after the messages stopped: raise --seconds.", with.calls_overran));
    }
    r.load_after = load_average();
    Ok(r)
}

/// One server's run: the messages, and what each call socket saw.
struct Session {
    messages: Outcome,
    cpu_percent: Option<f64>,
    /// Caller, callee, caller, callee…: chat k's two sides at 2k and 2k + 1.
    sides: Vec<Side>,
    /// Seconds the calls went on after the message window closed.
    calls_overran: f64,
}

/// Connects every socket, sends messages at the shape's rate for its seconds and, if
/// `place_calls`, places the calls a quarter of the way in.
async fn session(mut target: Target, common: &Common, shape: &Shape, place_calls: bool) -> Result<Session, String> {
    let chats = target.fixture.direct.clone();
    if chats.len() < shape.calls + shape.senders {
        return Err(format!("bench-setup made {} direct chats, not {}", chats.len(), shape.calls + shape.senders));
    }
    let (calling, talking) = chats.split_at(shape.calls);
    let talkers: Vec<usize> = talking.iter().flat_map(|d| [d.a, d.b]).collect();
    let holding: Vec<(String, i64)> = talking.iter().flat_map(|d| [(d.chat_id.clone(), 0), (d.chat_id.clone(), 0)]).collect();
    let talk_sockets = connect(&target, common, &talkers, &holding).await?;
    let call_people: Vec<usize> = calling.iter().flat_map(|d| [d.a, d.b]).collect();
    let calls = Calls::start(connect(&target, common, &call_people, &[]).await?, calling);

    let period = Duration::from_secs_f64(shape.senders as f64 / shape.rate);
    let plans = (0..talking.len())
        .flat_map(|i| [Some(Sender { chat_id: talking[i].chat_id.clone(), period, offset: period.mul_f64(i as f64 / shape.senders as f64) }), None])
        .collect();
    let run = Run::start(talk_sockets, holding, plans, shape.seconds);
    tokio::time::sleep_until(run.start).await;
    let cpu_before = target.cpu_seconds();
    let window = std::time::Instant::now();
    let calls_at = run.start + Duration::from_secs_f64(shape.seconds / 4.0);
    let placing = async {
        match place_calls {
            true => calls.place(calls_at, Duration::from_secs_f64(shape.hold)).await,
            false => run.until,
        }
    };
    let ((), calls_over) = tokio::join!(run.wait_sending(), placing);
    run.drain(1).await;
    let cpu_percent = cpu_before.zip(target.cpu_seconds()).map(|(a, b)| 100.0 * (b - a) / window.elapsed().as_secs_f64());
    let calls_overran = calls_over.saturating_duration_since(run.until).as_secs_f64();
    let messages = run.finish(1).await;
    let sides = calls.finish().await;
    target.stop();
    Ok(Session { messages, cpu_percent, sides, calls_overran })
}

/// How far the calls have got, over every socket.
#[derive(Default)]
struct Progress {
    /// Sides holding the other's description and candidates.
    ready: AtomicU64,
    /// Sides that will not be: their call was refused, ended or cut off first.
    unready: AtomicU64,
    /// Sides told their call ended (or that will never hear of one).
    done: AtomicU64,
}

/// The call sockets at work: one task each, reading throughout, calling when told.
struct Calls {
    tasks: Vec<JoinHandle<Side>>,
    go: watch::Sender<bool>,
    hang_up: watch::Sender<bool>,
    stop: watch::Sender<bool>,
    progress: Arc<Progress>,
}

#[derive(Clone)]
struct Cues {
    go: watch::Receiver<bool>,
    hang_up: watch::Receiver<bool>,
    stop: watch::Receiver<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Caller,
    Callee,
}

/// What each side sends once connected: its description and candidates (callers' and
/// callees' differ only in kind).
struct Script {
    offer: String,
    answer: String,
}

impl Calls {
    /// Sockets 2k and 2k + 1 are the caller and the callee of `chats[k]`.
    fn start(sockets: Vec<Ws>, chats: &[DirectChat]) -> Self {
        let (go, hang_up, stop) = (watch::channel(false), watch::channel(false), watch::channel(false));
        let cues = Cues { go: go.1, hang_up: hang_up.1, stop: stop.1 };
        let progress = Arc::new(Progress::default());
        let script = Arc::new(Script { offer: session_description("offer"), answer: session_description("answer") });
        let tasks = sockets
            .into_iter()
            .enumerate()
            .map(|(i, ws)| {
                let role = if i % 2 == 0 { Role::Caller } else { Role::Callee };
                let chat_id = chats[i / 2].chat_id.clone();
                tokio::spawn(take_part(ws, role, chat_id, script.clone(), cues.clone(), progress.clone()))
            })
            .collect();
        Self { tasks, go: go.0, hang_up: hang_up.0, stop: stop.0, progress }
    }

    /// Every caller invites at `at`; once every call is connected (or given up on), they stay
    /// up for `hold` and the callers hang up. Returns when both sides of every call were told
    /// it ended, or the waits ran out.
    async fn place(&self, at: Instant, hold: Duration) -> Instant {
        let sides = self.tasks.len() as u64;
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let p = &self.progress;
        tokio::time::sleep_until(at).await;
        self.go.send_replace(true);
        let deadline = Instant::now() + SETUP_TIMEOUT;
        while load(&p.ready) + load(&p.unready) < sides && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        tokio::time::sleep(hold).await;
        self.hang_up.send_replace(true);
        let deadline = Instant::now() + END_TIMEOUT;
        while load(&p.done) < sides && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
        Instant::now()
    }

    async fn finish(self) -> Vec<Side> {
        self.stop.send_replace(true);
        let mut sides = Vec::with_capacity(self.tasks.len());
        for task in self.tasks {
            sides.push(task.await.unwrap_or_else(|e| Side { refused: Some(e.to_string()), ..Side::default() }));
        }
        sides
    }
}

/// One side of one call, as it went; times are `micros_now()`.
#[derive(Debug, Default)]
struct Side {
    /// The caller's invite sent.
    invited_at: Option<u64>,
    /// The callee's ring in.
    rung_at: Option<u64>,
    /// The other's description and all its candidates in.
    ready_at: Option<u64>,
    /// Call frames this socket sent and received: in all, and by the time it was ready.
    frames: u64,
    frames_when_ready: u64,
    ended: Option<CallEnd>,
    /// The first `error` frame's code (or why the task failed).
    refused: Option<String>,
    cut_off: bool,
}

/// Where this side's call stands, beyond what `Side` reports.
#[derive(Default)]
struct Attempt {
    call_id: Option<String>,
    answered: bool,
    signalled: bool,
    described: bool,
    candidates: usize,
    hung_up: bool,
    /// Counted in `Progress::unready` or `ready` already.
    settled: bool,
}

enum Step {
    Invite,
    HangUp,
    Frame(Result<Option<Event>, String>),
}

async fn fired(cue: &mut watch::Receiver<bool>) -> bool {
    cue.wait_for(|on| *on).await.is_ok()
}

/// One socket until `stop`: the caller invites on `go` and hangs up on `hang_up`; the callee
/// answers its ring; each sends its description, candidates and media state once connected
/// (the caller when told the call is active, the callee on the offer).
async fn take_part(mut ws: Ws, role: Role, chat_id: String, script: Arc<Script>, mut cues: Cues, progress: Arc<Progress>) -> Side {
    let mut side = Side::default();
    let mut call = Attempt::default();
    loop {
        let may_invite = role == Role::Caller && side.invited_at.is_none();
        let may_hang_up = role == Role::Caller && call.call_id.is_some() && !call.hung_up && side.ended.is_none();
        let step = tokio::select! {
            _ = fired(&mut cues.stop) => return side,
            true = fired(&mut cues.go), if may_invite => Step::Invite,
            true = fired(&mut cues.hang_up), if may_hang_up => Step::HangUp,
            event = next_event(&mut ws) => Step::Frame(event),
        };
        let outcome = match step {
            Step::Invite => {
                side.invited_at = Some(micros_now());
                side.frames += 1;
                send(&mut ws, &ClientFrame::CallInvite { chat_id: chat_id.clone(), video: true }).await
            }
            Step::HangUp => {
                call.hung_up = true;
                side.frames += 1;
                let call_id = call.call_id.clone().unwrap_or_default();
                send(&mut ws, &ClientFrame::CallHangup { call_id }).await
            }
            Step::Frame(Ok(Some(event))) => on_event(event, role, &mut ws, &mut side, &mut call, &script, &progress).await,
            Step::Frame(Ok(None)) => Err("closed".into()),
            Step::Frame(Err(e)) => Err(e),
        };
        if outcome.is_err() {
            side.cut_off = true;
            if !call.settled {
                progress.unready.fetch_add(1, Ordering::Relaxed);
            }
            if side.ended.is_none() {
                progress.done.fetch_add(1, Ordering::Relaxed);
            }
            return side;
        }
    }
}

/// A frame in: the next move of this side's call, if it is one.
async fn on_event(event: Event, role: Role, ws: &mut Ws, side: &mut Side, call: &mut Attempt, script: &Script, progress: &Progress) -> Result<(), String> {
    let count = |side: &mut Side| side.frames += 1;
    match event {
        Event::Call { call: view } => {
            count(side);
            let call_id = call.call_id.get_or_insert(view.id).clone();
            match (role, view.state) {
                (Role::Callee, CallState::Ringing) if !call.answered => {
                    side.rung_at = Some(micros_now());
                    call.answered = true;
                    side.frames += 1;
                    send(ws, &ClientFrame::CallAccept { call_id, video: true }).await?;
                }
                (Role::Caller, CallState::Active) if !call.signalled => {
                    call.signalled = true;
                    side.frames += signal(ws, &call_id, CallSignal::Offer { sdp: script.offer.clone() }).await?;
                }
                _ => {}
            }
        }
        Event::CallSignal { call_id, signal: received } => {
            count(side);
            match (role, received) {
                (Role::Callee, CallSignal::Offer { .. }) => {
                    call.described = true;
                    if !call.signalled {
                        call.signalled = true;
                        side.frames += signal(ws, &call_id, CallSignal::Answer { sdp: script.answer.clone() }).await?;
                    }
                }
                (Role::Caller, CallSignal::Answer { .. }) => call.described = true,
                (_, CallSignal::Candidate { .. }) => call.candidates += 1,
                _ => {}
            }
            if call.described && call.candidates >= CANDIDATES && !call.settled {
                call.settled = true;
                side.ready_at = Some(micros_now());
                side.frames_when_ready = side.frames;
                progress.ready.fetch_add(1, Ordering::Relaxed);
            }
        }
        Event::CallMedia => count(side),
        Event::CallEnded { reason, .. } => {
            count(side);
            if side.ended.is_none() {
                side.ended = Some(reason);
                progress.done.fetch_add(1, Ordering::Relaxed);
            }
            if !call.settled {
                call.settled = true;
                progress.unready.fetch_add(1, Ordering::Relaxed);
            }
        }
        Event::Error { code, .. } => {
            side.refused.get_or_insert(code);
            // An invite refused: no call, so neither side will hear more of it.
            if role == Role::Caller && call.call_id.is_none() && !call.settled {
                call.settled = true;
                progress.unready.fetch_add(2, Ordering::Relaxed);
                progress.done.fetch_add(2, Ordering::Relaxed);
            }
        }
        _ => {}
    }
    Ok(())
}

/// This side's description, its candidates and its media state: the frames sent.
async fn signal(ws: &mut Ws, call_id: &str, description: CallSignal) -> Result<u64, String> {
    let call_id = call_id.to_owned();
    send(ws, &ClientFrame::CallSignal { call_id: call_id.clone(), signal: description }).await?;
    for k in 0..CANDIDATES {
        let candidate = CallSignal::Candidate {
            candidate: format!("candidate:{k} 1 udp {} 127.0.0.1 {} typ host generation 0 network-id 1", 2_122_260_223 - k, 50_000 + k),
            sdp_mid: Some("0".into()),
            sdp_m_line_index: Some(0),
        };
        send(ws, &ClientFrame::CallSignal { call_id: call_id.clone(), signal: candidate }).await?;
    }
    send(ws, &ClientFrame::CallMedia { call_id, muted: false, camera: true }).await?;
    Ok(2 + CANDIDATES as u64)
}

/// A session description of about `SDP_BYTES`, shaped like a browser's (the server relays it
/// unread).
fn session_description(kind: &str) -> String {
    let mut sdp = String::from("v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0 1\r\n");
    let mut n = 0;
    while sdp.len() < SDP_BYTES {
        sdp.push_str(&format!("a=ssrc:{} cname:bench-{kind}-{n}\r\n", 1_000_000 + n));
        n += 1;
    }
    sdp
}

/// The calls of a run, added up.
struct Figures {
    /// Invite sent → both sides connected, µs, per call set up.
    setup: Histogram<u64>,
    /// Invite sent → the callee's ring in, µs.
    ring: Histogram<u64>,
    connected: usize,
    /// Calls whose both sides were told they ended by the hang-up.
    ended: usize,
    /// Calls not connected, or not ended by the hang-up.
    failed: usize,
    /// First invite → last call connected, µs (none if no call connected).
    span: Option<u64>,
    frames: u64,
    frames_to_connect: u64,
    refusals: BTreeMap<String, usize>,
    cut_off: usize,
}

/// `sides`: caller, callee, caller, callee…
fn figures(sides: &[Side]) -> Figures {
    let mut f = Figures {
        setup: histogram(),
        ring: histogram(),
        connected: 0,
        ended: 0,
        failed: 0,
        span: None,
        frames: 0,
        frames_to_connect: 0,
        refusals: BTreeMap::new(),
        cut_off: 0,
    };
    let (mut first, mut last) = (u64::MAX, None);
    for pair in sides.chunks(2) {
        let [caller, callee] = pair else { continue };
        for side in pair {
            f.frames += side.frames;
            f.frames_to_connect += side.frames_when_ready;
            f.cut_off += usize::from(side.cut_off);
            if let Some(code) = &side.refused {
                *f.refusals.entry(code.clone()).or_default() += 1;
            }
        }
        let Some(invited) = caller.invited_at else {
            f.failed += 1;
            continue;
        };
        first = first.min(invited);
        if let Some(rung) = callee.rung_at {
            let _ = f.ring.record(rung.saturating_sub(invited).max(1));
        }
        let connected = caller.ready_at.zip(callee.ready_at).map(|(a, b)| a.max(b));
        if let Some(at) = connected {
            f.connected += 1;
            let _ = f.setup.record(at.saturating_sub(invited).max(1));
            last = last.max(Some(at));
        }
        let hung_up = caller.ended == Some(CallEnd::HungUp) && callee.ended == Some(CallEnd::HungUp);
        f.ended += usize::from(hung_up);
        f.failed += usize::from(connected.is_none() || !hung_up);
    }
    f.span = last.map(|last| last.saturating_sub(first));
    f
}

#[cfg(test)]
mod tests {
    use super::{CallEnd, Side, figures};

    fn side(invited: Option<u64>, rung: Option<u64>, ready: Option<u64>, ended: Option<CallEnd>) -> Side {
        Side { invited_at: invited, rung_at: rung, ready_at: ready, frames: 9, frames_when_ready: 7, ended, ..Side::default() }
    }

    #[test]
    fn a_call_is_set_up_when_its_later_side_is_ready_and_the_span_runs_from_the_first_invite() {
        let hung_up = Some(CallEnd::HungUp);
        let sides = [
            side(Some(10), None, Some(40), hung_up),
            side(None, Some(15), Some(35), hung_up),
            side(Some(12), None, Some(50), hung_up),
            side(None, Some(20), Some(90), hung_up),
        ];
        let f = figures(&sides);
        assert_eq!((f.connected, f.ended, f.failed), (2, 2, 0));
        assert_eq!(f.setup.min(), 30, "the first call: its caller was ready last");
        assert_eq!(f.setup.max(), 78, "the second: its callee was");
        assert_eq!(f.span, Some(80), "first invite (10) → last connected (90)");
        assert_eq!(f.ring.max(), 8);
        assert_eq!((f.frames, f.frames_to_connect), (36, 28));
    }

    #[test]
    fn a_refused_invite_an_unready_side_or_an_end_other_than_the_hang_up_is_a_failed_call() {
        let refused = Side { invited_at: Some(10), refused: Some("busy".into()), ..Side::default() };
        let sides = [
            refused,
            Side::default(),
            side(Some(10), None, Some(50), Some(CallEnd::HungUp)),
            side(None, Some(20), None, Some(CallEnd::HungUp)),
            side(Some(10), None, Some(50), Some(CallEnd::ConnectionLost)),
            side(None, Some(20), Some(40), Some(CallEnd::ConnectionLost)),
        ];
        let f = figures(&sides);
        assert_eq!((f.connected, f.ended, f.failed), (1, 1, 3));
        assert_eq!(f.refusals.get("busy"), Some(&1));
    }
}

//! Many small groups, the everyday shape of a chat service: N groups of M members (nobody in
//! two), every member online, S senders spread over the groups at a fixed total rate, each
//! message going to the other M − 1 members. Per rate: send → receive latency, deliveries per
//! second, and the server's CPU time per delivery over the measured window.
use std::time::Duration;

use super::{connect, param, pick, report};
use crate::{
    Common,
    fixture::Needs,
    report::{Goal, Metric, Report, curve, latency_metrics, load_average},
    target::{Plan, Target},
    traffic::{Outcome, Run, Sender},
};

#[derive(clap::Args, Debug, Clone, Default)]
pub struct Args {
    /// Groups [default: 100; --quick: 4]
    #[arg(long)]
    pub groups: Option<usize>,
    /// Members per group, each with one socket [default: 10; --quick: 5]
    #[arg(long)]
    pub size: Option<usize>,
    /// Sending members, spread over the groups (as many as groups: one each) [default: one per group]
    #[arg(long)]
    pub senders: Option<usize>,
    /// Total messages per second, one run each [default: 1000,2000,4000; --quick: 100]
    #[arg(long, value_delimiter = ',')]
    pub rates: Vec<f64>,
    /// Seconds of sending per run [default: 30; --quick: 2]
    #[arg(long)]
    pub seconds: Option<f64>,
}

/// The targets: p99 at 1,000 and 2,000 messages a second, and CPU per delivery at 2,000.
const P99_TARGETS: [(f64, f64); 2] = [(1_000.0, 3.0), (2_000.0, 5.0)];
const CPU_RATE: f64 = 2_000.0;
const CPU_TARGET_MICROS: f64 = 25.0;

/// A run's outcome and the server CPU time its measured window cost.
struct Measured {
    outcome: Outcome,
    cpu_seconds: Option<f64>,
    window_seconds: f64,
}

impl Measured {
    fn cpu_micros_per_delivery(&self) -> Option<f64> {
        self.cpu_seconds.filter(|_| self.outcome.delivered > 0).map(|s| s * 1e6 / self.outcome.delivered as f64)
    }

    /// Share of one core the server used over the window.
    fn cpu_percent(&self) -> Option<f64> {
        self.cpu_seconds.filter(|_| self.window_seconds > 0.0).map(|s| 100.0 * s / self.window_seconds)
    }
}

pub async fn run(common: &Common, args: &Args) -> Result<Report, String> {
    let groups = pick(args.groups, common.quick, 100, 4).max(1);
    let size = pick(args.size, common.quick, 10, 5).max(2);
    let senders = args.senders.unwrap_or(groups).clamp(1, groups * size);
    let rates = match (args.rates.is_empty(), common.quick) {
        (false, _) => args.rates.clone(),
        (true, false) => vec![1_000.0, 2_000.0, 4_000.0],
        (true, true) => vec![100.0],
    };
    let seconds = pick(args.seconds, common.quick, 30.0, 2.0);
    let load_before = load_average();
    let needs = Needs { groups, group_size: size, ..Needs::default() };

    let rates_text = rates.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(",");
    let params = vec![
        param("groups", groups),
        param("size", size),
        param("senders", senders),
        param("rates", format!("{rates_text} msg/s")),
        param("seconds", seconds),
    ];
    let command = format!("confab-bench groups --groups {groups} --size {size} --senders {senders} --rates {rates_text} --seconds {seconds}");
    let mut r = report("groups", "Many small groups", load_before, params, command);
    for &rate in &rates {
        let confab = chatter(Target::confab(common, &Plan { needs, ..Plan::default() }).await?, common, senders, rate, seconds).await?;
        let baseline = match common.no_baseline {
            true => None,
            false => Some(chatter(Target::baseline(needs).await?, common, senders, rate, seconds).await?),
        };
        let b = baseline.as_ref();
        let (c, bo) = (&confab.outcome, b.map(|b| &b.outcome));
        let at = format!("@ {rate} msg/s");
        let p99 = P99_TARGETS.iter().find(|(r, _)| *r == rate).map(|(_, ms)| Goal::AtMost(*ms));
        r.metrics.extend(latency_metrics(&format!("send → receive {at}"), &c.tally.latency, bo.map(|b| &b.tally.latency), p99));
        r.metrics.push(Metric::new(&format!("deliveries {at}"), c.delivered_per_sec, "/s").baseline(bo.map(|b| b.delivered_per_sec)));
        // Only when this tool started the server (not with --url) is its CPU time known.
        if let Some(micros) = confab.cpu_micros_per_delivery() {
            let mut cpu = Metric::new(&format!("server CPU per delivery {at}"), micros, "µs").baseline(b.and_then(Measured::cpu_micros_per_delivery));
            if rate == CPU_RATE {
                cpu = cpu.target(Goal::AtMost(CPU_TARGET_MICROS));
            }
            r.metrics.push(cpu);
            let per_thousand = |m: &Measured| m.cpu_micros_per_delivery().map(|us| us / 1_000.0);
            r.metrics.push(Metric::new(&format!("server CPU s per 1,000 deliveries {at}"), micros / 1_000.0, "s").baseline(b.and_then(per_thousand)));
        }
        if let Some(percent) = confab.cpu_percent() {
            r.metrics.push(Metric::new(&format!("server CPU {at}"), percent, "% of a core").baseline(b.and_then(Measured::cpu_percent)));
        }
        let acked = |o: &Outcome| 100.0 * o.acked as f64 / o.sent.max(1) as f64;
        r.metrics.push(Metric::new(&format!("acked / sent {at}"), acked(c), "%").baseline(bo.map(acked)).target(Goal::AtLeast(100.0)));
        r.metrics.push(
            Metric::new(&format!("delivered / expected {at}"), 100.0 * c.delivered_ratio(), "%")
                .baseline(bo.map(|b| 100.0 * b.delivered_ratio()))
                .target(Goal::AtLeast(100.0)),
        );
        r.metrics.push(Metric::new(&format!("lost + duplicated {at}"), (c.tally.gaps + c.tally.duplicates) as f64, "").target(Goal::AtMost(0.0)));
        r.curves.push(curve(&format!("Confab {rate} msg/s"), &c.tally.latency));
        if let Some(b) = bo {
            r.curves.push(curve(&format!("baseline {rate} msg/s"), &b.tally.latency));
        }
        if c.errors > 0 || c.tally.cut_off > 0 || c.acked < c.sent {
            r.notes.push(format!("{at}: {} sent, {} acked, {} error frames, {} sockets cut off by the server.", c.sent, c.acked, c.errors, c.tally.cut_off));
        }
    }
    r.notes.push(
        "Server CPU: user + system time of the server process (from /proc) between the first send and the last delivery, \
         divided by the deliveries (messages received by members other than the sender)."
            .into(),
    );
    r.load_after = load_average();
    Ok(r)
}

/// Every member of every group online; `senders` of them, spread over the groups (sender k in
/// group k mod N), send at `rate` messages a second in total.
async fn chatter(mut target: Target, common: &Common, senders: usize, rate: f64, seconds: f64) -> Result<Measured, String> {
    let groups = target.fixture.groups.clone();
    let size = groups.first().ok_or("bench-setup made no groups")?.members.len();
    let users: Vec<usize> = groups.iter().flat_map(|g| g.members.iter().copied()).collect();
    let holding: Vec<(String, i64)> = groups.iter().flat_map(|g| g.members.iter().map(|_| (g.chat_id.clone(), g.last_seq))).collect();
    let sockets = connect(&target, common, &users, &holding).await?;
    let period = Duration::from_secs_f64(senders as f64 / rate);
    // Socket g·size + j is member j of group g; sender k is member k / N of group k mod N.
    let mut plans = vec![None; users.len()];
    for k in 0..senders {
        let (g, j) = (k % groups.len(), k / groups.len());
        plans[g * size + j] = Some(Sender { chat_id: groups[g].chat_id.clone(), period, offset: period.mul_f64(k as f64 / senders as f64) });
    }
    let run = Run::start(sockets, holding, plans, seconds);
    tokio::time::sleep_until(run.start).await;
    let cpu_before = target.cpu_seconds();
    let started = std::time::Instant::now();
    run.wait_sending().await;
    let others = size as u64 - 1;
    run.drain(others).await;
    let cpu_after = target.cpu_seconds();
    let window_seconds = started.elapsed().as_secs_f64();
    let outcome = run.finish(others).await;
    target.stop();
    let cpu_seconds = cpu_before.zip(cpu_after).map(|(a, b)| b - a);
    Ok(Measured { outcome, cpu_seconds, window_seconds })
}

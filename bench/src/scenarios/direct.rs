//! Direct messages: S senders, each in its own direct chat, at a fixed total rate for T seconds.
//! Send → receive latency at the other member, messages stored (acked) and delivered per
//! second, and delivered / expected.
use std::time::Duration;

use hdrhistogram::Histogram;

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
    /// Sending sockets, one per direct chat (the other member receives) [default: 1000; --quick: 10]
    #[arg(long)]
    pub senders: Option<usize>,
    /// Total messages per second, one run each [default: 5000,20000; --quick: 200]
    #[arg(long, value_delimiter = ',')]
    pub rates: Vec<f64>,
    /// Seconds of sending per run [default: 60; --quick: 2]
    #[arg(long)]
    pub seconds: Option<f64>,
}

/// The rate whose latency has a target, and the one whose throughput has.
const LATENCY_RATE: f64 = 5_000.0;
const THROUGHPUT_RATE: f64 = 20_000.0;

pub async fn run(common: &Common, args: &Args) -> Result<Report, String> {
    let senders = pick(args.senders, common.quick, 1_000, 10);
    let rates = match (args.rates.is_empty(), common.quick) {
        (false, _) => args.rates.clone(),
        (true, false) => vec![LATENCY_RATE, THROUGHPUT_RATE],
        (true, true) => vec![200.0],
    };
    let seconds = pick(args.seconds, common.quick, 60.0, 2.0);
    let load_before = load_average();
    let needs = Needs { direct: senders, ..Needs::default() };

    let rates_text = rates.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(",");
    let params = vec![param("senders", senders), param("rates", format!("{rates_text} msg/s")), param("seconds", seconds)];
    let command = format!("confab-bench direct --senders {senders} --rates {rates_text} --seconds {seconds}");
    let mut r = report("direct", "Direct messages", load_before, params, command);
    for &rate in &rates {
        let confab = exchange(Target::confab(common, &Plan { needs, ..Plan::default() }).await?, common, senders, rate, seconds).await?;
        let baseline = match common.no_baseline {
            true => None,
            false => Some(exchange(Target::baseline(needs).await?, common, senders, rate, seconds).await?),
        };
        let b = baseline.as_ref();
        let at = format!("@ {rate} msg/s");
        let throughput = (rate >= THROUGHPUT_RATE).then_some(Goal::AtLeast(THROUGHPUT_RATE));
        let mut stored = Metric::new(&format!("stored {at}"), confab.stored_per_sec, "msg/s").baseline(b.map(|b| b.stored_per_sec));
        let mut delivered = Metric::new(&format!("delivered {at}"), confab.delivered_per_sec, "msg/s").baseline(b.map(|b| b.delivered_per_sec));
        if let Some(goal) = throughput {
            stored = stored.target(goal);
            delivered = delivered.target(goal);
        }
        r.metrics.push(stored);
        r.metrics.push(delivered);
        let acked = |o: &Outcome| 100.0 * o.acked as f64 / o.sent.max(1) as f64;
        r.metrics.push(Metric::new(&format!("acked / sent {at}"), acked(&confab), "%").baseline(b.map(acked)).target(Goal::AtLeast(100.0)));
        r.metrics.push(
            Metric::new(&format!("delivered / expected {at}"), 100.0 * confab.delivered_ratio(), "%")
                .baseline(b.map(|b| 100.0 * b.delivered_ratio()))
                .target(Goal::AtLeast(100.0)),
        );
        r.metrics.push(Metric::new(&format!("lost + duplicated {at}"), (confab.tally.gaps + confab.tally.duplicates) as f64, "").target(Goal::AtMost(0.0)));
        let p99 = (rate == LATENCY_RATE).then_some(Goal::AtMost(25.0));
        let base_latency: Option<&Histogram<u64>> = b.map(|b| &b.tally.latency);
        r.metrics.extend(latency_metrics(&format!("send → receive {at}"), &confab.tally.latency, base_latency, p99));
        r.curves.push(curve(&format!("Confab {rate} msg/s"), &confab.tally.latency));
        if let Some(b) = b {
            r.curves.push(curve(&format!("baseline {rate} msg/s"), &b.tally.latency));
        }
        if confab.errors > 0 || confab.tally.cut_off > 0 || confab.acked < confab.sent {
            r.notes.push(format!(
                "{at}: {} sent, {} acked, {} error frames, {} sockets cut off by the server.",
                confab.sent, confab.acked, confab.errors, confab.tally.cut_off
            ));
        }
    }
    r.load_after = load_average();
    Ok(r)
}

/// Pairs (a sends, b receives) over fresh sockets at `rate` messages per second in total.
pub(super) async fn exchange(mut target: Target, common: &Common, senders: usize, rate: f64, seconds: f64) -> Result<Outcome, String> {
    let chats = target.fixture.direct.clone();
    let users: Vec<usize> = chats.iter().flat_map(|d| [d.a, d.b]).collect();
    let socket_chats: Vec<(String, i64)> = chats.iter().flat_map(|d| [(d.chat_id.clone(), 0), (d.chat_id.clone(), 0)]).collect();
    let sockets = connect(&target, common, &users, &socket_chats).await?;
    let period = Duration::from_secs_f64(senders as f64 / rate);
    let mut plans = Vec::with_capacity(users.len());
    for (i, d) in chats.iter().enumerate() {
        let offset = period.mul_f64(i as f64 / senders as f64);
        plans.extend([Some(Sender { chat_id: d.chat_id.clone(), period, offset }), None]);
    }
    let run = Run::start(sockets, socket_chats, plans, seconds);
    run.wait_sending().await;
    let outcome = run.finish(1).await;
    target.stop();
    Ok(outcome)
}

//! Group fan-out: one group of M members, all online; a few of them send at a fixed total
//! rate, and every message goes to every member. Deliveries per second and latency.
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
    /// Members, each with one socket [default: 1000; --quick: 20]
    #[arg(long)]
    pub members: Option<usize>,
    /// Members who send [default: 10; --quick: 2]
    #[arg(long)]
    pub senders: Option<usize>,
    /// Messages per second in total [default: 260, which offers 999 × 260 ≈ 260,000 deliveries a second, just over the target; --quick: 20]
    #[arg(long)]
    pub rate: Option<f64>,
    /// Seconds of sending [default: 30; --quick: 2]
    #[arg(long)]
    pub seconds: Option<f64>,
}

pub async fn run(common: &Common, args: &Args) -> Result<Report, String> {
    let members = pick(args.members, common.quick, 1_000, 20);
    let senders = pick(args.senders, common.quick, 10, 2).clamp(1, members);
    let rate = pick(args.rate, common.quick, 260.0, 20.0);
    let seconds = pick(args.seconds, common.quick, 30.0, 2.0);
    let load_before = load_average();
    let needs = Needs { group: members, ..Needs::default() };
    let confab = fan_out(Target::confab(common, &Plan { needs, ..Plan::default() }).await?, common, senders, rate, seconds).await?;
    let baseline = match common.no_baseline {
        true => None,
        false => Some(fan_out(Target::baseline(needs).await?, common, senders, rate, seconds).await?),
    };
    let b = baseline.as_ref();

    let params = vec![param("members", members), param("senders", senders), param("rate", format!("{rate} msg/s")), param("seconds", seconds)];
    let command = format!("confab-bench group --members {members} --senders {senders} --rate {rate} --seconds {seconds}");
    let mut r = report("group", "Group fan-out", load_before, params, command);
    r.metrics.push(
        Metric::new("deliveries", confab.delivered_per_sec, "/s").baseline(b.map(|b| b.delivered_per_sec)).target(Goal::AtLeast(250_000.0)),
    );
    r.metrics.push(Metric::new("messages stored", confab.stored_per_sec, "msg/s").baseline(b.map(|b| b.stored_per_sec)));
    let acked = |o: &Outcome| 100.0 * o.acked as f64 / o.sent.max(1) as f64;
    r.metrics.push(Metric::new("acked / sent", acked(&confab), "%").baseline(b.map(acked)).target(Goal::AtLeast(100.0)));
    r.metrics.push(
        Metric::new("delivered / expected", 100.0 * confab.delivered_ratio(), "%").baseline(b.map(|b| 100.0 * b.delivered_ratio())).target(Goal::AtLeast(100.0)),
    );
    r.metrics.push(Metric::new("lost + duplicated", (confab.tally.gaps + confab.tally.duplicates) as f64, "").target(Goal::AtMost(0.0)));
    r.metrics.extend(latency_metrics("send → receive", &confab.tally.latency, b.map(|b| &b.tally.latency), Some(Goal::AtMost(100.0))));
    r.curves.push(curve("Confab", &confab.tally.latency));
    if let Some(b) = b {
        r.curves.push(curve("baseline", &b.tally.latency));
    }
    if confab.errors > 0 || confab.tally.cut_off > 0 {
        r.notes.push(format!("{} error frames, {} sockets cut off by the server.", confab.errors, confab.tally.cut_off));
    }
    Ok(r)
}

pub(super) async fn fan_out(mut target: Target, common: &Common, senders: usize, rate: f64, seconds: f64) -> Result<Outcome, String> {
    let group = target.fixture.group.clone().ok_or("bench-setup made no group")?;
    let users: Vec<usize> = (0..group.members).collect();
    let holding = vec![(group.chat_id.clone(), group.last_seq); users.len()];
    let sockets = connect(&target, common, &users, &holding).await?;
    let period = Duration::from_secs_f64(senders as f64 / rate);
    let plans = users
        .iter()
        .map(|&i| (i < senders).then(|| Sender { chat_id: group.chat_id.clone(), period, offset: period.mul_f64(i as f64 / senders as f64) }))
        .collect();
    let run = Run::start(sockets, holding, plans, seconds);
    run.wait_sending().await;
    let outcome = run.finish(group.members as u64 - 1).await;
    target.stop();
    Ok(outcome)
}

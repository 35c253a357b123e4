//! Idle connections: N authenticated sockets said `hello` and stay open; the server's memory
//! per socket.
use std::time::{Duration, Instant};

use super::{connect, param, pick, report};
use crate::{
    Common,
    fixture::Needs,
    report::{Goal, Metric, Report, load_average},
    target::{Plan, Target},
    traffic::Run,
};

#[derive(clap::Args, Debug, Clone, Default)]
pub struct Args {
    /// Sockets to open and hold [default: 50000; --quick: 50]
    #[arg(long)]
    pub connections: Option<usize>,
    /// Seconds to hold them once all are open [default: 10; --quick: 1]
    #[arg(long)]
    pub hold: Option<f64>,
}

struct Held {
    connect_secs: f64,
    /// Server memory before the first socket and with all of them open.
    rss: Option<(u64, u64)>,
    held: u64,
}

pub async fn run(common: &Common, args: &Args) -> Result<Report, String> {
    let wanted = pick(args.connections, common.quick, 50_000, 50);
    // Both ends hold one file per socket; where the limit is lower than the default, the
    // default gives way (an explicit --connections does not, and fails with the reason).
    let limit = crate::open_files_limit();
    let capped = args.connections.is_none() && wanted as u64 + 500 > limit;
    let n = if capped { limit.saturating_sub(500) as usize } else { wanted };
    let hold = pick(args.hold, common.quick, 10.0, 1.0);
    let load_before = load_average();
    let needs = Needs { users: n, ..Needs::default() };
    let confab = hold_open(Target::confab(common, &Plan { needs, ..Plan::default() }).await?, common, n, hold).await?;
    let baseline = match common.no_baseline {
        true => None,
        false => Some(hold_open(Target::baseline(needs).await?, common, n, hold).await?),
    };

    let params = vec![param("connections", n), param("hold", format!("{hold} s")), param("source addresses", common.sources)];
    let command = format!("confab-bench idle --connections {n} --hold {hold}");
    let mut r = report("idle", "Idle connections", load_before, params, command);
    if capped {
        r.notes.push(format!(
            "{n} sockets, not {wanted}: a process may have at most {limit} open files here (the hard limit, \
             which only CAP_SYS_RESOURCE can raise), and the server is one process."
        ));
    }
    let b = baseline.as_ref();
    r.metrics.push(Metric::new("sockets held", confab.held as f64, "").baseline(b.map(|b| b.held as f64)).target(Goal::AtLeast(50_000.0)));
    let mib = |h: &Held| h.rss.map(|(_, after)| after as f64 / 1024.0 / 1024.0);
    let per_socket = |h: &Held| h.rss.map(|(before, after)| after.saturating_sub(before) as f64 / 1024.0 / n as f64);
    if let Some(total) = mib(&confab) {
        r.metrics.push(Metric::new("server RSS, all open", total, "MiB").baseline(b.and_then(mib)).target(Goal::AtMost(1024.0)));
        r.metrics.push(Metric::new("server RSS per socket", per_socket(&confab).unwrap_or(0.0), "KiB").baseline(b.and_then(per_socket)));
    } else {
        r.notes.push("The server was not started by the tool (--url), so its memory was not measured.".into());
    }
    let rate = |h: &Held| n as f64 / h.connect_secs.max(1e-9);
    r.metrics.push(Metric::new("connect + hello rate", rate(&confab), "sockets/s").baseline(b.map(rate)));
    Ok(r)
}

async fn hold_open(mut target: Target, common: &Common, n: usize, hold: f64) -> Result<Held, String> {
    let users: Vec<usize> = (0..n).collect();
    let before = target.rss_bytes();
    let timer = Instant::now();
    let sockets = connect(&target, common, &users, &[]).await?;
    let connect_secs = timer.elapsed().as_secs_f64();
    // Every socket reads (answering pings) while held, as a real client would.
    let run = Run::start(sockets, vec![(String::new(), 0); n], vec![None; n], hold);
    tokio::time::sleep(Duration::from_secs(1)).await;
    let after = target.rss_bytes();
    run.wait_sending().await;
    let outcome = run.finish(0).await;
    target.stop();
    Ok(Held { connect_secs, rss: before.zip(after), held: n as u64 - outcome.tally.cut_off })
}

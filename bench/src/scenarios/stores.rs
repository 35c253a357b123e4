//! The two stores side by side: the same direct-message, group fan-out and page runs on a
//! server with PostgreSQL (a fresh database on the machine's server, dropped after) and on one
//! with SQLite, in one run, with PostgreSQL / SQLite for each figure.
use hdrhistogram::Histogram;

use super::{direct, group, pages, param, pick, report};
use crate::{
    Common,
    fixture::Needs,
    report::{Goal, Metric, Report, curve, load_average},
    target::{Database, Plan, Target},
    traffic::Outcome,
};

#[derive(clap::Args, Debug, Clone, Default)]
pub struct Args {
    /// Direct chats, one sending socket each [default: 1000; --quick: 10]
    #[arg(long)]
    pub senders: Option<usize>,
    /// Direct messages per second in total, one run per store each [default: 5000,20000; --quick: 200]
    #[arg(long, value_delimiter = ',')]
    pub rates: Vec<f64>,
    /// Seconds of sending per direct run [default: 30; --quick: 2]
    #[arg(long)]
    pub seconds: Option<f64>,
    /// Group members for the fan-out run [default: 1000; --quick: 20]
    #[arg(long)]
    pub members: Option<usize>,
    /// Messages `confab seed` stores before the page runs [default: 100000; --quick: 2000]
    #[arg(long)]
    pub messages: Option<usize>,
}

/// The direct rate the targets are set at: PostgreSQL keeps ≥ 80 % of SQLite's
/// stored-and-delivered rate there, with p99 ≤ 50 ms.
const TARGET_RATE: f64 = 5_000.0;
/// Group fan-out: the group scenario's offered load (10 senders, 260 msg/s).
const GROUP_SENDERS: usize = 10;
const GROUP_RATE: f64 = 260.0;
/// Page requests: one at a time for the query's own time, then 32 at once for throughput.
const PAGE_SECONDS: f64 = 10.0;

pub async fn run(common: &Common, args: &Args) -> Result<Report, String> {
    let senders = pick(args.senders, common.quick, 1_000, 10);
    let rates = match (args.rates.is_empty(), common.quick) {
        (false, _) => args.rates.clone(),
        (true, false) => vec![TARGET_RATE, 20_000.0],
        (true, true) => vec![200.0],
    };
    let seconds = pick(args.seconds, common.quick, 30.0, 2.0);
    let members = pick(args.members, common.quick, 1_000, 20);
    let messages = pick(args.messages, common.quick, 100_000, 2_000);
    let page_seconds = if common.quick { 1.0 } else { PAGE_SECONDS };
    let load_before = load_average();

    let rates_text = rates.iter().map(|r| r.to_string()).collect::<Vec<_>>().join(",");
    let params = vec![
        param("direct senders", senders),
        param("rates", format!("{rates_text} msg/s")),
        param("seconds", seconds),
        param("group members", members),
        param("messages seeded", messages),
    ];
    let command = format!("confab-bench stores --senders {senders} --rates {rates_text} --seconds {seconds} --members {members} --messages {messages}");
    let mut r = report("stores", "PostgreSQL beside SQLite", load_before, params, command);
    r.columns = Some(("PostgreSQL".into(), "SQLite".into()));

    for &rate in &rates {
        let needs = Needs { direct: senders, ..Needs::default() };
        let [pg, lite] = on_both(common, needs, None, async |target| direct::exchange(target, common, senders, rate, seconds).await).await?;
        let at = format!("@ {rate} msg/s");
        let both = |o: &Outcome| o.stored_per_sec.min(o.delivered_per_sec);
        r.metrics.push(Metric::new(&format!("direct, stored and delivered {at}"), both(&pg), "msg/s").baseline(Some(both(&lite))));
        if rate == TARGET_RATE {
            r.metrics.push(Metric::new(&format!("direct, PostgreSQL / SQLite rate {at}"), 100.0 * both(&pg) / both(&lite).max(1.0), "%").target(Goal::AtLeast(80.0)));
        }
        let p99 = (rate == TARGET_RATE).then_some(Goal::AtMost(50.0));
        r.metrics.extend(latency(&format!("direct, send → receive {at}"), &pg.tally.latency, &lite.tally.latency, p99));
        r.metrics.extend(losses(&format!("direct {at}"), &pg, &lite));
        r.curves.push(curve(&format!("PostgreSQL direct {rate} msg/s"), &pg.tally.latency));
        r.curves.push(curve(&format!("SQLite direct {rate} msg/s"), &lite.tally.latency));
    }

    let needs = Needs { group: members, ..Needs::default() };
    let group_senders = GROUP_SENDERS.min(members);
    let group_rate = if common.quick { 20.0 } else { GROUP_RATE };
    let group_seconds = seconds.min(20.0);
    let [pg, lite] = on_both(common, needs, None, async |target| group::fan_out(target, common, group_senders, group_rate, group_seconds).await).await?;
    r.metrics.push(Metric::new(&format!("group of {members}, deliveries"), pg.delivered_per_sec, "/s").baseline(Some(lite.delivered_per_sec)));
    r.metrics.extend(latency(&format!("group of {members}, send → receive"), &pg.tally.latency, &lite.tally.latency, None));
    r.metrics.extend(losses(&format!("group of {members}"), &pg, &lite));

    let [pg, lite] = on_both(common, Needs::default(), Some(messages), async |target| page_loads(target, page_seconds).await).await?;
    let p50 = |h: &Histogram<u64>| h.value_at_quantile(0.5) as f64 / 1000.0;
    r.metrics.push(Metric::new("chat list, one request at a time, p50", p50(&pg.list_alone), "ms").baseline(Some(p50(&lite.list_alone))));
    r.metrics.push(
        Metric::new("chat list, PostgreSQL / SQLite time", p50(&pg.list_alone) / p50(&lite.list_alone).max(0.001), "×").target(Goal::AtMost(1.5)),
    );
    r.metrics.push(Metric::new("conversation, one request at a time, p50", p50(&pg.conversation_alone), "ms").baseline(Some(p50(&lite.conversation_alone))));
    r.metrics.push(Metric::new("chat list, 32 at once", pg.list_busy, "req/s").baseline(Some(lite.list_busy)));
    r.metrics.push(Metric::new("conversation, 32 at once", pg.conversation_busy, "req/s").baseline(Some(lite.conversation_busy)));
    r.metrics.push(Metric::new("failed page requests", pg.failed as f64, "").baseline(Some(lite.failed as f64)).target(Goal::AtMost(0.0)));
    r.curves.push(curve("PostgreSQL chat list", &pg.list_alone));
    r.curves.push(curve("SQLite chat list", &lite.list_alone));
    r.notes.push(
        "PostgreSQL is the machine's own server (on the same cores as Confab and the load), its database fresh for each run; \
         SQLite is the embedded default. Pages: `confab seed` data, signed in as its first person."
            .into(),
    );
    r.load_after = load_average();
    Ok(r)
}

/// The same run on a PostgreSQL server, then on a SQLite one: [PostgreSQL, SQLite].
async fn on_both<T>(
    common: &Common,
    needs: Needs,
    seed_messages: Option<usize>,
    mut measure: impl AsyncFnMut(Target) -> Result<T, String>,
) -> Result<[T; 2], String> {
    let mut results = Vec::with_capacity(2);
    for database in [Database::Postgres, Database::Sqlite] {
        let session_phone = seed_messages.map(|_| pages::SEEDED_PHONE);
        let plan = Plan { database, needs, seed_messages, session_phone, ..Plan::default() };
        let target = Target::confab(common, &plan).await.map_err(|e| format!("{database:?}: {e}"))?;
        results.push(measure(target).await?);
    }
    let lite = results.pop().ok_or("no SQLite run")?;
    let pg = results.pop().ok_or("no PostgreSQL run")?;
    Ok([pg, lite])
}

fn latency(prefix: &str, pg: &Histogram<u64>, lite: &Histogram<u64>, p99_goal: Option<Goal>) -> Vec<Metric> {
    crate::report::latency_metrics(prefix, pg, Some(lite), p99_goal)
}

/// Messages not acked, not delivered, or delivered twice: none, on either store.
fn losses(prefix: &str, pg: &Outcome, lite: &Outcome) -> Vec<Metric> {
    let missing = |o: &Outcome| (o.sent - o.acked.min(o.sent)) + (o.expected - o.delivered.min(o.expected)) + o.tally.gaps + o.tally.duplicates;
    vec![Metric::new(&format!("{prefix}, unacked + lost + duplicated"), missing(pg) as f64, "").baseline(Some(missing(lite) as f64)).target(Goal::AtMost(0.0))]
}

struct PageLoads {
    list_alone: Histogram<u64>,
    conversation_alone: Histogram<u64>,
    list_busy: f64,
    conversation_busy: f64,
    failed: u64,
}

async fn page_loads(mut target: Target, seconds: f64) -> Result<PageLoads, String> {
    let session = target.fixture.session.clone().ok_or("bench-setup made no session")?;
    let base = target.http_url();
    let (list, conversation) = (format!("{base}/chats"), format!("{base}/chats/{}", session.chat_id));
    let list_alone = pages::hammer(&list, &session.cookie, 1, seconds).await?;
    let conversation_alone = pages::hammer(&conversation, &session.cookie, 1, seconds).await?;
    let list_busy = pages::hammer(&list, &session.cookie, 32, seconds).await?;
    let conversation_busy = pages::hammer(&conversation, &session.cookie, 32, seconds).await?;
    target.stop();
    Ok(PageLoads {
        failed: list_alone.failed + conversation_alone.failed + list_busy.failed + conversation_busy.failed,
        list_alone: list_alone.latency,
        conversation_alone: conversation_alone.latency,
        list_busy: list_busy.per_sec,
        conversation_busy: conversation_busy.per_sec,
    })
}

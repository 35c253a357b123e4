//! Pages: the server-rendered chat list and a conversation, requested by signed-in browsers
//! (a session cookie) on a database seeded with `confab seed` (100k messages); and how soon
//! the server is ready after starting on that existing database.
use std::{
    sync::Arc,
    time::{Duration, Instant},
};

use hdrhistogram::Histogram;

use super::{param, pick, report};
use crate::{
    Common,
    report::{Goal, Metric, Report, curve, latency_metrics, load_average},
    target::{Plan, Target},
    traffic::{bar, histogram},
};

#[derive(clap::Args, Debug, Clone, Default)]
pub struct Args {
    /// Messages `confab seed` stores first [default: 100000; --quick: 2000]
    #[arg(long)]
    pub messages: Option<usize>,
    /// Seconds of requests per page [default: 20; --quick: 2]
    #[arg(long)]
    pub seconds: Option<f64>,
    /// Requests in flight at once [default: 32; --quick: 4]
    #[arg(long)]
    pub concurrency: Option<usize>,
}

/// The phone `confab seed` gives its first person.
pub(super) const SEEDED_PHONE: &str = "+4915100000001";

pub(super) struct Load {
    pub per_sec: f64,
    pub failed: u64,
    pub latency: Histogram<u64>,
}

pub async fn run(common: &Common, args: &Args) -> Result<Report, String> {
    let messages = pick(args.messages, common.quick, 100_000, 2_000);
    let seconds = pick(args.seconds, common.quick, 20.0, 2.0);
    let concurrency = pick(args.concurrency, common.quick, 32, 4);
    let load_before = load_average();
    let plan = Plan { seed_messages: Some(messages), session_phone: Some(SEEDED_PHONE), ..Plan::default() };
    let mut target = Target::confab(common, &plan).await?;
    let session = target.fixture.session.clone().ok_or("bench-setup made no session")?;
    let base = target.http_url();
    let list = hammer(&format!("{base}/chats"), &session.cookie, concurrency, seconds).await?;
    let conversation = hammer(&format!("{base}/chats/{}", session.chat_id), &session.cookie, concurrency, seconds).await?;
    let ready = target.ready_after;
    target.stop();

    let params = vec![param("messages stored", messages), param("concurrency", concurrency), param("seconds per page", seconds)];
    let command = format!("confab-bench pages --messages {messages} --seconds {seconds} --concurrency {concurrency}");
    let mut r = report("pages", "Pages", load_before, params, command);
    r.metrics.push(Metric::new("chat list", list.per_sec, "req/s").target(Goal::AtLeast(3_000.0)));
    r.metrics.extend(latency_metrics("chat list", &list.latency, None, None));
    r.metrics.push(Metric::new("conversation", conversation.per_sec, "req/s"));
    r.metrics.extend(latency_metrics("conversation", &conversation.latency, None, None));
    r.metrics.push(Metric::new("failed requests", (list.failed + conversation.failed) as f64, "").target(Goal::AtMost(0.0)));
    match ready {
        Some(ready) => r.metrics.push(Metric::new("ready after start", ready.as_secs_f64() * 1000.0, "ms").target(Goal::AtMost(1000.0))),
        None => r.notes.push("The server was not started by the tool (--url): no start-up time.".into()),
    }
    r.curves.push(curve("chat list", &list.latency));
    r.curves.push(curve("conversation", &conversation.latency));
    Ok(r)
}

/// `concurrency` loops each GETting `url` back to back for `seconds`; every answer must be a
/// 200 with a body.
pub(super) async fn hammer(url: &str, cookie: &str, concurrency: usize, seconds: f64) -> Result<Load, String> {
    // No redirects: a lost session would otherwise "succeed" as the login page.
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(concurrency)
        .redirect(reqwest::redirect::Policy::none())
        .build().map_err(|e| e.to_string())?;
    // One request first: a page that does not render is an error, not a slow figure.
    let probe = client.get(url).header("cookie", cookie).send().await.map_err(|e| format!("GET {url}: {e}"))?;
    if !probe.status().is_success() {
        return Err(format!("GET {url} answered {}", probe.status()));
    }
    let end = Instant::now() + Duration::from_secs_f64(seconds);
    let bar = Arc::new(bar((seconds * 10.0) as u64, url.rsplit('/').next().unwrap_or("page")));
    let started = Instant::now();
    let tasks: Vec<_> = (0..concurrency)
        .map(|_| {
            let (client, url, cookie) = (client.clone(), url.to_owned(), cookie.to_owned());
            tokio::spawn(async move {
                let (mut latency, mut done, mut failed) = (histogram(), 0u64, 0u64);
                while Instant::now() < end {
                    let timer = Instant::now();
                    let ok = match client.get(&url).header("cookie", &cookie).send().await {
                        Ok(response) if response.status().is_success() => response.bytes().await.is_ok_and(|b| !b.is_empty()),
                        _ => false,
                    };
                    let _ = latency.record((timer.elapsed().as_micros() as u64).max(1));
                    if ok { done += 1 } else { failed += 1 }
                }
                (latency, done, failed)
            })
        })
        .collect();
    let ticker = {
        let bar = bar.clone();
        tokio::spawn(async move {
            while Instant::now() < end {
                tokio::time::sleep(Duration::from_millis(100)).await;
                bar.set_position((started.elapsed().as_secs_f64() * 10.0) as u64);
            }
        })
    };
    let mut load = Load { per_sec: 0.0, failed: 0, latency: histogram() };
    let mut done = 0;
    for task in tasks {
        let (latency, ok, failed) = task.await.map_err(|e| e.to_string())?;
        let _ = load.latency.add(&latency);
        done += ok;
        load.failed += failed;
    }
    let _ = ticker.await;
    bar.finish_and_clear();
    load.per_sec = done as f64 / started.elapsed().as_secs_f64();
    Ok(load)
}

//! The benchmark with tiny parameters, so it cannot rot: every scenario runs against a real
//! server (the release `confab` built beside this tool) and its baseline, writes its files, and
//! delivers every message exactly once. Correctness only; no timing is asserted.
use std::{path::PathBuf, process::Command};

use serde_json::Value;

fn server_bin() -> PathBuf {
    if let Some(path) = std::env::var_os("CONFAB_BIN") {
        return path.into();
    }
    let tool = PathBuf::from(env!("CARGO_BIN_EXE_confab-bench"));
    let bin = tool.with_file_name("confab");
    assert!(bin.exists(), "no server at {} — build it first (cargo build --release -p confab) or set CONFAB_BIN", bin.display());
    bin
}

fn metric(report: &Value, starts_with: &str) -> f64 {
    let metrics = report["metrics"].as_array().expect("metrics");
    let found = metrics.iter().find(|m| m["name"].as_str().is_some_and(|n| n.starts_with(starts_with)));
    found.and_then(|m| m["value"].as_f64()).unwrap_or_else(|| panic!("no metric `{starts_with}` in {}", report["scenario"]))
}

#[test]
fn every_scenario_runs_and_delivers_everything_once() {
    let results = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_confab-bench"))
        .args(["--quick", "--sources", "3", "--server-bin"])
        .arg(server_bin())
        .arg("--results")
        .arg(results.path())
        .arg("all")
        .output()
        .unwrap();
    assert!(output.status.success(), "confab-bench failed: {}", String::from_utf8_lossy(&output.stderr));

    let read = |name: &str| -> Value {
        let text = std::fs::read_to_string(results.path().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        serde_json::from_str(&text).unwrap()
    };
    for scenario in ["idle", "direct", "group", "groups", "reconnect", "pages", "stores", "strangers", "calls", "pictures", "uploads"] {
        let report = read(&format!("{scenario}.json"));
        assert_eq!(report["scenario"], scenario);
        assert!(results.path().join(format!("{scenario}.md")).exists(), "{scenario}.md");
    }
    for plotted in ["direct", "group", "groups", "pages", "stores", "strangers", "calls", "pictures"] {
        let svg = std::fs::read_to_string(results.path().join(format!("{plotted}.svg"))).unwrap();
        assert!(svg.starts_with("<svg") && svg.contains("percentile"), "{plotted}.svg");
    }
    let combined = std::fs::read_to_string(results.path().join("README.md")).unwrap();
    for title in ["Idle connections", "Direct messages", "Group fan-out", "Many small groups", "Reconnect storm", "Pages", "PostgreSQL beside SQLite", "Talk to a stranger", "Calls", "Pictures", "Uploads"] {
        assert!(combined.contains(&format!("## {title}")), "README.md lacks {title}");
    }

    let idle = read("idle.json");
    assert_eq!(metric(&idle, "sockets held"), 50.0);
    assert!(metric(&idle, "server RSS, all open") > 0.0, "the server's memory was read");

    let direct = read("direct.json");
    assert_eq!(metric(&direct, "acked / sent"), 100.0);
    assert_eq!(metric(&direct, "delivered / expected"), 100.0);
    assert_eq!(metric(&direct, "lost + duplicated"), 0.0);
    assert!(metric(&direct, "stored") > 0.0);

    let group = read("group.json");
    assert_eq!(metric(&group, "delivered / expected"), 100.0);
    assert_eq!(metric(&group, "lost + duplicated"), 0.0);

    // 4 groups of 5, one sender each: every message reaches the other 4 members once, and the
    // server's CPU time over the window was read.
    let groups = read("groups.json");
    assert_eq!(metric(&groups, "acked / sent"), 100.0);
    assert_eq!(metric(&groups, "delivered / expected"), 100.0);
    assert_eq!(metric(&groups, "lost + duplicated"), 0.0);
    assert!(metric(&groups, "deliveries") > 0.0);
    assert!(metric(&groups, "server CPU per delivery") >= 0.0, "the server's CPU time was read");

    let reconnect = read("reconnect.json");
    assert_eq!(metric(&reconnect, "clients back"), 20.0);
    assert!(metric(&reconnect, "messages written") > 0.0);
    assert_eq!(metric(&reconnect, "lost"), 0.0);
    assert_eq!(metric(&reconnect, "duplicated"), 0.0);

    let pages = read("pages.json");
    assert_eq!(metric(&pages, "failed requests"), 0.0);
    assert!(metric(&pages, "chat list") > 0.0 && metric(&pages, "conversation") > 0.0);

    // Both stores ran (PostgreSQL in the value column, SQLite beside it) and lost nothing.
    let stores = read("stores.json");
    assert_eq!(stores["columns"], serde_json::json!(["PostgreSQL", "SQLite"]));
    for losses in ["direct @ 200 msg/s, unacked + lost + duplicated", "group of 20, unacked + lost + duplicated", "failed page requests"] {
        let found = stores["metrics"].as_array().unwrap().iter().find(|m| m["name"] == losses).unwrap_or_else(|| panic!("no `{losses}`"));
        assert_eq!((found["value"].as_f64(), found["baseline"].as_f64()), (Some(0.0), Some(0.0)), "{losses}");
    }
    assert!(metric(&stores, "direct, stored and delivered") > 0.0);
    assert!(metric(&stores, "chat list, one request at a time") > 0.0);

    // 50 wait for interests of their own the whole time; 40 arrive and make 20 pairs, each
    // person in exactly one, and the queue is left as it was.
    let strangers = read("strangers.json");
    assert_eq!(metric(&strangers, "matches made"), 20.0);
    assert_eq!(metric(&strangers, "people matched twice or with themselves"), 0.0);
    assert_eq!(metric(&strangers, "still waiting after the arrivals"), 50.0);
    assert_eq!(metric(&strangers, "failed looks"), 0.0);
    assert!(metric(&strangers, "match latency") > 0.0);
    assert!(metric(&strangers, "server RSS, ") > 0.0, "the server's memory was read");

    // 10 calls placed at once: each rang, connected (descriptions and candidates both ways) and
    // ended on the caller's hang-up; the messages beside them, on both servers, all arrived once.
    let calls = read("calls.json");
    assert_eq!(metric(&calls, "calls set up"), 10.0);
    assert_eq!(metric(&calls, "calls ended"), 10.0);
    assert_eq!(metric(&calls, "failed calls"), 0.0);
    assert!(metric(&calls, "call set-up, invite → both connected p50") > 0.0);
    assert!(metric(&calls, "all 10 set-ups") > 0.0);
    assert_eq!(calls["columns"], serde_json::json!(["with calls", "without calls"]));
    for both in ["messages delivered / expected", "messages unacked + lost + duplicated"] {
        let found = calls["metrics"].as_array().unwrap().iter().find(|m| m["name"] == both).unwrap_or_else(|| panic!("no `{both}`"));
        let expected = if both.contains("delivered") { 100.0 } else { 0.0 };
        assert_eq!((found["value"].as_f64(), found["baseline"].as_f64()), (Some(expected), Some(expected)), "{both}");
    }

    // The 800×600 photo was re-encoded (stored as a JPEG within 2560 px: as it was) and timed.
    let pictures = read("pictures.json");
    assert!(metric(&pictures, "time p50") > 0.0);
    assert!(metric(&pictures, "stored image/jpeg 800×600") > 0.0);
    assert!(metric(&pictures, "thumbnail image/jpeg") > 0.0);

    // Every upload was answered 201 (else the scenario fails); the figures were measured.
    let uploads = read("uploads.json");
    assert!(metric(&uploads, "one upload") > 0.0);
    assert!(metric(&uploads, "3 at once, in total") > 0.0);
    assert!(metric(&uploads, "RSS before") > 0.0, "the server's memory was read");
}

//! A scenario's results: `<scenario>.json` (everything), `<scenario>.md` (the table),
//! `<scenario>.svg` (latency by percentile), and `README.md` gathering every scenario's latest
//! table in the results folder.
use std::path::Path;

use hdrhistogram::Histogram;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

/// The order scenarios appear in the combined table.
pub const SCENARIOS: [&str; 11] = ["idle", "direct", "group", "groups", "reconnect", "pages", "stores", "strangers", "calls", "pictures", "uploads"];

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report {
    pub scenario: String,
    pub title: String,
    /// UTC, when the run finished.
    pub date: String,
    pub machine: Machine,
    pub commit: String,
    /// 1-minute load average before and after (the machine may be shared).
    pub load_before: f64,
    pub load_after: f64,
    pub params: Vec<(String, String)>,
    pub metrics: Vec<Metric>,
    /// Latency by percentile, in milliseconds: Confab and the baseline.
    pub curves: Vec<Curve>,
    /// The command that reproduces this run.
    pub command: String,
    pub notes: Vec<String>,
    /// The table's two value columns, when they are not Confab and the bare baseline (the
    /// store comparison puts PostgreSQL beside SQLite).
    #[serde(default)]
    pub columns: Option<(String, String)>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Metric {
    pub name: String,
    pub value: f64,
    pub unit: String,
    /// The same figure measured on the bare fan-out server in the same run.
    pub baseline: Option<f64>,
    pub target: Option<Goal>,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
pub enum Goal {
    AtLeast(f64),
    AtMost(f64),
}

impl Goal {
    pub fn met(self, value: f64) -> bool {
        match self {
            Self::AtLeast(t) => value >= t,
            Self::AtMost(t) => value <= t,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Curve {
    pub label: String,
    /// (percentile, milliseconds)
    pub points: Vec<(f64, f64)>,
}

impl Metric {
    pub fn new(name: &str, value: f64, unit: &str) -> Self {
        Self { name: name.into(), value, unit: unit.into(), baseline: None, target: None }
    }
    pub fn target(mut self, goal: Goal) -> Self {
        self.target = Some(goal);
        self
    }
    pub fn baseline(mut self, value: Option<f64>) -> Self {
        self.baseline = value;
        self
    }
}

/// Percentile curve of a histogram in microseconds: p0 … p99.99 and the maximum, in ms.
pub fn curve(label: &str, h: &Histogram<u64>) -> Curve {
    let mut points: Vec<(f64, f64)> = (0..=40)
        .map(|k| {
            let q = 1.0 - 10f64.powf(-f64::from(k) / 10.0);
            (q * 100.0, h.value_at_quantile(q) as f64 / 1000.0)
        })
        .collect();
    points.push((100.0, h.max() as f64 / 1000.0));
    Curve { label: label.into(), points }
}

/// p50, p90, p99 and max of a histogram in µs, as metrics in ms.
pub fn latency_metrics(prefix: &str, h: &Histogram<u64>, baseline: Option<&Histogram<u64>>, p99_goal: Option<Goal>) -> Vec<Metric> {
    let at = |h: &Histogram<u64>, q: f64| if q >= 1.0 { h.max() as f64 / 1000.0 } else { h.value_at_quantile(q) as f64 / 1000.0 };
    [("p50", 0.5), ("p90", 0.9), ("p99", 0.99), ("max", 1.0)]
        .into_iter()
        .map(|(name, q)| {
            let m = Metric::new(&format!("{prefix} {name}"), at(h, q), "ms").baseline(baseline.map(|b| at(b, q)));
            match p99_goal {
                Some(goal) if name == "p99" => m.target(goal),
                _ => m,
            }
        })
        .collect()
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Machine {
    pub cpu: String,
    pub cores: usize,
    pub memory_gib: f64,
    pub kernel: String,
}

impl Machine {
    pub fn this() -> Self {
        let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
        let cpu = cpuinfo.lines().find(|l| l.starts_with("model name")).and_then(|l| l.split(':').nth(1)).unwrap_or("unknown").trim().to_owned();
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
        let kib: f64 = meminfo.lines().find(|l| l.starts_with("MemTotal:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse().ok()).unwrap_or(0.0);
        Self {
            cpu,
            cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            memory_gib: (kib / 1024.0 / 1024.0 * 10.0).round() / 10.0,
            kernel: std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default().trim().to_owned(),
        }
    }

    pub fn line(&self) -> String {
        format!("{}, {} cores, {} GiB RAM, Linux {}", self.cpu, self.cores, self.memory_gib, self.kernel)
    }
}

pub fn load_average() -> f64 {
    std::fs::read_to_string("/proc/loadavg").ok().and_then(|l| l.split_whitespace().next()?.parse().ok()).unwrap_or(0.0)
}

pub fn commit() -> String {
    std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_else(|| "unknown".into())
}

pub fn now_utc() -> String {
    let now = time::OffsetDateTime::now_utc();
    format!("{:04}-{:02}-{:02} {:02}:{:02} UTC", now.year(), u8::from(now.month()), now.day(), now.hour(), now.minute())
}

/// Writes the scenario's three files and refreshes the combined README.
pub fn write(dir: &Path, report: &Report) -> Result<(), String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let path = |ext: &str| dir.join(format!("{}.{ext}", report.scenario));
    let json = serde_json::to_string_pretty(report).map_err(|e| e.to_string())?;
    std::fs::write(path("json"), json).map_err(|e| e.to_string())?;
    std::fs::write(path("md"), markdown(report, 2)).map_err(|e| e.to_string())?;
    if !report.curves.is_empty() {
        plot(&path("svg"), report)?;
    }
    let mut all = String::from("# Benchmark results\n\nWritten by `confab-bench` (see `bench/` and the README's Benchmarks section); each section is the latest run of that scenario.\n\n");
    for name in SCENARIOS {
        let Ok(text) = std::fs::read_to_string(dir.join(format!("{name}.json"))) else { continue };
        if let Ok(r) = serde_json::from_str::<Report>(&text) {
            all.push_str(&markdown(&r, 2));
            all.push('\n');
        }
    }
    std::fs::write(dir.join("README.md"), all).map_err(|e| e.to_string())
}

pub fn markdown(r: &Report, level: usize) -> String {
    let hashes = "#".repeat(level);
    let mut md = format!("{hashes} {}\n\n", r.title);
    md.push_str(&format!(
        "{} · commit `{}` · {} · load average {:.2} before, {:.2} after\n\n",
        r.date,
        r.commit,
        r.machine.line(),
        r.load_before,
        r.load_after
    ));
    let params: Vec<String> = r.params.iter().map(|(k, v)| format!("{k} {v}")).collect();
    md.push_str(&format!("Parameters: {}\n\n", params.join(", ")));
    let (first, second) = r.columns.clone().unwrap_or_else(|| ("Confab".into(), "baseline".into()));
    md.push_str(&format!("| metric | {first} | {second} | {first} / {second} | target | |\n|---|---:|---:|---:|---:|---|\n"));
    for m in &r.metrics {
        let baseline = m.baseline.map(|b| fmt(b, &m.unit)).unwrap_or_else(|| "–".into());
        let ratio = m.baseline.filter(|b| *b != 0.0).map(|b| format!("{:.2}", m.value / b)).unwrap_or_else(|| "–".into());
        let (target, verdict) = match m.target {
            Some(Goal::AtLeast(t)) => (format!("≥ {}", fmt(t, &m.unit)), if Goal::AtLeast(t).met(m.value) { "pass" } else { "**miss**" }),
            Some(Goal::AtMost(t)) => (format!("≤ {}", fmt(t, &m.unit)), if Goal::AtMost(t).met(m.value) { "pass" } else { "**miss**" }),
            None => ("".into(), ""),
        };
        md.push_str(&format!("| {} | {} | {} | {} | {} | {} |\n", m.name, fmt(m.value, &m.unit), baseline, ratio, target, verdict));
    }
    if !r.curves.is_empty() {
        md.push_str(&format!("\n![latency by percentile]({}.svg)\n", r.scenario));
    }
    for note in &r.notes {
        md.push_str(&format!("\n{note}\n"));
    }
    md.push_str(&format!("\nReproduce: `{}`\n", r.command));
    md
}

/// A number with its unit, thousands separated, to a sensible precision.
pub fn fmt(value: f64, unit: &str) -> String {
    let text = if value.is_infinite() {
        "never".to_owned()
    } else if value.abs() >= 100.0 || (value.fract() == 0.0 && unit != "ms" && unit != "s") {
        group_thousands(value.round() as i64)
    } else if value.abs() >= 10.0 {
        format!("{value:.1}")
    } else if value != 0.0 && value.abs() < 0.1 {
        // Three significant digits, so small figures (CPU seconds per 1,000 deliveries) keep theirs.
        let decimals = (2 - value.abs().log10().floor() as i32).max(0) as usize;
        format!("{value:.decimals$}")
    } else {
        format!("{value:.2}")
    };
    if unit.is_empty() { text } else if unit == "%" { format!("{text}%") } else { format!("{text} {unit}") }
}

fn group_thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

/// Latency (log scale) against percentile on a "nines" axis: 0, 90, 99, 99.9, 99.99, max.
fn plot(path: &Path, r: &Report) -> Result<(), String> {
    let nines = |p: f64| if p >= 100.0 { 4.3 } else { -(1.0 - p / 100.0).log10() };
    let top = r.curves.iter().flat_map(|c| c.points.iter().map(|p| p.1)).fold(1.0f64, f64::max) * 1.5;
    let bottom = r.curves.iter().flat_map(|c| c.points.iter().map(|p| p.1)).filter(|v| *v > 0.0).fold(top, f64::min).max(0.001) / 1.5;
    let root = SVGBackend::new(path, (800, 480)).into_drawing_area();
    let err = |e: &dyn std::fmt::Display| e.to_string();
    root.fill(&WHITE).map_err(|e| err(&e))?;
    let mut chart = ChartBuilder::on(&root)
        .caption(format!("{} — latency by percentile", r.title), ("sans-serif", 20))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0f64..4.4f64, (bottom..top).log_scale())
        .map_err(|e| err(&e))?;
    chart
        .configure_mesh()
        .x_desc("percentile")
        .y_desc("ms")
        .x_labels(6)
        .x_label_formatter(&|x| match (x * 10.0).round() as i64 {
            0 => "p0".into(),
            10 => "p90".into(),
            20 => "p99".into(),
            30 => "p99.9".into(),
            40 => "p99.99".into(),
            43 => "max".into(),
            _ => String::new(),
        })
        .draw()
        .map_err(|e| err(&e))?;
    for (i, c) in r.curves.iter().enumerate() {
        let color = Palette99::pick(i).to_rgba();
        chart
            .draw_series(LineSeries::new(c.points.iter().map(|(p, ms)| (nines(*p), ms.max(bottom))), color.stroke_width(2)))
            .map_err(|e| err(&e))?
            .label(c.label.clone())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2)));
    }
    chart.configure_series_labels().background_style(WHITE.mix(0.8)).border_style(BLACK).draw().map_err(|e| err(&e))?;
    root.present().map_err(|e| err(&e))
}

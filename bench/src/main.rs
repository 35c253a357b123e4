//! `confab-bench`: drives a Confab server over its real interfaces (HTTP to set up and for
//! pages, WebSockets for traffic) and writes each scenario's results as Markdown, JSON and an
//! SVG latency plot. See the README's Benchmarks section.
mod baseline;
mod client;
mod fixture;
mod report;
mod scenarios;
mod target;
mod traffic;

use std::{net::SocketAddr, path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};

use scenarios::{calls, direct, group, groups, idle, pages, pictures, reconnect, stores, strangers, uploads};

#[derive(Parser)]
#[command(name = "confab-bench", about = "Load tests for Confab: idle sockets, direct messages, group fan-out, many small groups, reconnect storms, pages, the two stores, talk to a stranger, calls, pictures, uploads")]
struct Cli {
    #[command(flatten)]
    common: Common,
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Debug, Clone)]
pub struct Common {
    /// The server binary: started on a fresh data directory for every run, and used for
    /// `confab seed` and `confab bench-setup`
    #[arg(long, global = true, default_value = "target/release/confab")]
    pub server_bin: PathBuf,
    /// Drive an already running server instead (with --data-dir: its data directory, where
    /// bench-setup adds people, and the same CONFAB_* environment as the server)
    #[arg(long, global = true, requires = "data_dir")]
    pub url: Option<String>,
    #[arg(long, global = true)]
    pub data_dir: Option<PathBuf>,
    /// Where the results go
    #[arg(long, global = true, default_value = "bench/results")]
    pub results: PathBuf,
    /// Loopback source addresses (127.0.0.2 onwards) the client sockets are spread over
    #[arg(long, global = true, default_value_t = 8)]
    pub sources: u8,
    /// Tiny parameters, for the smoke test
    #[arg(long, global = true)]
    pub quick: bool,
    /// Skip the bare fan-out baseline
    #[arg(long, global = true)]
    pub no_baseline: bool,
}

#[derive(Subcommand)]
enum Command {
    /// Idle authenticated sockets and the server's memory per socket
    Idle(idle::Args),
    /// Direct messages at fixed rates: throughput and send → receive latency
    Direct(direct::Args),
    /// One group with every member online: deliveries per second and latency
    Group(group::Args),
    /// Many small groups, every member online: latency and server CPU per delivery
    Groups(groups::Args),
    /// Clients dropping and reconnecting at once, resuming without loss
    Reconnect(reconnect::Args),
    /// Server-rendered pages on a seeded database, and start-up time
    Pages(pages::Args),
    /// PostgreSQL beside SQLite: direct messages, group fan-out and pages on each store
    Stores(stores::Args),
    /// Talk to a stranger: a standing queue, arrivals at a fixed rate, match latency and memory per waiting person
    Strangers(strangers::Args),
    /// Calls placed at once: set-up time, call frames through the server, and message latency beside a server without calls
    Calls(calls::Args),
    /// Re-encoding and thumbnailing a 12-megapixel photo on one core, in-process (no server)
    Pictures(pictures::Args),
    /// Files streamed to the upload endpoint, one alone and several at once: throughput and the server's memory
    Uploads(uploads::Args),
    /// Every scenario with its defaults (or --quick)
    All,
    /// The bare fan-out server the figures are compared with (started by the tool)
    #[command(hide = true)]
    ServeBaseline {
        #[arg(long)]
        listen: SocketAddr,
        #[arg(long)]
        fixture: PathBuf,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    raise_open_files_limit();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("confab-bench: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("confab-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> Result<(), String> {
    let common = &cli.common;
    let chosen: Vec<Command> = match cli.command {
        Command::ServeBaseline { listen, fixture } => {
            let text = std::fs::read(&fixture).map_err(|e| format!("{}: {e}", fixture.display()))?;
            let fixture = serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", fixture.display()))?;
            return baseline::serve(listen, &fixture).await;
        }
        Command::All => vec![
            Command::Idle(idle::Args::default()),
            Command::Direct(direct::Args::default()),
            Command::Group(group::Args::default()),
            Command::Groups(groups::Args::default()),
            Command::Reconnect(reconnect::Args::default()),
            Command::Pages(pages::Args::default()),
            Command::Stores(stores::Args::default()),
            Command::Strangers(strangers::Args::default()),
            Command::Calls(calls::Args::default()),
            Command::Pictures(pictures::Args::default()),
            Command::Uploads(uploads::Args::default()),
        ],
        one => vec![one],
    };
    // A scenario that fails does not stop the others; the run still fails at the end.
    let mut failed = Vec::new();
    for command in chosen {
        let report = match &command {
            Command::Idle(args) => idle::run(common, args).await,
            Command::Direct(args) => direct::run(common, args).await,
            Command::Group(args) => group::run(common, args).await,
            Command::Groups(args) => groups::run(common, args).await,
            Command::Reconnect(args) => reconnect::run(common, args).await,
            Command::Pages(args) => pages::run(common, args).await,
            Command::Stores(args) => stores::run(common, args).await,
            Command::Strangers(args) => strangers::run(common, args).await,
            Command::Calls(args) => calls::run(common, args).await,
            Command::Pictures(args) => pictures::run(common, args).await,
            Command::Uploads(args) => uploads::run(common, args).await,
            Command::All | Command::ServeBaseline { .. } => continue,
        };
        match report {
            Ok(report) => {
                report::write(&common.results, &report)?;
                println!("{}", report::markdown(&report, 2));
            }
            Err(e) => {
                eprintln!("confab-bench: {e}");
                failed.push(e);
            }
        }
    }
    match failed.len() {
        0 => Ok(()),
        n => Err(format!("{n} scenario(s) failed")),
    }
}

/// Each socket is a file descriptor on both ends (this process and, when it starts the
/// server, its child, which inherits the limit): take the most the system allows.
fn raise_open_files_limit() {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit only read and write the struct passed to them.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return;
        }
        // Raising the hard limit needs privilege; without it, the soft limit goes up to the hard one.
        let most = std::fs::read_to_string("/proc/sys/fs/nr_open").ok().and_then(|v| v.trim().parse().ok()).unwrap_or(limit.rlim_max);
        let wanted = libc::rlimit { rlim_cur: most, rlim_max: most };
        if libc::setrlimit(libc::RLIMIT_NOFILE, &wanted) != 0 {
            let wanted = libc::rlimit { rlim_cur: limit.rlim_max, rlim_max: limit.rlim_max };
            libc::setrlimit(libc::RLIMIT_NOFILE, &wanted);
        }
    }
}

/// The soft limit on open files, after `raise_open_files_limit`.
pub fn open_files_limit() -> u64 {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit only writes the struct passed to it.
    match unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } {
        0 => limit.rlim_cur,
        _ => 0,
    }
}

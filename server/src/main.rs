#![recursion_limit = "256"]
use confab::{
    bench_setup,
    command_line::{self, Invocation},
    config::Config,
    migrate_to_postgres, seed,
    startup::Application,
    telemetry,
};

mod sqlite_alloc;

// Rendering a page allocates and frees thousands of small objects; under callgrind glibc's
// allocator was 41% of a chat list's instructions (24 M per page, 17 M with mimalloc). It costs
// about 2.7 KiB more per idle socket (13.3 -> 16.0 KiB with 2 KiB read buffers).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let command = match command_line::parse(&args) {
        Ok(Invocation::Help) => {
            print!("{}", command_line::USAGE);
            return std::process::ExitCode::SUCCESS;
        }
        Ok(Invocation::Version) => {
            println!("confab {}", env!("CARGO_PKG_VERSION"));
            return std::process::ExitCode::SUCCESS;
        }
        Ok(Invocation::Serve) => None,
        Ok(Invocation::Command(name, words)) => Some((name, words)),
        Err(e) => {
            eprintln!("confab: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    let sqlite_alloc = sqlite_alloc::install();
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("confab: configuration error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    telemetry::init(&config.log_filter, config.log_json);
    if let Err(code) = sqlite_alloc {
        tracing::warn!(code, "SQLite kept its own allocator");
    }
    if let Some((name, words)) = command {
        let done = match name {
            "seed" => seed::run(config, &words).await,
            "bench-setup" => bench_setup::run(config, &words).await,
            _ => migrate_to_postgres::run(config, &words).await,
        };
        return match done {
            Ok(()) => std::process::ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("confab {name}: {e}");
                std::process::ExitCode::FAILURE
            }
        };
    }
    raise_open_files_limit();
    let app = match Application::build(config).await {
        Ok(app) => app,
        Err(e) => {
            // One line for whoever started it, as for a configuration error: what failed,
            // where, and what to do (a database's or port's problem, not a stack of causes).
            eprintln!("confab: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    match app.run_until_stopped().await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "server stopped with an error");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Every socket is a file descriptor, and the usual soft limit (1,024 or so) would cap the
/// connections far below what the server can hold; the hard limit is ours to take.
fn raise_open_files_limit() {
    let mut limit = libc::rlimit { rlim_cur: 0, rlim_max: 0 };
    // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 || limit.rlim_cur >= limit.rlim_max {
            return;
        }
        let wanted = libc::rlimit { rlim_cur: limit.rlim_max, rlim_max: limit.rlim_max };
        if libc::setrlimit(libc::RLIMIT_NOFILE, &wanted) != 0 {
            tracing::warn!(soft = limit.rlim_cur, "could not raise the open files limit");
        }
    }
}

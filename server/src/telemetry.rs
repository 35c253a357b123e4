//! Structured logs through `tracing`.
use std::io::IsTerminal;

use tracing_subscriber::{EnvFilter, fmt, prelude::*};

/// `filter` uses `EnvFilter` syntax (already checked by the config).
pub fn init(filter: &str, json: bool) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let registry = tracing_subscriber::registry().with(filter);
    // A second init (tests build several apps in one process) is harmless: keep the first.
    let _ = if json {
        registry.with(fmt::layer().json().with_current_span(true)).try_init()
    } else {
        registry.with(fmt::layer().compact().with_ansi(std::io::stdout().is_terminal())).try_init()
    };
}

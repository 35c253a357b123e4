//! The Confab server: configuration, telemetry and the axum wiring around the `app` crate's
//! pages and services.
pub mod api;
pub mod backends;
pub mod bench_setup;
pub mod client_address;
pub mod command_line;
pub mod config;
pub mod guard;
pub mod health;
pub mod migrate_to_postgres;
pub mod seed;
pub mod http;
pub mod private_files;
pub mod startup;
pub mod static_files;
pub mod telemetry;
pub mod ws;

#![recursion_limit = "256"]
//! Confab's shared Leptos crate: the pages and components that render on the server and hydrate in
//! the browser, and (behind the `ssr` feature) the services, store and sessions behind them.
pub mod accounts;
pub mod app;
pub mod browser;
pub mod calls;
pub mod chats;
pub mod codec;
pub mod components;
pub mod error;
pub mod ids;
pub mod media;
pub mod pages;
pub mod realtime;
pub mod strangers;
pub mod webauthn;

#[cfg(feature = "ssr")]
pub mod backend;

pub use app::{App, shell};

//! Accounts: who people are and how they get in. Types and checks here are shared by the browser
//! and the server; the server fns in `api.rs` are the web app's door to the accounts service.
pub mod api;
pub mod passkeys_api;
pub mod types;
pub mod validate;

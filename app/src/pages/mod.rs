//! One file per route; `app.rs` holds the table that maps paths to these.
pub mod chats;
pub mod forgot_password;
pub mod login;
pub mod not_found;
pub mod profile;
pub mod register;
pub mod settings;

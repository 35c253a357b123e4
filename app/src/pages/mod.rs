//! One file (or folder) per route; `app.rs` holds the table that maps paths to these.
pub mod call;
pub mod chat_list;
pub mod contacts;
pub mod conversation;
pub mod forgot_password;
pub mod group_info;
pub mod join;
pub mod login;
pub mod not_found;
pub mod profile;
pub mod register;
pub mod settings;
pub mod signed_in;
pub mod strangers;

//! Conversations: direct chats, groups, contacts, messages, search and profiles.
pub mod api;
pub mod preview;
pub mod types;
pub mod validate;

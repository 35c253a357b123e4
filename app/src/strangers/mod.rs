//! Talk to a stranger: anonymous one-to-one chats with a random person who is also looking.
//! The partner is only ever "Stranger" — no id, name or presence of theirs reaches the other
//! side until both agree to stay in touch.
pub mod api;
pub mod types;
pub mod validate;

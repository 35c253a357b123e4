//! The states stored rows are in, as the store's methods take and return them. Each store keeps
//! them in its own form (SQLite: lower-case names, see `sqlite_text`) and reads an unknown one
//! as `StoreError::Corrupt`.
pub use crate::chats::types::{ChatKind, LastSeenVisibility, Role, WhoCanMessage};

/// A person's place in a chat (see migration 0004).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemberState {
    Active,
    /// Someone who is not a contact wrote to this person, who takes messages from contacts only.
    Incoming,
    /// This person's message request, waiting for an answer.
    Outgoing,
    /// This person's request was declined: they read the history and send nothing more.
    Declined,
    /// This person declined the other's request.
    Dismissed,
    Left,
    Removed,
}

/// Where a pair of people stand in the contacts table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContactStatus {
    /// One invited the other (`inviter` says who); no answer yet.
    Pending,
    Accepted,
    Declined,
    /// Only in `contacts_of`: someone the viewer blocked.
    Blocked,
}

/// An invitation to a group (see migration 0008).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InvitationState {
    Pending,
    Declined,
}

//! Conversations: the rules for direct chats, message requests, contacts and blocking, groups
//! and their roles, messages, read state and search. Every read and write checks membership
//! here; an outsider gets `NotFound`, never a hint that the chat exists. Stored changes are
//! published to the hub so every connected device hears of them, whichever door they came in by.
//!
//! Member states (see migration 0004): `active`, `incoming`/`outgoing` (a message request),
//! `declined` (the requester, read-only), `dismissed` (who declined), `left`, `removed`.
//! Group invitations are not member rows (see `invitations`): an invitee reads nothing.
//! People blocked in a direct chat keep reading its history (so a block shows only as "can't
//! message"), but cannot send, edit, react, mark read or type there.
//!
//! Public methods take and return the id types of `crate::ids`, so two ids cannot trade places
//! at a call; inside, ids are the store's text again.
#[cfg(test)]
mod access_tests;
mod attachments;
mod calls;
#[cfg(test)]
mod attachment_tests;
mod contacts;
mod direct;
mod events;
mod groups;
mod invitations;
#[cfg(test)]
mod invitation_tests;
mod messages;
mod presence;
mod profiles;
mod search;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod people_tests;
#[cfg(test)]
mod group_tests;
mod views;

pub use calls::CallPeer;
pub use invitations::MAX_PENDING_FROM_ONE_INVITER;
pub use messages::{AFTER_MAX, Changes, LIST_PAGE, Mark};

use std::sync::Arc;

use rand::Rng;

use crate::accounts::validate;
use crate::error::AppError;
use crate::backend::{
    clock::{Clock, SystemClock},
    hub::Hub,
    media::MediaService,
    store::{
        Store, StoreError,
        chats::{ChatAccess, ConvRow, MemberRow},
        states::{ChatKind, MemberState, Role},
    },
};

#[derive(Debug, Clone)]
pub struct ChatsConfig {
    /// Largest group, owner included.
    pub max_group_members: u32,
    /// Region for phone numbers searched without a country code, e.g. "GB".
    pub default_region: String,
}

impl Default for ChatsConfig {
    fn default() -> Self {
        Self { max_group_members: 1024, default_region: "GB".into() }
    }
}

pub struct ChatsService {
    store: Arc<dyn Store>,
    hub: Hub,
    config: ChatsConfig,
    clock: Arc<dyn Clock>,
    /// Attachments' bytes; without it (tools that only seed text) a send with attachments is refused.
    media: Option<Arc<MediaService>>,
}

type R<T> = Result<T, AppError>;

/// Member states in which a chat can be read (and is listed).
const READABLE: [MemberState; 4] = [MemberState::Active, MemberState::Incoming, MemberState::Outgoing, MemberState::Declined];

/// Store failures are logged here, once; the client only learns that something went wrong,
/// that the chat is gone, or, when the writer is overloaded, to try again in a moment (a resent message is stored
/// once: its client id finds it if the first try did commit after all).
fn internal(e: StoreError) -> AppError {
    match e {
        StoreError::Busy | StoreError::Slow => {
            tracing::warn!(error = %e, "chats store overloaded");
            AppError::RateLimited { retry_after_secs: 1 }
        }
        // The chat went between the access check and the write (deleted meanwhile).
        StoreError::NoSuchChat(_) => AppError::NotFound,
        e => {
            tracing::error!(error = %e, "chats store failed");
            AppError::Internal
        }
    }
}

/// An id for chats and messages: 16 bytes, hex: the time in milliseconds (6 bytes), then 10
/// random bytes. Starting with the time, a new message's id lands at the end of the id index
/// instead of on a random page of it: with fully random ids every batch dirtied one page per
/// message, and commits slowed as the table grew.
pub(crate) fn new_id() -> String {
    let mut bytes = [0u8; 16];
    let ms = SystemClock.now_ms() as u64;
    bytes[..6].copy_from_slice(&ms.to_be_bytes()[2..]);
    rand::rng().fill(&mut bytes[6..]);
    hex::encode(bytes)
}

/// A short public group ID, from the same generator (and alphabet) as user IDs.
fn new_group_id() -> String {
    validate::user_id_from_bits(rand::rng().random::<u64>() & 0xFF_FFFF_FFFF)
}

/// A user ID as typed (any case, dash optional) in its stored form.
fn parse_user_id(raw: &str) -> R<String> {
    validate::user_id(raw)
}

fn cannot_message() -> AppError {
    AppError::invalid_with_code("cannot_message", "body", "You can’t message this person")
}

fn not_allowed(what: &str) -> AppError {
    tracing::debug!(what, "refused for lack of a role");
    AppError::Forbidden
}

impl ChatsService {
    pub fn new(store: Arc<dyn Store>, hub: Hub, config: ChatsConfig) -> Self {
        Self { store, hub, config, clock: Arc::new(SystemClock), media: None }
    }

    /// The same service, able to send attachments kept by `media`.
    pub fn with_media(self, media: Arc<MediaService>) -> Self {
        Self { media: Some(media), ..self }
    }

    /// The same service on another clock (tests move time by hand).
    pub fn with_clock(self, clock: Arc<dyn Clock>) -> Self {
        Self { clock, ..self }
    }

    /// The chat and the caller's member row, if the caller may read it; `NotFound` otherwise
    /// (non-members, former members, and who dismissed a request all look the same).
    async fn readable(&self, me: &str, chat_id: &str) -> R<(ConvRow, MemberRow)> {
        if chat_id.is_empty() || chat_id.len() > 64 {
            return Err(AppError::NotFound);
        }
        match self.store.membership(chat_id, me).await.map_err(internal)? {
            Some((conv, member)) if READABLE.contains(&member.state) => Ok((conv, member)),
            _ => Err(AppError::NotFound),
        }
    }

    /// Who is in the chat, if the caller may read it. Answered from memory, so the hot paths
    /// (send, delivery marks, typing, fan-out) read no rows to decide.
    async fn readable_access(&self, me: &str, chat_id: &str) -> R<Arc<ChatAccess>> {
        // No chat has such an id, and PostgreSQL cannot even compare a NUL.
        if chat_id.is_empty() || chat_id.len() > 64 || chat_id.contains(char::is_control) {
            return Err(AppError::NotFound);
        }
        match self.store.access(chat_id).await.map_err(internal)? {
            Some(access) if access.member(me).is_some_and(|m| READABLE.contains(&m.state)) => Ok(access),
            _ => Err(AppError::NotFound),
        }
    }

    /// Like `readable_access`, and the caller may also write there: not a declined requester,
    /// and in a direct chat neither person has blocked the other.
    async fn writable(&self, me: &str, chat_id: &str) -> R<Arc<ChatAccess>> {
        let access = self.readable_access(me, chat_id).await?;
        if access.member(me).is_some_and(|m| m.state == MemberState::Declined) {
            return Err(AppError::invalid_with_code("request_declined", "body", "They didn’t accept your message request"));
        }
        if access.kind == ChatKind::Direct {
            if access.blockers.iter().any(|b| b == me) {
                return Err(AppError::invalid_with_code("blocked", "body", "You blocked this person — unblock them to send messages"));
            }
            if !access.blockers.is_empty() {
                return Err(cannot_message());
            }
        }
        Ok(access)
    }

    /// The caller, who must be an active member of the group with at least `admin` rights.
    async fn group_admin(&self, me: &str, chat_id: &str) -> R<(ConvRow, MemberRow)> {
        let (conv, member) = self.readable(me, chat_id).await?;
        if conv.kind != ChatKind::Group || member.state != MemberState::Active {
            return Err(AppError::NotFound);
        }
        if member.role == Role::Member {
            return Err(not_allowed("group admin action"));
        }
        Ok((conv, member))
    }

    /// The other person of a direct chat.
    async fn peer_of(&self, chat_id: &str, me: &str) -> R<String> {
        let access = self.store.access(chat_id).await.map_err(internal)?.ok_or(AppError::NotFound)?;
        access.members.iter().map(|m| &m.user_id).find(|id| *id != me).cloned().ok_or(AppError::NotFound)
    }

    /// User ids of the members in any of `states`.
    async fn member_ids_in(&self, chat_id: &str, states: &[MemberState]) -> R<Vec<String>> {
        Ok(self.store.access(chat_id).await.map_err(internal)?.map(|a| a.ids_in(states)).unwrap_or_default())
    }
}

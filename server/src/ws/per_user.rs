//! What one user may cost the server across all their sockets: how many sockets they hold, and
//! how often their typing is broadcast (each broadcast reaches every member of the chat).
use std::{
    collections::HashMap,
    sync::{Arc, Mutex, MutexGuard},
};

use tokio::time::Instant;

use super::limits::{TYPING_EVERY, TYPING_PER_USER, TokenBucket};

/// Per-user state shared by the connections of this server; an entry lives while the user has a
/// socket.
#[derive(Debug)]
pub struct PerUser {
    max_sockets: usize,
    users: Mutex<HashMap<String, UserState>>,
}

#[derive(Debug)]
struct UserState {
    sockets: usize,
    /// Typing broadcasts across all chats.
    typing: TokenBucket,
    /// When the user's typing was last broadcast, per chat.
    typing_at: HashMap<String, Instant>,
}

/// One socket's place in its user's count, given back when dropped (also when an upgrade is
/// never completed).
#[derive(Debug)]
pub struct SocketSlot {
    per_user: Arc<PerUser>,
    user: String,
}

impl PerUser {
    pub fn new(max_sockets: usize) -> Self {
        Self { max_sockets, users: Mutex::new(HashMap::new()) }
    }

    pub fn max_sockets(&self) -> usize {
        self.max_sockets
    }

    fn users(&self) -> MutexGuard<'_, HashMap<String, UserState>> {
        self.users.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A place for one more socket of `user`, or `None` when they hold `max_sockets` already.
    pub fn open_socket(self: &Arc<Self>, user: &str) -> Option<SocketSlot> {
        let mut users = self.users();
        let state = users.entry(user.to_owned()).or_insert_with(|| UserState {
            sockets: 0,
            typing: TokenBucket::new(TYPING_PER_USER, Instant::now()),
            typing_at: HashMap::new(),
        });
        if state.sockets >= self.max_sockets {
            return None;
        }
        state.sockets += 1;
        Some(SocketSlot { per_user: self.clone(), user: user.to_owned() })
    }

    /// Whether `user`'s typing in `chat_id` is broadcast now: at most once per `TYPING_EVERY`
    /// per chat, and within the user's `TYPING_PER_USER` across chats, whichever device sends.
    pub fn may_broadcast_typing(&self, user: &str, chat_id: &str, now: Instant) -> bool {
        let mut users = self.users();
        let Some(state) = users.get_mut(user) else { return false };
        if state.typing_at.get(chat_id).is_some_and(|at| now.duration_since(*at) < TYPING_EVERY) {
            return false;
        }
        if !state.typing.take(now) {
            return false;
        }
        // The bucket keeps this small: only entries younger than `TYPING_EVERY` matter.
        if state.typing_at.len() >= 32 {
            state.typing_at.retain(|_, at| now.duration_since(*at) < TYPING_EVERY);
        }
        state.typing_at.insert(chat_id.to_owned(), now);
        true
    }

    /// The user sent a message in the chat: receivers drop the indicator, so typing after it
    /// is news again.
    pub fn message_sent(&self, user: &str, chat_id: &str) {
        if let Some(state) = self.users().get_mut(user) {
            state.typing_at.remove(chat_id);
        }
    }
}

impl Drop for SocketSlot {
    fn drop(&mut self) {
        let mut users = self.per_user.users();
        if let Some(state) = users.get_mut(&self.user) {
            state.sockets -= 1;
            if state.sockets == 0 {
                users.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn sockets_are_counted_per_user_and_given_back_when_dropped() {
        let per_user = Arc::new(PerUser::new(2));
        let a = per_user.open_socket("ada").unwrap();
        let _b = per_user.open_socket("ada").unwrap();
        assert!(per_user.open_socket("ada").is_none(), "a third is refused");
        assert!(per_user.open_socket("bob").is_some(), "others are not affected");
        drop(a);
        assert!(per_user.open_socket("ada").is_some(), "a closed socket frees its place");
    }

    #[test]
    fn typing_is_broadcast_once_per_interval_per_chat_and_within_the_users_budget() {
        let per_user = Arc::new(PerUser::new(16));
        let _slot = per_user.open_socket("ada").unwrap();
        let now = Instant::now();
        assert!(per_user.may_broadcast_typing("ada", "c1", now));
        assert!(!per_user.may_broadcast_typing("ada", "c1", now), "same chat, any device: once per interval");
        per_user.message_sent("ada", "c1");
        assert!(per_user.may_broadcast_typing("ada", "c1", now), "a message ends the indicator");
        let other_chats = (2..20).filter(|n| per_user.may_broadcast_typing("ada", &format!("c{n}"), now)).count();
        assert_eq!(other_chats, TYPING_PER_USER.burst as usize - 2, "the burst is shared by all chats");
        assert!(per_user.may_broadcast_typing("ada", "c1", now + Duration::from_secs(3)), "tokens come back");
        assert!(!per_user.may_broadcast_typing("nobody", "c1", now), "no socket, no typing");
    }
}

//! Who belongs to which chat, kept in memory. Every send, delivery mark and typing frame asks
//! who may see a chat; reading that from the database each time was most of a send's cost.
//!
//! The store's own writes to members, conversations and blocks drop what they touch (after
//! they commit), so within one process an entry is never stale. A generation number guards
//! the race where a read that began before such a write would put the old answer back.
//! Several servers on one database (PostgreSQL) will need the hub to carry these drops.
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use super::chats::ChatAccess;

/// Past this many chats the whole cache is dropped rather than tracking which entry is oldest:
/// a reload is one indexed read per chat.
const MAX_ENTRIES: usize = 100_000;

#[derive(Debug, Default)]
pub(super) struct AccessCache {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    generation: u64,
    chats: HashMap<String, Arc<ChatAccess>>,
}

impl AccessCache {
    /// The cached entry, or the generation to hand back to `insert` after reading it.
    pub(super) fn get(&self, chat_id: &str) -> Result<Arc<ChatAccess>, u64> {
        let inner = self.lock();
        inner.chats.get(chat_id).cloned().ok_or(inner.generation)
    }

    /// Keeps what was read, unless something changed since `generation` was handed out.
    pub(super) fn insert(&self, access: Arc<ChatAccess>, generation: u64) {
        let mut inner = self.lock();
        if inner.generation != generation {
            return;
        }
        if inner.chats.len() >= MAX_ENTRIES {
            inner.chats.clear();
        }
        inner.chats.insert(access.id.clone(), access);
    }

    /// A chat's members or kind changed.
    pub(super) fn forget(&self, chat_id: &str) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.chats.remove(chat_id);
    }

    /// Something that may touch any chat changed (a block between two people).
    pub(super) fn forget_all(&self) {
        let mut inner = self.lock();
        inner.generation += 1;
        inner.chats.clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Nothing panics while holding the lock; if something did, the map is still whole.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend::store::states::ChatKind;

    fn access(id: &str) -> Arc<ChatAccess> {
        Arc::new(ChatAccess { id: id.into(), kind: ChatKind::Group, members: Vec::new(), blockers: Vec::new() })
    }

    #[test]
    fn a_read_that_raced_a_change_is_not_kept() {
        let cache = AccessCache::default();
        let generation = cache.get("c").unwrap_err();
        cache.forget("c");
        cache.insert(access("c"), generation);
        assert!(cache.get("c").is_err(), "read before the change: dropped");

        let generation = cache.get("c").unwrap_err();
        cache.insert(access("c"), generation);
        assert_eq!(cache.get("c").unwrap().id, "c");
        cache.forget_all();
        assert!(cache.get("c").is_err());
    }
}

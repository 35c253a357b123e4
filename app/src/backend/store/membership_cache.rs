//! Who belongs to which chat, kept in memory in front of any store. Every send, delivery mark
//! and typing frame asks who may see a chat; reading that from the database each time was most
//! of a send's cost.
//!
//! A store's writes to members, conversations and blocks emit an `AccessChanged` (after they
//! commit), which drops what it touches, so within one process an entry is never stale. A
//! generation number guards the race where a read that began before such a change would put the
//! old answer back. Several servers on one database will need the hub to carry these events to
//! the others' caches.
use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use async_trait::async_trait;

use super::{StoreError, chats::ChatAccess};

/// Past this many chats the whole cache is dropped rather than tracking which entry is oldest:
/// a reload is one indexed read per chat.
const MAX_ENTRIES: usize = 100_000;

/// A committed write that changes who may see which chats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccessChanged {
    /// One chat's members, their roles or states, or the chat itself (created, deleted).
    Chat { chat_id: String },
    /// Something that may touch any chat: a block between two people.
    Everyone,
}

/// Where the cache reads who is in a chat when it does not know: the store behind it.
#[async_trait]
pub trait AccessSource: Send + Sync {
    /// Who is in the chat and how, read now; `None` if there is no such chat.
    async fn load_access(&self, chat_id: &str) -> Result<Option<ChatAccess>, StoreError>;
}

/// The access lookups of a store `S`, answered from memory once read.
#[derive(Debug)]
pub struct CachedAccess<S> {
    source: S,
    cache: MembershipCache,
}

impl<S: AccessSource> CachedAccess<S> {
    pub fn new(source: S) -> Self {
        Self { source, cache: MembershipCache::default() }
    }

    /// Who is in the chat and how (`None` if there is no such chat).
    pub async fn access(&self, chat_id: &str) -> Result<Option<Arc<ChatAccess>>, StoreError> {
        let generation = match self.cache.get(chat_id) {
            Ok(access) => return Ok(Some(access)),
            Err(generation) => generation,
        };
        let Some(access) = self.source.load_access(chat_id).await? else { return Ok(None) };
        let access = Arc::new(access);
        self.cache.insert(access.clone(), generation);
        Ok(Some(access))
    }

    /// Forgets what `event` touched: the next lookup reads it again.
    pub fn changed(&self, event: &AccessChanged) {
        self.cache.forget(event);
    }
}

#[derive(Debug, Default)]
struct MembershipCache {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    generation: u64,
    chats: HashMap<String, Arc<ChatAccess>>,
}

impl MembershipCache {
    /// The cached entry, or the generation to hand back to `insert` after reading it.
    fn get(&self, chat_id: &str) -> Result<Arc<ChatAccess>, u64> {
        let inner = self.lock();
        inner.chats.get(chat_id).cloned().ok_or(inner.generation)
    }

    /// Keeps what was read, unless something changed since `generation` was handed out.
    fn insert(&self, access: Arc<ChatAccess>, generation: u64) {
        let mut inner = self.lock();
        if inner.generation != generation {
            return;
        }
        if inner.chats.len() >= MAX_ENTRIES {
            inner.chats.clear();
        }
        inner.chats.insert(access.id.clone(), access);
    }

    fn forget(&self, event: &AccessChanged) {
        let mut inner = self.lock();
        inner.generation += 1;
        match event {
            AccessChanged::Chat { chat_id } => _ = inner.chats.remove(chat_id),
            AccessChanged::Everyone => inner.chats.clear(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // Nothing panics while holding the lock; if something did, the map is still whole.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;
    use crate::backend::store::states::ChatKind;

    fn access(id: &str) -> ChatAccess {
        ChatAccess { id: id.into(), kind: ChatKind::Group, members: Vec::new(), blockers: Vec::new() }
    }

    fn chat(id: &str) -> AccessChanged {
        AccessChanged::Chat { chat_id: id.into() }
    }

    #[test]
    fn a_read_that_raced_a_change_is_not_kept() {
        let cache = MembershipCache::default();
        let generation = cache.get("c").unwrap_err();
        cache.forget(&chat("c"));
        cache.insert(Arc::new(access("c")), generation);
        assert!(cache.get("c").is_err(), "read before the change: dropped");

        let generation = cache.get("c").unwrap_err();
        cache.insert(Arc::new(access("c")), generation);
        assert_eq!(cache.get("c").unwrap().id, "c");
        cache.forget(&AccessChanged::Everyone);
        assert!(cache.get("c").is_err());
    }

    /// A store that counts its reads; it has every chat but "gone".
    #[derive(Default)]
    struct Counting(AtomicUsize);

    #[async_trait]
    impl AccessSource for Counting {
        async fn load_access(&self, chat_id: &str) -> Result<Option<ChatAccess>, StoreError> {
            self.0.fetch_add(1, Ordering::Relaxed);
            Ok((chat_id != "gone").then(|| access(chat_id)))
        }
    }

    #[tokio::test]
    async fn the_store_behind_is_read_once_per_chat_until_a_change_touches_it() {
        let cached = CachedAccess::new(Counting::default());
        let reads = || cached.source.0.load(Ordering::Relaxed);
        assert_eq!(cached.access("a").await.unwrap().unwrap().id, "a");
        cached.access("a").await.unwrap();
        cached.access("b").await.unwrap();
        assert_eq!(reads(), 2, "a second lookup of a is answered from memory");
        cached.changed(&chat("a"));
        cached.access("a").await.unwrap();
        cached.access("b").await.unwrap();
        assert_eq!(reads(), 3, "only a was read again");
        assert!(cached.access("gone").await.unwrap().is_none());
        assert!(cached.access("gone").await.unwrap().is_none());
        assert_eq!(reads(), 5, "a missing chat is not remembered: it may be created next");
    }
}

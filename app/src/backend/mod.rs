//! Server-only code (the `ssr` feature): the services that the pages' server functions, the REST
//! API and the WebSocket endpoint all call, and the store and hub they stand on.
pub mod accounts;
pub mod chats;
pub mod clock;
pub mod hub;
pub mod identity;
pub mod security;
pub mod sessions;
pub mod store;

use std::sync::Arc;

use accounts::AccountsService;
use chats::{ChatsConfig, ChatsService};
use hub::{Hub, LocalHub};
use store::Store;

/// Everything a request handler needs, cheap to clone: one per process, shared by every door.
#[derive(Clone)]
pub struct Services {
    pub store: Arc<dyn Store>,
    pub accounts: Arc<AccountsService>,
    pub chats: Arc<ChatsService>,
    pub hub: Arc<dyn Hub>,
}

impl Services {
    pub fn new(store: Arc<dyn Store>, accounts: AccountsService, chats: ChatsConfig) -> Self {
        let hub: Arc<dyn Hub> = Arc::new(LocalHub::default());
        let chats = Arc::new(ChatsService::new(store.clone(), hub.clone(), chats));
        accounts.use_hub(hub.clone());
        Self { store, accounts: Arc::new(accounts), chats, hub }
    }
}

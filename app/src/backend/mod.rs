//! Server-only code (the `ssr` feature): the services that the pages' server functions, the REST
//! API and the WebSocket endpoint all call, and the store and hub they stand on.
pub mod accounts;
pub mod calls;
pub mod chats;
pub mod clock;
pub mod hub;
pub mod identity;
pub mod media;
pub mod security;
pub mod sessions;
pub mod store;
pub mod strangers;
pub mod sweeper;

use std::sync::Arc;

use accounts::AccountsService;
use calls::CallService;
use chats::ChatsService;
use hub::Hub;
use store::Store;
use strangers::StrangerService;

/// Everything a request handler needs, cheap to clone: one per process, shared by every door.
/// Start-up builds it from the store and hub that the configuration chose.
#[derive(Clone)]
pub struct Services {
    pub store: Arc<dyn Store>,
    pub accounts: Arc<AccountsService>,
    pub chats: Arc<ChatsService>,
    pub strangers: Arc<StrangerService>,
    pub calls: Arc<CallService>,
    pub media: Arc<media::MediaService>,
    pub hub: Hub,
}

//! Conversations: the rules for direct chats, message requests, contacts and blocking, groups
//! and their roles, messages, read state and search. Every read and write checks membership
//! here; an outsider gets `NotFound`, never a hint that the chat exists. Stored changes are
//! published to the hub so every connected device hears of them, whichever door they came in by.
use std::sync::Arc;

use crate::chats::types::*;
use crate::error::AppError;
use crate::server::{hub::Hub, store::Store};

#[derive(Debug, Clone)]
pub struct ChatsConfig {
    /// Largest group, owner included.
    pub max_group_members: u32,
}

impl Default for ChatsConfig {
    fn default() -> Self {
        Self { max_group_members: 1024 }
    }
}

pub struct ChatsService {
    store: Arc<dyn Store>,
    hub: Arc<dyn Hub>,
    config: ChatsConfig,
}

type R<T> = Result<T, AppError>;

#[allow(unused_variables)]
impl ChatsService {
    pub fn new(store: Arc<dyn Store>, hub: Arc<dyn Hub>, config: ChatsConfig) -> Self {
        Self { store, hub, config }
    }

    pub async fn list_chats(&self, me: &str) -> R<Vec<ChatSummary>> { todo!() }
    /// `around`: open at that sequence (a search hit) instead of the newest page.
    pub async fn open_chat(&self, me: &str, chat_id: &str, around: Option<i64>) -> R<ChatDetail> { todo!() }
    pub async fn history(&self, me: &str, chat_id: &str, before: i64) -> R<HistoryPage> { todo!() }
    /// Messages after `after_seq`, oldest first, at most `limit` (resume after a reconnect).
    pub async fn messages_after(&self, me: &str, chat_id: &str, after_seq: i64, limit: u32) -> R<Vec<MessageView>> { todo!() }
    /// The chat id and whether it was created just now.
    pub async fn start_direct(&self, me: &str, user_id: &str) -> R<(String, bool)> { todo!() }
    /// The stored message and whether it is new (false: the same client id was sent before).
    pub async fn send_message(&self, me: &str, chat_id: &str, client_id: &str, body: &str, reply_to: Option<&str>) -> R<(MessageView, bool)> { todo!() }
    pub async fn edit_message(&self, me: &str, message_id: &str, body: &str) -> R<MessageView> { todo!() }
    pub async fn delete_message(&self, me: &str, message_id: &str) -> R<MessageView> { todo!() }
    pub async fn toggle_reaction(&self, me: &str, message_id: &str, emoji: &str) -> R<Vec<ReactionView>> { todo!() }
    pub async fn mark_read(&self, me: &str, chat_id: &str, seq: i64) -> R<()> { todo!() }
    pub async fn set_muted(&self, me: &str, chat_id: &str, muted: bool) -> R<()> { todo!() }
    pub async fn answer_request(&self, me: &str, chat_id: &str, accept: bool) -> R<()> { todo!() }
    /// User ids of the chat's active members, if `me` is one of them (for the socket's fan-out).
    pub async fn member_ids(&self, me: &str, chat_id: &str) -> R<Vec<String>> { todo!() }
    /// `me`'s device received the chat's messages up to `seq` (DM delivery receipts).
    pub async fn mark_delivered(&self, me: &str, chat_id: &str, seq: i64) -> R<()> { todo!() }
    /// Ids of the chats `me` is an active member of.
    pub async fn my_chat_ids(&self, me: &str) -> R<Vec<String>> { todo!() }
    /// Who may see `me` come online and go offline (their last-seen setting decides).
    pub async fn presence_audience(&self, me: &str) -> R<Vec<String>> { todo!() }
    /// Records when `me`'s last device disconnected (Unix seconds).
    pub async fn set_last_seen(&self, me: &str, at: i64) -> R<()> { todo!() }

    pub async fn create_group(&self, me: &str, name: &str, description: &str, public: bool) -> R<String> { todo!() }
    pub async fn join_group(&self, me: &str, group_id: Option<&str>, invite: Option<&str>) -> R<String> { todo!() }
    pub async fn leave_group(&self, me: &str, chat_id: &str) -> R<()> { todo!() }
    pub async fn edit_group(&self, me: &str, chat_id: &str, name: &str, description: &str, public: bool) -> R<()> { todo!() }
    pub async fn add_member(&self, me: &str, chat_id: &str, user_id: &str) -> R<()> { todo!() }
    pub async fn remove_member(&self, me: &str, chat_id: &str, user_id: &str) -> R<()> { todo!() }
    pub async fn set_role(&self, me: &str, chat_id: &str, user_id: &str, role: Role) -> R<()> { todo!() }
    pub async fn delete_group(&self, me: &str, chat_id: &str) -> R<()> { todo!() }
    pub async fn create_invite(&self, me: &str, chat_id: &str, expires_in_hours: Option<u32>, max_uses: Option<u32>) -> R<InviteLinkView> { todo!() }
    pub async fn list_invites(&self, me: &str, chat_id: &str) -> R<Vec<InviteLinkView>> { todo!() }
    pub async fn revoke_invite(&self, me: &str, chat_id: &str, token: &str) -> R<()> { todo!() }

    pub async fn list_contacts(&self, me: &str) -> R<Vec<ContactView>> { todo!() }
    pub async fn unseen_invitations(&self, me: &str) -> R<u32> { todo!() }
    pub async fn mark_invitations_seen(&self, me: &str) -> R<()> { todo!() }
    pub async fn invite_contact(&self, me: &str, user_id: &str) -> R<ContactState> { todo!() }
    pub async fn answer_invitation(&self, me: &str, user_id: &str, accept: bool) -> R<ContactState> { todo!() }
    pub async fn remove_contact(&self, me: &str, user_id: &str) -> R<ContactState> { todo!() }
    pub async fn set_blocked(&self, me: &str, user_id: &str, blocked: bool) -> R<ContactState> { todo!() }
    pub async fn profile(&self, me: &str, user_id: &str) -> R<ProfileView> { todo!() }
    pub async fn my_settings(&self, me: &str) -> R<MySettings> { todo!() }
    pub async fn save_settings(&self, me: &str, settings: MySettings) -> R<MySettings> { todo!() }
    pub async fn search(&self, me: &str, query: &str) -> R<SearchResults> { todo!() }
}

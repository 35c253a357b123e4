//! PostgreSQL: messages (not built yet: every method answers an error until it is).
#![allow(unused_variables, unused_imports)]
use std::sync::Arc;

use async_trait::async_trait;

use super::super::{StoreError, accounts::*, chats::*, states::*};
use super::{PgStore, not_built};

#[async_trait]
impl MessageStore for PgStore {
    async fn send(&self, message: &NewMessage) -> Result<Sent, StoreError> {
        Err(not_built())
    }

    async fn send_batch(&self, messages: &[NewMessage]) -> Result<i64, StoreError> {
        Err(not_built())
    }

    async fn message(&self, message_id: &str) -> Result<Option<MessageRow>, StoreError> {
        Err(not_built())
    }

    async fn message_by_client_id(&self, sender_id: &str, client_id: &str) -> Result<Option<MessageRow>, StoreError> {
        Err(not_built())
    }

    async fn page(&self, chat_id: &str, lo: i64, hi: i64, limit: u32, newest: bool) -> Result<Vec<MessageRow>, StoreError> {
        Err(not_built())
    }

    async fn changed_since(&self, chat_id: &str, since_ms: i64, hi: i64, limit: u32) -> Result<Vec<MessageRow>, StoreError> {
        Err(not_built())
    }

    async fn edit(&self, message_id: &str, body: &str, at: i64) -> Result<(), StoreError> {
        Err(not_built())
    }

    async fn tombstone(&self, message_id: &str) -> Result<(), StoreError> {
        Err(not_built())
    }

    async fn toggle_reaction(&self, message_id: &str, user_id: &str, emoji: &str, now: i64) -> Result<bool, StoreError> {
        Err(not_built())
    }

    async fn reactions(&self, chat_id: &str, lo: i64, hi: i64) -> Result<Vec<ReactionRow>, StoreError> {
        Err(not_built())
    }

    async fn search_messages(&self, me: &str, words: &[String], limit: u32) -> Result<Vec<MessageHitRow>, StoreError> {
        Err(not_built())
    }
}

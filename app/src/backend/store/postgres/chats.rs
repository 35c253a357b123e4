//! PostgreSQL: chats (not built yet: every method answers an error until it is).
#![allow(unused_variables, unused_imports)]
use std::sync::Arc;

use async_trait::async_trait;

use super::super::{StoreError, accounts::*, chats::*, states::*};
use super::{PgStore, not_built};

#[async_trait]
impl ChatStore for PgStore {
    async fn conv(&self, chat_id: &str) -> Result<Option<ConvRow>, StoreError> {
        Err(not_built())
    }

    async fn conv_by_group_id(&self, group_id: &str) -> Result<Option<ConvRow>, StoreError> {
        Err(not_built())
    }

    async fn membership(&self, chat_id: &str, user_id: &str) -> Result<Option<(ConvRow, MemberRow)>, StoreError> {
        Err(not_built())
    }

    async fn access(&self, chat_id: &str) -> Result<Option<Arc<ChatAccess>>, StoreError> {
        self.access.access(chat_id).await
    }

    async fn members(&self, chat_id: &str, states: &[MemberState]) -> Result<Vec<MemberRow>, StoreError> {
        Err(not_built())
    }

    async fn create_direct(&self, id: &str, me: &str, my_state: MemberState, other: &str, other_state: MemberState, now: i64) -> Result<(String, bool), StoreError> {
        Err(not_built())
    }

    async fn create_group(&self, conv: &ConvRow, system: &NewMessage) -> Result<bool, StoreError> {
        Err(not_built())
    }

    async fn delete_conv(&self, chat_id: &str) -> Result<(), StoreError> {
        Err(not_built())
    }

    async fn apply(&self, chat_id: &str, changes: &[Change], system: Option<&NewMessage>, now: i64) -> Result<Applied, StoreError> {
        Err(not_built())
    }

    async fn set_states(&self, chat_id: &str, states: &[(&str, MemberState)]) -> Result<(), StoreError> {
        Err(not_built())
    }

    async fn set_muted(&self, chat_id: &str, user_id: &str, muted: bool) -> Result<(), StoreError> {
        Err(not_built())
    }

    async fn mark_read(&self, chat_id: &str, user_id: &str, seq: i64) -> Result<i64, StoreError> {
        Err(not_built())
    }

    async fn mark_delivered(&self, chat_id: &str, user_id: &str, seq: i64) -> Result<i64, StoreError> {
        Err(not_built())
    }

    async fn marks_since(&self, chat_id: &str, since_ms: i64) -> Result<Vec<MemberRow>, StoreError> {
        Err(not_built())
    }

    async fn last_seqs_of(&self, user_id: &str, states: &[MemberState]) -> Result<Vec<(String, i64)>, StoreError> {
        Err(not_built())
    }

    async fn summaries(&self, scope: SummaryScope<'_>) -> Result<Vec<SummaryRow>, StoreError> {
        Err(not_built())
    }

    async fn chats_by_name(&self, me: &str, text: &str, limit: u32) -> Result<Vec<SummaryRow>, StoreError> {
        Err(not_built())
    }
}

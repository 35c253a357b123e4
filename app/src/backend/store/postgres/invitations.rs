//! PostgreSQL: invitations (not built yet: every method answers an error until it is).
#![allow(unused_variables, unused_imports)]
use std::sync::Arc;

use async_trait::async_trait;

use super::super::{StoreError, accounts::*, chats::*, states::*};
use super::{PgStore, not_built};

#[async_trait]
impl GroupInvitationStore for PgStore {
    async fn group_invitation(&self, chat_id: &str, user_id: &str) -> Result<Option<GroupInvitationRow>, StoreError> {
        Err(not_built())
    }

    async fn invite_to_group(&self, chat_id: &str, user_id: &str, inviter: &str, now: i64) -> Result<(), StoreError> {
        Err(not_built())
    }

    async fn decline_group_invitation(&self, chat_id: &str, user_id: &str) -> Result<bool, StoreError> {
        Err(not_built())
    }

    async fn withdraw_group_invitations(&self, chat_id: &str, inviter: Option<&str>) -> Result<Vec<String>, StoreError> {
        Err(not_built())
    }

    async fn group_invitations_of(&self, user_id: &str) -> Result<Vec<GroupInvitationRow>, StoreError> {
        Err(not_built())
    }

    async fn pending_invitations_from(&self, inviter: &str, user_id: &str) -> Result<u32, StoreError> {
        Err(not_built())
    }
}

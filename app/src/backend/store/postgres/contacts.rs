//! PostgreSQL: contacts (not built yet: every method answers an error until it is).
#![allow(unused_variables, unused_imports)]
use std::sync::Arc;

use async_trait::async_trait;

use super::super::{StoreError, accounts::*, chats::*, states::*};
use super::{PgStore, not_built};

#[async_trait]
impl ContactStore for PgStore {
    async fn contacts_of(&self, me: &str) -> Result<Vec<ContactRow>, StoreError> {
        Err(not_built())
    }

    async fn set_contact(&self, a: &str, b: &str, inviter: &str, state: ContactStatus, now: i64) -> Result<(), StoreError> {
        Err(not_built())
    }

    async fn delete_contact(&self, a: &str, b: &str) -> Result<(), StoreError> {
        Err(not_built())
    }

    async fn unseen_invitations(&self, me: &str) -> Result<u32, StoreError> {
        Err(not_built())
    }

    async fn mark_invitations_seen(&self, me: &str) -> Result<(), StoreError> {
        Err(not_built())
    }

    async fn set_blocked(&self, me: &str, other: &str, blocked: bool, now: i64) -> Result<(), StoreError> {
        Err(not_built())
    }

    async fn insert_invite(&self, invite: &InviteRow, created_by: &str) -> Result<(), StoreError> {
        Err(not_built())
    }

    async fn invite(&self, token: &str) -> Result<Option<InviteRow>, StoreError> {
        Err(not_built())
    }

    async fn invites_of(&self, chat_id: &str) -> Result<Vec<InviteRow>, StoreError> {
        Err(not_built())
    }

    async fn revoke_invite(&self, chat_id: &str, token: &str, now: i64) -> Result<bool, StoreError> {
        Err(not_built())
    }
}

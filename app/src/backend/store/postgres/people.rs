//! PostgreSQL: people (not built yet: every method answers an error until it is).
#![allow(unused_variables, unused_imports)]
use std::sync::Arc;

use async_trait::async_trait;

use super::super::{StoreError, accounts::*, chats::*, states::*};
use super::{PgStore, not_built};

#[async_trait]
impl PeopleStore for PgStore {
    async fn brief(&self, user_id: &str) -> Result<Option<Brief>, StoreError> {
        Err(not_built())
    }

    async fn profile_row(&self, user_id: &str) -> Result<Option<ProfileRow>, StoreError> {
        Err(not_built())
    }

    async fn save_profile(&self, user_id: &str, display_name: &str, bio: &str, who_can_message: WhoCanMessage, last_seen: LastSeenVisibility) -> Result<(), StoreError> {
        Err(not_built())
    }

    async fn set_last_seen(&self, user_id: &str, at: i64) -> Result<(), StoreError> {
        Err(not_built())
    }

    async fn relation(&self, me: &str, other: &str) -> Result<Relation, StoreError> {
        Err(not_built())
    }

    async fn people_by_prefix(&self, me: &str, prefix: &str, limit: u32) -> Result<Vec<Brief>, StoreError> {
        Err(not_built())
    }

    async fn user_by_phone_brief(&self, phone: &str) -> Result<Option<Brief>, StoreError> {
        Err(not_built())
    }

    async fn presence_audience(&self, me: &str, contacts_only: bool) -> Result<Vec<String>, StoreError> {
        Err(not_built())
    }
}

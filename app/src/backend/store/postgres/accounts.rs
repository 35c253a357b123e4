//! PostgreSQL: accounts (not built yet: every method answers an error until it is).
#![allow(unused_variables, unused_imports)]
use std::sync::Arc;

use async_trait::async_trait;

use super::super::{StoreError, accounts::*, chats::*, states::*};
use super::{PgStore, not_built};

#[async_trait]
impl AccountStore for PgStore {
    async fn user_insert(&self, user: &UserRow) -> Result<InsertUser, StoreError> {
        Err(not_built())
    }

    async fn user_by_id(&self, id: &str) -> Result<Option<UserRow>, StoreError> {
        Err(not_built())
    }

    async fn user_by_phone(&self, phone: &str) -> Result<Option<UserRow>, StoreError> {
        Err(not_built())
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>, StoreError> {
        Err(not_built())
    }

    async fn username_exists(&self, username: &str) -> Result<bool, StoreError> {
        Err(not_built())
    }

    async fn user_set_phone(&self, user_id: &str, phone: &str) -> Result<Result<(), Taken>, StoreError> {
        Err(not_built())
    }

    async fn user_set_email(&self, user_id: &str, email: &str, password_hash: &str) -> Result<Result<(), Taken>, StoreError> {
        Err(not_built())
    }

    async fn user_set_password(&self, user_id: &str, password_hash: &str) -> Result<(), StoreError> {
        Err(not_built())
    }

    async fn code_insert(&self, code: &CodeRow) -> Result<(), StoreError> {
        Err(not_built())
    }

    async fn code_get(&self, id: &str) -> Result<Option<CodeRow>, StoreError> {
        Err(not_built())
    }

    async fn code_take_try(&self, id: &str, max_tries: i64, now: i64) -> Result<Option<i64>, StoreError> {
        Err(not_built())
    }

    async fn code_use(&self, id: &str, now: i64) -> Result<bool, StoreError> {
        Err(not_built())
    }

    async fn code_replace(&self, id: &str, code_hash: &str, sent_at: i64, expires_at: i64) -> Result<(), StoreError> {
        Err(not_built())
    }

    async fn refresh_insert(&self, row: &RefreshRow) -> Result<(), StoreError> {
        Err(not_built())
    }

    async fn refresh_rotate(&self, token_hash: &str, next: &NextRefresh, now: i64) -> Result<RefreshUse, StoreError> {
        Err(not_built())
    }

    async fn refresh_revoke_family(&self, user_id: &str, token_hash: &str, now: i64) -> Result<bool, StoreError> {
        Err(not_built())
    }

    async fn devices_of(&self, user_id: &str, now: i64) -> Result<Vec<DeviceRow>, StoreError> {
        Err(not_built())
    }

    async fn device_revoke(&self, user_id: &str, device_id: &str, now: i64) -> Result<bool, StoreError> {
        Err(not_built())
    }

    async fn device_active(&self, device_id: &str, now: i64) -> Result<bool, StoreError> {
        Err(not_built())
    }

    async fn sign_out_everywhere(&self, user_id: &str, keep_session: Option<&str>, now: i64) -> Result<(), StoreError> {
        Err(not_built())
    }

    async fn session_touch(&self, session_id: &str, now: i64) -> Result<(), StoreError> {
        Err(not_built())
    }
}

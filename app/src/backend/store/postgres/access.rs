//! Who is in a chat, read from PostgreSQL: what the membership cache (`membership_cache`) in front
//! of the store loads when it does not know.
use async_trait::async_trait;
use sqlx::postgres::PgPool;

use super::super::{
    StoreError,
    chats::{AccessMember, ChatAccess},
    membership_cache::AccessSource,
    stored_text::StoredText,
    states::{ChatKind, MemberState, Role},
};

/// The pool the PostgreSQL store reads access through.
#[derive(Debug, Clone)]
pub(super) struct PgAccess(pub(super) PgPool);

#[async_trait]
impl AccessSource for PgAccess {
    async fn load_access(&self, chat_id: &str) -> Result<Option<ChatAccess>, StoreError> {
        let Some(kind) = sqlx::query_scalar::<_, String>("SELECT kind FROM conversations WHERE id = $1").bind(chat_id).fetch_optional(&self.0).await?
        else {
            return Ok(None);
        };
        let kind = ChatKind::parse(&kind)?;
        let members = sqlx::query_as::<_, (String, String, String)>(
            "SELECT user_id, role, state FROM members WHERE conversation_id = $1 ORDER BY joined_at, user_id COLLATE \"C\"",
        )
        .bind(chat_id)
        .fetch_all(&self.0)
        .await?;
        let members = members
            .into_iter()
            .map(|(user_id, role, state)| Ok(AccessMember { user_id, role: Role::parse(&role)?, state: MemberState::parse(&state)? }))
            .collect::<Result<Vec<_>, StoreError>>()?;
        let blockers = match (kind, members.as_slice()) {
            (ChatKind::Direct, [a, b]) => {
                sqlx::query_scalar::<_, String>(
                    "SELECT blocker_id FROM blocks WHERE (blocker_id = $1 AND blocked_id = $2) OR (blocker_id = $2 AND blocked_id = $1)",
                )
                .bind(&a.user_id)
                .bind(&b.user_id)
                .fetch_all(&self.0)
                .await?
            }
            _ => Vec::new(),
        };
        Ok(Some(ChatAccess { id: chat_id.to_owned(), kind, members, blockers }))
    }
}

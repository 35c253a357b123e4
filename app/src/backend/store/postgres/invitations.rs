//! PostgreSQL implementation of `GroupInvitationStore`: invitations to groups.
use async_trait::async_trait;
use sqlx::{Row, postgres::PgRow};

use super::super::{
    StoreError,
    chats::{GroupInvitationRow, GroupInvitationStore},
    common_sql::CONV_COLS,
    row_columns::{USER, USER_BRIEF_COLS, brief_at},
    stored_text::state_at,
};
use super::{
    PgStore,
    row_maps::conv_row,
};

/// An invitation with its group (`c`) and inviter (`u`).
fn invitation_sql(filter: &str) -> String {
    format!(
        "SELECT {CONV_COLS}, {USER_BRIEF_COLS}, gi.state AS gi_state, gi.created_at AS gi_created_at
           FROM group_invitations gi
           JOIN conversations c ON c.id = gi.conversation_id
           JOIN users u ON u.id = gi.inviter_id
          WHERE {filter}"
    )
}

fn invitation_row(r: &PgRow) -> Result<GroupInvitationRow, StoreError> {
    Ok(GroupInvitationRow {
        conv: conv_row(r)?,
        inviter: brief_at(r, USER).unwrap_or_default(),
        state: state_at(r, "gi_state")?,
        created_at: r.try_get("gi_created_at")?,
    })
}

#[async_trait]
impl GroupInvitationStore for PgStore {
    async fn group_invitation(&self, chat_id: &str, user_id: &str) -> Result<Option<GroupInvitationRow>, StoreError> {
        let row = sqlx::query(&invitation_sql("gi.conversation_id = $1 AND gi.user_id = $2"))
            .bind(chat_id)
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?;
        row.as_ref().map(invitation_row).transpose()
    }

    async fn invite_to_group(&self, chat_id: &str, user_id: &str, inviter: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO group_invitations (conversation_id, user_id, inviter_id, state, created_at)
             VALUES ($1, $2, $3, 'pending', $4) ON CONFLICT DO NOTHING",
        )
        .bind(chat_id)
        .bind(user_id)
        .bind(inviter)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn decline_group_invitation(&self, chat_id: &str, user_id: &str) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE group_invitations SET state = 'declined' WHERE conversation_id = $1 AND user_id = $2 AND state = 'pending'",
        )
        .bind(chat_id)
        .bind(user_id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn withdraw_group_invitations(&self, chat_id: &str, inviter: Option<&str>) -> Result<Vec<String>, StoreError> {
        let ids = sqlx::query_scalar(
            "DELETE FROM group_invitations WHERE conversation_id = $1 AND state = 'pending' AND ($2::TEXT IS NULL OR inviter_id = $2)
             RETURNING user_id",
        )
        .bind(chat_id)
        .bind(inviter)
        .fetch_all(self.pool())
        .await?;
        Ok(ids)
    }

    async fn group_invitations_of(&self, user_id: &str) -> Result<Vec<GroupInvitationRow>, StoreError> {
        let sql = invitation_sql(
            "gi.user_id = $1 AND gi.state = 'pending'
               AND NOT EXISTS (SELECT 1 FROM blocks b WHERE (b.blocker_id = $1 AND b.blocked_id = gi.inviter_id)
                                                        OR (b.blocker_id = gi.inviter_id AND b.blocked_id = $1))
             ORDER BY gi.created_at DESC, c.id COLLATE \"C\" DESC LIMIT 500",
        );
        let rows = sqlx::query(&sql).bind(user_id).fetch_all(self.pool()).await?;
        rows.iter().map(invitation_row).collect()
    }

    async fn pending_invitations_from(&self, inviter: &str, user_id: &str) -> Result<u32, StoreError> {
        let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM group_invitations WHERE inviter_id = $1 AND user_id = $2 AND state = 'pending'")
            .bind(inviter)
            .bind(user_id)
            .fetch_one(self.pool())
            .await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }
}

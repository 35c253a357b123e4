//! PostgreSQL implementation of `ContactStore`: contacts and invitations, blocks, group invite links.
use async_trait::async_trait;
use sqlx::{Row, postgres::PgRow};

use super::super::{
    StoreError,
    chats::{ContactRow, ContactStore, InviteRow},
    common_sql::pair,
    membership_cache::AccessChanged,
    row_columns::{USER, brief_at},
    stored_text::{StoredText, state_at},
    states::ContactStatus,
};
use super::PgStore;

fn invite_row(r: &PgRow) -> Result<InviteRow, StoreError> {
    Ok(InviteRow {
        token: r.try_get("token")?,
        chat_id: r.try_get("conversation_id")?,
        created_at: r.try_get("created_at")?,
        expires_at: r.try_get("expires_at")?,
        max_uses: r.try_get("max_uses")?,
        uses: r.try_get("uses")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

const INVITE_COLS: &str = "token, conversation_id, created_at, expires_at, max_uses, uses, revoked_at";

#[async_trait]
impl ContactStore for PgStore {
    async fn contacts_of(&self, me: &str) -> Result<Vec<ContactRow>, StoreError> {
        // Sorted outside the union, where a collation may be named: by display name in byte
        // order, as SQLite sorts text.
        let rows = sqlx::query(
            "SELECT * FROM (
                 SELECT u.id AS u_id, u.username AS u_username, u.display_name AS u_display_name, k.inviter, k.state,
                        k.updated_at AS since, u.last_seen_visibility, u.last_seen_at
                   FROM contacts k JOIN users u ON u.id = CASE WHEN k.user_lo = $1 THEN k.user_hi ELSE k.user_lo END
                  WHERE (k.user_lo = $1 OR k.user_hi = $1) AND k.state IN ('accepted', 'pending')
                 UNION ALL
                 SELECT u.id, u.username, u.display_name, $1, 'blocked', b.created_at, u.last_seen_visibility, u.last_seen_at
                   FROM blocks b JOIN users u ON u.id = b.blocked_id WHERE b.blocker_id = $1
             ) listed
             ORDER BY u_display_name COLLATE \"C\"",
        )
        .bind(me)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ContactRow {
                    person: brief_at(r, USER).unwrap_or_default(),
                    inviter: r.try_get("inviter")?,
                    state: state_at(r, "state")?,
                    since: r.try_get("since")?,
                    last_seen_visibility: state_at(r, "last_seen_visibility")?,
                    last_seen_at: r.try_get("last_seen_at")?,
                })
            })
            .collect()
    }

    async fn set_contact(&self, a: &str, b: &str, inviter: &str, state: ContactStatus, now: i64) -> Result<(), StoreError> {
        let (lo, hi) = pair(a, b);
        sqlx::query(
            "INSERT INTO contacts (user_lo, user_hi, inviter, state, seen, created_at, updated_at) VALUES ($1, $2, $3, $4, FALSE, $5, $5)
             ON CONFLICT (user_lo, user_hi) DO UPDATE SET inviter = excluded.inviter, state = excluded.state,
                 seen = CASE WHEN excluded.state = 'pending' THEN FALSE ELSE contacts.seen END, updated_at = excluded.updated_at",
        )
        .bind(lo)
        .bind(hi)
        .bind(inviter)
        .bind(state.text())
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn delete_contact(&self, a: &str, b: &str) -> Result<(), StoreError> {
        let (lo, hi) = pair(a, b);
        sqlx::query("DELETE FROM contacts WHERE user_lo = $1 AND user_hi = $2").bind(lo).bind(hi).execute(self.pool()).await?;
        Ok(())
    }

    async fn unseen_invitations(&self, me: &str) -> Result<u32, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM contacts WHERE (user_lo = $1 OR user_hi = $1) AND inviter <> $1 AND state = 'pending' AND NOT seen",
        )
        .bind(me)
        .fetch_one(self.pool())
        .await?;
        Ok(u32::try_from(n).unwrap_or(u32::MAX))
    }

    async fn mark_invitations_seen(&self, me: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE contacts SET seen = TRUE WHERE (user_lo = $1 OR user_hi = $1) AND inviter <> $1 AND state = 'pending'")
            .bind(me)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn set_blocked(&self, me: &str, other: &str, blocked: bool, now: i64) -> Result<(), StoreError> {
        if blocked {
            let (lo, hi) = pair(me, other);
            let mut tx = self.pool().begin().await?;
            sqlx::query("INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                .bind(me)
                .bind(other)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM contacts WHERE user_lo = $1 AND user_hi = $2").bind(lo).bind(hi).execute(&mut *tx).await?;
            tx.commit().await?;
        } else {
            sqlx::query("DELETE FROM blocks WHERE blocker_id = $1 AND blocked_id = $2").bind(me).bind(other).execute(self.pool()).await?;
        }
        // Which direct chat the pair shares is not looked up here: blocks are rare.
        self.changed(AccessChanged::Everyone);
        Ok(())
    }

    async fn insert_invite(&self, i: &InviteRow, created_by: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO group_invites (token, conversation_id, created_by, created_at, expires_at, max_uses, uses)
             VALUES ($1, $2, $3, $4, $5, $6, 0)",
        )
        .bind(&i.token)
        .bind(&i.chat_id)
        .bind(created_by)
        .bind(i.created_at)
        .bind(i.expires_at)
        .bind(i.max_uses)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn invite(&self, token: &str) -> Result<Option<InviteRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {INVITE_COLS} FROM group_invites WHERE token = $1")).bind(token).fetch_optional(self.pool()).await?;
        row.as_ref().map(invite_row).transpose()
    }

    async fn invites_of(&self, chat_id: &str) -> Result<Vec<InviteRow>, StoreError> {
        let rows = sqlx::query(&format!(
            "SELECT {INVITE_COLS} FROM group_invites WHERE conversation_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC"
        ))
        .bind(chat_id)
        .fetch_all(self.pool())
        .await?;
        rows.iter().map(invite_row).collect()
    }

    async fn revoke_invite(&self, chat_id: &str, token: &str, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE group_invites SET revoked_at = $1 WHERE token = $2 AND conversation_id = $3 AND revoked_at IS NULL")
            .bind(now)
            .bind(token)
            .bind(chat_id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

//! SQLite implementation of `ContactStore`: contacts and invitations, blocks, group invite links.
use async_trait::async_trait;
use sqlx::{Row, sqlite::SqliteRow};

use super::super::{
    SqliteStore, StoreError,
    chats::{ContactRow, ContactStore, InviteRow},
    sqlite::rows::{USER, brief_at, pair},
    stored_text::{StoredText, state_at},
    membership_cache::AccessChanged,
    states::ContactStatus,
};

fn invite_row(r: &SqliteRow) -> InviteRow {
    InviteRow {
        token: r.get("token"),
        chat_id: r.get("conversation_id"),
        created_at: r.get("created_at"),
        expires_at: r.get("expires_at"),
        max_uses: r.get("max_uses"),
        uses: r.get("uses"),
        revoked_at: r.get("revoked_at"),
    }
}

#[async_trait]
impl ContactStore for SqliteStore {
    async fn contacts_of(&self, me: &str) -> Result<Vec<ContactRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT u.id AS u_id, u.username AS u_username, u.display_name AS u_display_name, k.inviter, k.state,
                    k.updated_at AS since, u.last_seen_visibility, u.last_seen_at
               FROM contacts k JOIN users u ON u.id = CASE WHEN k.user_lo = ?1 THEN k.user_hi ELSE k.user_lo END
              WHERE (k.user_lo = ?1 OR k.user_hi = ?1) AND (k.state = 'accepted' OR (k.state = 'pending'))
             UNION ALL
             SELECT u.id, u.username, u.display_name, ?1, 'blocked', b.created_at, u.last_seen_visibility, u.last_seen_at
               FROM blocks b JOIN users u ON u.id = b.blocked_id WHERE b.blocker_id = ?1
             ORDER BY 3",
        )
        .bind(me)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| {
                Ok(ContactRow {
                    person: brief_at(r, USER).unwrap_or_default(),
                    inviter: r.get("inviter"),
                    state: state_at(r, "state")?,
                    since: r.get("since"),
                    last_seen_visibility: state_at(r, "last_seen_visibility")?,
                    last_seen_at: r.get("last_seen_at"),
                })
            })
            .collect()
    }

    async fn set_contact(&self, a: &str, b: &str, inviter: &str, state: ContactStatus, now: i64) -> Result<(), StoreError> {
        let (lo, hi) = pair(a, b);
        sqlx::query(
            "INSERT INTO contacts (user_lo, user_hi, inviter, state, seen, created_at, updated_at) VALUES (?1, ?2, ?3, ?4, 0, ?5, ?5)
             ON CONFLICT (user_lo, user_hi) DO UPDATE SET inviter = excluded.inviter, state = excluded.state,
                 seen = CASE WHEN excluded.state = 'pending' THEN 0 ELSE contacts.seen END, updated_at = excluded.updated_at",
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
        sqlx::query("DELETE FROM contacts WHERE user_lo = ? AND user_hi = ?").bind(lo).bind(hi).execute(self.pool()).await?;
        Ok(())
    }

    async fn unseen_invitations(&self, me: &str) -> Result<u32, StoreError> {
        let n: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM contacts WHERE (user_lo = ?1 OR user_hi = ?1) AND inviter <> ?1 AND state = 'pending' AND seen = 0",
        )
        .bind(me)
        .fetch_one(self.pool())
        .await?;
        Ok(n as u32)
    }

    async fn mark_invitations_seen(&self, me: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE contacts SET seen = 1 WHERE (user_lo = ?1 OR user_hi = ?1) AND inviter <> ?1 AND state = 'pending'")
            .bind(me)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn set_blocked(&self, me: &str, other: &str, blocked: bool, now: i64) -> Result<(), StoreError> {
        if blocked {
            let (lo, hi) = pair(me, other);
            let mut tx = self.pool().begin().await?;
            sqlx::query("INSERT INTO blocks (blocker_id, blocked_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
                .bind(me)
                .bind(other)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM contacts WHERE user_lo = ? AND user_hi = ?").bind(lo).bind(hi).execute(&mut *tx).await?;
            tx.commit().await?;
        } else {
            sqlx::query("DELETE FROM blocks WHERE blocker_id = ? AND blocked_id = ?").bind(me).bind(other).execute(self.pool()).await?;
        }
        // Which direct chat the pair shares is not looked up here: blocks are rare.
        self.changed(AccessChanged::Everyone);
        Ok(())
    }

    async fn insert_invite(&self, i: &InviteRow, created_by: &str) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO group_invites (token, conversation_id, created_by, created_at, expires_at, max_uses, uses)
             VALUES (?, ?, ?, ?, ?, ?, 0)",
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
        let row = sqlx::query("SELECT * FROM group_invites WHERE token = ?").bind(token).fetch_optional(self.pool()).await?;
        Ok(row.as_ref().map(invite_row))
    }

    async fn invites_of(&self, chat_id: &str) -> Result<Vec<InviteRow>, StoreError> {
        let rows = sqlx::query("SELECT * FROM group_invites WHERE conversation_id = ? AND revoked_at IS NULL ORDER BY created_at DESC")
            .bind(chat_id)
            .fetch_all(self.pool())
            .await?;
        Ok(rows.iter().map(invite_row).collect())
    }

    async fn revoke_invite(&self, chat_id: &str, token: &str, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE group_invites SET revoked_at = ? WHERE token = ? AND conversation_id = ? AND revoked_at IS NULL")
            .bind(now)
            .bind(token)
            .bind(chat_id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }
}

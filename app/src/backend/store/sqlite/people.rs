//! SQLite implementation of `PeopleStore`: profiles, privacy, relations between two people,
//! people search and presence audiences.
use async_trait::async_trait;
use sqlx::Row;

use super::super::{
    SqliteStore, StoreError,
    chats::{Brief, PeopleStore, ProfileRow, Relation},
    sqlite::rows::{USER, brief_at, like_escape, pair},
    stored_text::{StoredText, state_at},
    states::{LastSeenVisibility, WhoCanMessage},
};

const PROFILE_COLS: &str = "id AS u_id, username AS u_username, display_name AS u_display_name, bio, who_can_message, \
    last_seen_visibility, last_seen_at";

#[async_trait]
impl PeopleStore for SqliteStore {
    async fn brief(&self, user_id: &str) -> Result<Option<Brief>, StoreError> {
        let row = sqlx::query("SELECT id AS u_id, username AS u_username, display_name AS u_display_name FROM users WHERE id = ?")
            .bind(user_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.and_then(|r| brief_at(&r, USER)))
    }

    async fn profile_row(&self, user_id: &str) -> Result<Option<ProfileRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {PROFILE_COLS} FROM users WHERE id = ?")).bind(user_id).fetch_optional(self.pool()).await?;
        row.map(|r| {
            Ok(ProfileRow {
                person: brief_at(&r, USER).unwrap_or_default(),
                bio: r.get("bio"),
                who_can_message: state_at(&r, "who_can_message")?,
                last_seen_visibility: state_at(&r, "last_seen_visibility")?,
                last_seen_at: r.get("last_seen_at"),
            })
        })
        .transpose()
    }

    async fn save_profile(&self, user_id: &str, display_name: &str, bio: &str, who: WhoCanMessage, last_seen: LastSeenVisibility) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET display_name = ?, bio = ?, who_can_message = ?, last_seen_visibility = ? WHERE id = ?")
            .bind(display_name)
            .bind(bio)
            .bind(who.text())
            .bind(last_seen.text())
            .bind(user_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn set_last_seen(&self, user_id: &str, at: i64) -> Result<(), StoreError> {
        self.writer.last_seen(user_id, at).await
    }

    async fn relation(&self, me: &str, other: &str) -> Result<Relation, StoreError> {
        let (lo, hi) = pair(me, other);
        let r = sqlx::query(
            "SELECT EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ?1 AND blocked_id = ?2) AS i_blocked,
                    EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ?2 AND blocked_id = ?1) AS they_blocked,
                    (SELECT inviter FROM contacts WHERE user_lo = ?3 AND user_hi = ?4) AS inviter,
                    (SELECT state FROM contacts WHERE user_lo = ?3 AND user_hi = ?4) AS contact_state,
                    (SELECT id FROM conversations WHERE direct_key = ?5) AS direct_id,
                    (SELECT mb.state FROM conversations c JOIN members mb ON mb.conversation_id = c.id AND mb.user_id = ?1
                      WHERE c.direct_key = ?5) AS direct_state",
        )
        .bind(me)
        .bind(other)
        .bind(&lo)
        .bind(&hi)
        .bind(format!("{lo}:{hi}"))
        .fetch_one(self.pool())
        .await?;
        let inviter: Option<String> = r.get("inviter");
        let direct: Option<String> = r.get("direct_id");
        Ok(Relation {
            i_blocked: r.get("i_blocked"),
            they_blocked: r.get("they_blocked"),
            contact: inviter.map(|i| Ok::<_, StoreError>((i, state_at(&r, "contact_state")?))).transpose()?,
            direct: direct.map(|d| Ok::<_, StoreError>((d, state_at(&r, "direct_state")?))).transpose()?,
        })
    }

    async fn people_by_prefix(&self, me: &str, prefix: &str, limit: u32) -> Result<Vec<Brief>, StoreError> {
        let rows = sqlx::query(
            "SELECT id AS u_id, username AS u_username, display_name AS u_display_name FROM users
             WHERE username LIKE ? ESCAPE '\\' AND id <> ?
               AND NOT EXISTS (SELECT 1 FROM blocks WHERE blocker_id = users.id AND blocked_id = ?)
             ORDER BY username LIMIT ?",
        )
        .bind(format!("{}%", like_escape(prefix)))
        .bind(me)
        .bind(me)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().filter_map(|r| brief_at(r, USER)).collect())
    }

    async fn user_by_phone_brief(&self, phone: &str) -> Result<Option<Brief>, StoreError> {
        let row = sqlx::query("SELECT id AS u_id, username AS u_username, display_name AS u_display_name FROM users WHERE phone = ?")
            .bind(phone)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.and_then(|r| brief_at(&r, USER)))
    }

    async fn presence_audience(&self, me: &str, contacts_only: bool) -> Result<Vec<String>, StoreError> {
        let ids = sqlx::query_scalar(
            "SELECT k.other FROM (
                 SELECT CASE WHEN user_lo = ?1 THEN user_hi ELSE user_lo END AS other FROM contacts
                  WHERE (user_lo = ?1 OR user_hi = ?1) AND state = 'accepted'
                 UNION
                 SELECT pm.user_id FROM members mb
                   JOIN conversations c ON c.id = mb.conversation_id AND c.kind = 'direct'
                   JOIN members pm ON pm.conversation_id = c.id AND pm.user_id <> ?1
                  WHERE mb.user_id = ?1 AND mb.state = 'active' AND pm.state = 'active' AND ?2 = 0
             ) k
             WHERE NOT EXISTS (SELECT 1 FROM blocks WHERE blocker_id = ?1 AND blocked_id = k.other)
               AND NOT EXISTS (SELECT 1 FROM blocks WHERE blocker_id = k.other AND blocked_id = ?1)",
        )
        .bind(me)
        .bind(contacts_only)
        .fetch_all(self.pool())
        .await?;
        Ok(ids)
    }
}

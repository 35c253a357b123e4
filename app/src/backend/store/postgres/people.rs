//! PostgreSQL implementation of `PeopleStore`: profiles, privacy, relations between two people,
//! people search and presence audiences.
use async_trait::async_trait;
use sqlx::Row;

use super::super::{
    StoreError,
    chats::{Brief, PeopleStore, ProfileRow, Relation},
    common_sql::{like_escape, pair},
    row_columns::{USER, USER_BRIEF_COLS, brief_at},
    stored_text::{StoredText, state_at},
    states::{LastSeenVisibility, WhoCanMessage},
};
use super::PgStore;

impl PgStore {
    /// The brief of the user a column of `users` names, if there is one.
    async fn brief_where(&self, column: &str, value: &str) -> Result<Option<Brief>, StoreError> {
        let row = sqlx::query(&format!("SELECT {USER_BRIEF_COLS} FROM users u WHERE u.{column} = $1"))
            .bind(value)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.and_then(|r| brief_at(&r, USER)))
    }
}

#[async_trait]
impl PeopleStore for PgStore {
    async fn brief(&self, user_id: &str) -> Result<Option<Brief>, StoreError> {
        self.brief_where("id", user_id).await
    }

    async fn profile_row(&self, user_id: &str) -> Result<Option<ProfileRow>, StoreError> {
        let row = sqlx::query(&format!(
            "SELECT {USER_BRIEF_COLS}, u.bio, u.who_can_message, u.last_seen_visibility, u.last_seen_at FROM users u WHERE u.id = $1"
        ))
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| {
            Ok(ProfileRow {
                person: brief_at(&r, USER).unwrap_or_default(),
                bio: r.try_get("bio")?,
                who_can_message: state_at(&r, "who_can_message")?,
                last_seen_visibility: state_at(&r, "last_seen_visibility")?,
                last_seen_at: r.try_get("last_seen_at")?,
            })
        })
        .transpose()
    }

    async fn save_profile(&self, user_id: &str, display_name: &str, bio: &str, who: WhoCanMessage, last_seen: LastSeenVisibility) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET display_name = $1, bio = $2, who_can_message = $3, last_seen_visibility = $4 WHERE id = $5")
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
        // Through the group commit (only ever moving forward): sockets closing in a storm are
        // then a few commits.
        self.writer.last_seen(user_id, at).await
    }

    async fn relation(&self, me: &str, other: &str) -> Result<Relation, StoreError> {
        let (lo, hi) = pair(me, other);
        let r = sqlx::query(
            "SELECT EXISTS (SELECT 1 FROM blocks WHERE blocker_id = $1 AND blocked_id = $2) AS i_blocked,
                    EXISTS (SELECT 1 FROM blocks WHERE blocker_id = $2 AND blocked_id = $1) AS they_blocked,
                    (SELECT inviter FROM contacts WHERE user_lo = $3 AND user_hi = $4) AS inviter,
                    (SELECT state FROM contacts WHERE user_lo = $3 AND user_hi = $4) AS contact_state,
                    (SELECT id FROM conversations WHERE direct_key = $5) AS direct_id,
                    (SELECT mb.state FROM conversations c JOIN members mb ON mb.conversation_id = c.id AND mb.user_id = $1
                      WHERE c.direct_key = $5) AS direct_state",
        )
        .bind(me)
        .bind(other)
        .bind(&lo)
        .bind(&hi)
        .bind(format!("{lo}:{hi}"))
        .fetch_one(self.pool())
        .await?;
        let inviter: Option<String> = r.try_get("inviter")?;
        let direct: Option<String> = r.try_get("direct_id")?;
        Ok(Relation {
            i_blocked: r.try_get("i_blocked")?,
            they_blocked: r.try_get("they_blocked")?,
            contact: inviter.map(|i| Ok::<_, StoreError>((i, state_at(&r, "contact_state")?))).transpose()?,
            direct: direct.map(|d| Ok::<_, StoreError>((d, state_at(&r, "direct_state")?))).transpose()?,
        })
    }

    async fn people_by_prefix(&self, me: &str, prefix: &str, limit: u32) -> Result<Vec<Brief>, StoreError> {
        // Usernames and the prefix are both lower-case, so a case-sensitive LIKE finds what
        // SQLite's ASCII-folding one does; "C" orders them by bytes, as SQLite does.
        let rows = sqlx::query(&format!(
            "SELECT {USER_BRIEF_COLS} FROM users u
             WHERE u.username LIKE $1 ESCAPE '\\' AND u.id <> $2
               AND NOT EXISTS (SELECT 1 FROM blocks WHERE blocker_id = u.id AND blocked_id = $2)
             ORDER BY u.username COLLATE \"C\" LIMIT $3"
        ))
        .bind(format!("{}%", like_escape(prefix)))
        .bind(me)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.iter().filter_map(|r| brief_at(r, USER)).collect())
    }

    async fn user_by_phone_brief(&self, phone: &str) -> Result<Option<Brief>, StoreError> {
        self.brief_where("phone", phone).await
    }

    async fn presence_audience(&self, me: &str, contacts_only: bool) -> Result<Vec<String>, StoreError> {
        let ids = sqlx::query_scalar(
            "SELECT k.other FROM (
                 SELECT CASE WHEN user_lo = $1 THEN user_hi ELSE user_lo END AS other FROM contacts
                  WHERE (user_lo = $1 OR user_hi = $1) AND state = 'accepted'
                 UNION
                 SELECT pm.user_id FROM members mb
                   JOIN conversations c ON c.id = mb.conversation_id AND c.kind = 'direct'
                   JOIN members pm ON pm.conversation_id = c.id AND pm.user_id <> $1
                  WHERE mb.user_id = $1 AND mb.state = 'active' AND pm.state = 'active' AND NOT $2
             ) k
             WHERE NOT EXISTS (SELECT 1 FROM blocks WHERE blocker_id = $1 AND blocked_id = k.other)
               AND NOT EXISTS (SELECT 1 FROM blocks WHERE blocker_id = k.other AND blocked_id = $1)",
        )
        .bind(me)
        .bind(contacts_only)
        .fetch_all(self.pool())
        .await?;
        Ok(ids)
    }
}

//! The stranger-chat half of the store: who confirmed they are adults, who must never be
//! matched again, and reports with their transcripts. The conversations are not stored.
use async_trait::async_trait;

use super::StoreError;

#[derive(Debug, Clone, PartialEq)]
pub struct StrangerReportRow {
    pub id: String,
    pub reporter_id: String,
    pub reported_id: String,
    pub reason: String,
    pub note: String,
    /// The conversation as JSON (see migration 0010).
    pub transcript: String,
    pub created_at: i64,
}

#[async_trait]
pub trait StrangerStore: Send + Sync {
    /// When `user` confirmed they are 18 or older, if they did.
    async fn stranger_adult_at(&self, user: &str) -> Result<Option<i64>, StoreError>;
    /// Records the confirmation (the first one stays).
    async fn stranger_confirm_adult(&self, user: &str, now: i64) -> Result<(), StoreError>;
    /// `user` never wants to meet `other` again (a report or a block).
    async fn stranger_avoid(&self, user: &str, other: &str, now: i64) -> Result<(), StoreError>;
    /// Everyone `user` must not be matched with: whom they avoid, who avoids them, and whom
    /// they blocked or who blocked them anywhere in Confab.
    async fn stranger_avoided(&self, user: &str) -> Result<Vec<String>, StoreError>;
    async fn stranger_report_insert(&self, row: &StrangerReportRow) -> Result<(), StoreError>;
    /// Each distinct person who reported `user` after `since`, with their latest report's time.
    async fn stranger_reporters_since(&self, user: &str, since: i64) -> Result<Vec<(String, i64)>, StoreError>;
    /// Reports, newest first (the moderators' queue).
    async fn stranger_reports(&self, limit: u32) -> Result<Vec<StrangerReportRow>, StoreError>;
}

/// The SQL both stores run (numbered parameters mean the same to SQLite and PostgreSQL).
pub(super) mod sql {
    pub const ADULT_AT: &str = "SELECT adult_confirmed_at FROM stranger_members WHERE user_id = $1";
    pub const CONFIRM_ADULT: &str =
        "INSERT INTO stranger_members (user_id, adult_confirmed_at) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING";
    pub const AVOID: &str =
        "INSERT INTO stranger_avoids (user_id, other_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (user_id, other_id) DO NOTHING";
    pub const AVOIDED: &str = "SELECT other_id AS id FROM stranger_avoids WHERE user_id = $1
        UNION SELECT user_id FROM stranger_avoids WHERE other_id = $1
        UNION SELECT blocked_id FROM blocks WHERE blocker_id = $1
        UNION SELECT blocker_id FROM blocks WHERE blocked_id = $1";
    pub const REPORT_INSERT: &str = "INSERT INTO stranger_reports (id, reporter_id, reported_id, reason, note, transcript, created_at)
        VALUES ($1, $2, $3, $4, $5, $6, $7)";
    pub const REPORTERS_SINCE: &str = "SELECT reporter_id, MAX(created_at) AS at FROM stranger_reports
        WHERE reported_id = $1 AND created_at > $2 GROUP BY reporter_id";
    pub const REPORTS: &str = "SELECT id, reporter_id, reported_id, reason, note, transcript, created_at
        FROM stranger_reports ORDER BY created_at DESC, id DESC LIMIT $1";
}

/// `StrangerStore` for a store with a sqlx `pool()`: the SQL above means the same to both
/// drivers, so one body serves SQLite and PostgreSQL.
macro_rules! stranger_store_for {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl $crate::backend::store::strangers::StrangerStore for $store {
            async fn stranger_adult_at(&self, user: &str) -> Result<Option<i64>, StoreError> {
                Ok(sqlx::query_scalar(sql::ADULT_AT).bind(user).fetch_optional(self.pool()).await?)
            }

            async fn stranger_confirm_adult(&self, user: &str, now: i64) -> Result<(), StoreError> {
                sqlx::query(sql::CONFIRM_ADULT).bind(user).bind(now).execute(self.pool()).await?;
                Ok(())
            }

            async fn stranger_avoid(&self, user: &str, other: &str, now: i64) -> Result<(), StoreError> {
                sqlx::query(sql::AVOID).bind(user).bind(other).bind(now).execute(self.pool()).await?;
                Ok(())
            }

            async fn stranger_avoided(&self, user: &str) -> Result<Vec<String>, StoreError> {
                Ok(sqlx::query_scalar(sql::AVOIDED).bind(user).fetch_all(self.pool()).await?)
            }

            async fn stranger_report_insert(&self, r: &StrangerReportRow) -> Result<(), StoreError> {
                sqlx::query(sql::REPORT_INSERT)
                    .bind(&r.id)
                    .bind(&r.reporter_id)
                    .bind(&r.reported_id)
                    .bind(&r.reason)
                    .bind(&r.note)
                    .bind(&r.transcript)
                    .bind(r.created_at)
                    .execute(self.pool())
                    .await?;
                Ok(())
            }

            async fn stranger_reporters_since(&self, user: &str, since: i64) -> Result<Vec<(String, i64)>, StoreError> {
                let rows = sqlx::query(sql::REPORTERS_SINCE).bind(user).bind(since).fetch_all(self.pool()).await?;
                rows.iter().map(|r| Ok((r.try_get("reporter_id")?, r.try_get("at")?))).collect()
            }

            async fn stranger_reports(&self, limit: u32) -> Result<Vec<StrangerReportRow>, StoreError> {
                let rows = sqlx::query(sql::REPORTS).bind(i64::from(limit)).fetch_all(self.pool()).await?;
                rows.iter()
                    .map(|r| {
                        Ok(StrangerReportRow {
                            id: r.try_get("id")?,
                            reporter_id: r.try_get("reporter_id")?,
                            reported_id: r.try_get("reported_id")?,
                            reason: r.try_get("reason")?,
                            note: r.try_get("note")?,
                            transcript: r.try_get("transcript")?,
                            created_at: r.try_get("created_at")?,
                        })
                    })
                    .collect()
            }
        }
    };
}
pub(super) use stranger_store_for;

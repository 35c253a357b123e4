//! SQLite implementation of `AccountStore`.
use async_trait::async_trait;
use sqlx::{Row, sqlite::SqliteRow};

use super::super::{
    SqliteStore, StoreError,
    accounts::{AccountStore, CodeRow, DeviceRow, InsertUser, NextRefresh, RefreshRow, RefreshUse, SESSION_TOUCH_EVERY_SECS, Taken, UserRow},
};

fn user(r: SqliteRow) -> UserRow {
    UserRow {
        id: r.get("id"),
        username: r.get("username"),
        display_name: r.get("display_name"),
        phone: r.get("phone"),
        email: r.get("email"),
        password_hash: r.get("password_hash"),
        created_at: r.get("created_at"),
    }
}

/// Which unique index a failed write broke, if that is why it failed.
fn taken(e: &sqlx::Error) -> Option<Taken> {
    match e {
        sqlx::Error::Database(e) if e.is_unique_violation() => {
            let message = e.message();
            Some(if message.contains("users.username") {
                Taken::Username
            } else if message.contains("users.phone") {
                Taken::Phone
            } else if message.contains("users.email") {
                Taken::Email
            } else {
                Taken::Id
            })
        }
        _ => None,
    }
}

fn code(r: SqliteRow) -> CodeRow {
    CodeRow {
        id: r.get("id"),
        purpose: r.get("purpose"),
        channel: r.get("channel"),
        destination: r.get("destination"),
        code_hash: r.get("code_hash"),
        payload: r.get("payload"),
        attempts: r.get("attempts"),
        created_at: r.get("created_at"),
        sent_at: r.get("sent_at"),
        expires_at: r.get("expires_at"),
        used_at: r.get("used_at"),
    }
}

async fn insert_refresh<'e>(db: impl sqlx::SqliteExecutor<'e>, r: &RefreshRow) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, family, user_id, user_agent, ip, created_at, expires_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(&r.token_hash)
    .bind(&r.family)
    .bind(&r.user_id)
    .bind(&r.user_agent)
    .bind(&r.ip)
    .bind(r.created_at)
    .bind(r.expires_at)
    .execute(db)
    .await?;
    Ok(())
}

const USER_COLUMNS: &str = "id, username, display_name, phone, email, password_hash, created_at";

#[async_trait]
impl AccountStore for SqliteStore {
    async fn user_insert(&self, u: &UserRow) -> Result<InsertUser, StoreError> {
        let result = sqlx::query(
            "INSERT INTO users (id, username, display_name, phone, email, password_hash, created_at)
             VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&u.id)
        .bind(&u.username)
        .bind(&u.display_name)
        .bind(&u.phone)
        .bind(&u.email)
        .bind(&u.password_hash)
        .bind(u.created_at)
        .execute(self.pool())
        .await;
        match result {
            Ok(_) => Ok(InsertUser::Inserted),
            // The unique indexes decide, so two sign-ups racing for a name cannot both win.
            Err(e) => taken(&e).map(InsertUser::Taken).ok_or_else(|| e.into()),
        }
    }

    async fn user_by_id(&self, id: &str) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE id = ?"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(user))
    }

    async fn user_by_phone(&self, phone: &str) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE phone = ?"))
            .bind(phone)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(user))
    }

    async fn user_by_email(&self, email: &str) -> Result<Option<UserRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {USER_COLUMNS} FROM users WHERE email = ?"))
            .bind(email)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.map(user))
    }

    async fn user_set_phone(&self, user_id: &str, phone: &str) -> Result<Result<(), Taken>, StoreError> {
        let result = sqlx::query("UPDATE users SET phone = ? WHERE id = ?").bind(phone).bind(user_id).execute(self.pool()).await;
        match result {
            Ok(_) => Ok(Ok(())),
            Err(e) => taken(&e).map(Err).ok_or_else(|| e.into()),
        }
    }

    async fn user_set_email(&self, user_id: &str, email: &str, password_hash: &str) -> Result<Result<(), Taken>, StoreError> {
        let result = sqlx::query("UPDATE users SET email = ?, password_hash = ? WHERE id = ?")
            .bind(email)
            .bind(password_hash)
            .bind(user_id)
            .execute(self.pool())
            .await;
        match result {
            Ok(_) => Ok(Ok(())),
            Err(e) => taken(&e).map(Err).ok_or_else(|| e.into()),
        }
    }

    async fn user_set_password(&self, user_id: &str, password_hash: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE users SET password_hash = ? WHERE id = ?").bind(password_hash).bind(user_id).execute(self.pool()).await?;
        Ok(())
    }

    async fn username_exists(&self, username: &str) -> Result<bool, StoreError> {
        let row = sqlx::query("SELECT 1 FROM users WHERE username = ?").bind(username).fetch_optional(self.pool()).await?;
        Ok(row.is_some())
    }

    async fn code_insert(&self, c: &CodeRow) -> Result<(), StoreError> {
        sqlx::query(
            "INSERT INTO one_time_codes (id, purpose, channel, destination, code_hash, payload, attempts,
                                         created_at, sent_at, expires_at, used_at)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&c.id)
        .bind(&c.purpose)
        .bind(&c.channel)
        .bind(&c.destination)
        .bind(&c.code_hash)
        .bind(&c.payload)
        .bind(c.attempts)
        .bind(c.created_at)
        .bind(c.sent_at)
        .bind(c.expires_at)
        .bind(c.used_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    async fn code_get(&self, id: &str) -> Result<Option<CodeRow>, StoreError> {
        let row = sqlx::query("SELECT * FROM one_time_codes WHERE id = ?").bind(id).fetch_optional(self.pool()).await?;
        Ok(row.map(code))
    }

    async fn code_take_try(&self, id: &str, max_tries: i64, now: i64) -> Result<Option<i64>, StoreError> {
        let tries = sqlx::query_scalar(
            "UPDATE one_time_codes SET attempts = attempts + 1
              WHERE id = ? AND used_at IS NULL AND attempts < ? AND expires_at > ? RETURNING attempts",
        )
        .bind(id)
        .bind(max_tries)
        .bind(now)
        .fetch_optional(self.pool())
        .await?;
        Ok(tries)
    }

    async fn code_use(&self, id: &str, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query("UPDATE one_time_codes SET used_at = ? WHERE id = ? AND used_at IS NULL")
            .bind(now)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(done.rows_affected() == 1)
    }

    async fn code_replace(&self, id: &str, code_hash: &str, sent_at: i64, expires_at: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE one_time_codes SET code_hash = ?, sent_at = ?, expires_at = ?, attempts = 0 WHERE id = ? AND used_at IS NULL")
            .bind(code_hash)
            .bind(sent_at)
            .bind(expires_at)
            .bind(id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn refresh_insert(&self, r: &RefreshRow) -> Result<(), StoreError> {
        insert_refresh(self.pool(), r).await
    }

    async fn refresh_rotate(&self, token_hash: &str, next: &NextRefresh, now: i64) -> Result<RefreshUse, StoreError> {
        // IMMEDIATE takes the write lock first (waiting out the busy timeout), so no read
        // snapshot can go stale between the claim and the writes that follow it.
        let mut tx = self.pool().begin_with("BEGIN IMMEDIATE").await?;
        let claimed = sqlx::query(
            "UPDATE refresh_tokens SET used_at = ?
              WHERE token_hash = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?
              RETURNING family, user_id",
        )
        .bind(now)
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(claimed) = claimed {
            let row = RefreshRow {
                token_hash: next.token_hash.clone(),
                family: claimed.get("family"),
                user_id: claimed.get("user_id"),
                user_agent: next.user_agent.clone(),
                ip: next.ip.clone(),
                created_at: next.created_at,
                expires_at: next.expires_at,
            };
            insert_refresh(&mut *tx, &row).await?;
            tx.commit().await?;
            return Ok(RefreshUse::Spent(row));
        }
        // A spent token coming back means it was copied: end every token of that login.
        let revoked = sqlx::query(
            "UPDATE refresh_tokens SET revoked_at = ? WHERE revoked_at IS NULL AND family =
               (SELECT family FROM refresh_tokens WHERE token_hash = ? AND used_at IS NOT NULL AND expires_at > ?)",
        )
        .bind(now)
        .bind(token_hash)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(if revoked.rows_affected() > 0 { RefreshUse::Reused } else { RefreshUse::Invalid })
    }

    async fn refresh_revoke_family(&self, user_id: &str, token_hash: &str, now: i64) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL
               AND family = (SELECT family FROM refresh_tokens WHERE token_hash = ? AND user_id = ?)",
        )
        .bind(now)
        .bind(user_id)
        .bind(token_hash)
        .bind(user_id)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn devices_of(&self, user_id: &str, now: i64) -> Result<Vec<DeviceRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT 's:' || id AS id, user_agent, ip, created_at, last_seen_at FROM sessions
               WHERE user_id = ? AND expires_at > ?
             UNION ALL
             SELECT 't:' || family, user_agent, ip, MIN(created_at), MAX(created_at) FROM refresh_tokens
               WHERE user_id = ? AND revoked_at IS NULL AND used_at IS NULL AND expires_at > ?
               GROUP BY family
             ORDER BY 5 DESC",
        )
        .bind(user_id)
        .bind(now)
        .bind(user_id)
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .into_iter()
            .map(|r| DeviceRow {
                id: r.get(0),
                user_agent: r.get(1),
                ip: r.get(2),
                created_at: r.get(3),
                last_seen_at: r.get(4),
            })
            .collect())
    }

    async fn device_revoke(&self, user_id: &str, device_id: &str, now: i64) -> Result<bool, StoreError> {
        let done = if let Some(session) = device_id.strip_prefix("s:") {
            sqlx::query("DELETE FROM sessions WHERE id = ? AND user_id = ?").bind(session).bind(user_id).execute(self.pool()).await?
        } else if let Some(family) = device_id.strip_prefix("t:") {
            sqlx::query("UPDATE refresh_tokens SET revoked_at = ? WHERE family = ? AND user_id = ? AND revoked_at IS NULL")
                .bind(now)
                .bind(family)
                .bind(user_id)
                .execute(self.pool())
                .await?
        } else {
            return Ok(false);
        };
        Ok(done.rows_affected() > 0)
    }

    async fn device_active(&self, device_id: &str, now: i64) -> Result<bool, StoreError> {
        let query = if let Some(session) = device_id.strip_prefix("s:") {
            sqlx::query("SELECT 1 FROM sessions WHERE id = ? AND expires_at > ? AND user_id IS NOT NULL").bind(session)
        } else if let Some(family) = device_id.strip_prefix("t:") {
            // A family is live while its newest token is neither revoked nor expired (a used one
            // has been exchanged for the next in the family).
            sqlx::query("SELECT 1 FROM refresh_tokens WHERE family = ? AND revoked_at IS NULL AND expires_at > ? LIMIT 1")
                .bind(family)
        } else {
            return Ok(false);
        };
        Ok(query.bind(now).fetch_optional(self.pool()).await?.is_some())
    }

    async fn sign_out_everywhere(&self, user_id: &str, keep: Option<&str>, now: i64) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = ? AND id IS NOT ?")
            .bind(user_id)
            .bind(keep.and_then(|d| d.strip_prefix("s:")))
            .execute(&mut *tx)
            .await?;
        sqlx::query("UPDATE refresh_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND family IS NOT ?")
            .bind(now)
            .bind(user_id)
            .bind(keep.and_then(|d| d.strip_prefix("t:")))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    async fn session_touch(&self, session_id: &str, now: i64) -> Result<(), StoreError> {
        sqlx::query("UPDATE sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?")
            .bind(now)
            .bind(session_id)
            .bind(now - SESSION_TOUCH_EVERY_SECS)
            .execute(self.pool())
            .await?;
        Ok(())
    }
}

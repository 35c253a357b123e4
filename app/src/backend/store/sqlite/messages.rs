//! SQLite implementation of `MessageStore`: gap-free sends, history pages, edits, tombstones,
//! reactions and full-text search.
use std::sync::LazyLock;

use async_trait::async_trait;
use sqlx::Row;

use super::rows::NOW_MS;
use super::super::{
    SqliteStore, StoreError,
    chats::{MessageHitRow, MessageRow, MessageStore, NewMessage, ReactionRow, Sent},
    sqlite::rows::{MSG_COLS, MSG_FROM, READABLE, SENDER, brief_at, index_new_messages, insert_at, message_row},
    search_terms::{SEARCH_CANDIDATES, SearchTerms},
    stored_text::state_at,
};

/// The words as an FTS5 query: each quoted (so nothing typed is read as query syntax), the
/// last one as a prefix when `SearchTerms` says so, so results follow the typing. None when
/// there are no words.
pub(super) fn fts_query(words: &[String]) -> Option<String> {
    let terms = SearchTerms::new(words)?;
    let mut query = terms.words.iter().map(|w| format!("\"{}\"", w.replace('"', "\"\""))).collect::<Vec<_>>().join(" ");
    if terms.last_is_prefix {
        query.push('*');
    }
    Some(query)
}

/// `?1` the viewer, `?2` the FTS5 query, `?3` hits wanted, `?4` `SEARCH_CANDIDATES`. The
/// candidates are the index's newest matches (FTS5 walks rowids backwards and stops at the
/// limit); only the hits in the viewer's chats are joined back to the index for a snippet.
pub(super) static SEARCH_SQL: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH candidates AS (
           SELECT rowid AS n FROM messages_fts WHERE messages_fts MATCH ?2 ORDER BY rowid DESC LIMIT ?4
         )
         SELECT m.conversation_id, c.kind, c.name,
                (SELECT p.display_name FROM members pm JOIN users p ON p.id = pm.user_id
                  WHERE c.kind = 'direct' AND pm.conversation_id = c.id AND pm.user_id <> ?1) AS peer_name,
                m.id AS m_id, m.seq, s.id AS s_id, s.username AS s_username, s.display_name AS s_display_name,
                snippet(messages_fts, 0, char(1), char(2), '…', 16) AS snippet, m.created_at
         FROM candidates
         CROSS JOIN messages m ON m.n = candidates.n
         CROSS JOIN members mb ON mb.conversation_id = m.conversation_id AND mb.user_id = ?1 AND mb.state IN {READABLE}
         CROSS JOIN conversations c ON c.id = m.conversation_id
         CROSS JOIN users s ON s.id = m.sender_id
         CROSS JOIN messages_fts ON messages_fts.rowid = m.n AND messages_fts MATCH ?2
         ORDER BY candidates.n DESC LIMIT ?3"
    )
});

#[async_trait]
impl MessageStore for SqliteStore {
    async fn send(&self, m: &NewMessage) -> Result<Sent, StoreError> {
        self.writer.send(m.clone()).await
    }

    async fn send_batch(&self, messages: &[NewMessage]) -> Result<i64, StoreError> {
        let Some(first) = messages.first() else { return Ok(0) };
        let mut tx = self.pool().begin().await?;
        let last_at = messages.iter().map(|m| m.created_at).max().unwrap_or(first.created_at);
        let last: i64 = sqlx::query_scalar(
            "UPDATE conversations SET last_seq = last_seq + ?, last_activity_at = MAX(last_activity_at, ?) WHERE id = ? RETURNING last_seq",
        )
        .bind(messages.len() as i64)
        .bind(last_at)
        .bind(&first.chat_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NoSuchChat(first.chat_id.clone()))?;
        let mut seq = last - messages.len() as i64;
        let mut first_rowid = None;
        for m in messages {
            if m.chat_id != first.chat_id {
                return Err(StoreError::Corrupt("a batch is for one chat".into()));
            }
            seq += 1;
            let rowid = insert_at(&mut tx, m, seq).await?;
            first_rowid.get_or_insert(rowid);
        }
        if let Some(first) = first_rowid {
            index_new_messages(&mut tx, first).await?;
        }
        tx.commit().await?;
        Ok(last)
    }

    async fn message(&self, message_id: &str) -> Result<Option<MessageRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {MSG_COLS} FROM {MSG_FROM} WHERE m.id = ?")).bind(message_id).fetch_optional(self.pool()).await?;
        Ok(row.as_ref().and_then(message_row))
    }

    async fn message_by_client_id(&self, sender_id: &str, client_id: &str) -> Result<Option<MessageRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {MSG_COLS} FROM {MSG_FROM} WHERE m.sender_id = ? AND m.client_id = ?"))
            .bind(sender_id)
            .bind(client_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().and_then(message_row))
    }

    async fn page(&self, chat_id: &str, lo: i64, hi: i64, limit: u32, newest: bool) -> Result<Vec<MessageRow>, StoreError> {
        let order = if newest { "DESC" } else { "ASC" };
        let rows = sqlx::query(&format!(
            "SELECT {MSG_COLS} FROM {MSG_FROM} WHERE m.conversation_id = ? AND m.seq BETWEEN ? AND ? ORDER BY m.seq {order} LIMIT ?"
        ))
        .bind(chat_id)
        .bind(lo)
        .bind(hi)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut page: Vec<MessageRow> = rows.iter().filter_map(message_row).collect();
        if newest {
            page.reverse();
        }
        Ok(page)
    }

    async fn changed_since(&self, chat_id: &str, since_ms: i64, hi: i64, limit: u32) -> Result<Vec<MessageRow>, StoreError> {
        // Newest changes first, so a cap keeps the ones most likely on screen.
        let rows = sqlx::query(&format!(
            "SELECT {MSG_COLS} FROM {MSG_FROM} WHERE m.conversation_id = ? AND m.changed_at > ? AND m.seq <= ?
             ORDER BY m.changed_at DESC LIMIT ?"
        ))
        .bind(chat_id)
        .bind(since_ms)
        .bind(hi)
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        let mut changed: Vec<MessageRow> = rows.iter().filter_map(message_row).collect();
        changed.sort_by_key(|m| m.seq);
        Ok(changed)
    }

    async fn edit(&self, message_id: &str, body: &str, at: i64) -> Result<(), StoreError> {
        sqlx::query(&format!("UPDATE messages SET body = ?, edited_at = ?, changed_at = {NOW_MS} WHERE id = ? AND deleted = 0"))
            .bind(body)
            .bind(at)
            .bind(message_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn tombstone(&self, message_id: &str) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(&format!("UPDATE messages SET body = '', deleted = 1, attachments = NULL, attachment_names = NULL, changed_at = {NOW_MS} WHERE id = ?")).bind(message_id).execute(&mut *tx).await?;
        sqlx::query("DELETE FROM reactions WHERE message_id = ?").bind(message_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn toggle_reaction(&self, message_id: &str, user_id: &str, emoji: &str, now: i64) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let removed = sqlx::query("DELETE FROM reactions WHERE message_id = ? AND user_id = ? AND emoji = ?")
            .bind(message_id)
            .bind(user_id)
            .bind(emoji)
            .execute(&mut *tx)
            .await?;
        if removed.rows_affected() == 0 {
            sqlx::query("INSERT INTO reactions (message_id, user_id, emoji, created_at) VALUES (?, ?, ?, ?)")
                .bind(message_id)
                .bind(user_id)
                .bind(emoji)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(&format!("UPDATE messages SET changed_at = {NOW_MS} WHERE id = ?")).bind(message_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(removed.rows_affected() == 0)
    }

    async fn reactions(&self, chat_id: &str, lo: i64, hi: i64) -> Result<Vec<ReactionRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT x.message_id, x.emoji, x.user_id, u.display_name FROM messages m
               JOIN reactions x ON x.message_id = m.id JOIN users u ON u.id = x.user_id
             WHERE m.conversation_id = ? AND m.seq BETWEEN ? AND ? ORDER BY x.created_at, x.user_id",
        )
        .bind(chat_id)
        .bind(lo)
        .bind(hi)
        .fetch_all(self.pool())
        .await?;
        Ok(rows
            .iter()
            .map(|r| ReactionRow { message_id: r.get(0), emoji: r.get(1), user_id: r.get(2), display_name: r.get(3) })
            .collect())
    }

    async fn search_messages(&self, me: &str, words: &[String], limit: u32) -> Result<Vec<MessageHitRow>, StoreError> {
        let Some(query) = fts_query(words) else { return Ok(Vec::new()) };
        let rows = sqlx::query(&SEARCH_SQL).bind(me).bind(query).bind(limit).bind(SEARCH_CANDIDATES).fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                Ok(MessageHitRow {
                    chat_id: r.get(0),
                    chat_kind: state_at(r, "kind")?,
                    chat_name: r.get(2),
                    peer_name: r.get(3),
                    message_id: r.get("m_id"),
                    seq: r.get(5),
                    sender: brief_at(r, SENDER).unwrap_or_default(),
                    snippet: r.get("snippet"),
                    created_at: r.get(10),
                })
            })
            .collect()
    }
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;

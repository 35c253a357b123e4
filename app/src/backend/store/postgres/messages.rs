//! PostgreSQL implementation of `MessageStore`: gap-free sends, history pages, edits, tombstones,
//! reactions and full-text search.
use async_trait::async_trait;
use sqlx::Row;

use super::super::{
    StoreError,
    chats::{MessageHitRow, MessageRow, MessageStore, NewMessage, ReactionRow, Sent},
    row_columns::{MSG_COLS, MSG_FROM, READABLE, SENDER, brief_at, message_row},
    search_terms::{SEARCH_CANDIDATES, SearchTerms},
    stored_text::state_at,
};
use super::{PgStore, rows::NOW_MS};

/// The words as one tsquery, from placeholder `$first` on: each word a phrase of the lexemes
/// PostgreSQL's parser finds in it (the words are bound as values, so nothing typed is read as
/// query syntax), folded as `messages.search` is, all of them required. The last one's last
/// lexeme is a prefix when `SearchTerms` says so, so results follow the typing.
fn tsquery_sql(terms: &SearchTerms, first: usize) -> String {
    let last = terms.words.len().saturating_sub(1);
    (0..terms.words.len())
        .map(|i| {
            let phrase = format!("phraseto_tsquery('simple', {})", word_parts(&format!("search_fold(${}::TEXT)", first + i)));
            if i == last && terms.last_is_prefix {
                // Appending to the query's own text form is safe: it ends with a quoted lexeme.
                format!("(SELECT CASE WHEN numnode(w) = 0 THEN w ELSE (w::TEXT || ':*')::TSQUERY END FROM {phrase} AS w)")
            } else {
                phrase
            }
        })
        .collect::<Vec<_>>()
        .join(" && ")
}

/// The text of `word` without its hyphenated compounds, the parts in order: "well-kn" is
/// "well - kn". The parser indexes "well-known" as the compound and then each part, one
/// position apart, so the parts as a phrase find it as SQLite does, and the last part may be a
/// prefix; the compound as typed ("well-kn") is no lexeme of the message.
fn word_parts(word: &str) -> String {
    format!(
        "COALESCE((SELECT string_agg(p.token, ' ' ORDER BY p.n) FROM ts_parse('default', {word}) WITH ORDINALITY AS p(tokid, token, n)
                    WHERE p.tokid NOT IN (SELECT tokid FROM ts_token_type('default') WHERE alias IN ('asciihword', 'hword', 'numhword'))), '')"
    )
}

/// `$1` the viewer, `$2` hits wanted, `$3` `headline_options()`, `$4`… the words. The
/// candidates are the newest matches on the server (`SEARCH_CANDIDATES`, as SQLite's search
/// does); only the hits in the viewer's chats get a snippet.
fn search_sql(terms: &SearchTerms) -> String {
    let query = tsquery_sql(terms, 4);
    format!(
        "WITH query AS (SELECT {query} AS q),
         candidates AS (
           SELECT m.n FROM messages m, query WHERE m.search @@ query.q ORDER BY m.n DESC LIMIT {SEARCH_CANDIDATES}
         ),
         hits AS (
           SELECT m.n, m.conversation_id, c.kind, c.name,
                  (SELECT p.display_name FROM members pm JOIN users p ON p.id = pm.user_id
                    WHERE c.kind = 'direct' AND pm.conversation_id = c.id AND pm.user_id <> $1) AS peer_name,
                  m.id AS m_id, m.seq, s.id AS s_id, s.username AS s_username, s.display_name AS s_display_name,
                  m.body, m.created_at
           FROM candidates
           JOIN messages m ON m.n = candidates.n
           JOIN members mb ON mb.conversation_id = m.conversation_id AND mb.user_id = $1 AND mb.state IN {READABLE}
           JOIN conversations c ON c.id = m.conversation_id
           JOIN users s ON s.id = m.sender_id
           ORDER BY m.n DESC LIMIT $2
         )
         SELECT hits.*, ts_headline('search_headline', hits.body, query.q, $3) AS snippet
         FROM hits CROSS JOIN query ORDER BY hits.n DESC"
    )
}

/// Hits marked as SQLite's snippets mark them (char 1 before, char 2 after), about 16 words.
fn headline_options() -> String {
    "StartSel=\u{1}, StopSel=\u{2}, MaxWords=16, MinWords=8".to_owned()
}

/// The headline with `…` where it cuts the body short, as SQLite's snippets have.
fn with_ellipses(body: &str, headline: String) -> String {
    let plain: String = headline.chars().filter(|c| !matches!(c, '\u{1}' | '\u{2}')).collect();
    let plain = plain.trim();
    let before = if body.trim_start().starts_with(plain) { "" } else { "…" };
    let after = if body.trim_end().ends_with(plain) { "" } else { "…" };
    format!("{before}{}{after}", headline.trim())
}

#[async_trait]
impl MessageStore for PgStore {
    async fn send(&self, m: &NewMessage) -> Result<Sent, StoreError> {
        self.writer.send(m.clone()).await
    }

    async fn send_batch(&self, messages: &[NewMessage]) -> Result<i64, StoreError> {
        let Some(first) = messages.first() else { return Ok(0) };
        if messages.iter().any(|m| m.chat_id != first.chat_id) {
            return Err(StoreError::Corrupt("a batch is for one chat".into()));
        }
        let count = messages.len() as i64;
        let last_at = messages.iter().map(|m| m.created_at).max().unwrap_or(first.created_at);
        let mut tx = self.pool().begin().await?;
        let last: i64 = sqlx::query_scalar(
            "UPDATE conversations SET last_seq = last_seq + $1, last_activity_at = GREATEST(last_activity_at, $2)
             WHERE id = $3 RETURNING last_seq",
        )
        .bind(count)
        .bind(last_at)
        .bind(&first.chat_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or_else(|| StoreError::NoSuchChat(first.chat_id.clone()))?;
        // All of them in one statement, as columns.
        let column = |f: fn(&NewMessage) -> Option<String>| messages.iter().map(f).collect::<Vec<_>>();
        sqlx::query(
            "INSERT INTO messages (id, conversation_id, seq, sender_id, body, system, created_at, reply_to, client_id)
             SELECT id, $2, seq, sender_id, body, system, created_at, reply_to, client_id
             FROM UNNEST($1::TEXT[], $3::BIGINT[], $4::TEXT[], $5::TEXT[], $6::TEXT[], $7::BIGINT[], $8::TEXT[], $9::TEXT[])
                 AS batch (id, seq, sender_id, body, system, created_at, reply_to, client_id)",
        )
        .bind(column(|m| Some(m.id.clone())))
        .bind(&first.chat_id)
        .bind((last - count + 1..=last).collect::<Vec<i64>>())
        .bind(column(|m| m.sender_id.clone()))
        .bind(column(|m| Some(m.body.clone())))
        .bind(column(|m| m.system.clone()))
        .bind(messages.iter().map(|m| m.created_at).collect::<Vec<i64>>())
        .bind(column(|m| m.reply_to.clone()))
        .bind(column(|m| m.client_id.clone()))
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(last)
    }

    async fn message(&self, message_id: &str) -> Result<Option<MessageRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {MSG_COLS} FROM {MSG_FROM} WHERE m.id = $1")).bind(message_id).fetch_optional(self.pool()).await?;
        Ok(row.as_ref().and_then(message_row))
    }

    async fn message_by_client_id(&self, sender_id: &str, client_id: &str) -> Result<Option<MessageRow>, StoreError> {
        let row = sqlx::query(&format!("SELECT {MSG_COLS} FROM {MSG_FROM} WHERE m.sender_id = $1 AND m.client_id = $2"))
            .bind(sender_id)
            .bind(client_id)
            .fetch_optional(self.pool())
            .await?;
        Ok(row.as_ref().and_then(message_row))
    }

    async fn page(&self, chat_id: &str, lo: i64, hi: i64, limit: u32, newest: bool) -> Result<Vec<MessageRow>, StoreError> {
        let order = if newest { "DESC" } else { "ASC" };
        let rows = sqlx::query(&format!(
            "SELECT {MSG_COLS} FROM {MSG_FROM} WHERE m.conversation_id = $1 AND m.seq BETWEEN $2 AND $3 ORDER BY m.seq {order} LIMIT $4"
        ))
        .bind(chat_id)
        .bind(lo)
        .bind(hi)
        .bind(i64::from(limit))
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
            "SELECT {MSG_COLS} FROM {MSG_FROM} WHERE m.conversation_id = $1 AND m.changed_at > $2 AND m.seq <= $3
             ORDER BY m.changed_at DESC LIMIT $4"
        ))
        .bind(chat_id)
        .bind(since_ms)
        .bind(hi)
        .bind(i64::from(limit))
        .fetch_all(self.pool())
        .await?;
        let mut changed: Vec<MessageRow> = rows.iter().filter_map(message_row).collect();
        changed.sort_by_key(|m| m.seq);
        Ok(changed)
    }

    async fn edit(&self, message_id: &str, body: &str, at: i64) -> Result<(), StoreError> {
        sqlx::query(&format!("UPDATE messages SET body = $1, edited_at = $2, changed_at = {NOW_MS} WHERE id = $3 AND NOT deleted"))
            .bind(body)
            .bind(at)
            .bind(message_id)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    async fn tombstone(&self, message_id: &str) -> Result<(), StoreError> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(&format!("UPDATE messages SET body = '', deleted = TRUE, attachments = NULL, attachment_names = NULL, changed_at = {NOW_MS} WHERE id = $1"))
            .bind(message_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM reactions WHERE message_id = $1").bind(message_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn toggle_reaction(&self, message_id: &str, user_id: &str, emoji: &str, now: i64) -> Result<bool, StoreError> {
        let mut tx = self.pool().begin().await?;
        let removed = sqlx::query("DELETE FROM reactions WHERE message_id = $1 AND user_id = $2 AND emoji = $3")
            .bind(message_id)
            .bind(user_id)
            .bind(emoji)
            .execute(&mut *tx)
            .await?;
        if removed.rows_affected() == 0 {
            // The same toggle racing in from another device adds it once, without an error.
            sqlx::query("INSERT INTO reactions (message_id, user_id, emoji, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING")
                .bind(message_id)
                .bind(user_id)
                .bind(emoji)
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query(&format!("UPDATE messages SET changed_at = {NOW_MS} WHERE id = $1")).bind(message_id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(removed.rows_affected() == 0)
    }

    async fn reactions(&self, chat_id: &str, lo: i64, hi: i64) -> Result<Vec<ReactionRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT x.message_id, x.emoji, x.user_id, u.display_name FROM messages m
               JOIN reactions x ON x.message_id = m.id JOIN users u ON u.id = x.user_id
             WHERE m.conversation_id = $1 AND m.seq BETWEEN $2 AND $3 ORDER BY x.created_at, x.user_id COLLATE \"C\"",
        )
        .bind(chat_id)
        .bind(lo)
        .bind(hi)
        .fetch_all(self.pool())
        .await?;
        rows.iter()
            .map(|r| Ok(ReactionRow { message_id: r.try_get(0)?, emoji: r.try_get(1)?, user_id: r.try_get(2)?, display_name: r.try_get(3)? }))
            .collect()
    }

    async fn search_messages(&self, me: &str, words: &[String], limit: u32) -> Result<Vec<MessageHitRow>, StoreError> {
        let Some(terms) = SearchTerms::new(words) else { return Ok(Vec::new()) };
        let sql = search_sql(&terms);
        let mut query = sqlx::query(&sql).bind(me).bind(i64::from(limit)).bind(headline_options());
        for word in &terms.words {
            query = query.bind(word);
        }
        let rows = query.fetch_all(self.pool()).await?;
        rows.iter()
            .map(|r| {
                let body: String = r.try_get("body")?;
                Ok(MessageHitRow {
                    chat_id: r.try_get("conversation_id")?,
                    chat_kind: state_at(r, "kind")?,
                    chat_name: r.try_get("name")?,
                    peer_name: r.try_get("peer_name")?,
                    message_id: r.try_get("m_id")?,
                    seq: r.try_get("seq")?,
                    sender: brief_at(r, SENDER).unwrap_or_default(),
                    snippet: with_ellipses(&body, r.try_get("snippet")?),
                    created_at: r.try_get("created_at")?,
                })
            })
            .collect()
    }
}

#[cfg(test)]
#[path = "search_tests.rs"]
mod tests;

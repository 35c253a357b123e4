//! Search: people by username prefix, exact user ID or exact full phone number; the caller's
//! chats by name; messages by full text in chats the caller can read.
use super::{ChatsService, R, internal, views};
use crate::accounts::validate as account_validate;
use crate::chats::{types::*, validate};
use crate::backend::{accounts::phone, store::chats::Brief};
use crate::ids::UserId;

const PEOPLE_LIMIT: u32 = 20;
const CHATS_LIMIT: u32 = 20;
const MESSAGES_LIMIT: u32 = 30;

impl ChatsService {
    /// Anyone signed in. Messages only from chats the caller can read, newest first.
    pub async fn search(&self, me: &UserId, query: &str) -> R<SearchResults> {
        let query = query.trim();
        if query.is_empty() || query.chars().count() > 200 {
            return Ok(SearchResults::default());
        }
        Ok(SearchResults { people: self.search_people(me, query).await?, chats: self.search_chats(me, query).await?, messages: self.search_messages(me, query).await? })
    }

    pub async fn search_people(&self, me: &UserId, query: &str) -> R<Vec<PersonView>> {
        let me = me.as_str();
        let mut people = Vec::new();
        // Eight characters could be a user ID (which may be all digits); a phone number has more.
        let looks_like_phone = query.starts_with('+')
            || (query.chars().filter(char::is_ascii_digit).count() > 8 && query.chars().all(|c| c.is_ascii_digit() || " -()".contains(c)));
        if looks_like_phone {
            // A whole, valid number or nothing: partial numbers never list anyone.
            if let Ok(e164) = phone::parse_phone(query, &self.config.default_region) {
                let found = self.store.user_by_phone_brief(&e164).await.map_err(internal)?;
                people.extend(self.findable(me, found).await?);
            }
            return Ok(people);
        }
        if let Ok(id) = account_validate::user_id(query) {
            let found = self.store.brief(&id).await.map_err(internal)?;
            people.extend(self.findable(me, found).await?);
        }
        let prefix = query.trim_start_matches('@').to_lowercase();
        if !prefix.is_empty() && prefix.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '.') {
            for b in self.store.people_by_prefix(me, &prefix, PEOPLE_LIMIT).await.map_err(internal)? {
                if !people.iter().any(|p: &PersonView| p.username == b.username) {
                    people.push(views::person(&b));
                }
            }
        }
        Ok(people)
    }

    /// Someone found by an exact key, unless it is the caller or someone who blocked them.
    async fn findable(&self, me: &str, found: Option<Brief>) -> R<Option<PersonView>> {
        let Some(b) = found.filter(|b| b.id != me) else { return Ok(None) };
        let they_blocked = self.store.relation(me, &b.id).await.map_err(internal)?.they_blocked;
        Ok((!they_blocked).then(|| views::person(&b)))
    }

    pub async fn search_chats(&self, me: &UserId, query: &str) -> R<Vec<ChatHit>> {
        let rows = self.store.chats_by_name(me.as_str(), query, CHATS_LIMIT).await.map_err(internal)?;
        let mut hits = Vec::with_capacity(rows.len());
        for row in &rows {
            let s = self.summary(row).await;
            hits.push(ChatHit { id: s.id, kind: s.kind, title: s.title });
        }
        Ok(hits)
    }

    pub async fn search_messages(&self, me: &UserId, query: &str) -> R<Vec<MessageHit>> {
        let words = validate::search_words(query);
        if words.is_empty() {
            return Ok(Vec::new());
        }
        let rows = self.store.search_messages(me.as_str(), &words, MESSAGES_LIMIT).await.map_err(internal)?;
        Ok(rows
            .into_iter()
            .map(|r| MessageHit {
                chat_title: if r.chat_kind == ChatKind::Group { r.chat_name } else { r.peer_name.unwrap_or_default() },
                chat_id: r.chat_id,
                message_id: r.message_id,
                seq: r.seq,
                sender: views::person(&r.sender),
                snippet: r.snippet,
                created_at: r.created_at,
            })
            .collect())
    }
}

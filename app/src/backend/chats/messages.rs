//! The chat list, opening a conversation and paging its history, sending, editing, deleting,
//! reacting, and read/delivered marks.
use std::collections::HashMap;

use super::{ChatsService, R, READABLE, internal, new_id, views};
use crate::chats::{types::*, validate};
use crate::accounts::validate::display_user_id;
use crate::error::AppError;
use crate::ids::{ChatId, ClientId, MessageId, UserId};
use crate::backend::store::{
    chats::{MemberFlag, MessageRow, NewMessage, Sent, SummaryScope},
    states::MemberState,
};

/// Chats the web app's list shows at most (the REST API pages by `LIST_PAGE`).
const LIST_MAX: u32 = 500;
pub const LIST_PAGE: u32 = 50;
/// Most messages one `messages_after` call returns.
pub const AFTER_MAX: u32 = 500;
/// Changed messages sent per chat on a reconnect; older changes are off any screen by then.
const CHANGES_MAX: u32 = 500;

/// What changed in a chat since a moment (see `changes_since`).
#[derive(Debug, Default, PartialEq)]
pub struct Changes {
    pub messages: Vec<MessageView>,
    pub marks: Vec<Mark>,
}

/// A member's read and delivered marks (user id as shown).
#[derive(Debug, PartialEq)]
pub struct Mark {
    pub user_id: String,
    pub read: i64,
    pub delivered: i64,
}

impl ChatsService {
    /// The caller's group invitations, then their chats, most recent activity first (requests
    /// included, marked).
    pub async fn list_chats(&self, me: &UserId) -> R<Vec<ChatSummary>> {
        let mut list = self.group_invitations(me).await?;
        list.extend(self.list_chats_page(me, None, LIST_MAX).await?);
        Ok(list)
    }

    /// One page of the caller's chats after `cursor` = (updated_at, activity_key) of the previous page's last row.
    pub async fn list_chats_page(&self, me: &UserId, cursor: Option<(i64, &str)>, limit: u32) -> R<Vec<ChatSummary>> {
        let me = me.as_str();
        let scope = SummaryScope::Viewer { user_id: me, cursor, limit: limit.clamp(1, LIST_MAX), only_chat: None };
        let rows = self.store.summaries(scope).await.map_err(internal)?;
        let mut list = Vec::with_capacity(rows.len());
        for row in &rows {
            list.push(self.summary(row).await);
        }
        Ok(list)
    }

    /// Caller must be able to read the chat. Its list row as the caller sees it.
    pub async fn chat_summary(&self, me: &UserId, chat_id: &ChatId) -> R<ChatSummary> {
        let (me, chat_id) = (me.as_str(), chat_id.as_str());
        self.readable_access(me, chat_id).await?;
        let scope = SummaryScope::Viewer { user_id: me, cursor: None, limit: 1, only_chat: Some(chat_id) };
        let rows = self.store.summaries(scope).await.map_err(internal)?;
        let row = rows.first().ok_or(AppError::NotFound)?;
        Ok(self.summary(row).await)
    }

    /// Messages `lo..=hi` with their reactions, oldest first, as `me` sees them.
    async fn load(&self, me: &str, chat_id: &str, lo: i64, hi: i64, newest: bool) -> R<Vec<MessageView>> {
        let rows = self.store.page(chat_id, lo, hi, PAGE_SIZE, newest).await.map_err(internal)?;
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else { return Ok(Vec::new()) };
        let reactions = self.store.reactions(chat_id, first.seq, last.seq).await.map_err(internal)?;
        Ok(views::message_views(&rows, &reactions, me))
    }

    /// Caller must be able to read the chat. `around`: open at that sequence (a search hit)
    /// instead of the newest page.
    pub async fn open_chat(&self, me: &UserId, chat_id: &ChatId, around: Option<i64>) -> R<ChatDetail> {
        let (me, chat_id) = (me.as_str(), chat_id.as_str());
        // Taken before anything is read: a change made while reading is newer than this.
        let loaded_at = self.clock.now_ms();
        let (conv, mine) = self.readable(me, chat_id).await?;
        let messages = match around {
            Some(seq) => {
                // Any number may come in: taken within the chat before any arithmetic.
                let seq = seq.clamp(1, conv.last_seq.max(1));
                let lo = (seq - i64::from(PAGE_SIZE) / 2).max(1);
                self.load(me, chat_id, lo, conv.last_seq, false).await?
            }
            None => self.load(me, chat_id, 1, conv.last_seq, true).await?,
        };
        let next_before = messages.first().filter(|m| m.seq > 1).map(|m| m.seq);
        let members = self.store.members(chat_id, &READABLE).await.map_err(internal)?;
        let group = conv.kind == ChatKind::Group;
        let peer = members.iter().find(|m| m.person.id != me).filter(|_| !group);
        let peer_presence = match peer {
            Some(p) => Some(self.visible_presence(me, &p.person.id).await?),
            None => None,
        };
        let peer_read_seq = members.iter().filter(|m| m.person.id != me).map(|m| m.last_read_seq).max().unwrap_or(0);
        let active = members.iter().filter(|m| m.state == MemberState::Active).count() as u32;
        let mut shown = Vec::new();
        for m in members.iter().filter(|m| m.state == MemberState::Active || !group) {
            let online = match &peer_presence {
                Some(p) if m.person.id != me => *p == Presence::Online,
                _ => self.visibly_online(me, &m.person.id).await?,
            };
            shown.push(MemberView {
                person: views::person(&m.person),
                role: m.role,
                joined_at: m.joined_at,
                read_seq: m.last_read_seq,
                online,
            });
        }
        Ok(ChatDetail {
            loaded_at,
            id: conv.id.clone(),
            kind: conv.kind,
            title: if group { conv.name.clone() } else { peer.map(|p| p.person.display_name.clone()).unwrap_or_default() },
            peer: peer.map(|p| views::person(&p.person)),
            peer_presence,
            group: group.then(|| GroupInfo {
                group_id: conv.group_id.as_deref().map(crate::accounts::validate::display_user_id).unwrap_or_default(),
                name: conv.name.clone(),
                description: conv.description.clone(),
                public: conv.public,
                member_count: active,
                my_role: mine.role,
            }),
            members: shown,
            messages,
            next_before,
            last_read_seq: mine.last_read_seq,
            peer_read_seq,
            muted: mine.muted,
            calls_off: mine.calls_off,
            request: views::request_state(mine.state),
        })
    }

    /// Caller must be able to read the chat. The page of messages before `before`, oldest first.
    pub async fn history(&self, me: &UserId, chat_id: &ChatId, before: i64) -> R<HistoryPage> {
        let (me, chat_id) = (me.as_str(), chat_id.as_str());
        self.readable_access(me, chat_id).await?;
        let messages = if before <= 1 { Vec::new() } else { self.load(me, chat_id, 1, before - 1, true).await? };
        let next_before = messages.first().filter(|m| m.seq > 1).map(|m| m.seq);
        Ok(HistoryPage { messages, next_before })
    }

    /// Caller must be able to read the chat. Messages after `after_seq`, oldest first, at most
    /// `limit` (resume after a reconnect).
    pub async fn messages_after(&self, me: &UserId, chat_id: &ChatId, after_seq: i64, limit: u32) -> R<Vec<MessageView>> {
        let (me, chat_id) = (me.as_str(), chat_id.as_str());
        self.readable_access(me, chat_id).await?;
        let limit = limit.clamp(1, AFTER_MAX);
        let rows = self.store.page(chat_id, after_seq.max(0).saturating_add(1), i64::MAX, limit, false).await.map_err(internal)?;
        let (Some(first), Some(last)) = (rows.first(), rows.last()) else { return Ok(Vec::new()) };
        let reactions = self.store.reactions(chat_id, first.seq, last.seq).await.map_err(internal)?;
        Ok(views::message_views(&rows, &reactions, me))
    }

    /// Caller must be able to read the chat. What changed after `since_ms` (milliseconds) in the
    /// part of the chat the caller holds (up to `upto_seq`): messages edited, deleted or reacted
    /// to (the most recent `CHANGES_MAX`), and members' read/delivered marks that rose. A device
    /// that reconnects applies these on top of what it has.
    pub async fn changes_since(&self, me: &UserId, chat_id: &ChatId, since_ms: i64, upto_seq: i64) -> R<Changes> {
        let (me, chat_id) = (me.as_str(), chat_id.as_str());
        self.readable_access(me, chat_id).await?;
        let since_ms = since_ms.max(0);
        let rows = self.store.changed_since(chat_id, since_ms, upto_seq, CHANGES_MAX).await.map_err(internal)?;
        let messages = match (rows.first(), rows.last()) {
            (Some(first), Some(last)) => {
                let reactions = self.store.reactions(chat_id, first.seq, last.seq).await.map_err(internal)?;
                views::message_views(&rows, &reactions, me)
            }
            _ => Vec::new(),
        };
        let marks = self.store.marks_since(chat_id, since_ms).await.map_err(internal)?;
        let marks = marks
            .into_iter()
            .map(|m| Mark { user_id: display_user_id(&m.person.id), read: m.last_read_seq, delivered: m.last_delivered_seq })
            .collect();
        Ok(Changes { messages, marks })
    }

    /// A text message: `send_message_with_attachments` without any.
    pub async fn send_message(
        &self,
        me: &UserId,
        chat_id: &ChatId,
        client_id: &ClientId,
        body: &str,
        reply_to: Option<&MessageId>,
    ) -> R<(MessageView, bool)> {
        self.send_message_with_attachments(me, chat_id, client_id, body, reply_to, &[]).await
    }

    /// Caller must be able to write in the chat (see `writable`). Stores the message before
    /// returning; the same `client_id` again returns the stored message and `false`. Answering
    /// an incoming message request accepts it. `attachments`: ids of the caller's uploads, not
    /// sent before (with them, `body` is a caption and may be empty).
    pub async fn send_message_with_attachments(
        &self,
        me: &UserId,
        chat_id: &ChatId,
        client_id: &ClientId,
        body: &str,
        reply_to: Option<&MessageId>,
        attachments: &[String],
    ) -> R<(MessageView, bool)> {
        let (me, chat_id) = (me.as_str(), chat_id.as_str());
        let client_id = validate::client_id(client_id.as_str())?;
        let body = if attachments.is_empty() { validate::message_body(body)? } else { validate::caption(body)? };
        let access = self.writable(me, chat_id).await?;
        // A resend (same client id) is recognised by the store, in the transaction that would
        // otherwise store it, and comes back as `Sent::Existing`.
        let not_here = || AppError::invalid("reply_to", "The message you reply to isn’t in this chat");
        let reply_to = match reply_to.map(MessageId::as_str).filter(|r| !r.is_empty()) {
            // No message has such an id, and PostgreSQL cannot even compare a NUL.
            Some(id) if id.contains(char::is_control) => return Err(not_here()),
            Some(id) => match self.store.message(id).await.map_err(internal)? {
                Some(m) if m.chat_id == access.id && m.system.is_none() => Some(m.id),
                _ => return Err(not_here()),
            },
            None => None,
        };
        let attached = self.attach(me, &access.id, &client_id, attachments).await?;
        if access.member(me).is_some_and(|m| m.state == MemberState::Incoming) {
            self.accept_request(me, &access.id).await?;
        }
        let message = NewMessage {
            id: new_id(),
            chat_id: access.id.clone(),
            sender_id: Some(me.to_owned()),
            body,
            system: None,
            created_at: self.clock.now(),
            reply_to,
            client_id: Some(client_id.clone()),
            attachments: attached.views,
            attachment_names: attached.names,
        };
        let stored = match self.store.send(&message).await.map_err(internal)? {
            Sent::New(row) => row,
            Sent::Existing(row) => {
                if !attachments.is_empty() && row.chat_id == chat_id {
                    self.keep_only_stored(me, &client_id, row.attachments.as_deref()).await?;
                }
                return self.resent(me, chat_id, row);
            }
        };
        // Committed: delivery problems from here on are logged, never a failed send.
        let _ = self.publish_new_message(&stored).await;
        // A direct chat's first message makes it appear in the other person's list.
        if access.kind == ChatKind::Direct && stored.seq == 1 {
            let _ = self.publish_chat_updated(&access.id).await;
        }
        Ok((views::message_view(&stored, &[], me), true))
    }

    fn resent(&self, me: &str, chat_id: &str, existing: MessageRow) -> R<(MessageView, bool)> {
        if existing.chat_id != chat_id {
            return Err(AppError::invalid_with_code("client_id_reused", "client_id", "That client id was used for another chat"));
        }
        Ok((views::message_view(&existing, &[], me), false))
    }

    /// The caller's own, live, non-system message in a chat they may write in.
    async fn own_message(&self, me: &str, message_id: &str) -> R<MessageRow> {
        if message_id.is_empty() || message_id.len() > 64 {
            return Err(AppError::NotFound);
        }
        let message = self.store.message(message_id).await.map_err(internal)?.ok_or(AppError::NotFound)?;
        self.readable_access(me, &message.chat_id).await?;
        if message.sender.as_ref().is_none_or(|s| s.id != me) || message.system.is_some() {
            return Err(AppError::Forbidden);
        }
        if message.deleted {
            return Err(AppError::invalid_with_code("message_deleted", "body", "That message was deleted"));
        }
        self.writable(me, &message.chat_id).await?;
        Ok(message)
    }

    /// Caller must have sent the message and still be able to write in its chat.
    pub async fn edit_message(&self, me: &UserId, message_id: &MessageId, body: &str) -> R<MessageView> {
        let (me, message_id) = (me.as_str(), message_id.as_str());
        let message = self.own_message(me, message_id).await?;
        // With files the text is a caption, which may be taken away.
        let body = if message.attachments.is_some() { validate::caption(body)? } else { validate::message_body(body)? };
        self.store.edit(&message.id, &body, self.clock.now()).await.map_err(internal)?;
        self.after_change(me, &message.id).await
    }

    /// Caller must have sent the message. Deletes it for everyone, leaving a tombstone.
    pub async fn delete_message(&self, me: &UserId, message_id: &MessageId) -> R<MessageView> {
        let (me, message_id) = (me.as_str(), message_id.as_str());
        let message = self.own_message(me, message_id).await?;
        self.store.tombstone(&message.id).await.map_err(internal)?;
        // The message is gone for everyone now; its files follow (a failure here leaves bytes
        // that nobody can fetch any more, never a message that shows them).
        if let (Some(_), Some(sender)) = (&message.attachments, &message.sender) {
            let _ = self.remove_attachments(&sender.id, message.client_id.as_deref()).await;
        }
        self.after_change(me, &message.id).await
    }

    async fn after_change(&self, me: &str, message_id: &str) -> R<MessageView> {
        let row = self.store.message(message_id).await.map_err(internal)?.ok_or(AppError::NotFound)?;
        let _ = self.publish_updated(&row).await;
        let reactions = self.store.reactions(&row.chat_id, row.seq, row.seq).await.map_err(internal)?;
        Ok(views::message_view(&row, &reactions.iter().collect::<Vec<_>>(), me))
    }

    /// Caller must be able to write in the message's chat.
    pub async fn toggle_reaction(&self, me: &UserId, message_id: &MessageId, emoji: &str) -> R<Vec<ReactionView>> {
        let (me, message_id) = (me.as_str(), message_id.as_str());
        let emoji = validate::emoji(emoji)?;
        if message_id.is_empty() || message_id.len() > 64 {
            return Err(AppError::NotFound);
        }
        let message = self.store.message(message_id).await.map_err(internal)?.ok_or(AppError::NotFound)?;
        self.writable(me, &message.chat_id).await?;
        if message.deleted || message.system.is_some() {
            return Err(AppError::invalid("emoji", "That message can’t take reactions"));
        }
        self.store.toggle_reaction(&message.id, me, &emoji, self.clock.now()).await.map_err(internal)?;
        let _ = self.publish_reactions(&message.chat_id, &message).await;
        let rows = self.store.reactions(&message.chat_id, message.seq, message.seq).await.map_err(internal)?;
        Ok(views::reaction_views(&rows.iter().collect::<Vec<_>>(), me))
    }

    /// Caller must be able to write in the chat. Marks everything up to `seq` read (never lower).
    pub async fn mark_read(&self, me: &UserId, chat_id: &ChatId, seq: i64) -> R<()> {
        let (me, chat_id) = (me.as_str(), chat_id.as_str());
        self.writable(me, chat_id).await?;
        let (conv, member) = self.readable(me, chat_id).await?;
        let seq = seq.clamp(0, conv.last_seq);
        if seq <= member.last_read_seq {
            return Ok(());
        }
        let mark = self.store.mark_read(chat_id, me, seq).await.map_err(internal)?;
        let _ = self.publish_read(chat_id, me, mark).await;
        Ok(())
    }

    /// Caller must be able to write in the chat. A device of the caller received messages up to
    /// `seq`; the mark only rises, and in a direct chat the other member hears of it.
    pub async fn mark_delivered(&self, me: &UserId, chat_id: &ChatId, seq: i64) -> R<()> {
        let (me, chat_id) = (me.as_str(), chat_id.as_str());
        // Sockets call this every few hundred ms per chat: no rows are read to decide, and the
        // store keeps the mark within the chat's messages.
        let access = self.writable(me, chat_id).await?;
        if seq <= 0 {
            return Ok(());
        }
        let mark = self.store.mark_delivered(chat_id, me, seq).await.map_err(internal)?;
        // Delivery shows in direct chats only (the ✓✓ on the peer's side); in a group, every
        // member's devices telling every other member would be members² frames per message.
        if access.kind == ChatKind::Direct && mark > 0 {
            let _ = self.publish_delivered(chat_id, me, mark).await;
        }
        Ok(())
    }

    /// Caller must be able to read the chat.
    pub async fn set_muted(&self, me: &UserId, chat_id: &ChatId, muted: bool) -> R<()> {
        let (me, chat_id) = (me.as_str(), chat_id.as_str());
        self.readable_access(me, chat_id).await?;
        self.store.set_member_flag(chat_id, me, MemberFlag::Muted, muted).await.map_err(internal)?;
        let _ = self.publish_chat_updated_for(chat_id, me).await;
        Ok(())
    }

    /// Caller must be able to write in the chat. User ids (stored form) of the members who hear
    /// live events such as typing.
    pub async fn member_ids(&self, me: &UserId, chat_id: &ChatId) -> R<Vec<UserId>> {
        Ok(self.live_audience(me.as_str(), chat_id.as_str()).await?.into_iter().map(UserId::from).collect())
    }

    /// `member_ids` in the store's form, for publishing.
    pub(super) async fn live_audience(&self, me: &str, chat_id: &str) -> R<Vec<String>> {
        Ok(self.writable(me, chat_id).await?.ids_in(&[MemberState::Active, MemberState::Incoming, MemberState::Outgoing]))
    }

    /// Every chat the caller can read, with the sequence of its last message (where a socket's
    /// replay ends).
    pub async fn my_chats_last_seq(&self, me: &UserId) -> R<HashMap<ChatId, i64>> {
        let seqs = self.store.last_seqs_of(me.as_str(), &READABLE).await.map_err(internal)?;
        Ok(seqs.into_iter().map(|(chat_id, seq)| (ChatId::from(chat_id), seq)).collect())
    }
}

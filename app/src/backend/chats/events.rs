//! Publishing: after a change is committed, the frames that tell connected devices about it.
//! Frames carry user IDs in their shown form (`7KQ4-M2XD`), like `PersonView`; the hub is
//! addressed by stored ids. Views that differ per viewer (unread counts, `mine` on reactions,
//! the sender's own `client_id`) are built per recipient.
use super::{ChatsService, READABLE, internal, views};
use crate::accounts::validate::display_user_id;
use crate::chats::types::MessageView;
use crate::error::AppError;
use crate::realtime::protocol::ServerFrame;
use crate::backend::{
    hub::{HubEvent, Payload},
    store::chats::{MessageRow, SummaryScope},
};

fn payload(frame: &ServerFrame) -> Option<Payload> {
    match Payload::of(frame) {
        Ok(payload) => Some(payload),
        Err(e) => {
            tracing::error!(error = %e, "a frame failed to serialise");
            None
        }
    }
}

impl ChatsService {
    /// One frame, the same for every recipient.
    pub(super) fn publish_all(&self, users: &[String], frame: &ServerFrame) {
        if users.is_empty() {
            return;
        }
        if let Some(p) = payload(frame) {
            let users: Vec<&str> = users.iter().map(String::as_str).collect();
            self.hub.publish(&users, HubEvent::Frame(p));
        }
    }

    fn publish_one(&self, user: &str, frame: &ServerFrame) {
        if let Some(p) = payload(frame) {
            self.hub.publish(&[user], HubEvent::Frame(p));
        }
    }

    /// A new message to every member who can read the chat, the sender included (their other
    /// devices). Only the sender's copy carries the client id.
    pub(super) async fn publish_new_message(&self, row: &MessageRow) -> Result<(), AppError> {
        let members = self.member_ids_in(&row.chat_id, &READABLE).await?;
        let sender = row.sender.as_ref().map(|s| s.id.clone());
        let others: Vec<String> = members.iter().filter(|m| Some(*m) != sender.as_ref()).cloned().collect();
        let plain = views::message_view(row, &[], "");
        self.publish_all(&others, &ServerFrame::Message { message: plain });
        if let Some(sender) = sender.filter(|s| members.contains(s)) {
            self.publish_one(&sender, &ServerFrame::Message { message: views::message_view(row, &[], &sender) });
        }
        Ok(())
    }

    /// An edited or deleted message, with reactions as each member sees them.
    pub(super) async fn publish_updated(&self, row: &MessageRow) -> Result<(), AppError> {
        let members = self.member_ids_in(&row.chat_id, &READABLE).await?;
        let reactions = self.store.reactions(&row.chat_id, row.seq, row.seq).await.map_err(internal)?;
        let reactions: Vec<_> = reactions.iter().collect();
        for member in &members {
            let message: MessageView = views::message_view(row, &reactions, member);
            self.publish_one(member, &ServerFrame::MessageUpdated { message });
        }
        Ok(())
    }

    pub(super) async fn publish_reactions(&self, chat_id: &str, message: &MessageRow) -> Result<(), AppError> {
        let members = self.member_ids_in(chat_id, &READABLE).await?;
        let rows = self.store.reactions(chat_id, message.seq, message.seq).await.map_err(internal)?;
        let rows: Vec<_> = rows.iter().collect();
        for member in &members {
            let frame = ServerFrame::Reactions {
                chat_id: chat_id.to_owned(),
                message_id: message.id.clone(),
                reactions: views::reaction_views(&rows, member),
            };
            self.publish_one(member, &frame);
        }
        Ok(())
    }

    /// `user` read up to `seq`: to every member (the reader's other devices clear their badge).
    pub(super) async fn publish_read(&self, chat_id: &str, user: &str, seq: i64) -> Result<(), AppError> {
        let members = self.member_ids_in(chat_id, &READABLE).await?;
        let frame = ServerFrame::Read { chat_id: chat_id.to_owned(), user_id: display_user_id(user), seq };
        self.publish_all(&members, &frame);
        Ok(())
    }

    pub(super) async fn publish_delivered(&self, chat_id: &str, user: &str, seq: i64) -> Result<(), AppError> {
        let others: Vec<String> = self.member_ids_in(chat_id, &READABLE).await?.into_iter().filter(|m| m != user).collect();
        let frame = ServerFrame::Delivered { chat_id: chat_id.to_owned(), user_id: display_user_id(user), seq };
        self.publish_all(&others, &frame);
        Ok(())
    }

    /// The chat's list row, as each member who can read it sees it.
    pub(super) async fn publish_chat_updated(&self, chat_id: &str) -> Result<(), AppError> {
        let rows = self.store.summaries(SummaryScope::Members { chat_id }).await.map_err(internal)?;
        for row in &rows {
            self.publish_one(&row.viewer, &ServerFrame::ChatUpdated { chat: self.summary(row).await });
        }
        Ok(())
    }

    /// The chat's list row for one person only (e.g. after muting, on their other devices).
    pub(super) async fn publish_chat_updated_for(&self, chat_id: &str, user: &str) -> Result<(), AppError> {
        let scope = SummaryScope::Viewer { user_id: user, cursor: None, limit: 1, only_chat: Some(chat_id) };
        let rows = self.store.summaries(scope).await.map_err(internal)?;
        for row in &rows {
            self.publish_one(user, &ServerFrame::ChatUpdated { chat: self.summary(row).await });
        }
        Ok(())
    }

    pub(super) fn publish_removed(&self, users: &[String], chat_id: &str) {
        self.publish_all(users, &ServerFrame::ChatRemoved { chat_id: chat_id.to_owned() });
    }

    /// A group's system message and the changed list row for every member.
    pub(super) async fn publish_group_change(&self, chat_id: &str, system: Option<&MessageRow>) -> Result<(), AppError> {
        if let Some(m) = system {
            self.publish_new_message(m).await?;
        }
        self.publish_chat_updated(chat_id).await
    }
}

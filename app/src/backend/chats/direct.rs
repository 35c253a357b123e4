//! Direct chats and message requests: one chat per pair; a first message to someone who takes
//! messages from contacts only arrives as a request they accept or decline.
use super::{ChatsService, R, cannot_message, internal, new_id, parse_user_id};
use crate::error::AppError;
use crate::ids::{ChatId, UserId};
use crate::backend::store::{
    chats::{ProfileRow, Relation},
    states::{ChatKind, ContactStatus, MemberState, WhoCanMessage},
};

/// Whether reaching `target` needs their consent first: they take messages from contacts only
/// and the other person is not one. A first message becomes a request, an add to a group an
/// invitation.
pub(super) fn asks_first(target: &ProfileRow, relation: &Relation) -> bool {
    let contact = relation.contact.as_ref().is_some_and(|(_, state)| *state == ContactStatus::Accepted);
    target.who_can_message == WhoCanMessage::Contacts && !contact
}

impl ChatsService {
    /// Anyone signed in, towards anyone who has not blocked them. Opens (or creates) the direct
    /// chat with `user_id` (any case, dash optional); returns its id and whether it is new.
    pub async fn start_direct(&self, me: &UserId, user_id: &UserId) -> R<(ChatId, bool)> {
        let me = me.as_str();
        let other = parse_user_id(user_id.as_str())?;
        if other == me {
            return Err(AppError::invalid("user_id", "That’s your own user ID"));
        }
        let target = self.store.profile_row(&other).await.map_err(internal)?.ok_or(AppError::NotFound)?;
        let relation = self.store.relation(me, &other).await.map_err(internal)?;
        if let Some((chat_id, my_state)) = relation.direct {
            // Writing to someone whose request you declined accepts it after all.
            if my_state == MemberState::Dismissed && !relation.i_blocked && !relation.they_blocked {
                self.store.set_states(&chat_id, &[(me, MemberState::Active), (&other, MemberState::Active)]).await.map_err(internal)?;
                let _ = self.publish_chat_updated(&chat_id).await;
            }
            return Ok((chat_id.into(), false));
        }
        if relation.i_blocked {
            return Err(AppError::invalid_with_code("blocked", "user_id", "You blocked this person — unblock them to message them"));
        }
        if relation.they_blocked {
            return Err(cannot_message());
        }
        let (mine, theirs) = if asks_first(&target, &relation) {
            (MemberState::Outgoing, MemberState::Incoming)
        } else {
            (MemberState::Active, MemberState::Active)
        };
        let (chat_id, created) = self.store.create_direct(&new_id(), me, mine, &other, theirs, self.clock.now()).await.map_err(internal)?;
        if created {
            // The other person hears of the chat with its first message.
            let _ = self.publish_chat_updated_for(&chat_id, me).await;
        }
        Ok((chat_id.into(), created))
    }

    /// Caller must have an incoming message request in the chat. Accepting makes it a normal
    /// chat; declining hides it from the caller and stops the requester from sending more.
    pub async fn answer_request(&self, me: &UserId, chat_id: &ChatId, accept: bool) -> R<()> {
        let (me, chat_id) = (me.as_str(), chat_id.as_str());
        let (conv, member) = self.readable(me, chat_id).await?;
        if conv.kind != ChatKind::Direct || member.state != MemberState::Incoming {
            return Err(AppError::invalid_with_code("no_request", "chat_id", "There is no message request to answer here"));
        }
        if accept {
            self.accept_request(me, chat_id).await
        } else {
            let other = self.peer_of(chat_id, me).await?;
            self.store.set_states(chat_id, &[(me, MemberState::Dismissed), (&other, MemberState::Declined)]).await.map_err(internal)?;
            self.publish_removed(&[me.to_owned()], chat_id);
            let _ = self.publish_chat_updated_for(chat_id, &other).await;
            Ok(())
        }
    }

    pub(super) async fn accept_request(&self, me: &str, chat_id: &str) -> R<()> {
        let other = self.peer_of(chat_id, me).await?;
        self.store.set_states(chat_id, &[(me, MemberState::Active), (&other, MemberState::Active)]).await.map_err(internal)?;
        let _ = self.publish_chat_updated(chat_id).await;
        Ok(())
    }
}

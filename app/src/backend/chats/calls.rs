//! What calls ask of chats: whom one may call, and the record of a call in its chat.
use super::{ChatsService, R};
use crate::backend::store::states::{ChatKind, MemberState};
use crate::calls::types::CallOutcome;
use crate::chats::types::{PersonView, SystemEvent};
use crate::error::AppError;
use crate::ids::{ChatId, UserId};

impl ChatsService {
    /// The other person of the direct chat `me` calls from. Calls follow the rules of messages:
    /// nobody calls someone who blocked them, and someone who takes messages from contacts only
    /// takes calls only once they accepted the chat's request.
    pub async fn call_peer(&self, me: &UserId, chat_id: &ChatId) -> R<(UserId, PersonView, PersonView)> {
        let me = me.as_str();
        let access = self.readable_access(me, chat_id.as_str()).await?;
        if access.kind != ChatKind::Direct {
            return Err(AppError::invalid_with_code("group_call", "chat_id", "Calls are between two people: call from your chat with them"));
        }
        if access.blockers.iter().any(|b| b == me) {
            return Err(AppError::invalid_with_code("blocked", "chat_id", "You blocked this person — unblock them to call"));
        }
        if !access.blockers.is_empty() {
            return Err(AppError::invalid_with_code("cannot_call", "chat_id", "You can’t call this person"));
        }
        let peer = access.members.iter().find(|m| m.user_id != me).ok_or(AppError::NotFound)?;
        let both_in = access.member(me).is_some_and(|m| m.state == MemberState::Active) && peer.state == MemberState::Active;
        if !both_in {
            return Err(AppError::invalid_with_code("call_not_allowed", "chat_id", "You can call once they accept your message request"));
        }
        let peer_id = peer.user_id.clone();
        let peer_person = self.me_person(&peer_id).await.map_err(|_| AppError::NotFound)?;
        Ok((UserId::from(peer_id), self.me_person(me).await?, peer_person))
    }

    /// Adds the record of a call that ended to its chat (for both people), as a system message.
    pub async fn record_call(&self, chat_id: &ChatId, by: PersonView, video: bool, outcome: CallOutcome, seconds: Option<u32>) -> R<()> {
        let event = SystemEvent::Call { by, video, outcome, seconds };
        let message = self.apply(chat_id.as_str(), &[], Some(event)).await?;
        self.publish_group_change(chat_id.as_str(), message.as_ref()).await
    }
}

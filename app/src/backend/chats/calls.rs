//! What calls ask of chats: whom one may call, and the record of a call in its chat.
use super::{ChatsService, R, groups, internal, views};
use crate::backend::store::{
    chats::{MemberFlag, Sent},
    states::{ChatKind, MemberState},
};
use crate::calls::types::CallOutcome;
use crate::chats::types::{PersonView, SystemEvent};
use crate::error::AppError;
use crate::ids::{ChatId, UserId};

/// Whom a call from a direct chat goes to, as `call_peer` finds them.
#[derive(Debug, Clone)]
pub struct CallPeer {
    pub id: UserId,
    pub person: PersonView,
    /// The one calling, as the callee sees them.
    pub caller: PersonView,
    /// The callee turned calls off in this chat.
    pub calls_off: bool,
}

impl ChatsService {
    /// The other person of the direct chat `me` calls from. Calls follow the rules of messages:
    /// nobody calls someone who blocked them, and someone who takes messages from contacts only
    /// takes calls only once they accepted the chat's request.
    pub async fn call_peer(&self, me: &UserId, chat_id: &ChatId) -> R<CallPeer> {
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
        // One read for both people and whether calls ring the callee here: a thousand calls
        // placed at once are a thousand of these beside the messages.
        let rows = self.store.members(chat_id.as_str(), &[MemberState::Active]).await.map_err(internal)?;
        let row_of = |id: &str| rows.iter().find(|m| m.person.id == id).ok_or(AppError::NotFound);
        let (caller, callee) = (row_of(me)?, row_of(&peer.user_id)?);
        Ok(CallPeer {
            id: UserId::from(callee.person.id.clone()),
            person: views::person(&callee.person),
            caller: views::person(&caller.person),
            calls_off: callee.calls_off,
        })
    }

    /// Caller must be able to read the chat, a direct one. Turns calls in it off (they no longer
    /// ring the caller; whoever calls is told, and the chat keeps a missed call) or on again.
    /// Muting a chat leaves its calls ringing.
    pub async fn set_calls_off(&self, me: &UserId, chat_id: &ChatId, calls_off: bool) -> R<()> {
        let (me, chat_id) = (me.as_str(), chat_id.as_str());
        if self.readable_access(me, chat_id).await?.kind != ChatKind::Direct {
            return Err(AppError::invalid_with_code("group_call", "chat_id", "Calls are between two people: a group has none to turn off"));
        }
        self.store.set_member_flag(chat_id, me, MemberFlag::CallsOff, calls_off).await.map_err(internal)
    }

    /// Adds the record of a call that ended to its chat (for both people), as a system message.
    /// It goes through the writer that batches sends: many calls ending together (a thousand
    /// in the bench) are then a few commits among the messages', not one each.
    pub async fn record_call(&self, chat_id: &ChatId, by: PersonView, video: bool, outcome: CallOutcome, seconds: Option<u32>) -> R<()> {
        let event = SystemEvent::Call { by, video, outcome, seconds };
        let message = groups::system(chat_id.as_str(), &event, self.clock.now())?;
        let (Sent::New(row) | Sent::Existing(row)) = self.store.send(&message).await.map_err(internal)?;
        // The message frame is enough for the chat lists (they count it as unread by
        // `SystemEvent::unread_for`); no list row is read again for it.
        self.publish_new_message(&row).await
    }
}

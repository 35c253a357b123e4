//! Live hints that are never stored as messages: who is typing, who came online or went away.
//! The sockets report what happened; the service decides who hears of it.
use super::{ChatsService, R};
use crate::accounts::validate::display_user_id;
use crate::chats::types::Presence;
use crate::ids::{ChatId, UserId};
use crate::realtime::protocol::ServerFrame;

impl ChatsService {
    /// `me` is typing in `chat_id`: the chat's other members hear of it. The socket throttles.
    pub async fn typing(&self, me: &UserId, chat_id: &ChatId, display_name: &str) -> R<()> {
        let (me, chat_id) = (me.as_str(), chat_id.as_str());
        let others: Vec<String> = self.live_audience(me, chat_id).await?.into_iter().filter(|m| m != me).collect();
        let frame = ServerFrame::Typing {
            chat_id: chat_id.to_owned(),
            user_id: display_user_id(me),
            display_name: display_name.to_owned(),
        };
        self.publish_all(&others, &frame);
        Ok(())
    }

    /// `me`'s first device connected: whoever may see them online hears of it.
    pub async fn came_online(&self, me: &UserId) -> R<()> {
        self.announce(me.as_str(), Presence::Online).await
    }

    /// `me`'s last device went away: remember when, and say so unless they are still (or
    /// already again) online somewhere.
    pub async fn went_offline(&self, me: &UserId) -> R<()> {
        let at = self.clock.now();
        // A failed write is logged where store errors are; the audience still hears of it.
        let _ = self.set_last_seen(me, at).await;
        if self.hub.is_online(me.as_str()).await {
            return Ok(());
        }
        self.announce(me.as_str(), Presence::LastSeen { at }).await
    }

    async fn announce(&self, me: &str, presence: Presence) -> R<()> {
        let audience: Vec<String> = self.audience_of(me).await?.into_iter().filter(|u| u != me).collect();
        self.publish_all(&audience, &ServerFrame::Presence { user_id: display_user_id(me), presence });
        Ok(())
    }
}

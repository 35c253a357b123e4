//! What each frame from the client asks for, answered through the services.
use app::{
    ids::{ChatId, ClientId, MessageId},
    realtime::protocol::{ClientFrame, ServerFrame},
};
use tokio::time::Instant;

use super::{Connection, Step};

impl Connection {
    /// Answers one frame from the client.
    pub(super) async fn handle(&mut self, frame: ClientFrame) -> Step {
        let services = self.cx.services.clone();
        let me = self.cx.user.clone();
        match frame {
            ClientFrame::Hello { .. } => self.error("unexpected_hello", "Already said hello".into(), None).await,
            ClientFrame::Ping { nonce } => self.send(&ServerFrame::Pong { nonce }).await,
            ClientFrame::Send { chat_id, client_id, body, reply_to, attachments } => {
                self.cx.per_user.message_sent(me.as_str(), &chat_id);
                let (chat, client) = (ChatId::from(chat_id), ClientId::from(client_id.as_str()));
                let reply_to = reply_to.map(MessageId::from);
                // The service commits before it returns, so the ack never names a lost message.
                match services.chats.send_message_with_attachments(&me, &chat, &client, &body, reply_to.as_ref(), &attachments).await {
                    Ok((message, _new)) => {
                        let ack = ServerFrame::Ack {
                            client_id,
                            chat_id: message.chat_id,
                            id: message.id,
                            seq: message.seq,
                            created_at: message.created_at,
                        };
                        self.send(&ack).await
                    }
                    Err(e) => self.error(e.code(), e.to_string(), Some(client_id)).await,
                }
            }
            ClientFrame::Typing { chat_id } => {
                // Dropped without a word when too frequent: typing is a hint, not a request.
                if !self.cx.per_user.may_broadcast_typing(me.as_str(), &chat_id, Instant::now()) {
                    return Ok(());
                }
                match services.chats.typing(&me, &chat_id.into(), &self.cx.display_name).await {
                    Ok(()) => Ok(()),
                    Err(e) => self.error(e.code(), e.to_string(), None).await,
                }
            }
            ClientFrame::Read { chat_id, seq } => match services.chats.mark_read(&me, &chat_id.into(), seq).await {
                Ok(()) => Ok(()),
                Err(e) => self.error(e.code(), e.to_string(), None).await,
            },
            frame => self.handle_call(frame).await,
        }
    }

    /// A call frame: the view comes back to this device, refusals as an `error` frame.
    async fn handle_call(&mut self, frame: ClientFrame) -> Step {
        let calls = self.cx.services.calls.clone();
        let (me, device) = (self.cx.user.clone(), self.call_device.clone());
        let answer = match frame {
            ClientFrame::CallInvite { chat_id, video } => calls.invite(&me, &device, &ChatId::from(chat_id), video).await.map(Some),
            ClientFrame::CallAccept { call_id, video } => calls.accept(&me, &device, &call_id, video).await.map(Some),
            ClientFrame::CallDecline { call_id } => calls.decline(&me, &call_id).await.map(|()| None),
            ClientFrame::CallHangup { call_id } => calls.hang_up(&me, &device, &call_id).await.map(|()| None),
            ClientFrame::CallSignal { call_id, signal } => calls.signal(&me, &device, &call_id, signal).await.map(|()| None),
            ClientFrame::CallMedia { call_id, muted, camera } => calls.media(&me, &device, &call_id, muted, camera).await.map(|()| None),
            ClientFrame::CallRejoin { call_id } => calls.rejoin(&me, &device, &call_id).await.map(Some),
            other => {
                tracing::error!(?other, "a frame without a handler");
                return Ok(());
            }
        };
        match answer {
            Ok(Some(call)) => self.send(&ServerFrame::Call { call }).await,
            Ok(None) => Ok(()),
            Err(e) => self.error(e.code(), e.to_string(), None).await,
        }
    }
}

//! Writing to the client: frames (messages counted for delivery receipts on the way), flushes
//! that a burst shares, and the goodbye when the connection ends.
use app::{
    backend::hub::Payload,
    chats::types::MessageView,
    realtime::protocol::ServerFrame,
};
use axum::extract::ws::{CloseFrame, Message};
use futures_util::SinkExt;
use tokio::time::timeout;

use super::{Connection, End, Step};
use crate::ws::{limits::*, replay::Outgoing};

impl Connection {
    pub(super) fn outgoing(&self, message: MessageView) -> Outgoing {
        let from_other = message.sender.as_ref().is_some_and(|s| s.user_id != self.me_shown);
        let (chat_id, seq) = (message.chat_id.clone(), message.seq);
        let payload = Payload::of(&ServerFrame::Message { message }).unwrap_or_else(|e| {
            tracing::error!(error = %e, "a message frame could not be serialised");
            Payload::text("")
        });
        Outgoing { chat_id, seq, payload, from_other }
    }

    pub(super) async fn send_message(&mut self, message: Outgoing) -> Step {
        if message.from_other {
            let highest = self.delivered.entry(message.chat_id.clone()).or_insert(0);
            *highest = (*highest).max(message.seq);
        }
        self.text(&message.payload.text).await
    }

    pub(super) async fn send(&mut self, frame: &ServerFrame) -> Step {
        match serde_json::to_string(frame) {
            Ok(text) => self.raw(Message::Text(text.into())).await,
            Err(e) => {
                tracing::error!(error = %e, "a frame could not be serialised");
                Ok(())
            }
        }
    }

    pub(super) async fn text(&mut self, text: &str) -> Step {
        self.raw(Message::Text(text.into())).await
    }

    pub(super) async fn error(&mut self, code: &str, message: String, client_id: Option<String>) -> Step {
        self.send(&ServerFrame::Error { code: code.to_owned(), message, client_id }).await
    }

    /// A write that does not finish in `WRITE_TIMEOUT` means the client stopped reading.
    /// While `hold_flush` is set the frame is only queued (it still goes out once the write
    /// buffer fills); the caller flushes.
    pub(super) async fn raw(&mut self, message: Message) -> Step {
        let written = match self.hold_flush {
            true => timeout(WRITE_TIMEOUT, self.sink.feed(message)).await,
            false => timeout(WRITE_TIMEOUT, self.sink.send(message)).await,
        };
        match written {
            Ok(Ok(())) => Ok(()),
            _ => Err(End::Gone),
        }
    }

    pub(super) async fn flush(&mut self) -> Step {
        match timeout(WRITE_TIMEOUT, self.sink.flush()).await {
            Ok(Ok(())) => Ok(()),
            _ => Err(End::Gone),
        }
    }

    /// Says goodbye as the way the connection ended asks: a `reconnect` or `error` frame, then
    /// the close frame with its code.
    pub(super) async fn finish(&mut self, end: Step) {
        self.store_receipts();
        let (code, reason) = match end {
            Ok(()) | Err(End::Gone) => return,
            Err(End::Close(code, reason)) => (code, reason),
            Err(End::Reconnect(reason)) => {
                let frame = ServerFrame::Reconnect { reason: reason.into(), retry_after_ms: RECONNECT_AFTER_MS };
                if self.send(&frame).await.is_err() {
                    return;
                }
                let code = match reason {
                    "slow" => close::SLOW,
                    "replay_limit" => close::REPLAY_LIMIT,
                    _ => close::GOING_AWAY,
                };
                (code, reason)
            }
            Err(End::SignedOut(code)) => {
                let message = if code == "token_expired" {
                    "The access token expired: refresh it and connect again"
                } else {
                    "This device was signed out"
                };
                if self.error(code, message.into(), None).await.is_err() {
                    return;
                }
                (close::SIGNED_OUT, code)
            }
        };
        let frame = CloseFrame { code, reason: reason.into() };
        let _ = timeout(std::time::Duration::from_secs(2), self.sink.send(Message::Close(Some(frame)))).await;
    }
}

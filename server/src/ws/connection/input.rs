//! Reading the client's frames: each one is a sign of life, counts against the rate limit
//! (control frames too), and is parsed by the protocol's reader.
use app::realtime::protocol::{ClientFrame, MAX_FRAME_BYTES, read_client_frame};
use axum::extract::ws::Message;
use futures_util::StreamExt;
use tokio::time::Instant;

use super::{Connection, End};
use crate::ws::limits::close;

/// A frame from the client, read and parsed.
pub(super) enum Incoming {
    Frame(ClientFrame),
    /// Unreadable: answered with an error, the connection stays.
    Bad { code: &'static str, message: String },
    /// Control frames (pings are answered by the WebSocket layer).
    Control,
}

impl Connection {
    /// Reads the next frame; every frame counts as a sign of life and against the rate limit.
    pub(super) async fn read(&mut self) -> Result<Incoming, End> {
        loop {
            let message = match self.stream.next().await {
                None => return Err(End::Gone),
                Some(Ok(message)) => message,
                Some(Err(e)) => {
                    // tungstenite refuses frames above the hard limit before we see them.
                    if e.to_string().contains("too long") || e.to_string().contains("too big") {
                        let _ = self.error("frame_too_large", too_large_message(), None).await;
                        return Err(End::Close(close::TOO_BIG, "frame too large"));
                    }
                    return Err(End::Gone);
                }
            };
            self.last_heard = Instant::now();
            let text = match message {
                Message::Text(text) => text,
                Message::Binary(_) => {
                    if !self.admit().await? {
                        continue;
                    }
                    return Ok(Incoming::Bad { code: "bad_frame", message: "Frames are JSON text".into() });
                }
                // Answered by the WebSocket layer, so they cost work too: counted like any frame.
                Message::Ping(_) | Message::Pong(_) => {
                    if !self.admit().await? {
                        continue;
                    }
                    return Ok(Incoming::Control);
                }
                Message::Close(_) => return Err(End::Gone),
            };
            if !self.admit().await? {
                continue;
            }
            return Ok(match read_client_frame(&text) {
                Ok(frame) => Incoming::Frame(frame),
                Err(e) => Incoming::Bad { code: e.code, message: e.message },
            });
        }
    }

    /// Whether a frame is within the rate limit. Refused frames are dropped with (at most one
    /// per second) a `rate_limited` error; a client that keeps flooding is disconnected.
    async fn admit(&mut self) -> Result<bool, End> {
        let now = Instant::now();
        if self.bucket.take(now) {
            self.refused_in_a_row = 0;
            return Ok(true);
        }
        self.refused_in_a_row += 1;
        if self.refused_in_a_row > 10 * self.cx.rate.burst as u32 {
            return Err(End::Close(close::POLICY, "rate limit"));
        }
        if self.last_rate_error.is_none_or(|at| now.duration_since(at) >= std::time::Duration::from_secs(1)) {
            self.last_rate_error = Some(now);
            self.error("rate_limited", "Too many frames — slow down".into(), None).await?;
        }
        Ok(false)
    }
}

fn too_large_message() -> String {
    format!("A frame may have at most {MAX_FRAME_BYTES} bytes")
}

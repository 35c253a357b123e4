//! The socket's limits: timings, sizes, close codes and the per-connection rate limit.
use std::time::Duration;

use tokio::time::Instant;

/// How often the server pings an idle connection.
pub const PING_EVERY: Duration = Duration::from_secs(25);
/// A connection that has sent nothing (not even a pong) for this long is closed.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// The `hello` frame must arrive within this long of the upgrade.
pub const HELLO_TIMEOUT: Duration = Duration::from_secs(10);
/// A single write that cannot complete in this long means the client stopped reading.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Frames above `MAX_FRAME_BYTES` (but under this) are answered with `frame_too_large` and the
/// connection stays; anything larger is refused by the WebSocket layer and the socket closes.
pub const HARD_FRAME_BYTES: usize = 4 * app::realtime::protocol::MAX_FRAME_BYTES;
/// Socket buffers: a frame larger than the read buffer grows it for that frame only.
pub const READ_BUFFER_BYTES: usize = 2 * 1024;
pub const WRITE_BUFFER_BYTES: usize = 8 * 1024;
/// Outgoing bytes a socket may hold unsent before writes fail (a client that stopped reading).
pub const MAX_WRITE_BUFFER_BYTES: usize = 1024 * 1024;
/// Messages fetched per page while replaying after a cursor.
pub const REPLAY_PAGE: u32 = 200;
/// Changes are replayed from this long before a `hello`'s `since`, in case the clocks of the
/// servers behind one address differ a little (replaying a change twice is harmless).
pub const SINCE_MARGIN_MS: i64 = 2000;
/// Chats a `hello` may carry cursors for.
pub const MAX_CURSORS: usize = 2000;
/// Live events held back while a replay runs; beyond this the client is sent to reconnect.
pub const MAX_BUFFERED_DURING_REPLAY: usize = 10_000;
/// Least time between two typing broadcasts for one chat from one user (all devices together).
pub const TYPING_EVERY: Duration = Duration::from_millis(app::realtime::protocol::typing::BROADCAST_EVERY_MS);
/// Most queued live frames written before one flush.
pub const MAX_FRAMES_PER_FLUSH: usize = 64;
/// How long delivery receipts are gathered before they are stored (one call per chat).
pub const DELIVERED_EVERY: Duration = Duration::from_millis(750);
/// How long a live message that arrives ahead of its predecessor waits for it before the gap is
/// filled from the store.
pub const REORDER_WAIT: Duration = Duration::from_millis(500);
/// How often a socket checks that its session or token family is still signed in (beside the
/// immediate check when one of the user's devices is signed out).
pub const DEVICE_CHECK_EVERY: Duration = Duration::from_secs(60);
/// Suggested pause before reconnecting after a `reconnect` frame.
pub const RECONNECT_AFTER_MS: u64 = 1000;

pub use app::realtime::protocol::close;

/// Sockets one user may hold open at once on this server (`CONFAB_WS_SOCKETS_PER_USER`); one
/// more is refused at the upgrade (429 `too_many_sockets`) until one closes.
pub const SOCKETS_PER_USER: usize = 16;
/// Messages one replay sends at most (`CONFAB_WS_REPLAY_MESSAGES`); then `reconnect`
/// `replay_limit` and close 4004: the client resumes from the cursors it advanced.
pub const REPLAY_MESSAGES: usize = 10_000;
/// How long one replay (messages and changes) may take, with the same ending.
pub const REPLAY_TIME: Duration = Duration::from_secs(30);
/// Typing broadcasts one user may start across all chats and devices: one a second on average,
/// five at once (each goes to every member of a chat: a thousand frames in a big group).
pub const TYPING_PER_USER: RateLimit = RateLimit { per_sec: 1.0, burst: 5.0 };

/// Frames per second a connection may send, on average, and the burst it may send at once.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RateLimit {
    pub per_sec: f64,
    pub burst: f64,
}

impl Default for RateLimit {
    fn default() -> Self {
        Self { per_sec: 20.0, burst: 40.0 }
    }
}

/// A token bucket: `burst` tokens, refilled at `per_sec`; each frame takes one.
#[derive(Debug)]
pub struct TokenBucket {
    limit: RateLimit,
    tokens: f64,
    at: Instant,
}

impl TokenBucket {
    pub fn new(limit: RateLimit, now: Instant) -> Self {
        Self { limit, tokens: limit.burst, at: now }
    }

    /// Takes a token if one is left.
    pub fn take(&mut self, now: Instant) -> bool {
        let elapsed = now.saturating_duration_since(self.at).as_secs_f64();
        self.tokens = (self.tokens + elapsed * self.limit.per_sec).min(self.limit.burst);
        self.at = now;
        if self.tokens >= 1.0 {
            self.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_allows_its_burst_then_its_rate() {
        let start = Instant::now();
        let mut bucket = TokenBucket::new(RateLimit { per_sec: 10.0, burst: 5.0 }, start);
        assert!((0..5).all(|_| bucket.take(start)), "the burst passes");
        assert!(!bucket.take(start), "then it is empty");
        assert!(bucket.take(start + Duration::from_millis(100)), "one token per 100 ms");
        assert!(!bucket.take(start + Duration::from_millis(100)));
        assert!((0..5).all(|_| bucket.take(start + Duration::from_secs(60))), "refills up to the burst");
        assert!(!bucket.take(start + Duration::from_secs(60)), "never beyond it");
    }
}

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
/// Least time between two typing broadcasts for one chat from one connection.
pub const TYPING_EVERY: Duration = Duration::from_secs(2);
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

/// Close codes (RFC 6455 §7.4; 4000–4999 are ours).
pub mod close {
    /// Normal closure.
    pub const NORMAL: u16 = 1000;
    /// The server is going away, or asked the client to reconnect (`reconnect` frame).
    pub const GOING_AWAY: u16 = 1001;
    /// A protocol rule was broken (no `hello` first, flooding).
    pub const POLICY: u16 = 1008;
    /// A frame above the hard size limit.
    pub const TOO_BIG: u16 = 1009;
    /// The client speaks another protocol version.
    pub const VERSION: u16 = 4000;
    /// Nothing heard for `IDLE_TIMEOUT`.
    pub const IDLE: u16 = 4001;
    /// The client fell behind and was cut off; reconnect and resume.
    pub const SLOW: u16 = 4002;
    /// The session was signed out or the access token expired (an `error` frame says which).
    pub const SIGNED_OUT: u16 = 4003;
}

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

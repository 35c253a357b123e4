//! Time as the services see it: the wall clock when serving, a clock a test moves by hand (so
//! tests wait out a code's expiry by moving the clock, not by editing stored rows).
use std::sync::atomic::{AtomicI64, Ordering};

pub trait Clock: Send + Sync + 'static {
    /// Unix time in milliseconds.
    fn now_ms(&self) -> i64;

    /// Unix time in seconds.
    fn now(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }
}

/// The machine's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
    }
}

/// A clock that stands still until a test moves it. Starts at the machine's time, so rows it
/// stamps sort among rows stamped by the system clock.
#[derive(Debug)]
pub struct ManualClock(AtomicI64);

impl Default for ManualClock {
    fn default() -> Self {
        Self(AtomicI64::new(SystemClock.now_ms()))
    }
}

impl ManualClock {
    pub fn advance_secs(&self, secs: i64) {
        self.0.fetch_add(secs * 1000, Ordering::Relaxed);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> i64 {
        self.0.load(Ordering::Relaxed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manual_clock_moves_only_when_told() {
        let clock = ManualClock::default();
        let start = clock.now();
        assert_eq!(clock.now(), start);
        clock.advance_secs(61);
        assert_eq!(clock.now(), start + 61);
    }

    #[test]
    fn seconds_round_down_before_1970_too() {
        struct At(i64);
        impl Clock for At {
            fn now_ms(&self) -> i64 {
                self.0
            }
        }
        assert_eq!(At(1999).now(), 1);
        assert_eq!(At(-1).now(), -1);
    }
}

//! Sliding-window limits per key (an IP, a phone number), in memory.
use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
};

#[derive(Default)]
pub struct RateLimiter {
    hits: Mutex<HashMap<String, VecDeque<i64>>>,
}

impl RateLimiter {
    /// Records a hit for `key` at `now` unless `limit` hits already fall in the last `window`
    /// seconds; then returns the seconds until one expires.
    pub fn hit(&self, key: &str, limit: usize, window: i64, now: i64) -> Result<(), u64> {
        let mut hits = self.hits.lock().unwrap_or_else(|e| e.into_inner());
        if hits.len() > 100_000 {
            hits.retain(|_, times| times.back().is_some_and(|t| *t > now - 3600));
        }
        let times = hits.entry(key.to_owned()).or_default();
        while times.front().is_some_and(|t| *t <= now - window) {
            times.pop_front();
        }
        if times.len() >= limit {
            let oldest = times.front().copied().unwrap_or(now);
            return Err((oldest + window - now).max(1) as u64);
        }
        times.push_back(now);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_holds_within_the_window_and_frees_up_after_it() {
        let limiter = RateLimiter::default();
        for t in 0..5 {
            assert!(limiter.hit("ip", 5, 3600, t).is_ok());
        }
        assert_eq!(limiter.hit("ip", 5, 3600, 10), Err(3590));
        assert!(limiter.hit("other", 5, 3600, 10).is_ok(), "keys are separate");
        assert!(limiter.hit("ip", 5, 3600, 3600).is_ok(), "the first hit has expired");
    }
}

//! Sliding-window limits per key (a client address, a phone number), in memory.
//!
//! The keys are spread over shards, each with its own lock, and a shard forgets expired keys
//! only when it has doubled since it last did: one request never walks more than its own shard,
//! and the walking costs each hit a constant on average, however many keys there are.
use std::{
    collections::{HashMap, VecDeque},
    hash::{BuildHasher, RandomState},
    net::IpAddr,
    sync::Mutex,
};

const SHARDS: usize = 64;
/// A shard of fewer keys than this is never swept.
const SWEEP_FROM: usize = 1024;
/// The longest window any caller uses: older hits can be forgotten.
const LONGEST_WINDOW_SECS: i64 = 3600;

#[derive(Default)]
struct Shard {
    hits: HashMap<String, VecDeque<i64>>,
    /// The size at which this shard is next swept.
    sweep_at: usize,
    /// Keys looked at by sweeps so far (what the sweep costs, for tests).
    swept: u64,
}

pub struct RateLimiter {
    shards: Vec<Mutex<Shard>>,
    hasher: RandomState,
}

impl Default for RateLimiter {
    fn default() -> Self {
        Self { shards: (0..SHARDS).map(|_| Mutex::default()).collect(), hasher: RandomState::new() }
    }
}

impl RateLimiter {
    /// Records a hit for `key` at `now` unless `limit` hits already fall in the last `window`
    /// seconds; then returns the seconds until one expires.
    pub fn hit(&self, key: &str, limit: usize, window: i64, now: i64) -> Result<(), u64> {
        let shard = &self.shards[self.hasher.hash_one(key) as usize % SHARDS];
        let mut shard = shard.lock().unwrap_or_else(|e| e.into_inner());
        if shard.hits.len() >= shard.sweep_at.max(SWEEP_FROM) {
            let visited = shard.hits.len() as u64;
            shard.hits.retain(|_, times| times.back().is_some_and(|t| *t > now - LONGEST_WINDOW_SECS));
            shard.sweep_at = 2 * shard.hits.len();
            shard.swept += visited;
        }
        let times = shard.hits.entry(key.to_owned()).or_default();
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

    #[cfg(test)]
    fn swept(&self) -> u64 {
        self.shards.iter().map(|s| s.lock().unwrap_or_else(|e| e.into_inner()).swept).sum()
    }
}

/// The part of a client address that names one client for limits: an IPv4 address whole, an
/// IPv6 address by its /64 (one network, which its owner can fill with addresses at will).
pub fn address_key(ip: &str) -> String {
    match ip.parse::<IpAddr>() {
        Ok(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
        Ok(IpAddr::V4(v4)) => v4.to_string(),
        Err(_) => ip.to_owned(),
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

    #[test]
    fn a_flood_of_fresh_keys_costs_each_hit_a_constant_not_a_walk_of_every_key() {
        // Before: past 100,000 live keys, every hit walked the whole map under one lock.
        let limiter = RateLimiter::default();
        let keys = 300_000;
        for n in 0..keys {
            assert!(limiter.hit(&format!("ip-{n}"), 5, 3600, 1_000).is_ok());
        }
        assert!(limiter.swept() < 4 * keys, "sweeps looked at {} keys for {keys} hits", limiter.swept());
        assert_eq!(limiter.hit("ip-7", 1, 3600, 1_001), Err(3599), "live keys are kept");
    }

    #[test]
    fn expired_keys_are_forgotten() {
        let limiter = RateLimiter::default();
        for n in 0..200_000 {
            limiter.hit(&format!("old-{n}"), 5, 3600, 0).unwrap();
        }
        for n in 0..200_000 {
            limiter.hit(&format!("new-{n}"), 5, 3600, 10_000).unwrap();
        }
        let kept: usize = limiter.shards.iter().map(|s| s.lock().unwrap().hits.len()).sum();
        assert!(kept < 300_000, "{kept} keys kept, most of the old ones should be gone");
    }

    #[test]
    fn an_ipv6_client_is_its_64_and_an_ipv4_client_its_address() {
        assert_eq!(address_key("2001:db8:1:2::1"), address_key("2001:db8:1:2:ffff:ffff:ffff:9"));
        assert_ne!(address_key("2001:db8:1:2::1"), address_key("2001:db8:1:3::1"));
        assert_eq!(address_key("2001:db8:1:2::1"), "2001:db8:1:2::/64");
        assert_eq!(address_key("203.0.113.7"), "203.0.113.7");
        assert_ne!(address_key("203.0.113.7"), address_key("203.0.113.8"));
        assert_eq!(address_key("::ffff:203.0.113.7"), "203.0.113.7", "IPv4 seen through an IPv6 socket");
    }
}

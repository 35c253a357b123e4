//! One-time codes: six digits, ten minutes, five tries, single use, kept only as a keyed hash.
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;
use subtle::ConstantTimeEq;

pub const CODE_TTL_SECS: i64 = 10 * 60;
pub const MAX_TRIES: i64 = 5;
pub const RESEND_AFTER_SECS: i64 = 60;

pub fn new_code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

/// HMAC-SHA256 keyed with the server secret, bound to the pending id so a hash cannot be
/// reused for another code.
pub fn hash_code(secret: &[u8], pending_id: &str, code: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(pending_id.as_bytes());
    mac.update(b":");
    mac.update(code.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// Compares in constant time, so response timing reveals nothing about the stored hash.
pub fn code_matches(secret: &[u8], pending_id: &str, code: &str, stored_hash: &str) -> bool {
    hash_code(secret, pending_id, code).as_bytes().ct_eq(stored_hash.as_bytes()).into()
}

/// Why a stored code can no longer be tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Spent {
    Used,
    Void,
    Expired,
}

/// Whether a stored code may still be tried at `now`, before its hash is even compared: not
/// used, fewer than `MAX_TRIES` wrong tries, and within its lifetime.
pub fn usable(attempts: i64, expires_at: i64, used: bool, now: i64) -> Result<(), Spent> {
    if used {
        Err(Spent::Used)
    } else if attempts >= MAX_TRIES {
        Err(Spent::Void)
    } else if expires_at <= now {
        Err(Spent::Expired)
    } else {
        Ok(())
    }
}

/// Tries left after `wrong` wrong ones; zero means the code is void.
pub fn tries_left(wrong: i64) -> i64 {
    (MAX_TRIES - wrong).max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_usable_once_for_ten_minutes_and_five_tries() {
        let sent = 1_000;
        let expires = sent + CODE_TTL_SECS;
        assert_eq!(usable(0, expires, false, sent), Ok(()));
        assert_eq!(usable(4, expires, false, expires - 1), Ok(()), "the last try in the last second");
        assert_eq!(usable(0, expires, false, expires), Err(Spent::Expired));
        assert_eq!(usable(5, expires, false, sent), Err(Spent::Void));
        assert_eq!(usable(0, expires, true, sent), Err(Spent::Used));
        assert_eq!(usable(5, 0, true, sent), Err(Spent::Used), "a used code says so first");
        assert_eq!((1..=6).map(tries_left).collect::<Vec<_>>(), [4, 3, 2, 1, 0, 0]);
    }

    #[test]
    fn codes_are_six_digits() {
        for _ in 0..100 {
            let code = new_code();
            assert_eq!(code.len(), 6);
            assert!(code.chars().all(|c| c.is_ascii_digit()));
        }
    }

    #[test]
    fn a_hash_matches_only_its_code_pending_id_and_secret() {
        let hash = hash_code(b"secret", "p1", "123456");
        assert!(code_matches(b"secret", "p1", "123456", &hash));
        assert!(!code_matches(b"secret", "p1", "123457", &hash));
        assert!(!code_matches(b"secret", "p2", "123456", &hash));
        assert!(!code_matches(b"other", "p1", "123456", &hash));
        assert!(!hash.contains("123456"));
    }
}

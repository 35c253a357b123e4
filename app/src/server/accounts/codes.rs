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

#[cfg(test)]
mod tests {
    use super::*;

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

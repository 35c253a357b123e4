//! Tokens for API clients: short-lived JWT access tokens and rotating refresh tokens.
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const ACCESS_TTL_SECS: i64 = 15 * 60;
pub const REFRESH_TTL_SECS: i64 = 30 * 24 * 3600;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iat: i64,
    exp: i64,
    typ: String,
}

pub fn access_token(secret: &[u8], user_id: &str, now: i64) -> Result<String, jsonwebtoken::errors::Error> {
    let claims = Claims { sub: user_id.to_owned(), iat: now, exp: now + ACCESS_TTL_SECS, typ: "access".into() };
    encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(secret))
}

/// The user ID in a valid, unexpired access token.
pub fn verify_access(secret: &[u8], token: &str) -> Option<String> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    let data = decode::<Claims>(token, &DecodingKey::from_secret(secret), &validation).ok()?;
    (data.claims.typ == "access").then_some(data.claims.sub)
}

/// A random refresh token; only its SHA-256 is stored (it is already high-entropy, so no key
/// or slow hash is needed).
pub fn new_refresh_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    hex::encode(bytes)
}

pub fn hash_refresh_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_access_token_names_its_user_until_it_expires() {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let token = access_token(b"k".repeat(32).as_slice(), "7KQ4M2XD", now).unwrap();
        assert_eq!(verify_access(b"k".repeat(32).as_slice(), &token).as_deref(), Some("7KQ4M2XD"));
        assert_eq!(verify_access(b"x".repeat(32).as_slice(), &token), None, "forged with another key");
        let old = access_token(b"k".repeat(32).as_slice(), "7KQ4M2XD", now - ACCESS_TTL_SECS - 5).unwrap();
        assert_eq!(verify_access(b"k".repeat(32).as_slice(), &old), None, "expired");
        assert_eq!(verify_access(b"k".repeat(32).as_slice(), "not.a.token"), None);
    }
}

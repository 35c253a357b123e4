//! Tokens for API clients: short-lived JWT access tokens and rotating refresh tokens.
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation, decode, encode};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::ids::UserId;

pub const ACCESS_TTL_SECS: i64 = 15 * 60;
pub const REFRESH_TTL_SECS: i64 = 30 * 24 * 3600;

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    iat: i64,
    exp: i64,
    typ: String,
    /// The refresh-token family (the device) the token was issued to; empty for tokens not
    /// issued through a family.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    fam: String,
}

/// What a valid access token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessClaims {
    pub user_id: UserId,
    /// The device's refresh-token family, when the token names one.
    pub family: Option<String>,
    pub expires_at: i64,
}

pub fn access_token(secret: &[u8], user_id: &str, now: i64) -> Result<String, jsonwebtoken::errors::Error> {
    access_token_for_device(secret, user_id, "", now)
}

/// An access token that names the refresh-token family it belongs to, so a socket opened with
/// it can be closed when that device is signed out.
pub fn access_token_for_device(secret: &[u8], user_id: &str, family: &str, now: i64) -> Result<String, jsonwebtoken::errors::Error> {
    let claims =
        Claims { sub: user_id.to_owned(), iat: now, exp: now + ACCESS_TTL_SECS, typ: "access".into(), fam: family.to_owned() };
    encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(secret))
}

/// The user ID in a valid, unexpired access token.
pub fn verify_access(secret: &[u8], token: &str) -> Option<UserId> {
    access_claims(secret, token).map(|c| c.user_id)
}

/// The claims of a valid, unexpired access token.
pub fn access_claims(secret: &[u8], token: &str) -> Option<AccessClaims> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.leeway = 0;
    let data = decode::<Claims>(token, &DecodingKey::from_secret(secret), &validation).ok()?;
    let c = data.claims;
    (c.typ == "access").then(|| AccessClaims {
        user_id: c.sub.into(),
        family: (!c.fam.is_empty()).then_some(c.fam),
        expires_at: c.exp,
    })
}

/// How long a confirmation ("it is still you", by passkey) lets sensitive changes through.
pub const CONFIRMATION_TTL_SECS: i64 = 5 * 60;

/// A short-lived token saying the user just confirmed it is them; sensitive changes ask for it.
pub fn confirmation_token(secret: &[u8], user_id: &str, now: i64) -> Result<String, jsonwebtoken::errors::Error> {
    let claims =
        Claims { sub: user_id.to_owned(), iat: now, exp: now + CONFIRMATION_TTL_SECS, typ: "confirm".into(), fam: String::new() };
    encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(secret))
}

/// Whether `token` is a confirmation of `user_id` still live at `now` (the service's clock,
/// which tests move by hand).
pub fn confirms(secret: &[u8], token: &str, user_id: &str, now: i64) -> bool {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.validate_exp = false;
    decode::<Claims>(token, &DecodingKey::from_secret(secret), &validation)
        .is_ok_and(|data| data.claims.typ == "confirm" && data.claims.sub == user_id && now < data.claims.exp)
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
        assert_eq!(verify_access(b"k".repeat(32).as_slice(), &token), Some(UserId::from("7KQ4M2XD")));
        assert_eq!(verify_access(b"x".repeat(32).as_slice(), &token), None, "forged with another key");
        let old = access_token(b"k".repeat(32).as_slice(), "7KQ4M2XD", now - ACCESS_TTL_SECS - 5).unwrap();
        assert_eq!(verify_access(b"k".repeat(32).as_slice(), &old), None, "expired");
        assert_eq!(verify_access(b"k".repeat(32).as_slice(), "not.a.token"), None);
    }

    #[test]
    fn a_confirmation_is_for_one_user_for_five_minutes_and_is_no_access_token() {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let key = b"k".repeat(32);
        let token = confirmation_token(&key, "7KQ4M2XD", now).unwrap();
        assert!(confirms(&key, &token, "7KQ4M2XD", now));
        assert!(!confirms(&key, &token, "8ABCDEFG", now), "another user");
        assert!(!confirms(b"x".repeat(32).as_slice(), &token, "7KQ4M2XD", now), "forged");
        assert_eq!(verify_access(&key, &token), None, "not an access token");
        let access = access_token(&key, "7KQ4M2XD", now).unwrap();
        assert!(!confirms(&key, &access, "7KQ4M2XD", now), "an access token is no confirmation");
        assert!(!confirms(&key, &token, "7KQ4M2XD", now + CONFIRMATION_TTL_SECS), "expired");
    }

    #[test]
    fn a_device_token_names_its_family_and_expiry() {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        let key = b"k".repeat(32);
        let token = access_token_for_device(&key, "7KQ4M2XD", "fam1", now).unwrap();
        let claims = access_claims(&key, &token).unwrap();
        assert_eq!(claims.family.as_deref(), Some("fam1"));
        assert_eq!(claims.expires_at, now + ACCESS_TTL_SECS);
        let plain = access_token(&key, "7KQ4M2XD", now).unwrap();
        assert_eq!(access_claims(&key, &plain).unwrap().family, None);
    }
}

//! The ICE servers handed to each call: STUN, and TURN with time-limited credentials in
//! coturn's `use-auth-secret` scheme (the REST API for TURN): the username is
//! `<unix expiry>:<user id>` and the password base64(HMAC-SHA1(secret, username)), so the relay
//! checks them with the shared secret alone and they stop working when they expire.
use base64::{Engine, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use sha1::Sha1;

use crate::calls::types::IceServer;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct IceConfig {
    /// `stun:` URLs (`CONFAB_STUN_URLS`); by default the TURN servers' own STUN.
    pub stun_urls: Vec<String>,
    /// `turn:` and `turns:` URLs (`CONFAB_TURN_URLS`).
    pub turn_urls: Vec<String>,
    /// coturn's `static-auth-secret` (`CONFAB_TURN_SECRET`).
    pub turn_secret: Option<String>,
    /// How long credentials work, in seconds (a call outlasts them: a relay keeps an allocation
    /// it already granted).
    pub credential_secs: i64,
}

pub const CREDENTIAL_SECS: i64 = 12 * 3600;

impl IceConfig {
    /// Whether calls can fall back to a relay.
    pub fn has_turn(&self) -> bool {
        self.turn_secret.is_some() && !self.turn_urls.is_empty()
    }

    /// The servers for `user` at `now` (unix seconds).
    pub fn servers_for(&self, user: &str, now: i64) -> Vec<IceServer> {
        let mut servers = Vec::new();
        let stun: Vec<String> = if self.stun_urls.is_empty() {
            // A TURN server answers STUN on the same address.
            self.turn_urls.iter().filter(|u| u.starts_with("turn:")).map(|u| stun_of(u)).collect()
        } else {
            self.stun_urls.clone()
        };
        if !stun.is_empty() {
            servers.push(IceServer { urls: stun, username: None, credential: None });
        }
        if let (Some(secret), false) = (&self.turn_secret, self.turn_urls.is_empty()) {
            let username = format!("{}:{user}", now + self.credential_secs.max(1));
            let credential = turn_password(secret, &username);
            servers.push(IceServer { urls: self.turn_urls.clone(), username: Some(username), credential: Some(credential) });
        }
        servers
    }
}

/// `turn:host:port?transport=udp` → `stun:host:port`.
fn stun_of(turn: &str) -> String {
    let rest = turn.trim_start_matches("turn:");
    format!("stun:{}", rest.split('?').next().unwrap_or(rest))
}

/// base64(HMAC-SHA1(secret, username)), as coturn computes it.
pub fn turn_password(secret: &str, username: &str) -> String {
    let mut mac = Hmac::<Sha1>::new_from_slice(secret.as_bytes()).expect("HMAC takes a key of any length");
    mac.update(username.as_bytes());
    STANDARD.encode(mac.finalize().into_bytes())
}

/// Reads `CONFAB_STUN_URLS` / `CONFAB_TURN_URLS`: comma-separated, each with the scheme it needs.
pub fn parse_urls(value: &str, schemes: &[&str]) -> Result<Vec<String>, String> {
    let mut urls = Vec::new();
    for url in value.split(',').map(str::trim).filter(|u| !u.is_empty()) {
        let known = schemes.iter().any(|s| url.strip_prefix(s).is_some_and(|rest| rest.starts_with(':') && rest.len() > 1));
        if !known || url.contains(char::is_whitespace) {
            return Err(format!("`{url}` is not a {} URL such as {}:turn.example.com:3478", schemes.join(" or "), schemes[0]));
        }
        urls.push(url.to_owned());
    }
    Ok(urls)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn turn_credentials_are_coturns() {
        // The password computed independently:
        // `echo -n 1700000000:7KQ4M2XD | openssl dgst -sha1 -hmac s3cret -binary | base64`.
        assert_eq!(turn_password("s3cret", "1700000000:7KQ4M2XD"), "oxQVujritPDjryAh4Keek4h9C+8=");
        let config = IceConfig {
            stun_urls: vec![],
            turn_urls: vec!["turn:127.0.0.1:3478?transport=udp".into(), "turns:turn.example.com:5349".into()],
            turn_secret: Some("s3cret".into()),
            credential_secs: 600,
        };
        let servers = config.servers_for("7KQ4M2XD", 1_700_000_000);
        assert_eq!(servers[0].urls, vec!["stun:127.0.0.1:3478".to_string()]);
        assert_eq!(servers[1].username.as_deref(), Some("1700000600:7KQ4M2XD"));
        assert_eq!(servers[1].credential, Some(turn_password("s3cret", "1700000600:7KQ4M2XD")));
        assert!(config.has_turn());
    }

    #[test]
    fn without_turn_only_stun_is_given() {
        let config = IceConfig { stun_urls: vec!["stun:stun.example.com:3478".into()], credential_secs: 60, ..IceConfig::default() };
        let servers = config.servers_for("u", 0);
        assert_eq!(servers.len(), 1);
        assert_eq!(servers[0].username, None);
        assert!(!config.has_turn());
        assert!(IceConfig::default().servers_for("u", 0).is_empty());
    }

    #[test]
    fn urls_must_name_their_scheme() {
        assert_eq!(parse_urls(" turn:a:3478 , turns:b:5349 ", &["turn", "turns"]).unwrap(), vec!["turn:a:3478", "turns:b:5349"]);
        assert!(parse_urls("http://a", &["turn", "turns"]).is_err());
        assert!(parse_urls("turn:", &["turn"]).is_err());
        assert!(parse_urls("stun:a b", &["stun"]).is_err());
        assert_eq!(parse_urls("", &["stun"]).unwrap(), Vec::<String>::new());
    }
}

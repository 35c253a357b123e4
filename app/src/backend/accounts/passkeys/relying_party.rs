//! The site as a passkey relying party: its id (the public URL's host) and origin, the
//! verifier built for them, and how the verifier's refusals read to a person.
use hmac::{Hmac, Mac};
use sha2::Sha256;
use webauthn_rs::prelude::{Url, Uuid, Webauthn, WebauthnBuilder, WebauthnError};

use crate::error::AppError;

#[derive(Debug, Clone)]
pub struct RelyingParty {
    pub(super) webauthn: Webauthn,
}

impl RelyingParty {
    /// The relying party of a site reached at `public_url`. Browsers accept a passkey only for
    /// a domain name (never an IP address) in a secure context (https, or http on localhost);
    /// the error says which rule the URL breaks.
    pub fn for_site(public_url: &str) -> Result<Self, String> {
        let url = Url::parse(public_url).map_err(|e| format!("{public_url} is not a URL ({e})"))?;
        let host = match (url.domain(), url.host_str()) {
            (Some(domain), _) => domain.to_owned(),
            (None, Some(_)) => {
                return Err(format!(
                    "{public_url}: passkeys need a domain name, not an IP address \
                     (on this machine use http://localhost:{})",
                    url.port_or_known_default().unwrap_or(80)
                ));
            }
            (None, None) => return Err(format!("{public_url} has no host")),
        };
        if url.scheme() != "https" && host != "localhost" {
            return Err(format!("{public_url}: passkeys need https (browsers allow plain http only on localhost)"));
        }
        let webauthn = WebauthnBuilder::new(&host, &url)
            .and_then(|b| b.rp_name("Confab").build())
            .map_err(|e| format!("{public_url} cannot be a passkey relying party ({e})"))?;
        Ok(Self { webauthn })
    }
}

/// The opaque id an authenticator keeps for an account, the same for all of its passkeys: a
/// keyed hash of the user ID, so it says nothing about the account to anyone else.
pub(super) fn user_handle(secret: &[u8], user_id: &str) -> Uuid {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes keys of any length");
    mac.update(b"passkey-user-handle:");
    mac.update(user_id.as_bytes());
    let digest = mac.finalize().into_bytes();
    let mut bytes = [0u8; 16];
    bytes.copy_from_slice(&digest[..16]);
    uuid_v4_shaped(bytes)
}

/// Marks 16 random-looking bytes as a version-4 UUID, as authenticators expect of user ids.
fn uuid_v4_shaped(mut bytes: [u8; 16]) -> Uuid {
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    Uuid::from_bytes(bytes)
}

/// A credential id as it is stored and shown: base64url without padding, as browsers write it.
pub(super) fn credential_key(raw: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw)
}

/// Why the verifier refused an answer, told so the person knows what to do; the details go to
/// the log. A counter that went backwards may mean a cloned authenticator, so it is logged
/// as a warning.
pub(super) fn refused(e: WebauthnError, ceremony: &str) -> AppError {
    let reason = match e {
        WebauthnError::UserNotVerified => {
            "Your device didn’t confirm it was you (fingerprint, face or screen lock) — try again"
        }
        WebauthnError::CredentialPossibleCompromise => {
            tracing::warn!(ceremony, "a passkey's signature counter went backwards: possibly a cloned authenticator");
            "This passkey can’t be trusted any more — sign in another way and remove it"
        }
        WebauthnError::InvalidRPOrigin | WebauthnError::InvalidRPIDHash => {
            "This passkey answer was made for another site"
        }
        _ => "Your passkey’s answer didn’t check out — try again",
    };
    tracing::info!(ceremony, error = %e, "a passkey answer was refused");
    AppError::invalid_with_code("passkey_refused", "credential", reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_site_needs_a_domain_name_and_a_secure_context() {
        assert!(RelyingParty::for_site("https://chat.example.com").is_ok());
        assert!(RelyingParty::for_site("http://localhost:3100").is_ok());
        let ip = RelyingParty::for_site("http://127.0.0.1:3000").unwrap_err();
        assert!(ip.contains("not an IP address") && ip.contains("http://localhost:3000"), "{ip}");
        assert!(RelyingParty::for_site("https://[::1]:8443").unwrap_err().contains("IP address"));
        assert!(RelyingParty::for_site("http://chat.example.com").unwrap_err().contains("https"));
    }

    #[test]
    fn a_user_handle_is_stable_per_account_and_secret() {
        let a = user_handle(b"secret-one", "7KQ4M2XD");
        assert_eq!(a, user_handle(b"secret-one", "7KQ4M2XD"));
        assert_ne!(a, user_handle(b"secret-one", "8ABCDEFG"));
        assert_ne!(a, user_handle(b"secret-two", "7KQ4M2XD"));
        assert_eq!(a.get_version_num(), 4);
    }
}

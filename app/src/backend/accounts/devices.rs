//! Devices: listing a user's signed-in browsers and API clients, signing one out, and noting
//! when a session was last used; a readable name from the User-Agent ("Chrome on Android"),
//! and the id a device is shown and signed out by.
use sha2::{Digest, Sha256};

use super::{AccountsService, internal};
use crate::{accounts::types::DeviceView, backend::store::accounts::SESSION_TOUCH_EVERY_SECS, error::AppError, ids::UserId};

/// The id a device is listed and revoked by. A browser session's stored id is its cookie value,
/// so it is shown as a hash: listing devices never hands out a way to become one of them.
/// Token families (`t:<family>`) are shown as they are; a family id is no credential.
pub fn public_id(stored: &str) -> String {
    match stored.strip_prefix("s:") {
        Some(session) => format!("s:{}", &hex::encode(Sha256::digest(session.as_bytes()))[..24]),
        None => stored.to_owned(),
    }
}

/// A readable name for a device from its User-Agent ("Chrome on Android").
pub fn describe(user_agent: Option<&str>) -> String {
    let Some(ua) = user_agent else { return "Unknown device".into() };
    let browser = if ua.contains("Edg/") {
        "Edge"
    } else if ua.contains("Firefox/") {
        "Firefox"
    } else if ua.contains("Chrome/") || ua.contains("Chromium/") {
        "Chrome"
    } else if ua.contains("Safari/") {
        "Safari"
    } else if ua.contains("curl/") {
        "curl"
    } else {
        "Browser"
    };
    let os = if ua.contains("Android") {
        "Android"
    } else if ua.contains("iPhone") || ua.contains("iPad") {
        "iOS"
    } else if ua.contains("Windows") {
        "Windows"
    } else if ua.contains("Mac OS X") {
        "macOS"
    } else if ua.contains("Linux") {
        "Linux"
    } else {
        return browser.into();
    };
    format!("{browser} on {os}")
}

impl AccountsService {
    /// The caller's signed-in browsers and API clients; `current_session` marks this one.
    pub async fn devices(&self, user_id: &UserId, current_session: Option<&str>) -> Result<Vec<DeviceView>, AppError> {
        let rows = self.store.devices_of(user_id.as_str(), self.clock.now()).await.map_err(internal)?;
        Ok(rows
            .into_iter()
            .map(|d| DeviceView {
                current: current_session.is_some_and(|s| d.id == format!("s:{s}")),
                description: if d.id.starts_with("t:") {
                    format!("API client · {}", describe(d.user_agent.as_deref()))
                } else {
                    describe(d.user_agent.as_deref())
                },
                id: public_id(&d.id),
                ip: d.ip,
                created_at: d.created_at,
                last_seen_at: d.last_seen_at,
            })
            .collect())
    }

    /// Notes that a signed-in browser session was just used, for the Devices page. Failure only
    /// costs a stale "last active", so it is logged, not returned.
    pub async fn touch_session(&self, session_id: &str) {
        let now = self.clock.now();
        if !self.touched.due(session_id, now) {
            return;
        }
        if let Err(e) = self.store.session_touch(session_id, now).await {
            tracing::warn!(error = %e, "recording a session's last use failed");
        }
    }

    /// Signs one of the caller's own devices out (other people's are "not found"), by the id
    /// the device list shows. Its open socket is told to check again at once.
    pub async fn revoke_device(&self, user_id: &UserId, device_id: &str) -> Result<(), AppError> {
        let rows = self.store.devices_of(user_id.as_str(), self.clock.now()).await.map_err(internal)?;
        let Some(stored) = rows.into_iter().map(|d| d.id).find(|id| public_id(id) == device_id) else {
            return Err(AppError::NotFound);
        };
        if !self.store.device_revoke(user_id.as_str(), &stored, self.clock.now()).await.map_err(internal)? {
            return Err(AppError::NotFound);
        }
        self.devices_signed_out(user_id);
        Ok(())
    }

    /// Whether a device (`s:<session id>` or `t:<token family>`) is still signed in.
    pub async fn device_active(&self, device: &str) -> Result<bool, AppError> {
        self.store.device_active(device, self.clock.now()).await.map_err(internal)
    }
}

#[cfg(test)]
mod tests {
    use super::describe;

    #[test]
    fn common_user_agents_get_readable_names() {
        let pixel = "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Mobile Safari/537.36";
        assert_eq!(describe(Some(pixel)), "Chrome on Android");
        let mac = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15";
        assert_eq!(describe(Some(mac)), "Safari on macOS");
        assert_eq!(describe(Some("curl/8.5.0")), "curl");
        assert_eq!(describe(None), "Unknown device");
    }
}

#[cfg(test)]
mod id_tests {
    use super::public_id;

    #[test]
    fn a_session_is_shown_by_a_hash_of_its_id_and_a_token_family_as_it_is() {
        let shown = public_id("s:secret-cookie-value");
        assert!(shown.starts_with("s:") && shown.len() == 26, "{shown}");
        assert!(!shown.contains("secret"));
        assert_eq!(shown, public_id("s:secret-cookie-value"), "stable");
        assert_ne!(shown, public_id("s:another"));
        assert_eq!(public_id("t:fam1"), "t:fam1");
    }
}

/// Remembers when each session's "last active" was last written, so a browser loading pages
/// does not take the database's write lock on every request just to find the time unchanged.
#[derive(Default)]
pub struct TouchThrottle {
    written: std::sync::Mutex<std::collections::HashMap<String, i64>>,
}

impl TouchThrottle {
    /// Entries kept before the old ones are swept out.
    const SWEEP_AT: usize = 100_000;

    /// Whether `session` is due a write at `now`; if so it counts as written.
    pub fn due(&self, session: &str, now: i64) -> bool {
        let mut written = self.written.lock().unwrap_or_else(|e| e.into_inner());
        if written.get(session).is_some_and(|&at| now - at < SESSION_TOUCH_EVERY_SECS) {
            return false;
        }
        if written.len() >= Self::SWEEP_AT {
            written.retain(|_, at| now - *at < SESSION_TOUCH_EVERY_SECS);
        }
        written.insert(session.to_owned(), now);
        true
    }
}

#[cfg(test)]
mod touch_tests {
    use super::*;

    #[test]
    fn a_session_is_written_once_a_minute() {
        let throttle = TouchThrottle::default();
        assert!(throttle.due("a", 1000));
        assert!(!throttle.due("a", 1059));
        assert!(throttle.due("b", 1059), "each session has its own minute");
        assert!(throttle.due("a", 1060));
    }
}

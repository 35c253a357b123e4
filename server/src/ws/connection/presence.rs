//! Presence and other frames the connection publishes through the hub: who came online, who
//! went away.
use app::{
    accounts::validate::display_user_id,
    chats::types::Presence,
    realtime::protocol::ServerFrame,
    backend::{Services, hub::Payload},
};
use tracing::Instrument;

pub(super) fn publish(services: &Services, users: &[&str], frame: &ServerFrame) {
    if users.is_empty() {
        return;
    }
    match Payload::of(frame) {
        Ok(payload) => services.hub.publish(users, payload),
        Err(e) => tracing::error!(error = %e, "a frame could not be serialised"),
    }
}

/// Tells whoever may see it that `user` came online or went away.
pub(super) fn announce(services: Services, user: String, presence: Presence) {
    tokio::spawn(
        async move {
            match services.chats.presence_audience(&user).await {
                Ok(audience) => {
                    let audience: Vec<&str> = audience.iter().map(String::as_str).filter(|u| *u != user).collect();
                    let frame = ServerFrame::Presence { user_id: display_user_id(&user), presence };
                    publish(&services, &audience, &frame);
                }
                Err(e) => tracing::warn!(error = %e, "presence audience unavailable"),
            }
        }
        .in_current_span(),
    );
}

/// The user's last device left: remember when, and say so (unless they are back already).
pub(super) fn went_offline(services: Services, user: String) {
    tokio::spawn(
        async move {
            let at = time::OffsetDateTime::now_utc().unix_timestamp();
            if let Err(e) = services.chats.set_last_seen(&user, at).await {
                tracing::warn!(error = %e, "storing last seen failed");
            }
            if !services.hub.is_online(&user) {
                announce(services, user, Presence::LastSeen { at });
            }
        }
        .in_current_span(),
    );
}

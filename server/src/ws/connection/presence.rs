//! The device coming and going, reported to the chats service (which decides who hears of it).
//! Off the socket's path: the first frames should not wait on the audience, nor a closing
//! socket on its goodbye.
use app::{backend::Services, ids::UserId};
use tracing::Instrument;

/// The user's first device here connected.
pub(super) fn came_online(services: &Services, user: &UserId) {
    let (chats, user) = (services.chats.clone(), user.clone());
    tokio::spawn(
        async move {
            if let Err(e) = chats.came_online(&user).await {
                tracing::warn!(error = %e, "announcing presence failed");
            }
        }
        .in_current_span(),
    );
}

/// The user's last device here went away.
pub(super) fn went_offline(services: &Services, user: &UserId) {
    let (chats, user) = (services.chats.clone(), user.clone());
    tokio::spawn(
        async move {
            if let Err(e) = chats.went_offline(&user).await {
                tracing::warn!(error = %e, "announcing presence failed");
            }
        }
        .in_current_span(),
    );
}

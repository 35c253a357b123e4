//! The web app's door to stranger chat: each server fn identifies the caller and delegates to
//! `StrangerService` (the REST API calls the same service). URLs are `/api/strangers-fn/<name>`.
//! Live changes arrive over the socket (`stranger`, `stranger_message`, `stranger_typing`).
use leptos::prelude::*;

use super::types::{ReportReason, StrangerMessage, StrangerView};
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::{accounts::api::answer, backend::{Services, identity}, ids::UserId};

#[cfg(feature = "ssr")]
async fn caller() -> Result<(Services, UserId), AppError> {
    Ok((expect_context::<Services>(), identity::current_user_id().await?))
}

/// Where the caller is: rules, idle, looking, or in a conversation (all of its messages).
#[server(endpoint = "strangers-fn/state", output = crate::codec::StrJson)]
pub async fn stranger_state() -> Result<StrangerView, AppError> {
    answer(async { let (s, me) = caller().await?; s.strangers.state(&me).await }.await)
}

/// The caller confirms they are 18 or older and accept the rules.
#[server(endpoint = "strangers-fn/confirm_adult", output = crate::codec::StrJson)]
pub async fn stranger_confirm_adult() -> Result<StrangerView, AppError> {
    answer(async { let (s, me) = caller().await?; s.strangers.confirm_adult(&me).await }.await)
}

/// Starts looking (leaving the current conversation first, if any: "Next").
#[server(endpoint = "strangers-fn/look", output = crate::codec::StrJson)]
pub async fn stranger_look(interests: Vec<String>) -> Result<StrangerView, AppError> {
    answer(async { let (s, me) = caller().await?; s.strangers.look(&me, &interests).await }.await)
}

/// Stops looking, or leaves the conversation ("Stop"); after an ended one, clears it.
#[server(endpoint = "strangers-fn/leave", output = crate::codec::StrJson)]
pub async fn stranger_leave() -> Result<StrangerView, AppError> {
    answer(async { let (s, me) = caller().await?; s.strangers.leave(&me).await }.await)
}

/// Sends a message in the caller's live conversation `chat_id`; the same `client_id` again
/// returns the same message.
#[server(endpoint = "strangers-fn/send", output = crate::codec::StrJson)]
pub async fn stranger_send(chat_id: String, client_id: String, body: String) -> Result<StrangerMessage, AppError> {
    answer(async { let (s, me) = caller().await?; s.strangers.send(&me, &chat_id, &client_id, &body).await.map(|(m, _)| m) }.await)
}

#[server(endpoint = "strangers-fn/typing", output = crate::codec::StrJson)]
pub async fn stranger_typing(chat_id: String) -> Result<(), AppError> {
    answer(async { let (s, me) = caller().await?; s.strangers.typing(&me, &chat_id).await }.await)
}

/// The page is still open (every ~10 s): someone silent for 30 s has left.
#[server(endpoint = "strangers-fn/here", output = crate::codec::StrJson)]
pub async fn stranger_here() -> Result<(), AppError> {
    answer(async { let (s, me) = caller().await?; s.strangers.here(&me).await }.await)
}

/// Reports the stranger of `chat_id` (live or just ended): keeps the conversation for
/// moderators, leaves it, and never matches the two again.
#[server(endpoint = "strangers-fn/report", output = crate::codec::StrJson)]
pub async fn stranger_report(chat_id: String, reason: ReportReason, note: String) -> Result<StrangerView, AppError> {
    answer(async { let (s, me) = caller().await?; s.strangers.report(&me, &chat_id, reason, &note).await }.await)
}

/// Blocks the stranger of `chat_id`: leaves it, and never matches the two again.
#[server(endpoint = "strangers-fn/block", output = crate::codec::StrJson)]
pub async fn stranger_block(chat_id: String) -> Result<StrangerView, AppError> {
    answer(async { let (s, me) = caller().await?; s.strangers.block(&me, &chat_id).await }.await)
}

/// Offers (or withdraws the offer) to stay in touch; when both have offered, each learns who
/// the other is and the conversation goes on as a direct chat.
#[server(endpoint = "strangers-fn/stay_in_touch", output = crate::codec::StrJson)]
pub async fn stranger_stay_in_touch(chat_id: String, offer: bool) -> Result<StrangerView, AppError> {
    answer(async { let (s, me) = caller().await?; s.strangers.stay_in_touch(&me, &chat_id, offer).await }.await)
}

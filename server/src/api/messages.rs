//! Messages over JSON: sending, editing, deleting and reactions. Only the sender edits or
//! deletes (group admins may delete too); the service decides.
use app::chats::{
    types::{MessageView, ReactionView},
};
use app::ids::{ChatId, MessageId};
use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    routing::{patch, post},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{ApiError, ApiJson, ApiPath, ApiUser, with_and_without_slash};
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    with_and_without_slash([
        ("/api/messages/{id}", patch(edit).delete(delete_message)),
        ("/api/messages/{id}/reactions", post(react)),
    ])
}

type Result<T> = std::result::Result<T, ApiError>;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct SendBody {
    /// The text (trimmed; not empty unless attachments go with it). Line breaks (`\r\n` and
    /// `\r` arrive as `\n`) and tabs are the only control characters it may hold; any other is
    /// refused (`message_control`).
    #[serde(default)]
    #[schema(max_length = 4096, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    body: String,
    /// The client's own id for this message: sending it again returns the stored message.
    #[schema(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9_-]+$", example = "m-1")]
    client_id: String,
    /// The id of the message this one answers.
    #[serde(default)]
    #[schema(max_length = 64)]
    reply_to: Option<String>,
    /// Ids of the caller's uploads (`POST /api/attachments`) to send with it, in order; with
    /// any, `body` is their caption and may be empty. A voice note goes alone.
    #[serde(default)]
    #[schema(max_items = 10)]
    attachments: Vec<String>,
}

/// 201 with the stored message; 200 with the same message when its client id was sent before.
#[utoipa::path(post, path = "/api/chats/{id}/messages", tag = "messages", params(("id" = String, Path, description = "Chat id")),
    request_body = SendBody,
    responses((status = 201, description = "Stored", body = MessageView),
              (status = 200, description = "Sent before with this client id", body = MessageView)))]
pub(super) async fn send(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<ChatId>,
    ApiJson(body): ApiJson<SendBody>,
) -> Result<(StatusCode, Json<MessageView>)> {
    let reply_to = body.reply_to.map(MessageId::from);
    let (message, new) = state
        .services
        .chats
        .send_message_with_attachments(&me, &id, &body.client_id.into(), &body.body, reply_to.as_ref(), &body.attachments)
        .await?;
    Ok((if new { StatusCode::CREATED } else { StatusCode::OK }, Json(message)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct EditBody {
    /// The new text, under the same rules as a sent one.
    #[schema(min_length = 1, max_length = 4096, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    body: String,
}

/// Replaces the text of one of the caller's messages.
#[utoipa::path(patch, path = "/api/messages/{id}", tag = "messages", params(("id" = String, Path, description = "Message id")),
    request_body = EditBody, responses((status = 200, description = "The edited message", body = MessageView)))]
pub(super) async fn edit(State(state): State<AppState>, ApiUser(me): ApiUser, ApiPath(id): ApiPath<MessageId>, ApiJson(body): ApiJson<EditBody>) -> Result<Json<MessageView>> {
    Ok(Json(state.services.chats.edit_message(&me, &id, &body.body).await?))
}

/// Deletes a message for everyone; a tombstone stays in the history.
#[utoipa::path(delete, path = "/api/messages/{id}", tag = "messages", params(("id" = String, Path, description = "Message id")),
    responses((status = 200, description = "The tombstone", body = MessageView)))]
pub(super) async fn delete_message(State(state): State<AppState>, ApiUser(me): ApiUser, ApiPath(id): ApiPath<MessageId>) -> Result<Json<MessageView>> {
    Ok(Json(state.services.chats.delete_message(&me, &id).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ReactBody {
    /// One emoji, possibly with modifiers.
    #[schema(pattern = r"^\s*[^\x00-\x7F\x80-\xA0\s]{1,8}\s*$", example = "❤️")]
    emoji: String,
}

/// A message's reactions after a change.
#[derive(Serialize, ToSchema)]
pub(super) struct Reactions {
    reactions: Vec<ReactionView>,
}

/// Adds the caller's reaction, or takes it back when they had already reacted with that emoji.
#[utoipa::path(post, path = "/api/messages/{id}/reactions", tag = "messages", params(("id" = String, Path, description = "Message id")),
    request_body = ReactBody, responses((status = 200, description = "The message's reactions now", body = Reactions)))]
pub(super) async fn react(State(state): State<AppState>, ApiUser(me): ApiUser, ApiPath(id): ApiPath<MessageId>, ApiJson(body): ApiJson<ReactBody>) -> Result<Json<Reactions>> {
    Ok(Json(Reactions { reactions: state.services.chats.toggle_reaction(&me, &id, &body.emoji).await? }))
}

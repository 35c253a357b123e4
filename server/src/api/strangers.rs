//! Talk to a stranger over JSON: the caller's state, looking, leaving, messages, typing, the
//! heartbeat, reports, blocks and staying in touch. Live changes come over `/ws` (`stranger`,
//! `stranger_message`, `stranger_typing`); a client calls `here` every ~10 s while it shows the
//! stranger chat, or the stranger is told it left.
use app::strangers::types::{MAX_INTEREST_CHARS, MAX_INTERESTS, MAX_REPORT_NOTE, ReportReason, StrangerMessage, StrangerView};
use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    routing::{get, post, put},
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::{ApiError, ApiJson, ApiPath, ApiUser, with_and_without_slash};
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    with_and_without_slash([
        ("/api/strangers", get(state)),
        ("/api/strangers/adult", post(confirm_adult)),
        ("/api/strangers/look", post(look)),
        ("/api/strangers/leave", post(leave)),
        ("/api/strangers/here", post(here)),
        ("/api/strangers/chats/{id}/messages", post(send)),
        ("/api/strangers/chats/{id}/typing", post(typing)),
        ("/api/strangers/chats/{id}/report", post(report)),
        ("/api/strangers/chats/{id}/block", post(block)),
        ("/api/strangers/chats/{id}/stay-in-touch", put(stay_in_touch)),
    ])
}

type Result<T> = std::result::Result<T, ApiError>;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(super) struct StrangerChatPath {
    /// The stranger chat's id, from the caller's state.
    #[param(max_length = 64)]
    id: String,
}

/// Where the caller is: rules not yet accepted, idle, looking, or in a conversation.
#[utoipa::path(get, path = "/api/strangers", tag = "strangers",
    responses((status = 200, description = "The caller's stranger chat", body = StrangerView)))]
pub(super) async fn state(State(state): State<AppState>, ApiUser(me): ApiUser) -> Result<Json<StrangerView>> {
    Ok(Json(state.services.strangers.state(&me).await?))
}

/// The caller confirms they are 18 or older and accept the rules (needed once, before looking).
#[utoipa::path(post, path = "/api/strangers/adult", tag = "strangers",
    responses((status = 200, description = "Confirmed", body = StrangerView)))]
pub(super) async fn confirm_adult(State(state): State<AppState>, ApiUser(me): ApiUser) -> Result<Json<StrangerView>> {
    Ok(Json(state.services.strangers.confirm_adult(&me).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct StrangerLookBody {
    /// Up to five tags (letters, digits, spaces, `-`; a leading `#` is dropped). Someone sharing
    /// one is matched first; after a few seconds, anyone.
    #[serde(default)]
    #[schema(schema_with = interests_schema)]
    interests: Vec<String>,
}

/// An array of at most `MAX_INTERESTS` strings of at most `MAX_INTEREST_CHARS` each.
fn interests_schema() -> utoipa::openapi::schema::Array {
    use utoipa::openapi::schema::{ArrayBuilder, ObjectBuilder, Type};
    let tag = ObjectBuilder::new().schema_type(Type::String).max_length(Some(MAX_INTEREST_CHARS));
    ArrayBuilder::new().items(tag).max_items(Some(MAX_INTERESTS)).build()
}

const _: () = assert!(MAX_REPORT_NOTE == 500, "the report schema says this number");

/// Starts looking for someone, leaving the current conversation first ("Next"). Refused
/// (`adult_required`, `stranger_ban`, 422) before the rules are accepted or while reports keep
/// the caller out.
#[utoipa::path(post, path = "/api/strangers/look", tag = "strangers", request_body = StrangerLookBody,
    responses((status = 200, description = "Looking, or matched at once", body = StrangerView)))]
pub(super) async fn look(State(state): State<AppState>, ApiUser(me): ApiUser, ApiJson(body): ApiJson<StrangerLookBody>) -> Result<Json<StrangerView>> {
    Ok(Json(state.services.strangers.look(&me, &body.interests).await?))
}

/// Stops looking or leaves the conversation ("Stop"); with an ended conversation, puts it away.
#[utoipa::path(post, path = "/api/strangers/leave", tag = "strangers",
    responses((status = 200, description = "Left", body = StrangerView)))]
pub(super) async fn leave(State(state): State<AppState>, ApiUser(me): ApiUser) -> Result<Json<StrangerView>> {
    Ok(Json(state.services.strangers.leave(&me).await?))
}

/// The client still shows the stranger chat. Without one for 30 s, the caller has left.
#[utoipa::path(post, path = "/api/strangers/here", tag = "strangers", responses((status = 204, description = "Noted")))]
pub(super) async fn here(State(state): State<AppState>, ApiUser(me): ApiUser) -> Result<StatusCode> {
    state.services.strangers.here(&me).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct StrangerSendBody {
    /// The text, as in other chats (links stay plain text).
    #[schema(min_length = 1, max_length = 4096, pattern = r"^[^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x08\x0B\x0C\x0E-\x1F\x7F-\x9F]*$")]
    body: String,
    /// The client's own id for this message: sending it again returns the stored message.
    #[schema(min_length = 1, max_length = 64, pattern = "^[A-Za-z0-9_-]+$", example = "m-1")]
    client_id: String,
}

/// Sends a message in the caller's live stranger chat. 201 when added, 200 with the same
/// message when its client id was sent before; `stranger_left` (422) once the chat ended.
#[utoipa::path(post, path = "/api/strangers/chats/{id}/messages", tag = "strangers", params(StrangerChatPath),
    request_body = StrangerSendBody,
    responses((status = 201, description = "Added", body = StrangerMessage),
              (status = 200, description = "Sent before with this client id", body = StrangerMessage)))]
pub(super) async fn send(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(path): ApiPath<StrangerChatPath>,
    ApiJson(body): ApiJson<StrangerSendBody>,
) -> Result<(StatusCode, Json<StrangerMessage>)> {
    let (message, new) = state.services.strangers.send(&me, &path.id, &body.client_id, &body.body).await?;
    Ok((if new { StatusCode::CREATED } else { StatusCode::OK }, Json(message)))
}

/// Tells the stranger the caller is typing (passed on at most every 2 s).
#[utoipa::path(post, path = "/api/strangers/chats/{id}/typing", tag = "strangers", params(StrangerChatPath),
    responses((status = 204, description = "Noted")))]
pub(super) async fn typing(State(state): State<AppState>, ApiUser(me): ApiUser, ApiPath(path): ApiPath<StrangerChatPath>) -> Result<StatusCode> {
    state.services.strangers.typing(&me, &path.id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct StrangerReportBody {
    reason: ReportReason,
    /// Anything the moderators should know.
    #[serde(default)]
    #[schema(max_length = 500)]
    note: String,
}

/// Reports the stranger (in the live chat, or the one just ended): the conversation is kept for
/// moderators, the caller leaves it, and the two are never matched again.
#[utoipa::path(post, path = "/api/strangers/chats/{id}/report", tag = "strangers", params(StrangerChatPath),
    request_body = StrangerReportBody,
    responses((status = 200, description = "Reported", body = StrangerView)))]
pub(super) async fn report(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(path): ApiPath<StrangerChatPath>,
    ApiJson(body): ApiJson<StrangerReportBody>,
) -> Result<Json<StrangerView>> {
    Ok(Json(state.services.strangers.report(&me, &path.id, body.reason, &body.note).await?))
}

/// Blocks the stranger: the caller leaves the chat and the two are never matched again.
#[utoipa::path(post, path = "/api/strangers/chats/{id}/block", tag = "strangers", params(StrangerChatPath),
    responses((status = 200, description = "Blocked", body = StrangerView)))]
pub(super) async fn block(State(state): State<AppState>, ApiUser(me): ApiUser, ApiPath(path): ApiPath<StrangerChatPath>) -> Result<Json<StrangerView>> {
    Ok(Json(state.services.strangers.block(&me, &path.id).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct StayInTouchBody {
    /// True to offer, false to withdraw the offer.
    offer: bool,
}

/// Offers to stay in touch (or withdraws the offer). When both have offered, they become
/// contacts and `chat.direct_chat` is their direct chat, with this conversation copied in.
#[utoipa::path(put, path = "/api/strangers/chats/{id}/stay-in-touch", tag = "strangers", params(StrangerChatPath),
    request_body = StayInTouchBody,
    responses((status = 200, description = "The offer stands (or the direct chat exists)", body = StrangerView)))]
pub(super) async fn stay_in_touch(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(path): ApiPath<StrangerChatPath>,
    ApiJson(body): ApiJson<StayInTouchBody>,
) -> Result<Json<StrangerView>> {
    Ok(Json(state.services.strangers.stay_in_touch(&me, &path.id, body.offer).await?))
}

//! Conversations over JSON: the chat list, direct chats, opening a chat, its history pages, read
//! marks, muting, turning calls off and message requests. The service checks membership
//! (non-members get 404).
use app::chats::types::{ChatDetail, ChatSummary, MessageView};
use app::backend::chats::LIST_PAGE;
use app::ids::ChatId;
use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    routing::{get, post, put},
};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

use super::messages::send;
use super::page::{Page, bad_cursor, limit, seq_cursor};
use super::whole;
use super::{ApiError, ApiJson, ApiPath, ApiQuery, ApiUser, with_and_without_slash};
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    with_and_without_slash([
        ("/api/chats", get(list).post(start_direct)),
        ("/api/chats/{id}", get(open)),
        ("/api/chats/{id}/messages", get(history).post(send)),
        ("/api/chats/{id}/read", post(mark_read)),
        ("/api/chats/{id}/muted", put(set_muted)),
        ("/api/chats/{id}/calls", put(set_calls)),
        ("/api/chats/{id}/request", post(answer_request)),
    ])
}

type Result<T> = std::result::Result<T, ApiError>;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct UserIdBody {
    /// A user ID such as `7KQ4-M2XD` (any case, dash optional).
    #[schema(pattern = "^[ -]*([0-9A-TV-Za-tv-z][ -]*){8}$", example = "7KQ4-M2XD")]
    pub(super) user_id: String,
}

/// 201 with the new chat, or 200 when the pair already had one.
#[utoipa::path(post, path = "/api/chats", tag = "chats", request_body = UserIdBody,
    responses((status = 201, description = "A new direct chat", body = ChatSummary),
              (status = 200, description = "The pair's existing direct chat", body = ChatSummary)))]
pub(super) async fn start_direct(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(body): ApiJson<UserIdBody>,
) -> Result<(StatusCode, Json<ChatSummary>)> {
    let chats = &state.services.chats;
    let (id, created) = chats.start_direct(&me, &body.user_id.into()).await?;
    let summary = chats.chat_summary(&me, &id).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(summary)))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct ListQuery {
    /// The `next` value of the previous page.
    #[param(pattern = "^-?[0-9]{1,18}:[A-Za-z0-9_-]{1,64}$")]
    cursor: Option<String>,
    /// Chats per page (default 50).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

/// The caller's chats, most recent activity first (message requests included, marked).
#[utoipa::path(get, path = "/api/chats", tag = "chats", params(ListQuery),
    responses((status = 200, description = "A page of chats", body = Page<ChatSummary>)))]
pub(super) async fn list(State(state): State<AppState>, ApiUser(me): ApiUser, ApiQuery(q): ApiQuery<ListQuery>) -> Result<Json<Page<ChatSummary>>> {
    let cursor = match q.cursor.as_deref() {
        Some(c) => {
            let (at, id) = c.split_once(':').ok_or_else(bad_cursor)?;
            Some((at.parse::<i64>().map_err(|_| bad_cursor())?, id.to_owned()))
        }
        None => None,
    };
    let limit = limit(q.limit.or(Some(LIST_PAGE)))?;
    let items = state.services.chats.list_chats_page(&me, cursor.as_ref().map(|(at, id)| (*at, id.as_str())), limit).await?;
    let next = (items.len() == limit as usize).then(|| items.last().map(|s| format!("{}:{}", s.updated_at, s.activity_key()))).flatten();
    Ok(Json(Page { items, next }))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct OpenQuery {
    /// Show the page of messages before this sequence instead of the newest.
    before: Option<i64>,
    /// Open around this sequence (a search hit) instead of the newest page.
    around: Option<i64>,
}

/// A conversation: its header, members and a page of messages (`next_before` pages back).
#[utoipa::path(get, path = "/api/chats/{id}", tag = "chats", params(("id" = String, Path, description = "Chat id"), OpenQuery),
    responses((status = 200, description = "The chat", body = ChatDetail)))]
pub(super) async fn open(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<ChatId>,
    ApiQuery(q): ApiQuery<OpenQuery>,
) -> Result<Json<ChatDetail>> {
    let chats = &state.services.chats;
    let mut detail = chats.open_chat(&me, &id, q.around).await?;
    if let Some(before) = q.before {
        let page = chats.history(&me, &id, before).await?;
        detail.messages = page.messages;
        detail.next_before = page.next_before;
    }
    Ok(Json(detail))
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct HistoryQuery {
    /// The `next` value of the previous page: the messages before that sequence.
    #[param(pattern = "^[0-9]{1,18}$")]
    cursor: Option<String>,
    /// Start around this sequence (a search hit) instead of the newest messages.
    around: Option<i64>,
}

/// Messages of a chat, oldest first within a page, newest page first; `next` pages back in time.
#[utoipa::path(get, path = "/api/chats/{id}/messages", tag = "messages", params(("id" = String, Path, description = "Chat id"), HistoryQuery),
    responses((status = 200, description = "A page of messages", body = Page<MessageView>)))]
pub(super) async fn history(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<ChatId>,
    ApiQuery(q): ApiQuery<HistoryQuery>,
) -> Result<Json<Page<MessageView>>> {
    let chats = &state.services.chats;
    let before = match q.cursor.as_deref() {
        Some(c) => Some(seq_cursor(c)?),
        None => None,
    };
    let (items, next_before) = match before {
        Some(before) => {
            let page = chats.history(&me, &id, before).await?;
            (page.messages, page.next_before)
        }
        None => {
            let detail = chats.open_chat(&me, &id, q.around).await?;
            (detail.messages, detail.next_before)
        }
    };
    Ok(Json(Page { items, next: next_before.map(|seq| seq.to_string()) }))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct ReadBody {
    /// The highest sequence the caller has now seen (past the chat's last counts as its last).
    /// Sequences start at 1, so a negative one is refused.
    #[serde(deserialize_with = "whole::required")]
    #[schema(minimum = 0)]
    seq: u64,
}

/// Marks the chat read up to a sequence (other members see it as a read receipt).
#[utoipa::path(post, path = "/api/chats/{id}/read", tag = "chats", params(("id" = String, Path, description = "Chat id")),
    request_body = ReadBody, responses((status = 204, description = "Marked")))]
pub(super) async fn mark_read(State(state): State<AppState>, ApiUser(me): ApiUser, ApiPath(id): ApiPath<ChatId>, ApiJson(body): ApiJson<ReadBody>) -> Result<StatusCode> {
    // `whole` reads through i64, so every u64 it yields fits back.
    let seq = i64::try_from(body.seq).unwrap_or(i64::MAX);
    state.services.chats.mark_read(&me, &id, seq).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct MutedBody {
    muted: bool,
}

/// Mutes or unmutes a chat for the caller.
#[utoipa::path(put, path = "/api/chats/{id}/muted", tag = "chats", params(("id" = String, Path, description = "Chat id")),
    request_body = MutedBody, responses((status = 204, description = "Saved")))]
pub(super) async fn set_muted(State(state): State<AppState>, ApiUser(me): ApiUser, ApiPath(id): ApiPath<ChatId>, ApiJson(body): ApiJson<MutedBody>) -> Result<StatusCode> {
    state.services.chats.set_muted(&me, &id, body.muted).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct CallsBody {
    /// true: calls placed in this chat do not ring the caller of this endpoint (whoever calls
    /// gets `calls_off`, and the chat keeps a missed call); false rings again.
    calls_off: bool,
}

/// Turns calls off, or on again, in a direct chat for the caller (`chat.calls_off` shows it).
/// Muting leaves calls ringing. A group has no calls: 422 `group_call`.
#[utoipa::path(put, path = "/api/chats/{id}/calls", tag = "chats", params(("id" = String, Path, description = "Chat id")),
    request_body = CallsBody, responses((status = 204, description = "Saved")))]
pub(super) async fn set_calls(State(state): State<AppState>, ApiUser(me): ApiUser, ApiPath(id): ApiPath<ChatId>, ApiJson(body): ApiJson<CallsBody>) -> Result<StatusCode> {
    state.services.chats.set_calls_off(&me, &id, body.calls_off).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct AnswerBody {
    /// true accepts, false declines.
    pub(super) accept: bool,
}

/// Accepts or declines an incoming message request (a direct chat whose `request` is `incoming`).
#[utoipa::path(post, path = "/api/chats/{id}/request", tag = "chats", params(("id" = String, Path, description = "Chat id")),
    request_body = AnswerBody, responses((status = 204, description = "Answered")))]
pub(super) async fn answer_request(State(state): State<AppState>, ApiUser(me): ApiUser, ApiPath(id): ApiPath<ChatId>, ApiJson(body): ApiJson<AnswerBody>) -> Result<StatusCode> {
    state.services.chats.answer_request(&me, &id, body.accept).await?;
    Ok(StatusCode::NO_CONTENT)
}

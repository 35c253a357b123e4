//! Conversations over JSON: direct chats, the chat list, a conversation and its history,
//! sending, groups and message search. Every route needs a Bearer token; the service checks
//! membership (non-members get 404).
use app::chats::types::{ChatDetail, ChatSummary, GroupInfo, MessageHit, MessageView};
use app::server::chats::LIST_PAGE;
use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    routing::{get, post},
};
use serde::{Deserialize, Serialize};

use super::{ApiError, ApiJson, ApiQuery, ApiUser};
use crate::startup::AppState;
use app::error::AppError;

/// Each route answers with and without its trailing slash, like the accounts routes.
pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for (path, route) in [
        ("/api/chats", get(list).post(start_direct)),
        ("/api/chats/{id}", get(open)),
        ("/api/chats/{id}/messages", post(send)),
        ("/api/groups", post(create_group)),
        ("/api/groups/join", post(join_group)),
        ("/api/search/messages", get(search_messages)),
    ] {
        router = router.route(path, route.clone()).route(&format!("{path}/"), route);
    }
    router
}

type Result<T> = std::result::Result<T, ApiError>;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct StartDirectBody {
    user_id: String,
}

/// 201 with the new chat, or 200 when the pair already had one.
async fn start_direct(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(body): ApiJson<StartDirectBody>,
) -> Result<(StatusCode, Json<ChatSummary>)> {
    let chats = &state.services.chats;
    let (id, created) = chats.start_direct(&me, &body.user_id).await?;
    let summary = chats.chat_summary(&me, &id).await?;
    Ok((if created { StatusCode::CREATED } else { StatusCode::OK }, Json(summary)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListQuery {
    /// `<updated_at>:<id>` of the previous page's last row.
    cursor: Option<String>,
}

#[derive(Serialize)]
struct Page<T> {
    items: Vec<T>,
    next: Option<String>,
}

async fn list(State(state): State<AppState>, ApiUser(me): ApiUser, ApiQuery(q): ApiQuery<ListQuery>) -> Result<Json<Page<ChatSummary>>> {
    let bad = || ApiError(AppError::invalid("cursor", "Pass back the `next` value of the previous page"));
    let cursor = match q.cursor.as_deref().filter(|c| !c.is_empty()) {
        Some(c) => {
            let (at, id) = c.split_once(':').ok_or_else(bad)?;
            Some((at.parse::<i64>().map_err(|_| bad())?, id.to_owned()))
        }
        None => None,
    };
    let items = state.services.chats.list_chats_page(&me, cursor.as_ref().map(|(at, id)| (*at, id.as_str())), LIST_PAGE).await?;
    let next = (items.len() == LIST_PAGE as usize).then(|| items.last().map(|s| format!("{}:{}", s.updated_at, s.id))).flatten();
    Ok(Json(Page { items, next }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OpenQuery {
    /// Older messages: the page before this sequence.
    before: Option<i64>,
    /// Open around this sequence (a search hit).
    around: Option<i64>,
}

async fn open(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SendBody {
    body: String,
    client_id: String,
    #[serde(default)]
    reply_to: Option<String>,
}

/// 201 with the stored message; 200 with the same message when its client id was sent before.
async fn send(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<SendBody>,
) -> Result<(StatusCode, Json<MessageView>)> {
    let (message, new) =
        state.services.chats.send_message(&me, &id, &body.client_id, &body.body, body.reply_to.as_deref()).await?;
    Ok((if new { StatusCode::CREATED } else { StatusCode::OK }, Json(message)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GroupBody {
    name: String,
    public: bool,
    #[serde(default)]
    description: String,
}

#[derive(Serialize)]
struct GroupCreated {
    id: String,
    #[serde(flatten)]
    group: GroupInfo,
}

async fn create_group(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiJson(body): ApiJson<GroupBody>,
) -> Result<(StatusCode, Json<GroupCreated>)> {
    let chats = &state.services.chats;
    let id = chats.create_group(&me, &body.name, &body.description, body.public).await?;
    let group = chats.open_chat(&me, &id, None).await?.group.ok_or(ApiError(AppError::Internal))?;
    Ok((StatusCode::CREATED, Json(GroupCreated { id, group })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct JoinBody {
    #[serde(default)]
    group_id: Option<String>,
    #[serde(default)]
    invite: Option<String>,
}

async fn join_group(State(state): State<AppState>, ApiUser(me): ApiUser, ApiJson(body): ApiJson<JoinBody>) -> Result<Json<ChatSummary>> {
    let chats = &state.services.chats;
    let id = chats.join_group(&me, body.group_id.as_deref(), body.invite.as_deref()).await?;
    Ok(Json(chats.chat_summary(&me, &id).await?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SearchQuery {
    q: String,
}

async fn search_messages(State(state): State<AppState>, ApiUser(me): ApiUser, ApiQuery(q): ApiQuery<SearchQuery>) -> Result<Json<Page<MessageHit>>> {
    let items = state.services.chats.search_messages(&me, &q.q).await?;
    Ok(Json(Page { items, next: None }))
}

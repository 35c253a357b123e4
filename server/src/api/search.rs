//! Search over JSON, as the web app's search box does it: people by username prefix, exact user
//! ID or full phone number; the caller's chats by name; messages by full text in their chats.
use app::chats::types::{ChatHit, MessageHit, PersonView, SearchResults};
use axum::{Json, Router, extract::State, routing::get};
use serde::Deserialize;
use utoipa::IntoParams;

use super::page::{Page, paginate};
use super::{ApiError, ApiQuery, ApiUser, with_and_without_slash};
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    with_and_without_slash([
        ("/api/search", get(search)),
        ("/api/search/people", get(people)),
        ("/api/search/chats", get(chats)),
        ("/api/search/messages", get(messages)),
    ])
}

type Result<T> = std::result::Result<T, ApiError>;

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct SearchQuery {
    /// What to look for; blank (or longer than 200 characters) finds nothing.
    q: String,
}

#[derive(Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub(super) struct PagedSearchQuery {
    /// What to look for; blank (or longer than 200 characters) finds nothing.
    q: String,
    /// The `next` value of the previous page.
    #[param(pattern = "^[0-9]{1,9}$")]
    cursor: Option<String>,
    /// Items per page (default 50).
    #[param(minimum = 1, maximum = 100)]
    limit: Option<u32>,
}

/// The first results of each kind at once (the search box).
#[utoipa::path(get, path = "/api/search", tag = "search", params(SearchQuery),
    responses((status = 200, description = "People, chats and messages found", body = SearchResults)))]
pub(super) async fn search(State(state): State<AppState>, ApiUser(me): ApiUser, ApiQuery(q): ApiQuery<SearchQuery>) -> Result<Json<SearchResults>> {
    Ok(Json(state.services.chats.search(&me, &q.q).await?))
}

#[utoipa::path(get, path = "/api/search/people", tag = "search", params(PagedSearchQuery),
    responses((status = 200, description = "People found", body = Page<PersonView>)))]
pub(super) async fn people(State(state): State<AppState>, ApiUser(me): ApiUser, ApiQuery(q): ApiQuery<PagedSearchQuery>) -> Result<Json<Page<PersonView>>> {
    let found = state.services.chats.search(&me, &q.q).await?.people;
    Ok(Json(paginate(found, q.cursor.as_deref(), q.limit)?))
}

#[utoipa::path(get, path = "/api/search/chats", tag = "search", params(PagedSearchQuery),
    responses((status = 200, description = "The caller's chats found by name", body = Page<ChatHit>)))]
pub(super) async fn chats(State(state): State<AppState>, ApiUser(me): ApiUser, ApiQuery(q): ApiQuery<PagedSearchQuery>) -> Result<Json<Page<ChatHit>>> {
    let found = state.services.chats.search(&me, &q.q).await?.chats;
    Ok(Json(paginate(found, q.cursor.as_deref(), q.limit)?))
}

/// Messages in the caller's chats, newest first.
#[utoipa::path(get, path = "/api/search/messages", tag = "search", params(PagedSearchQuery),
    responses((status = 200, description = "Messages found", body = Page<MessageHit>)))]
pub(super) async fn messages(State(state): State<AppState>, ApiUser(me): ApiUser, ApiQuery(q): ApiQuery<PagedSearchQuery>) -> Result<Json<Page<MessageHit>>> {
    let found = state.services.chats.search(&me, &q.q).await?.messages;
    Ok(Json(paginate(found, q.cursor.as_deref(), q.limit)?))
}

//! Contacts and people over JSON: the contact list, invitations and their answers, blocking,
//! and anyone's profile (what it shows follows that person's privacy settings).
use app::chats::types::{ContactState, ContactView, ProfileView};
use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    routing::{get, post, put},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::chats::{AnswerBody, UserIdBody};
use super::page::{Page, PageQuery, paginate};
use super::{ApiError, ApiJson, ApiPath, ApiQuery, ApiUser, with_and_without_slash};
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    with_and_without_slash([
        ("/api/contacts", get(list).post(invite)),
        ("/api/contacts/unseen", get(unseen)),
        ("/api/contacts/seen", post(mark_seen)),
        ("/api/contacts/{user_id}", axum::routing::delete(remove)),
        ("/api/contacts/{user_id}/answer", post(answer)),
        ("/api/people/{user_id}", get(profile)),
        ("/api/people/{user_id}/blocked", put(set_blocked)),
    ])
}

type Result<T> = std::result::Result<T, ApiError>;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub(super) struct PersonPath {
    /// A user ID such as `7KQ4-M2XD` (any case, dash optional).
    #[param(pattern = "^[ -]*([0-9A-TV-Za-tv-z][ -]*){8}$")]
    pub(super) user_id: String,
}

/// How the caller and that person are connected now.
#[derive(Serialize, ToSchema)]
pub(super) struct Connection {
    state: ContactState,
}

/// Contacts and pending invitations (both ways).
#[utoipa::path(get, path = "/api/contacts", tag = "contacts", params(PageQuery),
    responses((status = 200, description = "A page of contacts and invitations", body = Page<ContactView>)))]
pub(super) async fn list(State(state): State<AppState>, ApiUser(me): ApiUser, ApiQuery(q): ApiQuery<PageQuery>) -> Result<Json<Page<ContactView>>> {
    let all = state.services.chats.list_contacts(&me).await?;
    Ok(Json(paginate(all, q.cursor.as_deref(), q.limit)?))
}

/// Invites a person to be a contact (accepts theirs if they had invited the caller).
#[utoipa::path(post, path = "/api/contacts", tag = "contacts", request_body = UserIdBody,
    responses((status = 200, description = "The connection now", body = Connection)))]
pub(super) async fn invite(State(state): State<AppState>, ApiUser(me): ApiUser, ApiJson(body): ApiJson<UserIdBody>) -> Result<Json<Connection>> {
    Ok(Json(Connection { state: state.services.chats.invite_contact(&me, &body.user_id.into()).await? }))
}

/// How many invitations to the caller are pending and not yet seen.
#[derive(Serialize, ToSchema)]
pub(super) struct Unseen {
    count: u32,
}

#[utoipa::path(get, path = "/api/contacts/unseen", tag = "contacts",
    responses((status = 200, description = "Unseen invitations", body = Unseen)))]
pub(super) async fn unseen(State(state): State<AppState>, ApiUser(me): ApiUser) -> Result<Json<Unseen>> {
    Ok(Json(Unseen { count: state.services.chats.unseen_invitations(&me).await? }))
}

/// Marks every pending invitation as seen.
#[utoipa::path(post, path = "/api/contacts/seen", tag = "contacts", responses((status = 204, description = "Marked")))]
pub(super) async fn mark_seen(State(state): State<AppState>, ApiUser(me): ApiUser) -> Result<StatusCode> {
    state.services.chats.mark_invitations_seen(&me).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Accepts or declines a contact invitation from that person.
#[utoipa::path(post, path = "/api/contacts/{user_id}/answer", tag = "contacts", params(PersonPath), request_body = AnswerBody,
    responses((status = 200, description = "The connection now", body = Connection)))]
pub(super) async fn answer(State(state): State<AppState>, ApiUser(me): ApiUser, ApiPath(p): ApiPath<PersonPath>, ApiJson(body): ApiJson<AnswerBody>) -> Result<Json<Connection>> {
    Ok(Json(Connection { state: state.services.chats.answer_invitation(&me, &p.user_id.into(), body.accept).await? }))
}

/// Removes a contact, or withdraws an invitation.
#[utoipa::path(delete, path = "/api/contacts/{user_id}", tag = "contacts", params(PersonPath),
    responses((status = 200, description = "The connection now", body = Connection)))]
pub(super) async fn remove(State(state): State<AppState>, ApiUser(me): ApiUser, ApiPath(p): ApiPath<PersonPath>) -> Result<Json<Connection>> {
    Ok(Json(Connection { state: state.services.chats.remove_contact(&me, &p.user_id.into()).await? }))
}

/// A person's profile.
#[utoipa::path(get, path = "/api/people/{user_id}", tag = "contacts", params(PersonPath),
    responses((status = 200, description = "The profile", body = ProfileView)))]
pub(super) async fn profile(State(state): State<AppState>, ApiUser(me): ApiUser, ApiPath(p): ApiPath<PersonPath>) -> Result<Json<ProfileView>> {
    Ok(Json(state.services.chats.profile(&me, &p.user_id.into()).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct BlockedBody {
    blocked: bool,
}

/// Blocks or unblocks a person: blocked people cannot message or invite the caller.
#[utoipa::path(put, path = "/api/people/{user_id}/blocked", tag = "contacts", params(PersonPath), request_body = BlockedBody,
    responses((status = 200, description = "The connection now", body = Connection)))]
pub(super) async fn set_blocked(State(state): State<AppState>, ApiUser(me): ApiUser, ApiPath(p): ApiPath<PersonPath>, ApiJson(body): ApiJson<BlockedBody>) -> Result<Json<Connection>> {
    Ok(Json(Connection { state: state.services.chats.set_blocked(&me, &p.user_id.into(), body.blocked).await? }))
}

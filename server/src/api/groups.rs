//! Groups over JSON: creating, joining by group ID or invite link, editing, leaving, deleting,
//! members and their roles, and invite links. The service decides who may do what (owner,
//! admin, member); non-members get 404, members without the right role 403.
use app::chats::{
    types::{AddOutcome, ChatSummary, GroupInfo, InviteLinkView, MemberView, Role},
};
use app::error::AppError;
use app::ids::{ChatId, UserId};
use axum::{
    Json, Router,
    extract::State,
    http::StatusCode,
    response::{IntoResponse, Response},
    routing::{delete, get, post, put},
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::chats::{AnswerBody, UserIdBody};
use super::page::{Page, PageQuery, paginate};
use super::whole;
use super::{ApiError, ApiJson, ApiPath, ApiQuery, ApiUser, with_and_without_slash};
use crate::startup::AppState;

pub fn router() -> Router<AppState> {
    with_and_without_slash([
        ("/api/groups", post(create_group)),
        ("/api/groups/join", post(join_group)),
        ("/api/groups/invitations", get(invitations)),
        ("/api/groups/{id}/invitation", post(answer_invitation)),
        ("/api/groups/{id}", put(edit_group).delete(delete_group)),
        ("/api/groups/{id}/leave", post(leave_group)),
        ("/api/groups/{id}/members", get(members).post(add_member)),
        ("/api/groups/{id}/members/{user_id}", delete(remove_member)),
        ("/api/groups/{id}/members/{user_id}/role", put(set_role)),
        ("/api/groups/{id}/invites", get(invites).post(create_invite)),
        ("/api/groups/{id}/invites/{token}", delete(revoke_invite)),
    ])
}

type Result<T> = std::result::Result<T, ApiError>;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct GroupBody {
    #[schema(min_length = 1, max_length = 64, pattern = r"^[^\x00-\x09\x0B-\x1F\x7F-\x9F]*[^\s\x00-\x1F\x7F-\x9F][^\x00-\x09\x0B-\x1F\x7F-\x9F]*$", example = "Book club")]
    name: String,
    /// Public groups can be joined by their group ID; private ones only by invite link.
    public: bool,
    #[serde(default)]
    #[schema(max_length = 300, pattern = r"^[^\x00-\x09\x0B-\x1F\x7F-\x9F]*$")]
    description: String,
}

/// A group just made: its chat id and the group's details.
#[derive(Serialize, ToSchema)]
pub(super) struct GroupCreated {
    id: String,
    #[serde(flatten)]
    group: GroupInfo,
}

/// Creates a group with the caller as its owner.
#[utoipa::path(post, path = "/api/groups", tag = "groups", request_body = GroupBody,
    responses((status = 201, description = "The new group", body = GroupCreated)))]
pub(super) async fn create_group(State(state): State<AppState>, ApiUser(me): ApiUser, ApiJson(body): ApiJson<GroupBody>) -> Result<(StatusCode, Json<GroupCreated>)> {
    let chats = &state.services.chats;
    let id = chats.create_group(&me, &body.name, &body.description, body.public).await?;
    let group = chats.open_chat(&me, &id, None).await?.group.ok_or(ApiError(AppError::Internal))?;
    Ok((StatusCode::CREATED, Json(GroupCreated { id: id.to_string(), group })))
}

/// A public group's ID, or an invite link.
#[derive(Deserialize, ToSchema)]
#[serde(untagged)]
pub(super) enum JoinBody {
    ById(JoinById),
    ByInvite(JoinByInvite),
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct JoinById {
    /// A public group's ID such as `7KQ4-M2XD`.
    #[schema(pattern = "^[ -]*([0-9A-TV-Za-tv-z][ -]*){8}$", example = "7KQ4-M2XD")]
    group_id: String,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct JoinByInvite {
    /// An invite link's token, or the whole link.
    #[schema(min_length = 1, max_length = 256, pattern = r"[^\s/]\s*$")]
    invite: String,
}

/// Joins a public group by its group ID, or any group by an invite link.
#[utoipa::path(post, path = "/api/groups/join", tag = "groups", request_body = JoinBody,
    responses((status = 200, description = "The group's chat", body = ChatSummary)))]
pub(super) async fn join_group(State(state): State<AppState>, ApiUser(me): ApiUser, ApiJson(body): ApiJson<JoinBody>) -> Result<Json<ChatSummary>> {
    let chats = &state.services.chats;
    let id = match &body {
        JoinBody::ById(b) => chats.join_group(&me, Some(&b.group_id), None).await?,
        JoinBody::ByInvite(b) => chats.join_group(&me, None, Some(&b.invite)).await?,
    };
    Ok(Json(chats.chat_summary(&me, &id).await?))
}

/// Renames a group and sets its description and visibility (owner or admin).
#[utoipa::path(put, path = "/api/groups/{id}", tag = "groups", params(("id" = String, Path, description = "The group's chat id")),
    request_body = GroupBody, responses((status = 204, description = "Saved")))]
pub(super) async fn edit_group(State(state): State<AppState>, ApiUser(me): ApiUser, ApiPath(id): ApiPath<ChatId>, ApiJson(body): ApiJson<GroupBody>) -> Result<StatusCode> {
    state.services.chats.edit_group(&me, &id, &body.name, &body.description, body.public).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes a group and its history for everyone (owner only).
#[utoipa::path(delete, path = "/api/groups/{id}", tag = "groups", params(("id" = String, Path, description = "The group's chat id")),
    responses((status = 204, description = "Deleted")))]
pub(super) async fn delete_group(State(state): State<AppState>, ApiUser(me): ApiUser, ApiPath(id): ApiPath<ChatId>) -> Result<StatusCode> {
    state.services.chats.delete_group(&me, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Leaves a group (an owner leaving hands the group to the longest-standing admin or member).
#[utoipa::path(post, path = "/api/groups/{id}/leave", tag = "groups", params(("id" = String, Path, description = "The group's chat id")),
    responses((status = 204, description = "Left")))]
pub(super) async fn leave_group(State(state): State<AppState>, ApiUser(me): ApiUser, ApiPath(id): ApiPath<ChatId>) -> Result<StatusCode> {
    state.services.chats.leave_group(&me, &id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The group's members with their roles.
#[utoipa::path(get, path = "/api/groups/{id}/members", tag = "groups", params(("id" = String, Path, description = "The group's chat id"), PageQuery),
    responses((status = 200, description = "A page of members", body = Page<MemberView>)))]
pub(super) async fn members(State(state): State<AppState>, ApiUser(me): ApiUser, ApiPath(id): ApiPath<ChatId>, ApiQuery(q): ApiQuery<PageQuery>) -> Result<Json<Page<MemberView>>> {
    let detail = state.services.chats.open_chat(&me, &id, None).await?;
    if detail.group.is_none() {
        return Err(ApiError(AppError::NotFound));
    }
    Ok(Json(paginate(detail.members, q.cursor.as_deref(), q.limit)?))
}

/// What `POST /api/groups/{id}/members` did when it did not add the person at once.
#[derive(Serialize, ToSchema)]
pub(super) struct AddAnswer {
    /// `invited`: they take messages from contacts only, so they become a member when they accept.
    state: AddOutcome,
}

/// Adds a person to the group (owner or admin). Someone who takes messages from contacts only,
/// and does not have the caller among their contacts, is invited instead: 202, and the
/// invitation waits among their message requests. Blocks either way refuse the add (400:
/// `blocked` for the one who blocked, `cannot_add` for the one blocked); a group whose
/// invitation they declined cannot invite them again (`invitation_declined`).
#[utoipa::path(post, path = "/api/groups/{id}/members", tag = "groups", params(("id" = String, Path, description = "The group's chat id")),
    request_body = UserIdBody, responses((status = 204, description = "Added"),
        (status = 202, description = "Invited: not a member until they accept", body = AddAnswer)))]
pub(super) async fn add_member(State(state): State<AppState>, ApiUser(me): ApiUser, ApiPath(id): ApiPath<ChatId>, ApiJson(body): ApiJson<UserIdBody>) -> Result<Response> {
    Ok(match state.services.chats.add_member(&me, &id, &body.user_id.into()).await? {
        AddOutcome::Added => StatusCode::NO_CONTENT.into_response(),
        AddOutcome::Invited => (StatusCode::ACCEPTED, Json(AddAnswer { state: AddOutcome::Invited })).into_response(),
    })
}

/// The caller's pending invitations to groups, newest first, as chat-list rows (`request` is
/// `invited`, `invited_by` who sent it).
#[utoipa::path(get, path = "/api/groups/invitations", tag = "groups", params(PageQuery),
    responses((status = 200, description = "A page of invitations", body = Page<ChatSummary>)))]
pub(super) async fn invitations(State(state): State<AppState>, ApiUser(me): ApiUser, ApiQuery(q): ApiQuery<PageQuery>) -> Result<Json<Page<ChatSummary>>> {
    let all = state.services.chats.group_invitations(&me).await?;
    Ok(Json(paginate(all, q.cursor.as_deref(), q.limit)?))
}

/// Accepts (joins the group) or declines an invitation to it. 404 when there is none, or when
/// the person who sent it has left the group.
#[utoipa::path(post, path = "/api/groups/{id}/invitation", tag = "groups", params(("id" = String, Path, description = "The group's chat id")),
    request_body = AnswerBody, responses((status = 204, description = "Answered")))]
pub(super) async fn answer_invitation(State(state): State<AppState>, ApiUser(me): ApiUser, ApiPath(id): ApiPath<ChatId>, ApiJson(body): ApiJson<AnswerBody>) -> Result<StatusCode> {
    state.services.chats.answer_group_invitation(&me, &id, body.accept).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Removes a member (owner or admin; admins cannot remove the owner or other admins).
#[utoipa::path(delete, path = "/api/groups/{id}/members/{user_id}", tag = "groups",
    params(("id" = String, Path, description = "The group's chat id"), ("user_id" = String, Path, description = "The member's user ID")),
    responses((status = 204, description = "Removed")))]
pub(super) async fn remove_member(State(state): State<AppState>, ApiUser(me): ApiUser, ApiPath((id, user_id)): ApiPath<(ChatId, UserId)>) -> Result<StatusCode> {
    state.services.chats.remove_member(&me, &id, &user_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RoleBody {
    /// `owner` hands the group over (owner only).
    role: Role,
}

/// Makes a member an admin or a plain member, or hands ownership over.
#[utoipa::path(put, path = "/api/groups/{id}/members/{user_id}/role", tag = "groups",
    params(("id" = String, Path, description = "The group's chat id"), ("user_id" = String, Path, description = "The member's user ID")),
    request_body = RoleBody, responses((status = 204, description = "Saved")))]
pub(super) async fn set_role(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath((id, user_id)): ApiPath<(ChatId, UserId)>,
    ApiJson(body): ApiJson<RoleBody>,
) -> Result<StatusCode> {
    state.services.chats.set_role(&me, &id, &user_id, body.role).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct InviteBody {
    /// Hours until the link stops working (more than a year counts as a year); none or 0: it
    /// does not expire.
    #[serde(default, deserialize_with = "whole::optional")]
    #[schema(value_type = Option<i64>, minimum = 0, maximum = 4294967295u32)]
    expires_in_hours: Option<u32>,
    /// How many people may join with it; none: no limit.
    #[serde(default, deserialize_with = "whole::optional")]
    #[schema(value_type = Option<i64>, minimum = 1, maximum = 4294967295u32)]
    max_uses: Option<u32>,
}

/// Invite links of the group that still work, newest first (owner or admin).
#[utoipa::path(get, path = "/api/groups/{id}/invites", tag = "groups", params(("id" = String, Path, description = "The group's chat id"), PageQuery),
    responses((status = 200, description = "A page of invite links", body = Page<InviteLinkView>)))]
pub(super) async fn invites(State(state): State<AppState>, ApiUser(me): ApiUser, ApiPath(id): ApiPath<ChatId>, ApiQuery(q): ApiQuery<PageQuery>) -> Result<Json<Page<InviteLinkView>>> {
    let all = state.services.chats.list_invites(&me, &id).await?;
    Ok(Json(paginate(all, q.cursor.as_deref(), q.limit)?))
}

/// Makes an invite link (owner or admin); anyone with it can join via `/api/groups/join`.
#[utoipa::path(post, path = "/api/groups/{id}/invites", tag = "groups", params(("id" = String, Path, description = "The group's chat id")),
    request_body = InviteBody, responses((status = 201, description = "The new link", body = InviteLinkView)))]
pub(super) async fn create_invite(
    State(state): State<AppState>,
    ApiUser(me): ApiUser,
    ApiPath(id): ApiPath<ChatId>,
    ApiJson(body): ApiJson<InviteBody>,
) -> Result<(StatusCode, Json<InviteLinkView>)> {
    let link = state.services.chats.create_invite(&me, &id, body.expires_in_hours, body.max_uses).await?;
    Ok((StatusCode::CREATED, Json(link)))
}

/// Revokes an invite link (owner or admin).
#[utoipa::path(delete, path = "/api/groups/{id}/invites/{token}", tag = "groups",
    params(("id" = String, Path, description = "The group's chat id"), ("token" = String, Path, description = "The link's token")),
    responses((status = 204, description = "Revoked")))]
pub(super) async fn revoke_invite(State(state): State<AppState>, ApiUser(me): ApiUser, ApiPath((id, token)): ApiPath<(ChatId, String)>) -> Result<StatusCode> {
    state.services.chats.revoke_invite(&me, &id, &token).await?;
    Ok(StatusCode::NO_CONTENT)
}

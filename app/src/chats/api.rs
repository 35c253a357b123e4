//! The web app's door to conversations: each server fn identifies the caller and delegates to
//! `ChatsService` (the REST API and the WebSocket call the same service). URLs are
//! `/api/chats-fn/<name>`; errors answer with their HTTP status.
use leptos::prelude::*;

use super::types::*;
use crate::error::AppError;

#[cfg(feature = "ssr")]
use crate::{accounts::api::answer, backend::{Services, identity}, ids::{MessageId, UserId}};

#[cfg(feature = "ssr")]
async fn caller() -> Result<(Services, UserId), AppError> {
    Ok((expect_context::<Services>(), identity::current_user_id().await?))
}

// ---- chat list and conversations ----

#[server(endpoint = "chats-fn/list_chats", output = crate::codec::StrJson)]
pub async fn list_chats() -> Result<Vec<ChatSummary>, AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.list_chats(&me).await }.await)
}

#[server(endpoint = "chats-fn/open_chat", output = crate::codec::StrJson)]
pub async fn open_chat(chat_id: String, around: Option<i64>) -> Result<ChatDetail, AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.open_chat(&me, &chat_id.into(), around).await }.await)
}

#[server(endpoint = "chats-fn/history", output = crate::codec::StrJson)]
pub async fn history(chat_id: String, before: i64) -> Result<HistoryPage, AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.history(&me, &chat_id.into(), before).await }.await)
}

/// Opens (or creates) the direct chat with a person, by their user ID. Returns the chat id.
#[server(endpoint = "chats-fn/start_direct", output = crate::codec::StrJson)]
pub async fn start_direct(user_id: String) -> Result<String, AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.start_direct(&me, &user_id.into()).await.map(|(id, _)| id.to_string()) }.await)
}

/// Stores a message; the same `client_id` again returns the same message. The app sends over its
/// socket; this serves a signed-in browser session without one (scripts, the browser tests).
#[server(endpoint = "chats-fn/send_message", output = crate::codec::StrJson)]
pub async fn send_message(
    chat_id: String,
    client_id: String,
    body: String,
    reply_to: Option<String>,
    #[server(default)] attachments: Vec<String>,
) -> Result<MessageView, AppError> {
    answer(async {
        let (s, me) = caller().await?;
        let reply_to = reply_to.map(MessageId::from);
        s.chats
            .send_message_with_attachments(&me, &chat_id.into(), &client_id.into(), &body, reply_to.as_ref(), &attachments)
            .await
            .map(|(m, _)| m)
    }.await)
}

#[server(endpoint = "chats-fn/edit_message", output = crate::codec::StrJson)]
pub async fn edit_message(message_id: String, body: String) -> Result<MessageView, AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.edit_message(&me, &message_id.into(), &body).await }.await)
}

#[server(endpoint = "chats-fn/delete_message", output = crate::codec::StrJson)]
pub async fn delete_message(message_id: String) -> Result<MessageView, AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.delete_message(&me, &message_id.into()).await }.await)
}

/// Adds the reaction, or removes it if the caller already reacted with that emoji.
#[server(endpoint = "chats-fn/toggle_reaction", output = crate::codec::StrJson)]
pub async fn toggle_reaction(message_id: String, emoji: String) -> Result<Vec<ReactionView>, AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.toggle_reaction(&me, &message_id.into(), &emoji).await }.await)
}

#[server(endpoint = "chats-fn/mark_read", output = crate::codec::StrJson)]
pub async fn mark_read(chat_id: String, seq: i64) -> Result<(), AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.mark_read(&me, &chat_id.into(), seq).await }.await)
}

#[server(endpoint = "chats-fn/set_muted", output = crate::codec::StrJson)]
pub async fn set_muted(chat_id: String, muted: bool) -> Result<(), AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.set_muted(&me, &chat_id.into(), muted).await }.await)
}

/// Turns calls off (true) or on again in a direct chat, for the caller.
#[server(endpoint = "chats-fn/set_calls_off", output = crate::codec::StrJson)]
pub async fn set_calls_off(chat_id: String, calls_off: bool) -> Result<(), AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.set_calls_off(&me, &chat_id.into(), calls_off).await }.await)
}

/// Accepts (true) or declines (false) an incoming message request.
#[server(endpoint = "chats-fn/answer_request", output = crate::codec::StrJson)]
pub async fn answer_request(chat_id: String, accept: bool) -> Result<(), AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.answer_request(&me, &chat_id.into(), accept).await }.await)
}

// ---- groups ----

/// Accepts (joins the group) or declines an invitation to a group.
#[server(endpoint = "chats-fn/answer_group_invitation", output = crate::codec::StrJson)]
pub async fn answer_group_invitation(chat_id: String, accept: bool) -> Result<(), AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.answer_group_invitation(&me, &chat_id.into(), accept).await }.await)
}

/// Creates a group; returns its chat id.
#[server(endpoint = "chats-fn/create_group", output = crate::codec::StrJson)]
pub async fn create_group(name: String, description: String, public: bool) -> Result<String, AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.create_group(&me, &name, &description, public).await.map(|id| id.to_string()) }.await)
}

/// Joins a public group by its group ID, or any group by an invite token. Returns the chat id.
#[server(endpoint = "chats-fn/join_group", output = crate::codec::StrJson)]
pub async fn join_group(group_id: Option<String>, invite: Option<String>) -> Result<String, AppError> {
    answer(async {
        let (s, me) = caller().await?;
        s.chats.join_group(&me, group_id.as_deref(), invite.as_deref()).await.map(|id| id.to_string())
    }.await)
}

#[server(endpoint = "chats-fn/leave_group", output = crate::codec::StrJson)]
pub async fn leave_group(chat_id: String) -> Result<(), AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.leave_group(&me, &chat_id.into()).await }.await)
}

#[server(endpoint = "chats-fn/edit_group", output = crate::codec::StrJson)]
pub async fn edit_group(chat_id: String, name: String, description: String, public: bool) -> Result<(), AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.edit_group(&me, &chat_id.into(), &name, &description, public).await }.await)
}

/// Adds a person, or invites them when they take messages from contacts only.
#[server(endpoint = "chats-fn/add_member", output = crate::codec::StrJson)]
pub async fn add_member(chat_id: String, user_id: String) -> Result<AddOutcome, AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.add_member(&me, &chat_id.into(), &user_id.into()).await }.await)
}

#[server(endpoint = "chats-fn/remove_member", output = crate::codec::StrJson)]
pub async fn remove_member(chat_id: String, user_id: String) -> Result<(), AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.remove_member(&me, &chat_id.into(), &user_id.into()).await }.await)
}

/// Makes a member an admin or a plain member; `Role::Owner` transfers ownership (owner only).
#[server(endpoint = "chats-fn/set_role", output = crate::codec::StrJson)]
pub async fn set_role(chat_id: String, user_id: String, role: Role) -> Result<(), AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.set_role(&me, &chat_id.into(), &user_id.into(), role).await }.await)
}

#[server(endpoint = "chats-fn/delete_group", output = crate::codec::StrJson)]
pub async fn delete_group(chat_id: String) -> Result<(), AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.delete_group(&me, &chat_id.into()).await }.await)
}

#[server(endpoint = "chats-fn/create_invite", output = crate::codec::StrJson)]
pub async fn create_invite(chat_id: String, expires_in_hours: Option<u32>, max_uses: Option<u32>) -> Result<InviteLinkView, AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.create_invite(&me, &chat_id.into(), expires_in_hours, max_uses).await }.await)
}

#[server(endpoint = "chats-fn/list_invites", output = crate::codec::StrJson)]
pub async fn list_invites(chat_id: String) -> Result<Vec<InviteLinkView>, AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.list_invites(&me, &chat_id.into()).await }.await)
}

#[server(endpoint = "chats-fn/revoke_invite", output = crate::codec::StrJson)]
pub async fn revoke_invite(chat_id: String, token: String) -> Result<(), AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.revoke_invite(&me, &chat_id.into(), &token).await }.await)
}

// ---- contacts, profiles, privacy ----

#[server(endpoint = "chats-fn/list_contacts", output = crate::codec::StrJson)]
pub async fn list_contacts() -> Result<Vec<ContactView>, AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.list_contacts(&me).await }.await)
}

/// How many invitations to the caller are pending and not yet seen (the badge).
#[server(endpoint = "chats-fn/unseen_invitations", output = crate::codec::StrJson)]
pub async fn unseen_invitations() -> Result<u32, AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.unseen_invitations(&me).await }.await)
}

#[server(endpoint = "chats-fn/mark_invitations_seen", output = crate::codec::StrJson)]
pub async fn mark_invitations_seen() -> Result<(), AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.mark_invitations_seen(&me).await }.await)
}

#[server(endpoint = "chats-fn/invite_contact", output = crate::codec::StrJson)]
pub async fn invite_contact(user_id: String) -> Result<ContactState, AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.invite_contact(&me, &user_id.into()).await }.await)
}

/// Accepts (true) or declines (false) a contact invitation from `user_id`.
#[server(endpoint = "chats-fn/answer_invitation", output = crate::codec::StrJson)]
pub async fn answer_invitation(user_id: String, accept: bool) -> Result<ContactState, AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.answer_invitation(&me, &user_id.into(), accept).await }.await)
}

#[server(endpoint = "chats-fn/remove_contact", output = crate::codec::StrJson)]
pub async fn remove_contact(user_id: String) -> Result<ContactState, AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.remove_contact(&me, &user_id.into()).await }.await)
}

#[server(endpoint = "chats-fn/set_blocked", output = crate::codec::StrJson)]
pub async fn set_blocked(user_id: String, blocked: bool) -> Result<ContactState, AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.set_blocked(&me, &user_id.into(), blocked).await }.await)
}

/// A person's profile by user ID (any case, dash optional).
#[server(endpoint = "chats-fn/profile", output = crate::codec::StrJson)]
pub async fn profile(user_id: String) -> Result<ProfileView, AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.profile(&me, &user_id.into()).await }.await)
}

#[server(endpoint = "chats-fn/get_my_settings", output = crate::codec::StrJson)]
pub async fn get_my_settings() -> Result<MySettings, AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.my_settings(&me).await }.await)
}

#[server(endpoint = "chats-fn/save_settings", output = crate::codec::StrJson)]
pub async fn save_settings(settings: MySettings) -> Result<MySettings, AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.save_settings(&me, settings).await }.await)
}

// ---- search ----

/// People by username prefix, exact user ID or exact full phone; chats by name; messages by
/// full text in the caller's chats (newest first).
#[server(endpoint = "chats-fn/search", output = crate::codec::StrJson)]
pub async fn search(query: String) -> Result<SearchResults, AppError> {
    answer(async { let (s, me) = caller().await?; s.chats.search(&me, &query).await }.await)
}

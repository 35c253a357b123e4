//! Group invitations: adding someone who takes messages from contacts only, by someone who is
//! not their contact, invites them instead (shown among their message requests). An invitee is
//! not a member until they accept; a declined invitation cannot be sent again by the same group;
//! the inviter leaving or being removed, or the group going, withdraws it.
use super::{ChatsService, R, internal, views};
use crate::chats::types::*;
use crate::error::AppError;
use crate::ids::{ChatId, UserId};
use crate::realtime::protocol::ServerFrame;
use crate::backend::store::{
    chats::{Change, GroupInvitationRow},
    states::{InvitationState, MemberState},
};

/// Most groups one person may have invitations waiting in for the same invitee: a stranger
/// cannot fill someone's requests by making group after group.
pub const MAX_PENDING_FROM_ONE_INVITER: u32 = 3;

/// An invitation as a row of the invitee's chat list.
fn invitation_summary(i: &GroupInvitationRow) -> ChatSummary {
    ChatSummary {
        id: i.conv.id.clone(),
        kind: ChatKind::Group,
        title: i.conv.name.clone(),
        peer: None,
        peer_online: false,
        last_message: None,
        unread: 0,
        muted: false,
        request: RequestState::Invited,
        updated_at: i.created_at,
        invited_by: Some(views::person(&i.inviter)),
    }
}

impl ChatsService {
    /// Invites `other` to the group on `me`'s behalf (`me` is an admin there, checked by the caller).
    pub(super) async fn invite_to_group(&self, me: &str, chat_id: &str, other: &str) -> R<AddOutcome> {
        match self.store.group_invitation(chat_id, other).await.map_err(internal)? {
            Some(i) if i.state == InvitationState::Declined => {
                return Err(AppError::invalid_with_code("invitation_declined", "user_id", "They declined an invitation to this group"));
            }
            Some(_) => return Ok(AddOutcome::Invited),
            None => {}
        }
        if self.store.pending_invitations_from(me, other).await.map_err(internal)? >= MAX_PENDING_FROM_ONE_INVITER {
            return Err(AppError::invalid_with_code(
                "too_many_invitations",
                "user_id",
                "They haven’t answered your other group invitations yet",
            ));
        }
        self.store.invite_to_group(chat_id, other, me, self.clock.now()).await.map_err(internal)?;
        if let Some(i) = self.store.group_invitation(chat_id, other).await.map_err(internal)? {
            self.publish_all(&[other.to_owned()], &ServerFrame::ChatUpdated { chat: invitation_summary(&i) });
        }
        Ok(AddOutcome::Invited)
    }

    /// The caller's pending group invitations, newest first, as chat-list rows.
    pub async fn group_invitations(&self, me: &UserId) -> R<Vec<ChatSummary>> {
        Ok(self.store.group_invitations_of(me.as_str()).await.map_err(internal)?.iter().map(invitation_summary).collect())
    }

    /// Caller must have a pending invitation to the group, from someone still in it whom
    /// neither has blocked (else `NotFound`). Accepting joins the group, as an add by the
    /// inviter; declining hides the invitation and stops the group from inviting again.
    pub async fn answer_group_invitation(&self, me: &UserId, chat_id: &ChatId, accept: bool) -> R<()> {
        let (me, chat_id) = (me.as_str(), chat_id.as_str());
        let invitation = self.store.group_invitation(chat_id, me).await.map_err(internal)?;
        let invitation = invitation.filter(|i| i.state == InvitationState::Pending).ok_or(AppError::NotFound)?;
        let inviter = &invitation.inviter.id;
        let relation = self.store.relation(me, inviter).await.map_err(internal)?;
        let access = self.store.access(chat_id).await.map_err(internal)?.ok_or(AppError::NotFound)?;
        let inviter_active = access.member(inviter).is_some_and(|m| m.state == MemberState::Active);
        if relation.i_blocked || relation.they_blocked || !inviter_active {
            return Err(AppError::NotFound);
        }
        if !accept {
            self.store.decline_group_invitation(chat_id, me).await.map_err(internal)?;
            self.publish_removed(&[me.to_owned()], chat_id);
            return Ok(());
        }
        let who = self.store.brief(me).await.map_err(internal)?.ok_or(AppError::Unauthenticated)?;
        let event = SystemEvent::Added { who: views::person(&who), by: views::person(&invitation.inviter) };
        let join = Change::Join { user_id: me.to_owned(), role: Role::Member, limit: self.config.max_group_members };
        let message = self.apply(chat_id, &[join], Some(event)).await?;
        // Every member's row, the caller's included: their devices swap the invitation for the chat.
        let _ = self.publish_group_change(chat_id, message.as_ref()).await;
        Ok(())
    }

    /// Withdraws the group's pending invitations (all, or those `inviter` sent) and takes them
    /// off the invitees' lists.
    pub(super) async fn withdraw_invitations(&self, chat_id: &str, inviter: Option<&str>) -> R<()> {
        let invitees = self.store.withdraw_group_invitations(chat_id, inviter).await.map_err(internal)?;
        self.publish_removed(&invitees, chat_id);
        Ok(())
    }
}

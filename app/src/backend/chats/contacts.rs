//! Contacts: invitations (sent, accepted, declined), the unseen-invitations badge, removing a
//! contact, blocking and unblocking.
use super::{ChatsService, R, internal, parse_user_id, views};
use crate::chats::types::*;
use crate::error::AppError;
use crate::ids::UserId;
use crate::backend::store::{chats::Relation, states::ContactStatus};

/// How `me` and the other person stand, as the viewer sees it.
pub(super) fn contact_state(me: &str, relation: &Relation) -> ContactState {
    if relation.i_blocked {
        return ContactState::Blocked;
    }
    match &relation.contact {
        Some((_, ContactStatus::Accepted)) => ContactState::Contact,
        Some((inviter, ContactStatus::Pending)) if inviter == me => ContactState::InvitationSent,
        Some((_, ContactStatus::Pending)) => ContactState::InvitationReceived,
        _ => ContactState::None,
    }
}

impl ChatsService {
    /// The caller's contacts, invitations both ways, and the people they blocked.
    pub async fn list_contacts(&self, me: &UserId) -> R<Vec<ContactView>> {
        let me = me.as_str();
        let rows = self.store.contacts_of(me).await.map_err(internal)?;
        let mut contacts = Vec::with_capacity(rows.len());
        for c in &rows {
            let state = match c.state {
                ContactStatus::Accepted => ContactState::Contact,
                ContactStatus::Blocked => ContactState::Blocked,
                _ if c.inviter == me => ContactState::InvitationSent,
                _ => ContactState::InvitationReceived,
            };
            let visible = state == ContactState::Contact && c.last_seen_visibility != LastSeenVisibility::Nobody;
            let presence = self.presence(&c.person.id, visible, c.last_seen_at).await;
            contacts.push(ContactView { person: views::person(&c.person), state, presence, since: c.since });
        }
        Ok(contacts)
    }

    pub async fn unseen_invitations(&self, me: &UserId) -> R<u32> {
        self.store.unseen_invitations(me.as_str()).await.map_err(internal)
    }

    pub async fn mark_invitations_seen(&self, me: &UserId) -> R<()> {
        self.store.mark_invitations_seen(me.as_str()).await.map_err(internal)
    }

    /// Anyone signed in, to anyone who has not blocked them (and whom they have not blocked).
    /// Inviting someone who already invited you makes you contacts.
    pub async fn invite_contact(&self, me: &UserId, user_id: &UserId) -> R<ContactState> {
        let (me, user_id) = (me.as_str(), user_id.as_str());
        let (other, relation) = self.other(me, user_id).await?;
        if relation.i_blocked {
            return Err(AppError::invalid_with_code("blocked", "user_id", "You blocked this person — unblock them first"));
        }
        if relation.they_blocked {
            return Err(AppError::invalid_with_code("cannot_invite", "user_id", "You can’t invite this person"));
        }
        let at = self.clock.now();
        match contact_state(me, &relation) {
            ContactState::Contact | ContactState::InvitationSent => {}
            ContactState::InvitationReceived => self.store.set_contact(me, &other, &other, ContactStatus::Accepted, at).await.map_err(internal)?,
            _ => self.store.set_contact(me, &other, me, ContactStatus::Pending, at).await.map_err(internal)?,
        }
        self.contact_state_with(me, &other).await
    }

    /// Caller must have a pending invitation from `user_id`.
    pub async fn answer_invitation(&self, me: &UserId, user_id: &UserId, accept: bool) -> R<ContactState> {
        let (me, user_id) = (me.as_str(), user_id.as_str());
        let (other, relation) = self.other(me, user_id).await?;
        if contact_state(me, &relation) != ContactState::InvitationReceived {
            return Err(AppError::NotFound);
        }
        let state = if accept { ContactStatus::Accepted } else { ContactStatus::Declined };
        self.store.set_contact(me, &other, &other, state, self.clock.now()).await.map_err(internal)?;
        self.contact_state_with(me, &other).await
    }

    /// Ends a contact, or withdraws or discards an invitation either way.
    pub async fn remove_contact(&self, me: &UserId, user_id: &UserId) -> R<ContactState> {
        let (me, user_id) = (me.as_str(), user_id.as_str());
        let (other, _) = self.other(me, user_id).await?;
        self.store.delete_contact(me, &other).await.map_err(internal)?;
        self.contact_state_with(me, &other).await
    }

    /// Blocking stops messages, requests, invitations and presence both ways, and ends any
    /// contact between the two; the blocked person only ever sees "can't message".
    pub async fn set_blocked(&self, me: &UserId, user_id: &UserId, blocked: bool) -> R<ContactState> {
        let (me, user_id) = (me.as_str(), user_id.as_str());
        let (other, _) = self.other(me, user_id).await?;
        self.store.set_blocked(me, &other, blocked, self.clock.now()).await.map_err(internal)?;
        self.contact_state_with(me, &other).await
    }

    /// Another existing person, by user ID.
    async fn other(&self, me: &str, user_id: &str) -> R<(String, Relation)> {
        let other = parse_user_id(user_id)?;
        if other == me {
            return Err(AppError::invalid("user_id", "That’s your own user ID"));
        }
        self.store.brief(&other).await.map_err(internal)?.ok_or(AppError::NotFound)?;
        let relation = self.store.relation(me, &other).await.map_err(internal)?;
        Ok((other, relation))
    }

    async fn contact_state_with(&self, me: &str, other: &str) -> R<ContactState> {
        Ok(contact_state(me, &self.store.relation(me, other).await.map_err(internal)?))
    }
}

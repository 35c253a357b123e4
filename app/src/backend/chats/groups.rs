//! Groups: creating, joining by public group ID or invite link, leaving, editing, members and
//! roles, deleting, and invite links. Every change to members or the name leaves a system
//! message. When the owner leaves, ownership passes to the longest-standing admin, else the
//! longest-standing member; the last one out deletes the group.
use rand::Rng;

use super::{ChatsService, R, direct::asks_first, internal, new_group_id, new_id, not_allowed, parse_user_id, views};
use crate::chats::{types::*, validate};
use crate::error::AppError;
use crate::ids::{ChatId, UserId};
use crate::backend::store::{
    chats::{Applied, Change, ConvRow, InviteRow, MessageRow, NewMessage},
    states::MemberState,
};

pub(super) fn system(chat_id: &str, event: &SystemEvent, at: i64) -> R<NewMessage> {
    Ok(NewMessage {
        id: new_id(),
        chat_id: chat_id.to_owned(),
        system: Some(serde_json::to_string(event).map_err(|_| AppError::Internal)?),
        created_at: at,
        ..NewMessage::default()
    })
}

fn group_full(max: u32) -> AppError {
    AppError::invalid_with_code("group_full", "group", format!("This group is full ({max} members)"))
}

fn invite_token() -> String {
    let mut bytes = [0u8; 18];
    rand::rng().fill(&mut bytes);
    hex::encode(bytes)
}

/// Whether `token` could be one `invite_token` made: anything else names no link, and is not
/// looked up (a NUL, say, is text PostgreSQL cannot even compare).
fn may_be_invite_token(token: &str) -> bool {
    token.len() == 36 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

fn invite_view(i: &InviteRow) -> InviteLinkView {
    InviteLinkView {
        token: i.token.clone(),
        path: format!("/join/{}", i.token),
        created_at: i.created_at,
        expires_at: i.expires_at,
        max_uses: i.max_uses.map(|n| n as u32),
        uses: i.uses as u32,
    }
}

impl ChatsService {
    pub(super) async fn me_person(&self, me: &str) -> R<PersonView> {
        let b = self.store.brief(me).await.map_err(internal)?.ok_or(AppError::Unauthenticated)?;
        Ok(views::person(&b))
    }

    pub(super) async fn apply(&self, chat_id: &str, changes: &[Change], event: Option<SystemEvent>) -> R<Option<MessageRow>> {
        let message = event.map(|e| system(chat_id, &e, self.clock.now())).transpose()?;
        match self.store.apply(chat_id, changes, message.as_ref(), self.clock.now()).await.map_err(internal)? {
            Applied::Done(row) => Ok(row.map(|m| *m)),
            Applied::Full => Err(group_full(self.config.max_group_members)),
            Applied::InviteUnusable => Err(AppError::invalid_with_code("invite_unusable", "invite", "This invite link no longer works")),
        }
    }

    /// Anyone signed in. Creates a group with the caller as its owner; returns its chat id.
    pub async fn create_group(&self, me: &UserId, name: &str, description: &str, public: bool) -> R<ChatId> {
        let me = me.as_str();
        let name = validate::group_name(name)?;
        let description = validate::description(description)?;
        let by = self.me_person(me).await?;
        let at = self.clock.now();
        loop {
            let conv = ConvRow {
                id: new_id(),
                kind: ChatKind::Group,
                group_id: Some(new_group_id()),
                name: name.clone(),
                description: description.clone(),
                public,
                created_by: me.to_owned(),
                created_at: at,
                last_seq: 0,
                last_activity_at: at,
            };
            let created = system(&conv.id, &SystemEvent::Created { by: by.clone() }, at)?;
            // 2^40 group IDs: a collision is rare; draw another.
            if self.store.create_group(&conv, &created).await.map_err(internal)? {
                let _ = self.publish_chat_updated_for(&conv.id, me).await;
                return Ok(conv.id.into());
            }
        }
    }

    /// Anyone signed in: a public group by its group ID (a private group's ID is "not found"),
    /// or any group by a live invite link. Former members who were removed need a link.
    pub async fn join_group(&self, me: &UserId, group_id: Option<&str>, invite: Option<&str>) -> R<ChatId> {
        let me = me.as_str();
        let (conv, token) = match (group_id.filter(|g| !g.trim().is_empty()), invite.filter(|i| !i.trim().is_empty())) {
            (Some(gid), None) => {
                let gid = parse_user_id(gid)
                    .map_err(|_| AppError::invalid("group_id", "A group ID has 8 letters and digits, like 7KQ4-M2XD"))?;
                let conv = self.store.conv_by_group_id(&gid).await.map_err(internal)?;
                (conv.filter(|c| c.public).ok_or(AppError::NotFound)?, None)
            }
            (None, Some(token)) => {
                let token = token.trim().rsplit('/').next().unwrap_or_default().to_owned();
                if !may_be_invite_token(&token) {
                    return Err(AppError::NotFound);
                }
                let invite = self.store.invite(&token).await.map_err(internal)?.ok_or(AppError::NotFound)?;
                let bad = |code: &str, reason: &str| AppError::invalid_with_code(code, "invite", reason);
                if invite.revoked_at.is_some() {
                    return Err(bad("invite_revoked", "This invite link was revoked"));
                }
                if invite.expires_at.is_some_and(|at| at <= self.clock.now()) {
                    return Err(bad("invite_expired", "This invite link has expired"));
                }
                if invite.max_uses.is_some_and(|max| invite.uses >= max) {
                    return Err(bad("invite_used_up", "This invite link has been used up"));
                }
                (self.store.conv(&invite.chat_id).await.map_err(internal)?.ok_or(AppError::NotFound)?, Some(token))
            }
            _ => return Err(AppError::invalid("group_id", "Give a group ID or an invite link")),
        };
        let current = self.store.membership(&conv.id, me).await.map_err(internal)?;
        match current.as_ref().map(|(_, m)| m.state) {
            Some(MemberState::Active) => return Ok(conv.id.into()),
            Some(MemberState::Removed) if token.is_none() => return Err(AppError::NotFound),
            _ => {}
        }
        let who = self.me_person(me).await?;
        let mut changes = vec![Change::Join { user_id: me.to_owned(), role: Role::Member, limit: self.config.max_group_members }];
        if let Some(token) = token {
            changes.push(Change::UseInvite { token });
        }
        let message = self.apply(&conv.id, &changes, Some(SystemEvent::Joined { who })).await?;
        let _ = self.publish_group_change(&conv.id, message.as_ref()).await;
        Ok(conv.id.into())
    }

    /// Caller must be an active member. See the module note for an owner leaving.
    pub async fn leave_group(&self, me: &UserId, chat_id: &ChatId) -> R<()> {
        let (me, chat_id) = (me.as_str(), chat_id.as_str());
        let (conv, member) = self.readable(me, chat_id).await?;
        if conv.kind != ChatKind::Group {
            return Err(AppError::NotFound);
        }
        let who = self.me_person(me).await?;
        let mut changes = vec![Change::SetState { user_id: me.to_owned(), state: MemberState::Left }];
        let others: Vec<_> =
            self.store.members(chat_id, &[MemberState::Active]).await.map_err(internal)?.into_iter().filter(|m| m.person.id != me).collect();
        if others.is_empty() {
            self.withdraw_invitations(chat_id, None).await?;
            self.store.delete_conv(chat_id).await.map_err(internal)?;
            self.publish_removed(&[me.to_owned()], chat_id);
            return Ok(());
        }
        let mut heir = None;
        if member.role == Role::Owner {
            let next = others.iter().find(|m| m.role == Role::Admin).unwrap_or(&others[0]);
            changes.push(Change::SetRole { user_id: me.to_owned(), role: Role::Member });
            changes.push(Change::SetRole { user_id: next.person.id.clone(), role: Role::Owner });
            heir = Some(views::person(&next.person));
        }
        let message = self.apply(chat_id, &changes, Some(SystemEvent::Left { who: who.clone() })).await?;
        self.withdraw_invitations(chat_id, Some(me)).await?;
        self.publish_removed(&[me.to_owned()], chat_id);
        let _ = self.publish_group_change(chat_id, message.as_ref()).await;
        if let Some(heir) = heir {
            let message = self.apply(chat_id, &[], Some(SystemEvent::OwnerChanged { who: heir, by: who })).await?;
            let _ = self.publish_group_change(chat_id, message.as_ref()).await;
        }
        Ok(())
    }

    /// Caller must be the owner or an admin. A new name leaves a system message.
    pub async fn edit_group(&self, me: &UserId, chat_id: &ChatId, name: &str, description: &str, public: bool) -> R<()> {
        let (me, chat_id) = (me.as_str(), chat_id.as_str());
        let name = validate::group_name(name)?;
        let description = validate::description(description)?;
        let (conv, _) = self.group_admin(me, chat_id).await?;
        let event = if name != conv.name { Some(SystemEvent::Renamed { name: name.clone(), by: self.me_person(me).await? }) } else { None };
        let message = self.apply(chat_id, &[Change::Edit { name, description, public }], event).await?;
        let _ = self.publish_group_change(chat_id, message.as_ref()).await;
        Ok(())
    }

    /// Caller must be the owner or an admin; neither may have blocked the other. Someone who
    /// takes messages from contacts only, and does not have the caller as one, is invited
    /// instead (see `invitations`).
    pub async fn add_member(&self, me: &UserId, chat_id: &ChatId, user_id: &UserId) -> R<AddOutcome> {
        let (me, chat_id) = (me.as_str(), chat_id.as_str());
        let other = parse_user_id(user_id.as_str())?;
        self.group_admin(me, chat_id).await?;
        let target = self.store.profile_row(&other).await.map_err(internal)?.ok_or(AppError::NotFound)?;
        let relation = self.store.relation(me, &other).await.map_err(internal)?;
        // As for messages: the blocker is told why, the blocked person only that they can't.
        if relation.i_blocked {
            return Err(AppError::invalid_with_code("blocked", "user_id", "You blocked this person — unblock them to add them"));
        }
        if relation.they_blocked {
            return Err(AppError::invalid_with_code("cannot_add", "user_id", "You can’t add this person"));
        }
        if self.store.membership(chat_id, &other).await.map_err(internal)?.is_some_and(|(_, m)| m.state == MemberState::Active) {
            return Ok(AddOutcome::Added);
        }
        if other != me && asks_first(&target, &relation) {
            return self.invite_to_group(me, chat_id, &other).await;
        }
        let event = SystemEvent::Added { who: views::person(&target.person), by: self.me_person(me).await? };
        let join = Change::Join { user_id: other, role: Role::Member, limit: self.config.max_group_members };
        let message = self.apply(chat_id, &[join], Some(event)).await?;
        let _ = self.publish_group_change(chat_id, message.as_ref()).await;
        Ok(AddOutcome::Added)
    }

    /// Caller must be the owner (anyone but themself) or an admin (plain members only).
    pub async fn remove_member(&self, me: &UserId, chat_id: &ChatId, user_id: &UserId) -> R<()> {
        let (me, chat_id) = (me.as_str(), chat_id.as_str());
        let other = parse_user_id(user_id.as_str())?;
        let (_, mine) = self.group_admin(me, chat_id).await?;
        let (_, target) = self.store.membership(chat_id, &other).await.map_err(internal)?.filter(|(_, m)| m.state == MemberState::Active).ok_or(AppError::NotFound)?;
        if other == me {
            return Err(AppError::invalid("user_id", "To leave the group, use Leave"));
        }
        if target.role == Role::Owner || (target.role == Role::Admin && mine.role != Role::Owner) {
            return Err(not_allowed("remove an owner or admin"));
        }
        let event = SystemEvent::Removed { who: views::person(&target.person), by: self.me_person(me).await? };
        let changes = [Change::SetState { user_id: other.clone(), state: MemberState::Removed }, Change::SetRole { user_id: other.clone(), role: Role::Member }];
        let message = self.apply(chat_id, &changes, Some(event)).await?;
        self.withdraw_invitations(chat_id, Some(&other)).await?;
        self.publish_removed(&[other], chat_id);
        let _ = self.publish_group_change(chat_id, message.as_ref()).await;
        Ok(())
    }

    /// Caller must be the owner. `Role::Owner` hands ownership over (the caller becomes an admin).
    pub async fn set_role(&self, me: &UserId, chat_id: &ChatId, user_id: &UserId, role: Role) -> R<()> {
        let (me, chat_id) = (me.as_str(), chat_id.as_str());
        let other = parse_user_id(user_id.as_str())?;
        let (_, mine) = self.group_admin(me, chat_id).await?;
        if mine.role != Role::Owner {
            return Err(not_allowed("change roles"));
        }
        let (_, target) = self.store.membership(chat_id, &other).await.map_err(internal)?.filter(|(_, m)| m.state == MemberState::Active).ok_or(AppError::NotFound)?;
        if other == me {
            return Err(AppError::invalid("user_id", "Hand ownership to someone else first"));
        }
        let by = self.me_person(me).await?;
        let who = views::person(&target.person);
        let (changes, event) = match role {
            Role::Owner => (
                vec![
                    Change::SetRole { user_id: other, role: Role::Owner },
                    Change::SetRole { user_id: me.to_owned(), role: Role::Admin },
                ],
                SystemEvent::OwnerChanged { who, by },
            ),
            role => (vec![Change::SetRole { user_id: other, role }], SystemEvent::RoleChanged { who, role, by }),
        };
        let message = self.apply(chat_id, &changes, Some(event)).await?;
        let _ = self.publish_group_change(chat_id, message.as_ref()).await;
        Ok(())
    }

    /// Caller must be the owner. Everything in the group goes.
    pub async fn delete_group(&self, me: &UserId, chat_id: &ChatId) -> R<()> {
        let (me, chat_id) = (me.as_str(), chat_id.as_str());
        let (_, mine) = self.group_admin(me, chat_id).await?;
        if mine.role != Role::Owner {
            return Err(not_allowed("delete the group"));
        }
        let members = self.member_ids_in(chat_id, &[MemberState::Active]).await?;
        self.withdraw_invitations(chat_id, None).await?;
        self.store.delete_conv(chat_id).await.map_err(internal)?;
        self.publish_removed(&members, chat_id);
        Ok(())
    }

    /// Caller must be the owner or an admin.
    pub async fn create_invite(&self, me: &UserId, chat_id: &ChatId, expires_in_hours: Option<u32>, max_uses: Option<u32>) -> R<InviteLinkView> {
        let (me, chat_id) = (me.as_str(), chat_id.as_str());
        self.group_admin(me, chat_id).await?;
        if max_uses == Some(0) {
            return Err(AppError::invalid("max_uses", "Allow at least one use"));
        }
        let at = self.clock.now();
        let invite = InviteRow {
            token: invite_token(),
            chat_id: chat_id.to_owned(),
            created_at: at,
            expires_at: expires_in_hours.filter(|h| *h > 0).map(|h| at + i64::from(h.min(24 * 365)) * 3600),
            max_uses: max_uses.map(i64::from),
            uses: 0,
            revoked_at: None,
        };
        self.store.insert_invite(&invite, me).await.map_err(internal)?;
        Ok(invite_view(&invite))
    }

    /// Caller must be the owner or an admin. Links not revoked, newest first.
    pub async fn list_invites(&self, me: &UserId, chat_id: &ChatId) -> R<Vec<InviteLinkView>> {
        let (me, chat_id) = (me.as_str(), chat_id.as_str());
        self.group_admin(me, chat_id).await?;
        Ok(self.store.invites_of(chat_id).await.map_err(internal)?.iter().map(invite_view).collect())
    }

    /// Caller must be the owner or an admin.
    pub async fn revoke_invite(&self, me: &UserId, chat_id: &ChatId, token: &str) -> R<()> {
        let (me, chat_id) = (me.as_str(), chat_id.as_str());
        self.group_admin(me, chat_id).await?;
        if !may_be_invite_token(token) {
            return Err(AppError::NotFound);
        }
        if self.store.revoke_invite(chat_id, token, self.clock.now()).await.map_err(internal)? { Ok(()) } else { Err(AppError::NotFound) }
    }
}

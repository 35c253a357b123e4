//! Profiles, privacy settings, presence rules and last-seen times.
use super::{ChatsService, R, internal, parse_user_id, views};
use crate::chats::{types::*, validate};
use crate::error::AppError;
use crate::ids::UserId;
use crate::backend::store::{
    chats::{ProfileRow, Relation},
    states::{ContactStatus, MemberState},
};

/// Whether the viewer may see the person's online status and last seen time.
fn presence_visible(target: &ProfileRow, relation: &Relation) -> bool {
    if relation.i_blocked || relation.they_blocked {
        return false;
    }
    let contact = relation.contact.as_ref().is_some_and(|(_, s)| *s == ContactStatus::Accepted);
    match target.last_seen_visibility {
        LastSeenVisibility::Everyone => true,
        LastSeenVisibility::Contacts => contact,
        LastSeenVisibility::Nobody => false,
    }
}

impl ChatsService {
    /// `other`'s presence as `me` may see it.
    pub(super) async fn visible_presence(&self, me: &str, other: &str) -> R<Presence> {
        let Some(target) = self.store.profile_row(other).await.map_err(internal)? else { return Ok(Presence::Hidden) };
        let relation = self.store.relation(me, other).await.map_err(internal)?;
        Ok(self.presence(other, presence_visible(&target, &relation), target.last_seen_at).await)
    }

    /// Whether `me` sees `other` online: only people online are looked up (a big group's list
    /// reads no rows for those who are away).
    pub(super) async fn visibly_online(&self, me: &str, other: &str) -> R<bool> {
        if !self.hub.is_online(other).await {
            return Ok(false);
        }
        Ok(other == me || self.visible_presence(me, other).await? == Presence::Online)
    }

    /// Anyone signed in may see anyone's profile; what it shows follows the person's privacy.
    pub async fn profile(&self, me: &UserId, user_id: &UserId) -> R<ProfileView> {
        let me = me.as_str();
        let other = parse_user_id(user_id.as_str())?;
        let target = self.store.profile_row(&other).await.map_err(internal)?.ok_or(AppError::NotFound)?;
        if other == me {
            return Ok(ProfileView {
                person: views::person(&target.person),
                bio: target.bio.clone(),
                presence: self.presence(me, true, target.last_seen_at).await,
                contact: ContactState::None,
                can_message: false,
                direct_chat: None,
                is_self: true,
            });
        }
        let relation = self.store.relation(me, &other).await.map_err(internal)?;
        let declined = relation.direct.as_ref().is_some_and(|(_, state)| *state == MemberState::Declined);
        Ok(ProfileView {
            person: views::person(&target.person),
            bio: target.bio.clone(),
            presence: self.presence(&other, presence_visible(&target, &relation), target.last_seen_at).await,
            contact: super::contacts::contact_state(me, &relation),
            can_message: !relation.i_blocked && !relation.they_blocked && !declined,
            direct_chat: relation.direct.as_ref().filter(|(_, state)| *state != MemberState::Dismissed).map(|(id, _)| id.clone()),
            is_self: false,
        })
    }

    pub async fn my_settings(&self, me: &UserId) -> R<MySettings> {
        let row = self.store.profile_row(me.as_str()).await.map_err(internal)?.ok_or(AppError::Unauthenticated)?;
        Ok(MySettings {
            display_name: row.person.display_name,
            bio: row.bio,
            who_can_message: row.who_can_message,
            last_seen: row.last_seen_visibility,
        })
    }

    /// Display name 1–64 characters, bio at most 300.
    pub async fn save_settings(&self, me: &UserId, settings: MySettings) -> R<MySettings> {
        let display_name = validate::display_name(&settings.display_name)?;
        let bio = validate::bio(&settings.bio)?;
        self.store.save_profile(me.as_str(), &display_name, &bio, settings.who_can_message, settings.last_seen).await.map_err(internal)?;
        self.my_settings(me).await
    }

    /// Stored user ids who may see the caller online: direct-chat peers and contacts (contacts
    /// only under "contacts", no one under "nobody"), minus blocks either way.
    pub async fn presence_audience(&self, me: &UserId) -> R<Vec<UserId>> {
        Ok(self.audience_of(me.as_str()).await?.into_iter().map(UserId::from).collect())
    }

    /// `presence_audience` in the store's form, for publishing.
    pub(super) async fn audience_of(&self, me: &str) -> R<Vec<String>> {
        let row = self.store.profile_row(me).await.map_err(internal)?.ok_or(AppError::Unauthenticated)?;
        match row.last_seen_visibility {
            LastSeenVisibility::Nobody => Ok(Vec::new()),
            visibility => self.store.presence_audience(me, visibility == LastSeenVisibility::Contacts).await.map_err(internal),
        }
    }

    /// Records when the caller was last online (only ever later).
    pub async fn set_last_seen(&self, me: &UserId, at: i64) -> R<()> {
        self.store.set_last_seen(me.as_str(), at).await.map_err(internal)
    }
}

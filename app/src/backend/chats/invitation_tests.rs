//! Group invitations and the presence a group shows: a stranger cannot put someone who takes
//! messages from contacts only into a group, and a member list shows no one online who hides it.
use super::tests::{World, code, world};
use super::*;
use crate::chats::types::*;
use crate::realtime::protocol::ServerFrame;
use crate::backend::hub::DeviceLink;
use crate::ids::{ChatId, UserId};

fn frames(device: &mut DeviceLink) -> Vec<ServerFrame> {
    let mut out = Vec::new();
    while let Ok(p) = device.events.try_recv() {
        out.push(serde_json::from_str(p.text()).unwrap());
    }
    out
}

/// Ada (contacts only) and Bob, a stranger to her, who owns a private group.
async fn ada_and_a_strangers_group(w: &World) -> (UserId, UserId, ChatId) {
    let ada = w.person("Ada", 1).await;
    let bob = w.person("Bob", 2).await;
    w.set_privacy(&ada, WhoCanMessage::Contacts, LastSeenVisibility::Everyone).await;
    let group = w.chats.create_group(&bob, "Bob's private club", "", false).await.unwrap();
    (ada, bob, group)
}

#[tokio::test]
async fn a_stranger_adding_a_contacts_only_person_only_invites_them() {
    let w = world().await;
    let (ada, bob, group) = ada_and_a_strangers_group(&w).await;
    let mut adas_phone = w.hub.attach(ada.as_str());
    assert_eq!(w.chats.add_member(&bob, &group, &ada).await.unwrap(), AddOutcome::Invited);
    let secret = w.send(&bob, &group, "before Ada answers").await;

    // Not a member: nothing to read, send or count, and no message reaches her.
    assert_eq!(w.chats.open_chat(&ada, &group, None).await.unwrap_err(), AppError::NotFound);
    assert_eq!(w.chats.history(&ada, &group, 99).await.unwrap_err(), AppError::NotFound);
    assert_eq!(w.chats.send_message(&ada, &group, &"c1".into(), "hi", None).await.unwrap_err(), AppError::NotFound);
    let seen_by_bob = w.chats.open_chat(&bob, &group, None).await.unwrap();
    assert_eq!((seen_by_bob.members.len(), seen_by_bob.group.unwrap().member_count), (1, 1));
    let live = frames(&mut adas_phone);
    assert!(!live.iter().any(|f| matches!(f, ServerFrame::Message { .. })), "{live:?}");

    // The invitation itself arrived live, and waits in her list with who sent it.
    let bob_shown = crate::accounts::validate::display_user_id(bob.as_str());
    let is_invitation = |c: &ChatSummary| {
        c.id == group && c.request == RequestState::Invited && c.invited_by.as_ref().is_some_and(|p| p.user_id == bob_shown)
    };
    assert!(live.iter().any(|f| matches!(f, ServerFrame::ChatUpdated { chat } if is_invitation(chat))), "{live:?}");
    let list = w.chats.list_chats(&ada).await.unwrap();
    assert_eq!(list.len(), 1);
    assert!(is_invitation(&list[0]) && list[0].last_message.is_none() && list[0].title == "Bob's private club");

    // Accepting makes her a member, announced like an add, with the group's history.
    w.chats.answer_group_invitation(&ada, &group, true).await.unwrap();
    let opened = w.chats.open_chat(&ada, &group, None).await.unwrap();
    assert_eq!(opened.request, RequestState::None);
    assert!(opened.messages.iter().any(|m| m.id == secret.id));
    assert!(matches!(&opened.messages.last().unwrap().system, Some(SystemEvent::Added { by, .. }) if by.user_id == bob_shown));
    assert_eq!(w.chats.list_chats(&ada).await.unwrap()[0].request, RequestState::None);
    assert_eq!(w.chats.answer_group_invitation(&ada, &group, true).await.unwrap_err(), AppError::NotFound, "answered once");
}

#[tokio::test]
async fn a_pending_invitee_cannot_read_the_groups_history() {
    let w = world().await;
    let (ada, bob, group) = ada_and_a_strangers_group(&w).await;
    w.send(&bob, &group, "zebracorn plans").await;
    w.chats.add_member(&bob, &group, &ada).await.unwrap();
    assert_eq!(w.chats.open_chat(&ada, &group, None).await.unwrap_err(), AppError::NotFound);
    assert_eq!(w.chats.messages_after(&ada, &group, 0, 50).await.unwrap_err(), AppError::NotFound);
    assert!(w.chats.search(&ada, "zebracorn").await.unwrap().messages.is_empty());
    assert!(w.chats.my_chats_last_seq(&ada).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_declined_invitation_cannot_be_sent_again_and_again() {
    let w = world().await;
    let (ada, bob, group) = ada_and_a_strangers_group(&w).await;
    w.chats.add_member(&bob, &group, &ada).await.unwrap();
    assert_eq!(w.chats.add_member(&bob, &group, &ada).await.unwrap(), AddOutcome::Invited, "one invitation, however often");
    assert_eq!(w.chats.list_chats(&ada).await.unwrap().len(), 1);
    let mut adas_phone = w.hub.attach(ada.as_str());
    w.chats.answer_group_invitation(&ada, &group, false).await.unwrap();
    assert!(frames(&mut adas_phone).contains(&ServerFrame::ChatRemoved { chat_id: group.to_string() }));
    assert!(w.chats.list_chats(&ada).await.unwrap().is_empty());
    for _ in 0..3 {
        assert_eq!(code(w.chats.add_member(&bob, &group, &ada).await.unwrap_err()), "invitation_declined");
    }
    assert!(w.chats.list_chats(&ada).await.unwrap().is_empty());
    assert!(frames(&mut adas_phone).is_empty(), "nothing reaches her");

    // New groups to invite her from run out too.
    for n in 0..MAX_PENDING_FROM_ONE_INVITER {
        let another = w.chats.create_group(&bob, &format!("Club {n}"), "", false).await.unwrap();
        assert_eq!(w.chats.add_member(&bob, &another, &ada).await.unwrap(), AddOutcome::Invited);
    }
    let one_more = w.chats.create_group(&bob, "One more", "", false).await.unwrap();
    assert_eq!(code(w.chats.add_member(&bob, &one_more, &ada).await.unwrap_err()), "too_many_invitations");
    assert_eq!(w.chats.list_chats(&ada).await.unwrap().len(), MAX_PENDING_FROM_ONE_INVITER as usize);
}

#[tokio::test]
async fn removing_the_inviter_or_deleting_the_group_withdraws_the_invitation() {
    let w = world().await;
    let (ada, bob, group) = ada_and_a_strangers_group(&w).await;
    let cy = w.person("Cy", 3).await;
    w.chats.add_member(&bob, &group, &cy).await.unwrap();
    w.chats.set_role(&bob, &group, &cy, Role::Admin).await.unwrap();
    assert_eq!(w.chats.add_member(&cy, &group, &ada).await.unwrap(), AddOutcome::Invited);
    let mut adas_phone = w.hub.attach(ada.as_str());
    w.chats.remove_member(&bob, &group, &cy).await.unwrap();
    assert!(frames(&mut adas_phone).contains(&ServerFrame::ChatRemoved { chat_id: group.to_string() }));
    assert!(w.chats.list_chats(&ada).await.unwrap().is_empty());
    assert_eq!(w.chats.answer_group_invitation(&ada, &group, true).await.unwrap_err(), AppError::NotFound);

    w.chats.add_member(&bob, &group, &ada).await.unwrap();
    w.chats.delete_group(&bob, &group).await.unwrap();
    assert!(frames(&mut adas_phone).contains(&ServerFrame::ChatRemoved { chat_id: group.to_string() }));
    assert!(w.chats.list_chats(&ada).await.unwrap().is_empty());
    assert_eq!(w.chats.answer_group_invitation(&ada, &group, true).await.unwrap_err(), AppError::NotFound);
}

#[tokio::test]
async fn a_blocked_person_cannot_be_added_or_invited_either_way() {
    let w = world().await;
    let (ada, bob, group) = ada_and_a_strangers_group(&w).await;
    let cy = w.person("Cy", 3).await;
    w.chats.set_blocked(&ada, &bob, true).await.unwrap();
    assert_eq!(code(w.chats.add_member(&bob, &group, &ada).await.unwrap_err()), "cannot_add");
    w.chats.set_blocked(&bob, &cy, true).await.unwrap();
    assert_eq!(code(w.chats.add_member(&bob, &group, &cy).await.unwrap_err()), "blocked");
    assert!(w.chats.list_chats(&ada).await.unwrap().is_empty());
    assert!(w.chats.list_chats(&cy).await.unwrap().is_empty());
    assert_eq!(w.chats.open_chat(&bob, &group, None).await.unwrap().members.len(), 1);

    // A block after the invitation hides it and stops it being accepted.
    w.chats.set_blocked(&ada, &bob, false).await.unwrap();
    w.chats.add_member(&bob, &group, &ada).await.unwrap();
    w.chats.set_blocked(&bob, &ada, true).await.unwrap();
    assert!(w.chats.list_chats(&ada).await.unwrap().is_empty());
    assert_eq!(w.chats.answer_group_invitation(&ada, &group, true).await.unwrap_err(), AppError::NotFound);
}

#[tokio::test]
async fn contacts_and_people_open_to_everyone_are_still_added_at_once() {
    let w = world().await;
    let (ada, bob, group) = ada_and_a_strangers_group(&w).await;
    let cy = w.person("Cy", 3).await;
    assert_eq!(w.chats.add_member(&bob, &group, &cy).await.unwrap(), AddOutcome::Added, "Cy takes messages from everyone");
    w.chats.invite_contact(&bob, &ada).await.unwrap();
    w.chats.answer_invitation(&ada, &bob, true).await.unwrap();
    assert_eq!(w.chats.add_member(&bob, &group, &ada).await.unwrap(), AddOutcome::Added, "Bob is Ada's contact now");
    assert_eq!(w.chats.open_chat(&ada, &group, None).await.unwrap().group.unwrap().member_count, 3);
}

#[tokio::test]
async fn group_member_lists_show_online_only_to_whom_last_seen_allows() {
    let w = world().await;
    let ada = w.person("Ada", 1).await;
    let bob = w.person("Bob", 2).await;
    let group = w.chats.create_group(&bob, "Open club", "", true).await.unwrap();
    w.chats.add_member(&bob, &group, &ada).await.unwrap();
    let _adas_phone = w.hub.attach(ada.as_str());
    let _bobs_phone = w.hub.attach(bob.as_str());
    let ada_online_for = |who: UserId| {
        let (w, group, ada) = (&w, group.clone(), ada.clone());
        async move {
            let shown = crate::accounts::validate::display_user_id(ada.as_str());
            w.chats.open_chat(&who, &group, None).await.unwrap().members.iter().find(|m| m.person.user_id == shown).unwrap().online
        }
    };
    assert!(ada_online_for(bob.clone()).await, "last seen: everyone");
    assert!(ada_online_for(ada.clone()).await, "she sees herself");
    w.set_privacy(&ada, WhoCanMessage::Everyone, LastSeenVisibility::Nobody).await;
    assert!(!ada_online_for(bob.clone()).await, "last seen: nobody");
    w.set_privacy(&ada, WhoCanMessage::Everyone, LastSeenVisibility::Contacts).await;
    assert!(!ada_online_for(bob.clone()).await, "last seen: contacts, and Bob is not one");
    w.chats.invite_contact(&bob, &ada).await.unwrap();
    w.chats.answer_invitation(&ada, &bob, true).await.unwrap();
    assert!(ada_online_for(bob.clone()).await, "contacts see it");
    w.set_privacy(&ada, WhoCanMessage::Everyone, LastSeenVisibility::Everyone).await;
    w.chats.set_blocked(&ada, &bob, true).await.unwrap();
    assert!(!ada_online_for(bob.clone()).await, "blocked");
}

#[tokio::test]
async fn live_presence_never_reaches_a_group_member_the_rules_leave_out() {
    let w = world().await;
    let ada = w.person("Ada", 1).await;
    let bob = w.person("Bob", 2).await;
    let group = w.chats.create_group(&bob, "Open club", "", true).await.unwrap();
    w.chats.add_member(&bob, &group, &ada).await.unwrap();
    w.send(&ada, &group, "hello all").await;
    for seen in [LastSeenVisibility::Contacts, LastSeenVisibility::Nobody] {
        w.set_privacy(&ada, WhoCanMessage::Everyone, seen).await;
        assert!(!w.chats.presence_audience(&ada).await.unwrap().contains(&bob), "{seen:?}");
    }
    w.set_privacy(&ada, WhoCanMessage::Everyone, LastSeenVisibility::Everyone).await;
    let (dm, _) = w.chats.start_direct(&bob, &ada).await.unwrap();
    w.send(&bob, &dm, "hi Ada").await;
    assert!(w.chats.presence_audience(&ada).await.unwrap().contains(&bob), "a chat peer hears of her");
    w.chats.set_blocked(&ada, &bob, true).await.unwrap();
    assert!(!w.chats.presence_audience(&ada).await.unwrap().contains(&bob), "until she blocks him");
}

//! Direct chats, message requests, contacts, blocking, presence and finding people.
use super::tests::{code, id_of, world};
use super::*;
use crate::chats::types::*;

#[tokio::test]
async fn one_direct_chat_per_pair_whoever_starts_it_and_however_the_id_is_typed() {
    let w = world().await;
    let a = w.person("Ada", 1).await;
    let b = w.person("Bob", 2).await;
    let typed = crate::accounts::validate::display_user_id(b.as_str()).to_lowercase();
    let (one, created) = w.chats.start_direct(&a, &typed.into()).await.unwrap();
    assert!(created);
    let (two, created) = w.chats.start_direct(&b, &a).await.unwrap();
    assert_eq!((two, created), (one, false));
    assert_eq!(code(w.chats.start_direct(&a, &a).await.unwrap_err()), "invalid_user_id");
    assert_eq!(w.chats.start_direct(&a, &"ZZZZ-ZZZZ".into()).await.unwrap_err(), AppError::NotFound);
}

#[tokio::test]
async fn contacts_only_turns_a_first_message_into_a_request() {
    let w = world().await;
    let a = w.person("Ada", 1).await;
    let b = w.person("Bob", 2).await;
    w.set_privacy(&b, WhoCanMessage::Contacts, LastSeenVisibility::Everyone).await;
    let (chat, _) = w.chats.start_direct(&a, &b).await.unwrap();
    w.send(&a, &chat, "hi, we met at the conference").await;
    assert_eq!(w.chats.list_chats(&a).await.unwrap()[0].request, RequestState::Outgoing);
    assert_eq!(w.chats.list_chats(&b).await.unwrap()[0].request, RequestState::Incoming);
    assert_eq!(code(w.chats.answer_request(&a, &chat, true).await.unwrap_err()), "no_request");
    w.chats.answer_request(&b, &chat, false).await.unwrap();
    assert!(w.chats.list_chats(&b).await.unwrap().is_empty(), "declined: gone for Bob");
    assert_eq!(w.chats.list_chats(&a).await.unwrap()[0].request, RequestState::Declined);
    assert_eq!(code(w.chats.send_message(&a, &chat, &"c9".into(), "please?", None).await.unwrap_err()), "request_declined");
    assert!(!w.chats.profile(&a, &b).await.unwrap().can_message);

    // Contacts write straight into a normal chat; accepting a request makes it one too.
    let c = w.person("Cy", 3).await;
    w.chats.invite_contact(&c, &b).await.unwrap();
    w.chats.answer_invitation(&b, &c, true).await.unwrap();
    let (cb, _) = w.chats.start_direct(&c, &b).await.unwrap();
    w.send(&c, &cb, "hello friend").await;
    assert_eq!(w.chats.open_chat(&b, &cb, None).await.unwrap().request, RequestState::None);
    let d = w.person("Dee", 4).await;
    let (db, _) = w.chats.start_direct(&d, &b).await.unwrap();
    w.send(&d, &db, "hello").await;
    w.chats.answer_request(&b, &db, true).await.unwrap();
    assert_eq!(w.chats.open_chat(&d, &db, None).await.unwrap().request, RequestState::None);
}

#[tokio::test]
async fn blocking_stops_messages_both_ways_and_the_blocked_only_sees_cant_message() {
    let w = world().await;
    let a = w.person("Ada", 1).await;
    let b = w.person("Bob", 2).await;
    let (chat, _) = w.chats.start_direct(&a, &b).await.unwrap();
    let m = w.send(&b, &chat, "hi").await;
    assert_eq!(w.chats.set_blocked(&a, &b, true).await.unwrap(), ContactState::Blocked);
    assert_eq!(code(w.chats.send_message(&b, &chat, &"c2".into(), "hello?", None).await.unwrap_err()), "cannot_message");
    assert_eq!(code(w.chats.send_message(&a, &chat, &"c3".into(), "x", None).await.unwrap_err()), "blocked");
    assert_eq!(code(w.chats.toggle_reaction(&b, &id_of(&m), "👍").await.unwrap_err()), "cannot_message");
    assert_eq!(w.chats.profile(&b, &a).await.unwrap().presence, Presence::Hidden);
    assert!(!w.chats.profile(&b, &a).await.unwrap().can_message);
    assert_eq!(w.chats.profile(&b, &a).await.unwrap().contact, ContactState::None, "no sign of the block");
    assert_eq!(code(w.chats.invite_contact(&b, &a).await.unwrap_err()), "cannot_invite");
    assert!(w.chats.presence_audience(&a).await.unwrap().is_empty());
    assert!(w.chats.presence_audience(&b).await.unwrap().is_empty());
    let c = w.person("Cy", 3).await;
    w.chats.start_direct(&c, &a).await.unwrap();
    w.chats.set_blocked(&a, &c, true).await.unwrap();
    let c_to_a = w.chats.start_direct(&c, &a).await;
    assert!(c_to_a.is_ok(), "the chat existed before the block");
    w.chats.set_blocked(&a, &b, false).await.unwrap();
    w.send(&b, &chat, "hello again").await;
}

#[tokio::test]
async fn contacts_invitations_and_the_badge() {
    let w = world().await;
    let a = w.person("Ada", 1).await;
    let b = w.person("Bob", 2).await;
    assert_eq!(w.chats.invite_contact(&a, &b).await.unwrap(), ContactState::InvitationSent);
    assert_eq!(w.chats.unseen_invitations(&b).await.unwrap(), 1);
    assert_eq!(w.chats.unseen_invitations(&a).await.unwrap(), 0);
    let list = w.chats.list_contacts(&b).await.unwrap();
    assert_eq!(list[0].state, ContactState::InvitationReceived);
    w.chats.mark_invitations_seen(&b).await.unwrap();
    assert_eq!(w.chats.unseen_invitations(&b).await.unwrap(), 0);
    assert_eq!(w.chats.answer_invitation(&a, &b, true).await.unwrap_err(), AppError::NotFound, "only the invitee answers");
    assert_eq!(w.chats.answer_invitation(&b, &a, true).await.unwrap(), ContactState::Contact);
    assert_eq!(w.chats.list_contacts(&a).await.unwrap()[0].state, ContactState::Contact);
    assert_eq!(w.chats.remove_contact(&a, &b).await.unwrap(), ContactState::None);
    assert!(w.chats.list_contacts(&b).await.unwrap().is_empty());
    // Inviting someone who invited you makes you contacts at once.
    w.chats.invite_contact(&b, &a).await.unwrap();
    assert_eq!(w.chats.invite_contact(&a, &b).await.unwrap(), ContactState::Contact);
}

#[tokio::test]
async fn presence_follows_last_seen_privacy() {
    let w = world().await;
    let a = w.person("Ada", 1).await;
    let b = w.person("Bob", 2).await;
    w.chats.set_last_seen(&b, 1_000).await.unwrap();
    assert_eq!(w.chats.profile(&a, &b).await.unwrap().presence, Presence::LastSeen { at: 1_000 });
    let _device = w.hub.attach(b.as_str());
    assert_eq!(w.chats.profile(&a, &b).await.unwrap().presence, Presence::Online);
    w.set_privacy(&b, WhoCanMessage::Everyone, LastSeenVisibility::Contacts).await;
    assert_eq!(w.chats.profile(&a, &b).await.unwrap().presence, Presence::Hidden);
    w.chats.invite_contact(&a, &b).await.unwrap();
    w.chats.answer_invitation(&b, &a, true).await.unwrap();
    assert_eq!(w.chats.profile(&a, &b).await.unwrap().presence, Presence::Online);
    assert_eq!(w.chats.presence_audience(&b).await.unwrap(), vec![a.clone()]);
    w.set_privacy(&b, WhoCanMessage::Everyone, LastSeenVisibility::Nobody).await;
    assert_eq!(w.chats.profile(&a, &b).await.unwrap().presence, Presence::Hidden);
    assert!(w.chats.presence_audience(&b).await.unwrap().is_empty());
}

#[tokio::test]
async fn people_search_by_prefix_id_and_whole_phone_numbers_only() {
    let w = world().await;
    let a = w.person("Ada", 1).await;
    let b = w.person("Bobby", 2).await;
    w.person("Bob_ross", 3).await;
    let names = |r: SearchResults| r.people.into_iter().map(|p| p.username).collect::<Vec<_>>();
    assert_eq!(names(w.chats.search(&a, "bob").await.unwrap()), vec!["bob_ross", "bobby"]);
    assert_eq!(names(w.chats.search(&a, "@BOBB").await.unwrap()), vec!["bobby"]);
    assert_eq!(names(w.chats.search(&a, "bob%").await.unwrap()), Vec::<String>::new(), "no wildcards");
    assert_eq!(names(w.chats.search(&a, "+49 151 00000002").await.unwrap()), vec!["bobby"]);
    assert_eq!(names(w.chats.search(&a, "015100000002").await.unwrap()), vec!["bobby"], "national form in DE");
    assert!(names(w.chats.search(&a, "+4915100000").await.unwrap()).is_empty(), "partial numbers list no one");
    assert!(names(w.chats.search(&a, "00000002").await.unwrap()).is_empty());
    let id = crate::accounts::validate::display_user_id(b.as_str());
    assert_eq!(names(w.chats.search(&a, &id.to_lowercase().replace('-', "")).await.unwrap()), vec!["bobby"]);
}

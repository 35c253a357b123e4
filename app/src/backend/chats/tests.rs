//! Service tests against a real database with the real migrations (a scratch database of the
//! kind `CONFAB_TEST_STORE` names): every rule, and who is refused what. This file holds the
//! test world and the message rules; people, groups, access and invitations have their own files.
use std::sync::Arc;

use super::*;
use crate::chats::types::*;
use crate::ids::{ChatId, MessageId, UserId};
use crate::realtime::protocol::ServerFrame;
use crate::backend::{
    clock::Clock,
    hub::Hub,
    store::{Store, accounts::UserRow, scratch::ScratchDatabase, states::MemberState},
};

pub(super) struct World {
    pub(super) chats: ChatsService,
    pub(super) hub: Hub,
    pub(super) store: Arc<dyn Store>,
    // Dropped last: removes the database once nothing uses it.
    _database: ScratchDatabase,
}

pub(super) async fn world_with(max_group_members: u32) -> World {
    let database = ScratchDatabase::new().await;
    let store = database.open().await.unwrap();
    let hub = Hub::local();
    let config = ChatsConfig { max_group_members, default_region: "DE".into() };
    let chats = ChatsService::new(store.clone(), hub.clone(), config);
    World { chats, hub, store, _database: database }
}

pub(super) async fn world() -> World {
    world_with(1024).await
}

impl World {
    /// The same world with the service on `clock` (a test moves time instead of editing rows).
    pub(super) fn on_clock(self, clock: Arc<dyn Clock>) -> Self {
        Self { chats: self.chats.with_clock(clock), ..self }
    }

    /// The same world, taking attachments kept by `media`.
    pub(super) fn with_media(self, media: Arc<crate::backend::media::MediaService>) -> Self {
        Self { chats: self.chats.with_media(media), ..self }
    }

    /// A person named `name` with phone +49151000000NN; returns their stored id.
    pub(super) async fn person(&self, name: &str, n: u64) -> UserId {
        let id = crate::accounts::validate::user_id_from_bits(0x10_0000 + n);
        let row = UserRow {
            id: id.clone(),
            username: name.to_lowercase(),
            display_name: name.into(),
            phone: Some(format!("+4915100000{n:03}")),
            email: None,
            password_hash: None,
            created_at: 0,
        };
        self.store.user_insert(&row).await.unwrap();
        id.into()
    }

    pub(super) async fn send(&self, me: &UserId, chat: &ChatId, body: &str) -> MessageView {
        self.chats.send_message(me, chat, &new_id().into(), body, None).await.unwrap().0
    }

    pub(super) async fn set_privacy(&self, me: &UserId, who: WhoCanMessage, seen: LastSeenVisibility) {
        let mut s = self.chats.my_settings(me).await.unwrap();
        s.who_can_message = who;
        s.last_seen = seen;
        self.chats.save_settings(me, s).await.unwrap();
    }
}

/// A message's id as the service takes it.
pub(super) fn id_of(m: &MessageView) -> MessageId {
    MessageId::from(m.id.as_str())
}

pub(super) fn code(e: AppError) -> String {
    e.code().to_owned()
}

#[tokio::test]
async fn sequences_have_no_gaps_under_twenty_concurrent_senders() {
    let w = Arc::new(world().await);
    let a = w.person("Ada", 1).await;
    let b = w.person("Bob", 2).await;
    let (chat, created) = w.chats.start_direct(&a, &b).await.unwrap();
    assert!(created);
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let (w, chat, who) = (w.clone(), chat.clone(), if i % 2 == 0 { a.clone() } else { b.clone() });
            tokio::spawn(async move { w.chats.send_message(&who, &chat, &format!("c{i}").into(), &format!("m{i}"), None).await.unwrap().0.seq })
        })
        .collect();
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.push(t.await.unwrap());
    }
    seqs.sort();
    assert_eq!(seqs, (1..=20).collect::<Vec<i64>>());
}

#[tokio::test]
async fn the_same_client_id_twice_is_one_message() {
    let w = world().await;
    let a = w.person("Ada", 1).await;
    let b = w.person("Bob", 2).await;
    let (chat, _) = w.chats.start_direct(&a, &b).await.unwrap();
    let (first, new) = w.chats.send_message(&a, &chat, &"abc-1".into(), "hello", None).await.unwrap();
    assert!(new);
    let (again, new) = w.chats.send_message(&a, &chat, &"abc-1".into(), "hello", None).await.unwrap();
    assert!(!new);
    assert_eq!(first.id, again.id);
    assert_eq!(first.client_id.as_deref(), Some("abc-1"));
    let next = w.send(&a, &chat, "next").await;
    assert_eq!(next.seq, 2, "the duplicate took no sequence number");
    // The same client id from someone else is their own message.
    let (theirs, new) = w.chats.send_message(&b, &chat, &"abc-1".into(), "hi", None).await.unwrap();
    assert!(new);
    assert_ne!(theirs.id, first.id);
}

#[tokio::test]
async fn bodies_are_checked_and_kept_raw() {
    let w = world().await;
    let a = w.person("Ada", 1).await;
    let b = w.person("Bob", 2).await;
    let (chat, _) = w.chats.start_direct(&a, &b).await.unwrap();
    let e = w.chats.send_message(&a, &chat, &"c1".into(), &"x".repeat(4097), None).await.unwrap_err();
    assert_eq!(code(e), "message_too_long");
    assert_eq!(code(w.chats.send_message(&a, &chat, &"c2".into(), "  ", None).await.unwrap_err()), "message_empty");
    assert_eq!(code(w.chats.send_message(&a, &chat, &"bad id".into(), "x", None).await.unwrap_err()), "invalid_client_id");
    let m = w.send(&a, &chat, " <script>alert(1)</script> ").await;
    assert_eq!(m.body, "<script>alert(1)</script>");
}

#[tokio::test]
async fn replies_edits_deletes_and_reactions() {
    let w = world().await;
    let a = w.person("Ada", 1).await;
    let b = w.person("Bob", 2).await;
    let (chat, _) = w.chats.start_direct(&a, &b).await.unwrap();
    let first = w.send(&a, &chat, "first").await;
    let (reply, _) = w.chats.send_message(&b, &chat, &"r1".into(), "answer", Some(&id_of(&first))).await.unwrap();
    let preview = reply.reply_to.unwrap();
    assert_eq!((preview.id.as_str(), preview.excerpt.as_str(), preview.sender.display_name.as_str()), (first.id.as_str(), "first", "Ada"));

    // A reply to a message of another chat is refused.
    let c = w.person("Cy", 3).await;
    let (other, _) = w.chats.start_direct(&a, &c).await.unwrap();
    let elsewhere = w.send(&a, &other, "elsewhere").await;
    assert_eq!(code(w.chats.send_message(&b, &chat, &"r2".into(), "x", Some(&id_of(&elsewhere))).await.unwrap_err()), "invalid_reply_to");

    assert_eq!(w.chats.edit_message(&b, &id_of(&first), "hacked").await.unwrap_err(), AppError::Forbidden);
    let edited = w.chats.edit_message(&a, &id_of(&first), "first, edited").await.unwrap();
    assert!(edited.edited_at.is_some());
    assert_eq!(edited.body, "first, edited");

    let r = w.chats.toggle_reaction(&b, &id_of(&first), "👍").await.unwrap();
    assert_eq!((r[0].count, r[0].mine, r[0].by.clone()), (1, true, vec!["Bob".to_owned()]));
    let r = w.chats.toggle_reaction(&a, &id_of(&first), "👍").await.unwrap();
    assert_eq!((r[0].count, r[0].mine), (2, true));
    let r = w.chats.toggle_reaction(&a, &id_of(&first), "👍").await.unwrap();
    assert_eq!((r[0].count, r[0].mine), (1, false), "toggled off");
    assert_eq!(code(w.chats.toggle_reaction(&a, &id_of(&first), "lol").await.unwrap_err()), "invalid_emoji");

    let gone = w.chats.delete_message(&a, &id_of(&first)).await.unwrap();
    assert!(gone.deleted);
    assert!(gone.body.is_empty());
    assert!(gone.reactions.is_empty());
    let page = w.chats.open_chat(&b, &chat, None).await.unwrap();
    assert!(page.messages[1].reply_to.as_ref().unwrap().deleted);
    assert_eq!(code(w.chats.edit_message(&a, &id_of(&first), "again").await.unwrap_err()), "message_deleted");
}

#[tokio::test]
async fn full_text_search_follows_edits_and_deletes_and_stays_in_my_chats() {
    let w = world().await;
    let a = w.person("Ada", 1).await;
    let b = w.person("Bob", 2).await;
    let c = w.person("Cy", 3).await;
    let (ab, _) = w.chats.start_direct(&a, &b).await.unwrap();
    let (bc, _) = w.chats.start_direct(&b, &c).await.unwrap();
    let m = w.send(&a, &ab, "the quick brown fox").await;
    w.send(&b, &bc, "a secret fox between Bob and Cy").await;

    let hits = w.chats.search(&a, "fox").await.unwrap().messages;
    assert_eq!(hits.len(), 1, "only chats Ada is in");
    assert_eq!(hits[0].snippet, "the quick brown \u{1}fox\u{2}");
    assert_eq!(hits[0].chat_title, "Bob");
    let newer = w.send(&b, &ab, "brown bread").await;
    let hits = w.chats.search(&a, "brown").await.unwrap().messages;
    assert_eq!(hits.iter().map(|h| h.message_id.as_str()).collect::<Vec<_>>(), vec![newer.id.as_str(), m.id.as_str()], "newest first");

    w.chats.edit_message(&a, &id_of(&m), "the lazy dog").await.unwrap();
    assert!(w.chats.search(&a, "fox").await.unwrap().messages.is_empty(), "old text is gone");
    assert_eq!(w.chats.search(&a, "laz").await.unwrap().messages.len(), 1, "prefix of the new text");
    w.chats.delete_message(&a, &id_of(&m)).await.unwrap();
    assert!(w.chats.search(&a, "dog").await.unwrap().messages.is_empty(), "deleted text is gone");

    // Query syntax typed by a person is only ever words.
    for weird in ["\"", "fox OR", "NEAR(a b)", "*", "a:b", "-fox", "(", "fox\" OR \"x", "fo\0x", "\0", "a\u{7}b"] {
        w.chats.search(&b, weird).await.unwrap();
    }
    assert_eq!(w.chats.search(&b, "fox OR").await.unwrap().messages.len(), 0, "OR is a word here");
}

#[tokio::test]
async fn a_hyphenated_word_is_found_by_its_start_on_every_store() {
    let w = world().await;
    let a = w.person("Ada", 1).await;
    let b = w.person("Bob", 2).await;
    let (ab, _) = w.chats.start_direct(&a, &b).await.unwrap();
    w.send(&a, &ab, "a well-known place").await;
    for typed in ["well-known", "well-kn", "well-known pla"] {
        assert_eq!(w.chats.search(&b, typed).await.unwrap().messages.len(), 1, "{typed:?}");
    }
    assert!(w.chats.search(&b, "ell-kn").await.unwrap().messages.is_empty(), "parts match from their start");
}

#[tokio::test]
async fn history_pages_by_sequence_and_opens_around_a_hit() {
    let w = world().await;
    let a = w.person("Ada", 1).await;
    let b = w.person("Bob", 2).await;
    let (chat, _) = w.chats.start_direct(&a, &b).await.unwrap();
    for i in 1..=120 {
        w.send(&a, &chat, &format!("m{i}")).await;
    }
    let open = w.chats.open_chat(&b, &chat, None).await.unwrap();
    assert_eq!(open.messages.len(), 50);
    assert_eq!((open.messages[0].seq, open.messages[49].seq), (71, 120));
    assert_eq!(open.next_before, Some(71));
    let older = w.chats.history(&b, &chat, 71).await.unwrap();
    assert_eq!((older.messages[0].seq, older.messages[49].seq, older.next_before), (21, 70, Some(21)));
    let oldest = w.chats.history(&b, &chat, 21).await.unwrap();
    assert_eq!((oldest.messages.len(), oldest.next_before), (20, None));
    let around = w.chats.open_chat(&b, &chat, Some(10)).await.unwrap();
    assert_eq!(around.messages[0].seq, 1);
    assert!(around.messages.iter().any(|m| m.seq == 10));
    let after = w.chats.messages_after(&b, &chat, 115, 100).await.unwrap();
    assert_eq!(after.iter().map(|m| m.seq).collect::<Vec<_>>(), vec![116, 117, 118, 119, 120]);
}

#[tokio::test]
async fn the_chat_list_is_by_activity_with_unread_counts_and_previews() {
    let w = world().await;
    let a = w.person("Ada", 1).await;
    let b = w.person("Bob", 2).await;
    let c = w.person("Cy", 3).await;
    let (ab, _) = w.chats.start_direct(&a, &b).await.unwrap();
    let (ac, _) = w.chats.start_direct(&a, &c).await.unwrap();
    assert!(w.chats.list_chats(&b).await.unwrap().is_empty(), "an empty chat shows only to who started it");
    w.send(&b, &ab, "one").await;
    w.send(&b, &ab, "two").await;
    // Activity is in seconds and ties go by the latest id, which carries milliseconds: all of
    // this happens within a second or two, a millisecond apart.
    let tick = || tokio::time::sleep(std::time::Duration::from_millis(2));
    tick().await;
    w.send(&c, &ac, "hey").await;
    tick().await;
    let group = w.chats.create_group(&a, "Climbers", "", false).await.unwrap();
    w.chats.add_member(&a, &group, &b).await.unwrap();
    let list = w.chats.list_chats(&a).await.unwrap();
    let ids: Vec<_> = list.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids.len(), 3);
    assert_eq!(ids, [group.as_str(), ac.as_str(), ab.as_str()], "newest activity first");
    let row_ab = list.iter().find(|s| s.id == ab).unwrap();
    assert_eq!((row_ab.unread, row_ab.title.as_str()), (2, "Bob"));
    let last = row_ab.last_message.as_ref().unwrap();
    assert_eq!((last.excerpt.as_str(), last.sender_is_me, last.sender.clone()), ("two", false, None));
    let row_group = &list[0];
    assert_eq!(row_group.last_message.as_ref().unwrap().excerpt, "Ada added Bob");
    assert_eq!(row_group.unread, 0, "system messages are not unread");

    w.chats.mark_read(&a, &ab, 1).await.unwrap();
    assert_eq!(w.chats.list_chats(&a).await.unwrap().iter().find(|s| s.id == ab).unwrap().unread, 1);
    w.chats.mark_read(&a, &ab, 0).await.unwrap();
    assert_eq!(w.chats.list_chats(&a).await.unwrap().iter().find(|s| s.id == ab).unwrap().unread, 1, "never goes back");
    tick().await;
    w.send(&a, &ab, "reply").await;
    let top = &w.chats.list_chats(&a).await.unwrap()[0];
    assert_eq!((top.id.as_str(), top.unread), (ab.as_str(), 0), "on top, and sending reads the chat");

    // Pages: the cursor is the last row's (updated_at, activity key), one page after another
    // in the list's order.
    let first = w.chats.list_chats_page(&a, None, 2).await.unwrap();
    let last = first.last().unwrap();
    let rest = w.chats.list_chats_page(&a, Some((last.updated_at, last.activity_key())), 2).await.unwrap();
    let paged: Vec<_> = first.iter().chain(&rest).map(|s| s.id.as_str()).collect();
    assert_eq!(paged, [ab.as_str(), group.as_str(), ac.as_str()]);
}

#[tokio::test]
async fn every_stored_change_reaches_the_members_devices() {
    let w = world().await;
    let a = w.person("Ada", 1).await;
    let b = w.person("Bob", 2).await;
    let c = w.person("Cy", 3).await;
    let mut bob = w.hub.attach(b.as_str());
    let mut cy = w.hub.attach(c.as_str());
    let (chat, _) = w.chats.start_direct(&a, &b).await.unwrap();
    let m = w.chats.send_message(&a, &chat, &"cid-1".into(), "hi", None).await.unwrap().0;
    let mut frames = Vec::new();
    while let Ok(p) = bob.events.try_recv() {
        frames.push(serde_json::from_str::<ServerFrame>(p.text()).unwrap());
    }
    assert!(matches!(&frames[0], ServerFrame::Message { message } if message.id == m.id && message.client_id.is_none()));
    assert!(frames.iter().any(|f| matches!(f, ServerFrame::ChatUpdated { chat: s } if s.id == chat && s.unread == 1)));
    w.chats.toggle_reaction(&a, &id_of(&m), "🎉").await.unwrap();
    w.chats.edit_message(&a, &id_of(&m), "hi!").await.unwrap();
    w.chats.mark_read(&b, &chat, 1).await.unwrap();
    let mut kinds = Vec::new();
    while let Ok(p) = bob.events.try_recv() {
        kinds.push(match serde_json::from_str::<ServerFrame>(p.text()).unwrap() {
            ServerFrame::Reactions { reactions, .. } => format!("reactions:{}", reactions[0].mine),
            ServerFrame::MessageUpdated { message } => format!("updated:{}", message.body),
            ServerFrame::Read { seq, .. } => format!("read:{seq}"),
            other => format!("{other:?}"),
        });
    }
    assert_eq!(kinds, vec!["reactions:false", "updated:hi!", "read:1"]);
    assert!(cy.events.try_recv().is_err(), "outsiders hear nothing");
}

#[tokio::test]
async fn settings_are_checked_and_delivery_marks_only_rise() {
    let w = world().await;
    let a = w.person("Ada", 1).await;
    let b = w.person("Bob", 2).await;
    let mut s = w.chats.my_settings(&a).await.unwrap();
    s.display_name = "   ".into();
    assert_eq!(code(w.chats.save_settings(&a, s.clone()).await.unwrap_err()), "invalid_display_name");
    s.display_name = "x".repeat(65);
    assert_eq!(code(w.chats.save_settings(&a, s.clone()).await.unwrap_err()), "invalid_display_name");
    s.display_name = " Ada L. ".into();
    s.bio = "b".repeat(301);
    assert_eq!(code(w.chats.save_settings(&a, s.clone()).await.unwrap_err()), "invalid_bio");
    s.bio = "Counting engines".into();
    let saved = w.chats.save_settings(&a, s).await.unwrap();
    assert_eq!((saved.display_name.as_str(), saved.bio.as_str()), ("Ada L.", "Counting engines"));
    assert_eq!(w.chats.profile(&b, &a).await.unwrap().bio, "Counting engines");

    let (chat, _) = w.chats.start_direct(&a, &b).await.unwrap();
    w.send(&a, &chat, "one").await;
    w.send(&a, &chat, "two").await;
    assert_eq!(w.chats.my_chats_last_seq(&b).await.unwrap(), std::collections::HashMap::from([(chat.clone(), 2)]));
    let mut ada = w.hub.attach(a.as_str());
    w.chats.mark_delivered(&b, &chat, 2).await.unwrap();
    w.chats.mark_delivered(&b, &chat, 1).await.unwrap();
    let frame: ServerFrame = serde_json::from_str(ada.events.try_recv().unwrap().text()).unwrap();
    let shown = crate::accounts::validate::display_user_id(b.as_str());
    assert_eq!(frame, ServerFrame::Delivered { chat_id: chat.to_string(), user_id: shown, seq: 2 });
    assert!(ada.events.try_recv().is_err(), "a lower mark is not news");
    let members = w.chats.member_ids(&b, &chat).await.unwrap();
    assert_eq!(members.len(), 2);
    assert_eq!(w.chats.open_chat(&a, &chat, None).await.unwrap().peer_read_seq, 0);
    w.chats.mark_read(&b, &chat, 2).await.unwrap();
    assert_eq!(w.chats.open_chat(&a, &chat, None).await.unwrap().peer_read_seq, 2);

    // In a group the mark is stored but not broadcast: that would be members² frames a message.
    let group = w.chats.create_group(&a, "Pair", "", false).await.unwrap();
    w.chats.add_member(&a, &group, &b).await.unwrap();
    let sent = w.send(&a, &group, "hi both").await;
    while ada.events.try_recv().is_ok() {}
    w.chats.mark_delivered(&b, &group, sent.seq).await.unwrap();
    assert!(ada.events.try_recv().is_err(), "no delivered frame in a group");
    let bob = w.store.members(group.as_str(), &[MemberState::Active]).await.unwrap().into_iter().find(|m| m.person.id == b).unwrap();
    assert_eq!(bob.last_delivered_seq, sent.seq);
}

#[test]
fn a_chat_gone_before_its_write_is_not_found_and_a_stopped_writer_is_a_server_error() {
    assert_eq!(internal(StoreError::NoSuchChat("c".into())), AppError::NotFound);
    assert_eq!(internal(StoreError::WriterStopped), AppError::Internal);
    assert_eq!(internal(StoreError::Busy), AppError::RateLimited { retry_after_secs: 1 });
}

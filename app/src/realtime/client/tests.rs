use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::chats::types::{MessageView, Presence};

fn message(chat: &str, seq: i64, sender: &str, client_id: Option<&str>) -> MessageView {
    MessageView { client_id: client_id.map(Into::into), ..MessageView::sample(chat, seq, sender, "hi") }
}

fn with_realtime(test: impl FnOnce(Realtime)) {
    let owner = Owner::new();
    owner.with(|| test(provide_realtime()));
}

fn pending(rt: Realtime, client_id: &str) {
    rt.outbox.update(|o| {
        o.push(PendingSend {
            client_id: client_id.into(),
            chat_id: "c".into(),
            body: "hi".into(),
            reply_to: None,
            acked: false,
            failed: None,
        })
    });
}

#[test]
fn a_pending_send_is_acked_then_leaves_the_outbox_on_its_stored_copy_and_fails_on_an_error() {
    with_realtime(|rt| {
        for id in ["a", "b", "c"] {
            pending(rt, id);
        }
        rt.receive(ServerFrame::Ack { client_id: "a".into(), chat_id: "c".into(), id: "m1".into(), seq: 1, created_at: 0 });
        let acked: Vec<bool> = rt.outbox.get_untracked().iter().map(|p| p.acked).collect();
        assert_eq!(acked, vec![true, false, false]);
        rt.receive(ServerFrame::Message { message: message("c", 1, "ME", Some("a")) });
        rt.receive(ServerFrame::Message { message: message("c", 2, "ME", Some("b")) });
        rt.receive(ServerFrame::Error { code: "not_found".into(), message: "Not found".into(), client_id: Some("c".into()) });
        let outbox = rt.outbox.get_untracked();
        assert_eq!(outbox.len(), 1);
        assert_eq!((outbox[0].client_id.as_str(), outbox[0].failed.as_deref()), ("c", Some("Not found")));
        rt.retry("c");
        assert_eq!(rt.outbox.get_untracked()[0].failed, None, "pending again, waiting for the socket");
    });
}

#[test]
fn a_send_shows_at_once_and_waits_after_its_ack_for_its_stored_copy_without_going_out_again() {
    with_realtime(|rt| {
        rt.send("c", "hi", None);
        rt.send("other", "elsewhere", None);
        let sent = rt.pending_in("c");
        assert_eq!((sent.len(), sent[0].body.as_str(), sent[0].acked), (1, "hi", false));
        let id = sent[0].client_id.clone();
        rt.receive(ServerFrame::Ack { client_id: id.clone(), chat_id: "c".into(), id: "m1".into(), seq: 1, created_at: 0 });
        assert!(rt.pending_in("c")[0].acked, "still shown until the stored copy arrives, and not resent on reconnect");
        rt.receive(ServerFrame::Message { message: message("c", 1, "ME", Some(&id)) });
        assert!(rt.pending_in("c").is_empty());
        rt.receive(ServerFrame::ChatRemoved { chat_id: "other".into() });
        assert!(rt.outbox.get_untracked().is_empty(), "a removed chat takes its sends with it");
    });
}

#[test]
fn cursors_follow_the_highest_sequence_seen_and_go_into_hello() {
    with_realtime(|rt| {
        rt.track("c", 5);
        rt.receive(ServerFrame::Message { message: message("c", 7, "X", None) });
        rt.track("c", 6);
        rt.receive(ServerFrame::ChatRemoved { chat_id: "gone".into() });
        let ClientFrame::Hello { cursors, .. } = rt.hello() else { panic!() };
        assert_eq!(cursors, vec![Cursor { chat_id: "c".into(), seq: 7 }]);
    });
}

#[test]
fn hello_says_how_old_the_copy_is_the_oldest_page_data_then_the_last_sync() {
    with_realtime(|rt| {
        let since = |rt: Realtime| match rt.hello() {
            ClientFrame::Hello { since, .. } => since,
            _ => panic!(),
        };
        assert_eq!(since(rt), None, "nothing loaded yet");
        rt.loaded_at(5_000);
        rt.loaded_at(7_000);
        assert_eq!(since(rt), Some(5_000), "the oldest data decides");
        rt.receive(ServerFrame::Synced { at: 9_000 });
        assert_eq!(since(rt), Some(9_000));
    });
}

#[test]
fn receipts_only_rise_and_groups_count_who_has_seen() {
    with_realtime(|rt| {
        rt.receive(ServerFrame::Read { chat_id: "g".into(), user_id: "A".into(), seq: 9 });
        rt.receive(ServerFrame::Read { chat_id: "g".into(), user_id: "A".into(), seq: 4 });
        rt.receive(ServerFrame::Read { chat_id: "g".into(), user_id: "B".into(), seq: 3 });
        rt.receive(ServerFrame::Delivered { chat_id: "g".into(), user_id: "B".into(), seq: 8 });
        assert_eq!(rt.read_by("g", "A"), 9);
        assert_eq!(rt.delivered_to("g", "B"), 8);
        assert_eq!(rt.seen_by("g", "ME", 3), 2);
        assert_eq!(rt.seen_by("g", "ME", 5), 1);
    });
}

#[test]
fn typing_shows_until_that_person_sends_and_subscribers_hear_every_frame() {
    with_realtime(|rt| {
        let heard = Arc::new(AtomicUsize::new(0));
        let counter = heard.clone();
        rt.subscribe(move |_| {
            counter.fetch_add(1, Ordering::Relaxed);
        });
        rt.receive(ServerFrame::Typing { chat_id: "c".into(), user_id: "A".into(), display_name: "Ada".into() });
        rt.receive(ServerFrame::Typing { chat_id: "c".into(), user_id: "A".into(), display_name: "Ada".into() });
        assert_eq!(rt.typists("c"), vec!["Ada".to_string()]);
        rt.receive(ServerFrame::Message { message: message("c", 1, "A", None) });
        assert!(rt.typists("c").is_empty());
        rt.receive(ServerFrame::Presence { user_id: "A".into(), presence: Presence::Online });
        assert_eq!(rt.presence.get_untracked().get("A"), Some(&Presence::Online));
        assert_eq!(heard.load(Ordering::Relaxed), 4);
    });
}

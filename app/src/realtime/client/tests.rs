use std::cell::RefCell;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;
use crate::chats::types::{MessageView, Presence};
use crate::media::types::{AttachmentKind, AttachmentView};

thread_local! {
    /// The frames this thread's realtime clients sent (the socket is not there in tests).
    pub(super) static SENT: RefCell<Vec<ClientFrame>> = const { RefCell::new(Vec::new()) };
}

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
            attachments: Vec::new(),
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

fn sends() -> Vec<(String, Vec<String>)> {
    SENT.with(|s| {
        s.borrow()
            .iter()
            .filter_map(|f| match f {
                ClientFrame::Send { client_id, attachments, .. } => Some((client_id.clone(), attachments.clone())),
                _ => None,
            })
            .collect()
    })
}

fn uploading(key: &str, chat: &str) -> LocalAttachment {
    LocalAttachment {
        key: key.into(),
        chat_id: chat.into(),
        name: format!("{key}.jpg"),
        kind: AttachmentKind::Picture,
        size: 1000,
        preview_url: None,
        duration_ms: None,
        state: UploadState::Uploading { sent: 0, total: 1000 },
    }
}

fn stored(id: &str) -> UploadState {
    UploadState::Stored(AttachmentView {
        id: id.into(),
        kind: AttachmentKind::File,
        name: format!("{id}.jpg"),
        mime: "application/x-msdownload".into(),
        size: 1000,
        width: None,
        height: None,
        duration_ms: None,
        placeholder: None,
        url: AttachmentView::content_url(id),
        thumb_url: None,
    })
}

fn failed(message: &str, transient: bool) -> UploadState {
    UploadState::Failed { message: message.into(), transient }
}

fn online(rt: Realtime) {
    SENT.with(|s| s.borrow_mut().clear());
    rt.connection.set(Connection::Online);
}

#[test]
fn a_message_with_attachments_goes_out_once_all_are_stored_and_only_once() {
    with_realtime(|rt| {
        online(rt);
        rt.add_draft(uploading("k1", "c"));
        rt.add_draft(uploading("k2", "c"));
        rt.add_draft(uploading("k3", "elsewhere"));
        rt.upload_changed("k1", UploadState::Uploading { sent: 400, total: 1000 });
        assert_eq!(rt.drafts_in("c")[0].progress(), Some(0.4));
        rt.upload_changed("k1", stored("a1"));
        rt.send_drafts("c", "", None);
        assert_eq!(rt.drafts_in("c"), vec![], "the send took the chat's picked files");
        assert_eq!(rt.drafts_in("elsewhere").len(), 1, "another chat's draft stays");
        assert_eq!(sends(), vec![], "k2 is still uploading");
        let pending = rt.pending_in("c");
        assert_eq!((pending.len(), pending[0].body.as_str()), (1, ""), "shown at once, without a caption");
        rt.upload_changed("k2", UploadState::Uploading { sent: 1000, total: 1000 });
        assert_eq!(sends(), vec![]);
        rt.upload_changed("k2", stored("a2"));
        let id = pending[0].client_id.clone();
        assert_eq!(sends(), vec![(id.clone(), vec!["a1".to_string(), "a2".to_string()])]);
        // A late event for an attachment already stored sends nothing more.
        rt.upload_changed("k2", stored("a2"));
        rt.upload_changed("k1", UploadState::Uploading { sent: 10, total: 1000 });
        assert_eq!(sends().len(), 1);
        assert_eq!(rt.pending_in("c")[0].attachments[0].stored().map(|v| v.id.as_str()), Some("a1"));
        // A reconnect before the ack sends it again with the same client id and the same ids.
        rt.receive(ServerFrame::Synced { at: 1 });
        assert_eq!(sends(), vec![(id.clone(), vec!["a1".into(), "a2".into()]); 2]);
        rt.receive(ServerFrame::Message { message: message("c", 1, "ME", Some(&id)) });
        assert!(rt.pending_in("c").is_empty());
    });
}

#[test]
fn a_failed_upload_makes_the_send_wait_and_retry_uploads_it_again_then_sends() {
    with_realtime(|rt| {
        online(rt);
        rt.add_draft(uploading("k1", "c"));
        rt.send_drafts("c", "the beach", None);
        rt.upload_changed("k1", failed("The upload was cut off", true));
        // A progress event arriving after the failure does not hide it.
        rt.upload_changed("k1", UploadState::Uploading { sent: 900, total: 1000 });
        let p = &rt.pending_in("c")[0];
        assert_eq!(p.upload_failure().as_deref(), Some("k1.jpg — The upload was cut off"));
        assert_eq!(sends(), vec![]);
        rt.retry(&p.client_id);
        assert_eq!(rt.pending_in("c")[0].attachments[0].progress(), Some(0.0), "uploading again from the kept bytes");
        assert_eq!(sends(), vec![]);
        rt.upload_changed("k1", stored("a1"));
        assert_eq!(sends(), vec![(p.client_id.clone(), vec!["a1".to_string()])]);
    });
}

#[test]
fn offline_a_stored_send_waits_for_the_socket_and_cut_off_uploads_start_again_on_reconnect() {
    with_realtime(|rt| {
        SENT.with(|s| s.borrow_mut().clear());
        rt.add_draft(uploading("k1", "c"));
        rt.add_draft(uploading("k2", "c"));
        rt.send_drafts("c", "", None);
        rt.upload_changed("k1", stored("a1"));
        rt.upload_changed("k2", failed("The upload was cut off", true));
        rt.receive(ServerFrame::Synced { at: 1 });
        assert_eq!(rt.pending_in("c")[0].attachments[1].progress(), Some(0.0), "restarted by the reconnect");
        assert_eq!(sends(), vec![]);
        rt.upload_changed("k2", stored("a2"));
        assert_eq!(sends().len(), 1);
    });
}

#[test]
fn a_refused_file_stays_refused_until_retried_and_removing_a_draft_forgets_it() {
    with_realtime(|rt| {
        rt.add_draft(uploading("big", "c"));
        rt.add_draft(uploading("ok", "c"));
        rt.add_draft(uploading("offline", "c"));
        rt.upload_changed("big", failed("Files can be at most 5 MB", false));
        rt.upload_changed("offline", failed("The upload was cut off", true));
        rt.receive(ServerFrame::Synced { at: 1 });
        assert_eq!(rt.drafts_in("c")[0].failure(), Some("Files can be at most 5 MB"), "not retried by itself");
        assert_eq!(rt.drafts_in("c")[2].progress(), Some(0.0), "cut off by the network: uploading again after the reconnect");
        rt.retry_upload("big");
        assert_eq!(rt.drafts_in("c")[0].progress(), Some(0.0));
        rt.remove_draft("big");
        assert_eq!(rt.drafts_in("c").iter().map(|a| a.key.as_str()).collect::<Vec<_>>(), ["ok", "offline"]);
        rt.upload_changed("big", stored("late"));
        assert_eq!(rt.drafts_in("c").len(), 2, "an event for a removed file changes nothing");
    });
}

#[test]
fn the_kind_shown_is_the_servers_once_stored() {
    let mut a = uploading("k", "c");
    assert_eq!(a.shown_kind(), AttachmentKind::Picture, "a .jpg looks like a picture at first");
    a.state = stored("exe");
    assert_eq!(a.shown_kind(), AttachmentKind::File, "the bytes were a program");
    assert_eq!(uploads::guess_kind("image/heic"), AttachmentKind::File);
    assert_eq!(uploads::voice_file_name("audio/mp4", 42), "voice-42.m4a");
    assert_eq!(uploads::voice_file_name("audio/webm;codecs=opus", 42), "voice-42.webm");
    assert_eq!((room_for(8, 5), room_for(0, 3), room_for(12, 1)), (2, 3, 0));
}

//! Attachments through the services, on a real database and blob directory: sending them once,
//! who may fetch them, deleting them with their message, and the sweep of unsent uploads.
use std::sync::Arc;

use bytes::Bytes;

use super::tests::{World, code, id_of, world};
use crate::backend::{
    clock::ManualClock,
    media::{MediaConfig, MediaService, UploadRequest, blobs::LocalBlobStore},
};
use crate::ids::{ChatId, UserId};
use crate::media::types::{AttachmentKind, AttachmentView};

struct Setup {
    w: World,
    media: Arc<MediaService>,
    blobs: std::path::PathBuf,
    _dir: tempfile::TempDir,
}

async fn setup_on(clock: Arc<ManualClock>) -> Setup {
    let dir = tempfile::tempdir().unwrap();
    let blobs = dir.path().join("blobs");
    let w = world().await.on_clock(clock.clone());
    let store = LocalBlobStore::new(&blobs).unwrap();
    let media = MediaService::new(w.store.clone(), Arc::new(store), dir.path().join("uploading"), MediaConfig::default())
        .unwrap()
        .with_clock(clock);
    let media = Arc::new(media);
    Setup { w: w.with_media(media.clone()), media, blobs, _dir: dir }
}

async fn setup() -> Setup {
    setup_on(Arc::new(ManualClock::default())).await
}

fn pdf(text: &str) -> Vec<u8> {
    format!("%PDF-1.7\n%\u{e2}\u{e3}\n{text}\n%%EOF\n").into_bytes()
}

impl Setup {
    async fn upload(&self, me: &UserId, name: &str, bytes: Vec<u8>) -> AttachmentView {
        let request = UploadRequest { name: name.into(), ..UploadRequest::default() };
        let body = futures_util::stream::iter([Ok::<_, std::io::Error>(Bytes::from(bytes))]);
        self.media.upload(me, &request, body).await.unwrap()
    }

    async fn send(&self, me: &UserId, chat: &ChatId, client_id: &str, ids: &[&str]) -> Result<crate::chats::types::MessageView, String> {
        let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
        self.w.chats.send_message_with_attachments(me, chat, &client_id.into(), "", None, &ids).await.map(|(m, _)| m).map_err(code)
    }

    fn blob_files(&self) -> usize {
        walk(&self.blobs)
    }
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir).map_or(0, |entries| {
        entries.flatten().map(|e| if e.path().is_dir() { walk(&e.path()) } else { 1 }).sum()
    })
}

#[tokio::test]
async fn a_file_is_sent_once_and_only_members_fetch_it() {
    let s = setup().await;
    let (ada, bob, eve) = (s.w.person("Ada", 1).await, s.w.person("Bob", 2).await, s.w.person("Eve", 3).await);
    let (chat, _) = s.w.chats.start_direct(&ada, &bob).await.unwrap();
    let file = s.upload(&ada, "C:\\docs\\report.pdf", pdf("q3")).await;
    assert_eq!((file.kind, file.name.as_str(), file.mime.as_str()), (AttachmentKind::File, "report.pdf", "application/pdf"));
    // Before it is sent, only its uploader sees it.
    assert!(s.w.chats.readable_attachment(&ada, &file.id).await.is_ok());
    assert_eq!(code(s.w.chats.readable_attachment(&bob, &file.id).await.unwrap_err()), "not_found");

    let sent = s.send(&ada, &chat, "c1", &[&file.id]).await.unwrap();
    assert_eq!(sent.attachments, vec![file.clone()]);
    assert_eq!(sent.body, "");
    // The same client id again is the same message; another message cannot take it.
    assert_eq!(s.send(&ada, &chat, "c1", &[&file.id]).await.unwrap().id, sent.id);
    assert_eq!(s.send(&ada, &chat, "c2", &[&file.id]).await.unwrap_err(), "attachment_sent");
    // Someone else's upload is no upload of yours, whoever asks.
    assert_eq!(s.send(&bob, &chat, "b1", &[&file.id]).await.unwrap_err(), "attachment_unknown");
    assert_eq!(s.send(&bob, &chat, "b2", &["no-such-id"]).await.unwrap_err(), "attachment_unknown");

    assert_eq!(s.w.chats.readable_attachment(&bob, &file.id).await.unwrap().id, file.id);
    assert_eq!(code(s.w.chats.readable_attachment(&eve, &file.id).await.unwrap_err()), "not_found");
    // History shows it, as does the chat list's preview.
    let opened = s.w.chats.open_chat(&bob, &chat, None).await.unwrap();
    assert_eq!(opened.messages.last().unwrap().attachments, vec![file]);
    let list = s.w.chats.list_chats(&bob).await.unwrap();
    assert_eq!(list[0].last_message.as_ref().unwrap().excerpt, "📄 report.pdf");
}

#[tokio::test]
async fn a_resend_that_names_other_uploads_leaves_them_unsent() {
    let s = setup().await;
    let (ada, bob) = (s.w.person("Ada", 1).await, s.w.person("Bob", 2).await);
    let (chat, _) = s.w.chats.start_direct(&ada, &bob).await.unwrap();
    let first = s.upload(&ada, "a.pdf", pdf("a")).await;
    let second = s.upload(&ada, "b.pdf", pdf("b")).await;
    s.send(&ada, &chat, "c1", &[&first.id]).await.unwrap();
    // A replayed send with the same client id but another upload is the stored message...
    let again = s.send(&ada, &chat, "c1", &[&second.id]).await.unwrap();
    assert_eq!(again.attachments, vec![first]);
    // ...and the other upload was not sent: nobody else can fetch it, and it can still go out.
    assert_eq!(code(s.w.chats.readable_attachment(&bob, &second.id).await.unwrap_err()), "not_found");
    assert_eq!(s.send(&ada, &chat, "c2", &[&second.id]).await.unwrap().attachments, vec![second]);
}

#[tokio::test]
async fn limits_on_a_message_s_attachments() {
    let s = setup().await;
    let (ada, bob) = (s.w.person("Ada", 1).await, s.w.person("Bob", 2).await);
    let (chat, _) = s.w.chats.start_direct(&ada, &bob).await.unwrap();
    let file = s.upload(&ada, "a.pdf", pdf("a")).await;
    let eleven: Vec<&str> = std::iter::repeat_n(file.id.as_str(), 11).collect();
    assert_eq!(s.send(&ada, &chat, "c1", &eleven).await.unwrap_err(), "too_many_attachments");
    assert_eq!(s.send(&ada, &chat, "c2", &[&file.id, &file.id]).await.unwrap_err(), "attachment_repeated");
    assert_eq!(s.send(&ada, &chat, "c3", &[&"x".repeat(65)]).await.unwrap_err(), "attachment_unknown");
    assert_eq!(s.send(&ada, &chat, "c4", &["bad\u{0}id"]).await.unwrap_err(), "attachment_unknown");
    // Without attachments an empty body is still refused.
    assert_eq!(s.send(&ada, &chat, "c5", &[]).await.unwrap_err(), "message_empty");
    // Nothing was tied by the refusals: it still goes out.
    assert!(s.send(&ada, &chat, "c6", &[&file.id]).await.is_ok());
}

#[tokio::test]
async fn deleting_a_message_deletes_its_files_and_their_bytes_when_unused() {
    let s = setup().await;
    let (ada, bob) = (s.w.person("Ada", 1).await, s.w.person("Bob", 2).await);
    let (chat, _) = s.w.chats.start_direct(&ada, &bob).await.unwrap();
    // The same bytes twice: two attachments, one blob.
    let one = s.upload(&ada, "one.pdf", pdf("same")).await;
    let two = s.upload(&ada, "two.pdf", pdf("same")).await;
    assert_eq!(s.blob_files(), 1);
    let first = s.send(&ada, &chat, "c1", &[&one.id]).await.unwrap();
    let second = s.send(&ada, &chat, "c2", &[&two.id]).await.unwrap();

    let tombstone = s.w.chats.delete_message(&ada, &id_of(&first)).await.unwrap();
    assert!(tombstone.attachments.is_empty());
    assert_eq!(code(s.w.chats.readable_attachment(&ada, &one.id).await.unwrap_err()), "not_found");
    assert_eq!(s.blob_files(), 1, "the other message still uses the bytes");
    assert_eq!(s.w.chats.readable_attachment(&bob, &two.id).await.unwrap().id, two.id);

    s.w.chats.delete_message(&ada, &id_of(&second)).await.unwrap();
    assert_eq!(s.blob_files(), 0);
    let history = s.w.chats.open_chat(&bob, &chat, None).await.unwrap();
    assert!(history.messages.iter().all(|m| m.attachments.is_empty() && m.deleted));
}

#[tokio::test]
async fn unsent_uploads_are_removed_after_a_day() {
    let clock = Arc::new(ManualClock::default());
    let s = setup_on(clock.clone()).await;
    let (ada, bob) = (s.w.person("Ada", 1).await, s.w.person("Bob", 2).await);
    let (chat, _) = s.w.chats.start_direct(&ada, &bob).await.unwrap();
    let kept = s.upload(&ada, "kept.pdf", pdf("kept")).await;
    let dropped = s.upload(&ada, "dropped.pdf", pdf("dropped")).await;
    s.send(&ada, &chat, "c1", &[&kept.id]).await.unwrap();
    clock.advance_secs(23 * 3600);
    assert_eq!(s.media.sweep_unsent().await.unwrap(), 0);
    clock.advance_secs(2 * 3600);
    assert_eq!(s.media.sweep_unsent().await.unwrap(), 1);
    assert_eq!(code(s.w.chats.readable_attachment(&ada, &dropped.id).await.unwrap_err()), "not_found");
    assert_eq!(s.w.chats.readable_attachment(&bob, &kept.id).await.unwrap().id, kept.id);
    assert_eq!(s.blob_files(), 1);
}

#[tokio::test]
async fn search_finds_files_by_name_and_pictures_by_caption() {
    let s = setup().await;
    let (ada, bob) = (s.w.person("Ada", 1).await, s.w.person("Bob", 2).await);
    let (chat, _) = s.w.chats.start_direct(&ada, &bob).await.unwrap();
    let file = s.upload(&ada, "quarterly-zebracorn.pdf", pdf("q")).await;
    s.send(&ada, &chat, "c1", &[&file.id]).await.unwrap();
    let hits = s.w.chats.search_messages(&bob, "zebracorn").await.unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    // A caption is the message's text.
    let other = s.upload(&ada, "IMG_0001.pdf", pdf("r")).await;
    let ids = vec![other.id.clone()];
    s.w.chats.send_message_with_attachments(&ada, &chat, &"c2".into(), "sunset over zanzibar", None, &ids).await.unwrap();
    let hits = s.w.chats.search_messages(&bob, "zanzibar").await.unwrap();
    assert_eq!(hits.len(), 1, "{hits:?}");
    assert!(s.w.chats.search_messages(&bob, "img").await.unwrap().len() == 1, "file names are words");
}

#[tokio::test]
async fn a_caption_can_be_edited_away_but_a_text_cannot_be_emptied() {
    let s = setup().await;
    let (ada, bob) = (s.w.person("Ada", 1).await, s.w.person("Bob", 2).await);
    let (chat, _) = s.w.chats.start_direct(&ada, &bob).await.unwrap();
    let file = s.upload(&ada, "menu.pdf", pdf("m")).await;
    let ids = vec![file.id.clone()];
    let (sent, _) = s.w.chats.send_message_with_attachments(&ada, &chat, &"c1".into(), "dinner?", None, &ids).await.unwrap();
    let edited = s.w.chats.edit_message(&ada, &id_of(&sent), "  ").await.unwrap();
    assert_eq!((edited.body.as_str(), edited.attachments.len(), edited.edited_at.is_some()), ("", 1, true));
    // Bob cannot edit Ada's caption away.
    assert_eq!(code(s.w.chats.edit_message(&bob, &id_of(&sent), "").await.unwrap_err()), "forbidden");

    let (text, _) = s.w.chats.send_message(&ada, &chat, &"c2".into(), "hello", None).await.unwrap();
    assert_eq!(code(s.w.chats.edit_message(&ada, &id_of(&text), " ").await.unwrap_err()), "message_empty");
}

//! The group commit under concurrency: sequences, resends, marks and a failing write.
use std::{sync::Arc, time::Duration};

use super::*;
use crate::backend::store::{AccountStore, ChatStore, MessageStore, SqliteStore, Store, accounts::UserRow, states::MemberState};

async fn chat_of_two() -> (Arc<SqliteStore>, String, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&format!("sqlite://{}", dir.path().join("t.db").display())).await.unwrap();
    for (id, name) in [("AAAAAAAA", "ada"), ("BBBBBBBB", "bob")] {
        let row = UserRow { id: id.into(), username: name.into(), display_name: name.into(), phone: None, email: None, password_hash: None, created_at: 0 };
        store.user_insert(&row).await.unwrap();
    }
    let (chat, _) = store.create_direct("c1", "AAAAAAAA", MemberState::Active, "BBBBBBBB", MemberState::Active, 0).await.unwrap();
    (Arc::new(store), chat, "AAAAAAAA".into(), dir)
}

fn message(chat: &str, sender: &str, n: usize) -> NewMessage {
    NewMessage {
        id: format!("m{n}"),
        chat_id: chat.into(),
        sender_id: Some(sender.into()),
        body: format!("hello {n}"),
        client_id: Some(format!("c{n}")),
        ..NewMessage::default()
    }
}

#[tokio::test]
async fn concurrent_sends_share_commits_and_get_every_sequence_once() {
    let (store, chat, ada, _dir) = chat_of_two().await;
    let sends: Vec<_> = (0..200)
        .map(|n| {
            let (store, m) = (store.clone(), message(&chat, &ada, n));
            tokio::spawn(async move { store.send(&m).await })
        })
        .collect();
    let mut seqs = Vec::new();
    for send in sends {
        match send.await.unwrap().unwrap() {
            Sent::New(row) => seqs.push(row.seq),
            Sent::Existing(_) => panic!("every client id was new"),
        }
    }
    seqs.sort();
    assert_eq!(seqs, (1..=200).collect::<Vec<i64>>(), "gap-free, each sequence once");
    assert_eq!(store.conv(&chat).await.unwrap().unwrap().last_seq, 200);

    // A resend, a mark and a new message in flight together.
    let (resend, next) = (message(&chat, &ada, 7), message(&chat, &ada, 200));
    let (a, b, c) = tokio::join!(store.send(&resend), store.mark_delivered(&chat, "BBBBBBBB", 150), store.send(&next));
    match a.unwrap() {
        Sent::Existing(row) => assert_eq!((row.id.as_str(), row.body.as_str()), ("m7", "hello 7")),
        Sent::New(_) => panic!("a resend stores nothing new"),
    }
    assert_eq!(b.unwrap(), 150);
    assert!(matches!(c.unwrap(), Sent::New(row) if row.seq == 201));
}

#[tokio::test]
async fn a_failing_write_fails_alone() {
    let (store, chat, ada, _dir) = chat_of_two().await;
    let mut stranger = message("no-such-chat", &ada, 1);
    stranger.client_id = Some("x".into());
    let fine = message(&chat, &ada, 2);
    let (bad, good) = tokio::join!(store.send(&stranger), store.send(&fine));
    assert!(matches!(bad, Err(StoreError::NoSuchChat(id)) if id == "no-such-chat"), "a message for a chat that does not exist is refused");
    assert!(matches!(good.unwrap(), Sent::New(row) if row.seq == 1));
}

#[tokio::test]
async fn a_batch_answers_with_the_rows_a_read_gives() {
    let (store, chat, ada, _dir) = chat_of_two().await;
    let first = match store.send(&message(&chat, &ada, 1)).await.unwrap() {
        Sent::New(row) => row,
        Sent::Existing(_) => panic!("new client id"),
    };
    // Sent together: a reply to a stored message, one from the other member, and a reply to a
    // message of the same batch.
    let mut reply = message(&chat, &ada, 2);
    reply.reply_to = Some(first.id.clone());
    let from_bob = message(&chat, "BBBBBBBB", 3);
    let mut same_batch = message(&chat, "BBBBBBBB", 4);
    same_batch.reply_to = Some(from_bob.id.clone());
    let (a, b, c) = tokio::join!(store.send(&reply), store.send(&from_bob), store.send(&same_batch));
    for sent in [a, b, c] {
        let Sent::New(row) = sent.unwrap() else { panic!("new client ids") };
        assert_eq!(Some(&row), store.message(&row.id).await.unwrap().as_ref(), "{}", row.id);
    }
    let replied = store.message(&reply.id).await.unwrap().unwrap();
    assert_eq!(replied.reply_to.map(|r| (r.id, r.sender.username)), Some((first.id, "ada".to_owned())));
    assert_eq!(replied.sender.map(|s| s.username).as_deref(), Some("ada"));
}

#[tokio::test]
async fn a_refused_message_leaves_no_gap_and_a_resend_in_the_same_batch_gets_the_first() {
    let (store, chat, ada, _dir) = chat_of_two().await;
    let first = message(&chat, &ada, 1);
    let mut same_id = message(&chat, &ada, 2);
    same_id.id = first.id.clone();
    let resend = message(&chat, &ada, 1);
    let after = message(&chat, &ada, 3);
    let (a, b, c, d) = tokio::join!(store.send(&first), store.send(&same_id), store.send(&resend), store.send(&after));
    let Sent::New(stored) = a.unwrap() else { panic!("a new client id") };
    assert!(b.is_err(), "a second message under a taken id is refused");
    assert!(matches!(c.unwrap(), Sent::Existing(row) if row == stored), "the resend answers with the first");
    assert!(matches!(d.unwrap(), Sent::New(row) if row.seq == stored.seq + 1), "no sequence is lost to the refused one");
    assert_eq!(store.conv(&chat).await.unwrap().unwrap().last_seq, stored.seq + 1);
}

/// Counts the messages the full-text index finds for `word`, after FTS5's check that the index
/// is consistent in itself (a rowid indexed twice fails it).
async fn indexed(store: &SqliteStore, word: &str) -> i64 {
    sqlx::query("INSERT INTO messages_fts (messages_fts) VALUES ('integrity-check')").execute(store.pool()).await.unwrap();
    sqlx::query_scalar("SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?").bind(word).fetch_one(store.pool()).await.unwrap()
}

#[tokio::test]
async fn a_batch_is_indexed_for_search_once_without_system_refused_or_resent_messages() {
    let (store, chat, ada, _dir) = chat_of_two().await;
    let mut system = message(&chat, &ada, 1000);
    (system.sender_id, system.client_id, system.system) = (None, None, Some("member_joined".into()));
    let mut refused = message(&chat, &ada, 1001);
    refused.id = "m3".into();
    let mut sends: Vec<_> = (0..60).map(|n| message(&chat, &ada, n % 50)).collect();
    sends.extend([system, refused]);
    let sends: Vec<_> = sends
        .into_iter()
        .map(|m| {
            let store = store.clone();
            tokio::spawn(async move { store.send(&m).await })
        })
        .collect();
    let mut refusals = 0;
    for send in sends {
        refusals += usize::from(send.await.unwrap().is_err());
    }
    assert_eq!(refusals, 1, "only the second message under a taken id");
    assert_eq!(store.conv(&chat).await.unwrap().unwrap().last_seq, 51, "50 messages and the system one");
    assert_eq!(indexed(&store, "hello").await, 50, "each stored message once, the system one not");

    // One chat's bulk import is indexed by the same statement; edits and deletes keep theirs.
    let imported: Vec<_> = (0..5).map(|n| NewMessage { body: format!("imported {n}"), ..message(&chat, "BBBBBBBB", 2000 + n) }).collect();
    store.send_batch(&imported).await.unwrap();
    assert_eq!(indexed(&store, "imported").await, 5);
    sqlx::query("UPDATE messages SET body = 'changed', deleted = 1 WHERE id IN ('m2000', 'm7')").execute(store.pool()).await.unwrap();
    assert_eq!((indexed(&store, "imported").await, indexed(&store, "hello").await), (4, 49));
}

/// A second writer on `store`'s file with its own brakes, and a connection that can hold the
/// database's write lock, as a long checkpoint or a slow disk would.
fn braked_writer(dir: &tempfile::TempDir, brakes: Brakes) -> (Committer, Connection) {
    let path = dir.path().join("t.db");
    let writer = start_with(&path, "FULL", brakes).unwrap();
    (writer, Connection::open(&path).unwrap())
}

#[tokio::test]
async fn a_flood_past_the_queue_is_refused_at_once_and_nothing_queued_is_lost() {
    let (store, chat, ada, dir) = chat_of_two().await;
    let (writer, blocker) = braked_writer(&dir, Brakes { queue: 4, deadline: Duration::from_secs(30), ..Brakes::default() });
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    let first = tokio::spawn({
        let (writer, m) = (writer.clone(), message(&chat, &ada, 0));
        async move { writer.send(m).await }
    });
    // The writer has taken the first and waits for the lock; four more fill the queue.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let sends: Vec<_> = (1..=10)
        .map(|n| {
            let (writer, m) = (writer.clone(), message(&chat, &ada, n));
            tokio::spawn(async move { writer.send(m).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    blocker.execute_batch("COMMIT").unwrap();
    let mut stored = vec![first.await.unwrap().unwrap()];
    let mut busy = 0;
    for send in sends {
        match send.await.unwrap() {
            Ok(sent) => stored.push(sent),
            Err(StoreError::Busy) => busy += 1,
            Err(e) => panic!("{e}"),
        }
    }
    assert_eq!((stored.len(), busy), (5, 6), "one in the writer, four queued, the rest refused");
    assert_eq!(store.conv(&chat).await.unwrap().unwrap().last_seq, 5, "every accepted send is stored, no refused one");
}

#[tokio::test]
async fn a_send_stuck_behind_the_lock_times_out_and_its_retry_finds_it_stored() {
    let (store, chat, ada, dir) = chat_of_two().await;
    let (writer, blocker) = braked_writer(&dir, Brakes { queue: 16, deadline: Duration::from_millis(300), ..Brakes::default() });
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = std::time::Instant::now();
    let answer = writer.send(message(&chat, &ada, 1)).await;
    assert!(matches!(answer, Err(StoreError::Slow)), "{answer:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "the caller did not wait for the lock's 5 s");
    blocker.execute_batch("COMMIT").unwrap();
    // Not acknowledged, yet committed once the lock went: the client's retry gets that message.
    match writer.send(message(&chat, &ada, 1)).await.unwrap() {
        Sent::Existing(row) => assert_eq!(row.seq, 1),
        Sent::New(_) => panic!("the timed-out send was stored; its retry must find it"),
    }
    assert_eq!(store.conv(&chat).await.unwrap().unwrap().last_seq, 1);
}

#[tokio::test]
async fn a_dead_writer_fails_the_readiness_ping() {
    let (store, _chat, _ada, _dir) = chat_of_two().await;
    store.ping().await.unwrap();
    let crashed = store.writer.submit(Write::Crash).await;
    assert!(matches!(crashed, Err(StoreError::WriterStopped)), "the crash answers nothing");
    assert!(matches!(store.ping().await, Err(StoreError::WriterStopped)), "readiness notices the writer is gone");
}

#[tokio::test]
async fn a_batch_that_cannot_get_the_write_lock_fails_together_without_retrying_each_write() {
    let (store, chat, ada, dir) = chat_of_two().await;
    let (writer, blocker) = braked_writer(&dir, Brakes { lock_wait: Duration::from_millis(300), ..Brakes::default() });
    blocker.execute_batch("BEGIN IMMEDIATE").unwrap();
    let started = std::time::Instant::now();
    let sends: Vec<_> = (0..40)
        .map(|n| {
            let (writer, m) = (writer.clone(), message(&chat, &ada, n));
            tokio::spawn(async move { writer.send(m).await })
        })
        .collect();
    for send in sends {
        let answer = send.await.unwrap();
        assert!(matches!(answer, Err(StoreError::Busy)), "{answer:?}");
    }
    // One wait for the batch (two if the sends were split over two batches), not one per write.
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    blocker.execute_batch("COMMIT").unwrap();
    assert!(matches!(writer.send(message(&chat, &ada, 1)).await.unwrap(), Sent::New(row) if row.seq == 1), "nothing of the refused batch was written");
    assert_eq!(store.conv(&chat).await.unwrap().unwrap().last_seq, 1);
}

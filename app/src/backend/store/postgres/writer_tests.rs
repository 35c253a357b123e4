//! The group commit under concurrency, on PostgreSQL: sequences (also from two servers),
//! resends, a full queue, held row locks, a failing write, and a lost connection.
use std::sync::Arc;

use sqlx::Connection;

use super::*;
use crate::backend::store::{
    ChatStore, MessageStore, PgStore, Store,
    scratch::{ScratchDatabase, TestStoreKind},
    states::MemberState,
};

const ADA: &str = "AAAAAAAA";
const BOB: &str = "BBBBBBBB";

/// Ada and Bob's direct chat `c1`, on a new database.
async fn chat_of_two() -> (Arc<PgStore>, ScratchDatabase) {
    let db = ScratchDatabase::of_kind(TestStoreKind::Postgres).await;
    let store = PgStore::open(&db.url).await.unwrap();
    sqlx::query("INSERT INTO users (id, username, display_name, created_at) VALUES ($1, 'ada', 'ada', 0), ($2, 'bob', 'bob', 0)")
        .bind(ADA)
        .bind(BOB)
        .execute(store.pool())
        .await
        .unwrap();
    store.create_direct("c1", ADA, MemberState::Active, BOB, MemberState::Active, 0).await.unwrap();
    (Arc::new(store), db)
}

fn message(sender: &str, n: usize) -> NewMessage {
    NewMessage {
        id: format!("m{n}"),
        chat_id: "c1".into(),
        sender_id: Some(sender.into()),
        body: format!("hello {n}"),
        client_id: Some(format!("c{n}")),
        ..NewMessage::default()
    }
}

fn new_row(sent: Result<Sent, StoreError>) -> MessageRow {
    match sent.unwrap() {
        Sent::New(row) => row,
        Sent::Existing(row) => panic!("{} was new", row.id),
    }
}

async fn last_seq(store: &PgStore) -> i64 {
    store.conv("c1").await.unwrap().unwrap().last_seq
}

/// A connection of its own holding chat `c1`'s row, as another server's long transaction would.
async fn hold_chat_row(db: &ScratchDatabase) -> sqlx::PgConnection {
    let mut blocker = sqlx::PgConnection::connect(&db.url).await.unwrap();
    sqlx::raw_sql("BEGIN; SELECT 1 FROM conversations WHERE id = 'c1' FOR UPDATE").execute(&mut blocker).await.unwrap();
    blocker
}

fn braked_writer(db: &ScratchDatabase, brakes: Brakes) -> Committer {
    start_with(db.url.parse().unwrap(), brakes).unwrap()
}

#[tokio::test]
async fn concurrent_sends_share_commits_and_get_every_sequence_once() {
    let (store, _db) = chat_of_two().await;
    let sends: Vec<_> = (0..200)
        .map(|n| {
            let (store, m) = (store.clone(), message(ADA, n));
            tokio::spawn(async move { store.send(&m).await })
        })
        .collect();
    let mut seqs = Vec::new();
    for send in sends {
        seqs.push(new_row(send.await.unwrap()).seq);
    }
    seqs.sort();
    assert_eq!(seqs, (1..=200).collect::<Vec<i64>>(), "gap-free, each sequence once");
    assert_eq!(last_seq(&store).await, 200);

    // A resend, a mark and a new message in flight together.
    let (resend, next) = (message(ADA, 7), message(ADA, 200));
    let (a, b, c) = tokio::join!(store.send(&resend), store.mark_delivered("c1", BOB, 150), store.send(&next));
    match a.unwrap() {
        Sent::Existing(row) => assert_eq!((row.id.as_str(), row.body.as_str()), ("m7", "hello 7")),
        Sent::New(_) => panic!("a resend stores nothing new"),
    }
    assert_eq!(b.unwrap(), 150);
    assert_eq!(new_row(c).seq, 201);
    assert_eq!(store.mark_delivered("c1", BOB, 120).await.unwrap(), 0, "a mark that does not rise is not news");
    assert_eq!(store.mark_read("c1", BOB, 10_000).await.unwrap(), 201, "at most to the last message");
}

#[tokio::test]
async fn two_servers_on_one_database_number_one_chat_without_gaps_and_store_a_resend_once() {
    let (first, db) = chat_of_two().await;
    let second = Arc::new(PgStore::open(&db.url).await.unwrap());
    let sends: Vec<_> = (0..200)
        .map(|n| {
            let store = if n % 2 == 0 { first.clone() } else { second.clone() };
            let m = message(if n % 3 == 0 { ADA } else { BOB }, n);
            tokio::spawn(async move { store.send(&m).await })
        })
        .collect();
    let mut seqs = Vec::new();
    for send in sends {
        seqs.push(new_row(send.await.unwrap()).seq);
    }
    seqs.sort();
    assert_eq!(seqs, (1..=200).collect::<Vec<i64>>());

    // The same client id through both servers at once (a client that reconnected elsewhere).
    let resend = message(ADA, 1000);
    let (a, b) = tokio::join!(first.send(&resend), second.send(&resend));
    let (a, b) = (a.unwrap(), b.unwrap());
    let row = |sent: &Sent| match sent {
        Sent::New(row) | Sent::Existing(row) => row.clone(),
    };
    assert_eq!(row(&a), row(&b), "both answer with the one stored message");
    assert_eq!(usize::from(matches!(a, Sent::New(_))) + usize::from(matches!(b, Sent::New(_))), 1, "stored once");
    assert_eq!(last_seq(&first).await, 201);
}

#[tokio::test]
async fn a_failing_write_fails_alone() {
    let (store, _db) = chat_of_two().await;
    let stranger = NewMessage { chat_id: "no-such-chat".into(), ..message(ADA, 1) };
    let fine = message(ADA, 2);
    let (bad, good) = tokio::join!(store.send(&stranger), store.send(&fine));
    assert!(matches!(bad, Err(StoreError::NoSuchChat(id)) if id == "no-such-chat"), "a message for a chat that does not exist is refused");
    assert_eq!(new_row(good).seq, 1);
}

#[tokio::test]
async fn a_batch_the_database_refuses_is_retried_write_by_write() {
    let (store, _db) = chat_of_two().await;
    // A sender who is no user breaks a foreign key: the batch's transaction fails as a whole.
    let ghost = message("GGGGGGGG", 2);
    let (before, after) = (message(ADA, 1), message(BOB, 3));
    let (a, b, c) = tokio::join!(store.send(&before), store.send(&ghost), store.send(&after));
    assert!(matches!(b, Err(StoreError::Database(_))), "{b:?}");
    assert_eq!((new_row(a).seq, new_row(c).seq), (1, 2), "the others are stored, without a gap");
    assert_eq!(last_seq(&store).await, 2);
}

#[tokio::test]
async fn a_batch_answers_with_the_rows_a_read_gives() {
    let (store, _db) = chat_of_two().await;
    let first = new_row(store.send(&message(ADA, 1)).await);
    // Sent together: a reply to a stored message, one from the other member, and a reply to a
    // message of the same batch.
    let reply = NewMessage { reply_to: Some(first.id.clone()), ..message(ADA, 2) };
    let from_bob = message(BOB, 3);
    let same_batch = NewMessage { reply_to: Some(from_bob.id.clone()), ..message(BOB, 4) };
    let (a, b, c) = tokio::join!(store.send(&reply), store.send(&from_bob), store.send(&same_batch));
    for row in [a, b, c].map(new_row) {
        assert_eq!(Some(&row), store.message(&row.id).await.unwrap().as_ref(), "{}", row.id);
    }
    let replied = store.message(&reply.id).await.unwrap().unwrap();
    assert_eq!(replied.reply_to.map(|r| (r.id, r.sender.username)), Some((first.id, "ada".to_owned())));
    let bob = store.membership("c1", BOB).await.unwrap().unwrap().1;
    assert_eq!((bob.last_read_seq, bob.last_delivered_seq), (4, 4), "sending reads the chat up to one's own message");
}

#[tokio::test]
async fn a_refused_message_leaves_no_gap_and_a_resend_in_the_same_batch_gets_the_first() {
    let (store, _db) = chat_of_two().await;
    let first = message(ADA, 1);
    let same_id = NewMessage { id: first.id.clone(), ..message(ADA, 2) };
    let (resend, after) = (message(ADA, 1), message(ADA, 3));
    let (a, b, c, d) = tokio::join!(store.send(&first), store.send(&same_id), store.send(&resend), store.send(&after));
    let stored = new_row(a);
    assert!(b.is_err(), "a second message under a taken id is refused");
    assert!(matches!(c.unwrap(), Sent::Existing(row) if row == stored), "the resend answers with the first");
    assert_eq!(new_row(d).seq, stored.seq + 1, "no sequence is lost to the refused one");
    assert_eq!(last_seq(&store).await, stored.seq + 1);
}

#[tokio::test]
async fn a_flood_past_the_queue_is_refused_at_once_and_nothing_queued_is_lost() {
    let (store, db) = chat_of_two().await;
    let writer = braked_writer(&db, Brakes { queue: 4, deadline: Duration::from_secs(30), ..Brakes::default() });
    let mut blocker = hold_chat_row(&db).await;
    let first = tokio::spawn({
        let writer = writer.clone();
        async move { writer.send(message(ADA, 0)).await }
    });
    // The writer has taken the first and waits for the row; four more fill the queue.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sends: Vec<_> = (1..=10)
        .map(|n| {
            let writer = writer.clone();
            tokio::spawn(async move { writer.send(message(ADA, n)).await })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(200)).await;
    sqlx::raw_sql("COMMIT").execute(&mut blocker).await.unwrap();
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
    assert_eq!(last_seq(&store).await, 5, "every accepted send is stored, no refused one");
}

#[tokio::test]
async fn a_send_stuck_behind_a_row_lock_times_out_and_its_retry_finds_it_stored() {
    let (store, db) = chat_of_two().await;
    let writer = braked_writer(&db, Brakes { queue: 16, deadline: Duration::from_millis(300), ..Brakes::default() });
    let mut blocker = hold_chat_row(&db).await;
    let started = std::time::Instant::now();
    let answer = writer.send(message(ADA, 1)).await;
    assert!(matches!(answer, Err(StoreError::Slow)), "{answer:?}");
    assert!(started.elapsed() < Duration::from_secs(2), "the caller did not wait for the lock's 5 s");
    sqlx::raw_sql("COMMIT").execute(&mut blocker).await.unwrap();
    // Not acknowledged, yet committed once the lock went: the client's retry gets that message.
    match writer.send(message(ADA, 1)).await.unwrap() {
        Sent::Existing(row) => assert_eq!(row.seq, 1),
        Sent::New(_) => panic!("the timed-out send was stored; its retry must find it"),
    }
    assert_eq!(last_seq(&store).await, 1);
}

#[tokio::test]
async fn a_batch_that_cannot_get_a_row_lock_fails_together_without_retrying_each_write() {
    let (store, db) = chat_of_two().await;
    let writer = braked_writer(&db, Brakes { lock_wait: Duration::from_millis(300), ..Brakes::default() });
    let mut blocker = hold_chat_row(&db).await;
    let started = std::time::Instant::now();
    let sends: Vec<_> = (0..40)
        .map(|n| {
            let writer = writer.clone();
            tokio::spawn(async move { writer.send(message(ADA, n)).await })
        })
        .collect();
    for send in sends {
        let answer = send.await.unwrap();
        assert!(matches!(answer, Err(StoreError::Busy)), "{answer:?}");
    }
    // One wait for the batch (two if the sends were split over two batches), not one per write.
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    sqlx::raw_sql("COMMIT").execute(&mut blocker).await.unwrap();
    assert_eq!(new_row(writer.send(message(ADA, 1)).await).seq, 1, "nothing of the refused batch was written");
    assert_eq!(last_seq(&store).await, 1);
}

#[tokio::test]
async fn a_dead_writer_fails_the_readiness_ping() {
    let (store, _db) = chat_of_two().await;
    store.ping().await.unwrap();
    let crashed = store.writer.each()[0].submit(Write::Crash).await;
    assert!(matches!(crashed, Err(StoreError::WriterStopped)), "the crash answers nothing");
    assert!(matches!(store.ping().await, Err(StoreError::WriterStopped)), "readiness notices the writer is gone");
}

#[tokio::test]
async fn the_writer_connects_again_after_its_connection_is_cut() {
    let (store, _db) = chat_of_two().await;
    assert_eq!(new_row(store.send(&message(ADA, 1)).await).seq, 1);
    // What a PostgreSQL restart does to every connection of this database.
    sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()")
        .execute(store.pool())
        .await
        .unwrap();
    let cut = store.send(&message(ADA, 2)).await;
    assert!(matches!(cut, Err(StoreError::Database(_))), "the batch on the cut connection fails: {cut:?}");
    // The client resends with the same client id; the writer has a new connection by then.
    assert_eq!(new_row(store.send(&message(ADA, 2)).await).seq, 2);
    assert_eq!(store.mark_read("c1", BOB, 2).await.unwrap(), 2);
    store.ping().await.unwrap();
}

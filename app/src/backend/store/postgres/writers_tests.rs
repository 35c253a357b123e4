//! Several writers on one database: each chat stays with one writer (its sequence gap-free in
//! send order, a resend answered once), a client id sent in two chats at once through two
//! writers is stored once, a chat held elsewhere stalls only its own writer, and a writer that
//! loses its connection fails only its own batch.
use std::{collections::HashMap, sync::Arc, time::Duration};

use sqlx::{Connection, Row};

use super::*;
use crate::backend::store::{
    ChatStore, MessageStore, PgStore, Store,
    chats::MessageRow,
    group_commit::Write,
    scratch::{ScratchDatabase, TestStoreKind},
    states::MemberState,
};

const ADA: &str = "AAAAAAAA";

/// The `n`th person besides Ada.
fn person(n: usize) -> String {
    format!("P{n:07}")
}

/// `count` chat ids that writer `writer` owns (of `WRITERS`).
fn chats_of(writer: usize, count: usize) -> Vec<String> {
    (0..).map(|n| format!("chat-{n}")).filter(|id| share(id, WRITERS) == writer).take(count).collect()
}

/// A new database with Ada and a direct chat between her and one other person for each of
/// `chats` (the `n`th chat's other member is `person(n)`).
async fn chats_with_ada(chats: &[String]) -> (Arc<PgStore>, ScratchDatabase) {
    let db = ScratchDatabase::of_kind(TestStoreKind::Postgres).await;
    let store = PgStore::open(&db.url).await.unwrap();
    let mut people = vec![ADA.to_owned()];
    people.extend((0..chats.len()).map(person));
    for id in &people {
        sqlx::query("INSERT INTO users (id, username, display_name, created_at) VALUES ($1, $1, $1, 0)")
            .bind(id)
            .execute(store.pool())
            .await
            .unwrap();
    }
    for (n, chat) in chats.iter().enumerate() {
        let (id, created) = store.create_direct(chat, ADA, MemberState::Active, &person(n), MemberState::Active, 0).await.unwrap();
        assert!(created && id == *chat, "{chat}");
    }
    (Arc::new(store), db)
}

fn message(chat: &str, sender: &str, client_id: &str) -> NewMessage {
    NewMessage {
        id: format!("{chat}/{sender}/{client_id}"),
        chat_id: chat.into(),
        sender_id: Some(sender.into()),
        body: format!("{client_id} from {sender}"),
        client_id: Some(client_id.into()),
        ..NewMessage::default()
    }
}

fn row(sent: &Sent) -> &MessageRow {
    match sent {
        Sent::New(row) | Sent::Existing(row) => row,
    }
}

/// The chat's stored sequences, in order.
async fn stored_seqs(store: &PgStore, chat: &str) -> Vec<i64> {
    sqlx::query_scalar("SELECT seq FROM messages WHERE conversation_id = $1 ORDER BY seq")
        .bind(chat)
        .fetch_all(store.pool())
        .await
        .unwrap()
}

/// The writers' connections to this database, by writer.
async fn writer_backends(store: &PgStore) -> HashMap<String, i32> {
    let rows = sqlx::query("SELECT application_name, pid FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'confab message writer %'")
        .fetch_all(store.pool())
        .await
        .unwrap();
    rows.iter().map(|r| (r.get(0), r.get(1))).collect()
}

#[test]
fn a_key_always_goes_to_the_same_writer_and_the_keys_spread() {
    assert_eq!(share("chat-7", 2), share("chat-7", 2));
    assert_eq!(share("anything", 1), 0);
    let on_first = (0..10_000).filter(|n| share(&format!("{n:016x}"), 2) == 0).count();
    assert!((4_500..5_500).contains(&on_first), "{on_first} of 10,000 on the first writer");
    assert!(WRITERS >= 2, "the store spreads its chats");
}

#[tokio::test]
async fn many_chats_sent_to_at_once_are_each_numbered_gap_free_in_send_order_and_acknowledged_once_committed() {
    let chats: Vec<String> = (0..WRITERS).flat_map(|w| chats_of(w, 4)).collect();
    let (store, _db) = chats_with_ada(&chats).await;
    const EACH: usize = 60;
    let mut tasks = Vec::new();
    for (n, chat) in chats.iter().enumerate() {
        for sender in [ADA.to_owned(), person(n)] {
            let (store, chat) = (store.clone(), chat.clone());
            // One sender sends one message after the other, waiting for each answer: its
            // sequences rise in its send order. The other member does the same at the same time.
            tasks.push(tokio::spawn(async move {
                let mut seqs = Vec::new();
                for k in 0..EACH {
                    // Ada writes in every chat: her client ids differ from chat to chat.
                    let m = message(&chat, &sender, &format!("{chat}/{k}"));
                    let sent = store.send(&m).await.unwrap();
                    let Sent::New(stored) = &sent else { panic!("{} was new", m.id) };
                    // Answered only once committed: another connection already reads it.
                    let seen: Option<i64> = sqlx::query_scalar("SELECT seq FROM messages WHERE id = $1")
                        .bind(&m.id)
                        .fetch_optional(store.pool())
                        .await
                        .unwrap();
                    assert_eq!(seen, Some(stored.seq), "{} answered before it was committed", m.id);
                    // A resend of every third, at once: the same message, nothing new.
                    if k % 3 == 0 {
                        assert_eq!(store.send(&m).await.unwrap(), Sent::Existing(stored.clone()));
                    }
                    seqs.push(stored.seq);
                }
                (chat, seqs)
            }));
        }
    }
    let mut answered: HashMap<String, Vec<i64>> = HashMap::new();
    for task in tasks {
        let (chat, seqs) = task.await.unwrap();
        assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{chat}: in send order: {seqs:?}");
        answered.entry(chat).or_default().extend(seqs);
    }
    for chat in &chats {
        let mut seqs = answered.remove(chat).unwrap();
        seqs.sort();
        let every: Vec<i64> = (1..=2 * EACH as i64).collect();
        assert_eq!(seqs, every, "{chat}: every sequence answered once");
        assert_eq!(stored_seqs(&store, chat).await, every, "{chat}: stored gap-free, no resend twice");
        assert_eq!(store.conv(chat).await.unwrap().unwrap().last_seq, 2 * EACH as i64);
    }
    assert_eq!(writer_backends(&store).await.len(), WRITERS, "every writer took a share");
}

#[tokio::test]
async fn one_client_id_sent_in_two_chats_of_two_writers_at_once_is_stored_once() {
    let chats = [chats_of(0, 1), chats_of(1, 1)].concat();
    let (store, _db) = chats_with_ada(&chats).await;
    let (a, b) = (chats[0].as_str(), chats[1].as_str());
    for round in 0..12 {
        // x and y each sent in both chats at once: two writers may each insert one of them
        // and wait for the other's (PostgreSQL then ends one batch, which is done again).
        let (x, y) = (format!("x{round}"), format!("y{round}"));
        let sends = [(a, &x), (a, &y), (b, &y), (b, &x)].map(|(chat, client_id)| {
            let (store, m) = (store.clone(), message(chat, ADA, client_id));
            tokio::spawn(async move { (m.client_id.clone().unwrap(), store.send(&m).await.unwrap()) })
        });
        let mut by_client_id: HashMap<String, Vec<Sent>> = HashMap::new();
        for send in sends {
            let (client_id, sent) = send.await.unwrap();
            by_client_id.entry(client_id).or_default().push(sent);
        }
        for (client_id, answers) in by_client_id {
            let new = answers.iter().filter(|s| matches!(s, Sent::New(_))).count();
            assert_eq!(new, 1, "{client_id}: stored once: {answers:?}");
            assert_eq!(row(&answers[0]), row(&answers[1]), "{client_id}: both answer with the stored message");
        }
    }
    // Every round stored each client id once, in one chat or the other, with no gap in either.
    let (in_a, in_b) = (stored_seqs(&store, a).await, stored_seqs(&store, b).await);
    assert_eq!(in_a.len() + in_b.len(), 24);
    for (chat, seqs) in [(a, in_a), (b, in_b)] {
        assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>(), "{chat}");
        assert_eq!(store.conv(chat).await.unwrap().unwrap().last_seq, seqs.len() as i64, "{chat}");
    }
    let ada_rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE sender_id = $1").bind(ADA).fetch_one(store.pool()).await.unwrap();
    assert_eq!(ada_rows, 24);
}

#[tokio::test]
async fn a_chat_held_elsewhere_stalls_only_its_own_writer_and_is_answered_once_committed() {
    let chats = [chats_of(0, 1), chats_of(1, 1)].concat();
    let (store, db) = chats_with_ada(&chats).await;
    let (held, free) = (chats[0].clone(), chats[1].clone());
    // Another server's long transaction on the first chat's row.
    let mut blocker = sqlx::PgConnection::connect(&db.url).await.unwrap();
    sqlx::query("BEGIN").execute(&mut blocker).await.unwrap();
    sqlx::query("SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE").bind(&held).execute(&mut blocker).await.unwrap();
    let waiting = tokio::spawn({
        let (store, m) = (store.clone(), message(&held, ADA, "w"));
        async move { store.send(&m).await }
    });
    tokio::time::sleep(Duration::from_millis(200)).await;
    // The other writer goes on: sends, marks and last-seen times of its chats are answered.
    for k in 0..5 {
        assert_eq!(row(&store.send(&message(&free, ADA, &format!("f{k}"))).await.unwrap()).seq, k + 1);
    }
    assert_eq!(store.mark_read(&free, &person(1), 5).await.unwrap(), 5);
    assert!(!waiting.is_finished(), "the held chat's send is not answered before it commits");
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM messages WHERE conversation_id = $1").bind(&held).fetch_one(store.pool()).await.unwrap();
    assert_eq!(stored, 0);
    sqlx::query("COMMIT").execute(&mut blocker).await.unwrap();
    assert_eq!(row(&waiting.await.unwrap().unwrap()).seq, 1);
    assert_eq!(stored_seqs(&store, &held).await, [1]);
}

#[tokio::test]
async fn a_writer_that_loses_its_connection_fails_only_its_own_batch() {
    let chats = [chats_of(0, 1), chats_of(1, 1)].concat();
    let (store, _db) = chats_with_ada(&chats).await;
    let (cut, kept) = (chats[0].as_str(), chats[1].as_str());
    for chat in [cut, kept] {
        assert_eq!(row(&store.send(&message(chat, ADA, &format!("{chat}/1"))).await.unwrap()).seq, 1);
    }
    let backends = writer_backends(&store).await;
    sqlx::query("SELECT pg_terminate_backend($1)").bind(backends[&application_name(0)]).execute(store.pool()).await.unwrap();
    let (second_cut, second_kept) = (message(cut, ADA, &format!("{cut}/2")), message(kept, ADA, &format!("{kept}/2")));
    let (lost, fine) = tokio::join!(store.send(&second_cut), store.send(&second_kept));
    assert!(matches!(lost, Err(StoreError::Database(_))), "the cut writer's batch fails: {lost:?}");
    assert_eq!(row(&fine.unwrap()).seq, 2, "the other writer's batch is stored");
    // The client resends; the cut writer has connected again by then.
    assert_eq!(row(&store.send(&second_cut).await.unwrap()).seq, 2);
    assert_eq!(writer_backends(&store).await[&application_name(1)], backends[&application_name(1)], "the other writer kept its connection");
    store.ping().await.unwrap();
}

#[tokio::test]
async fn readiness_needs_every_writer() {
    let last = WRITERS - 1;
    let chats = [chats_of(0, 1), chats_of(last, 1)].concat();
    let (store, _db) = chats_with_ada(&chats).await;
    store.ping().await.unwrap();
    let crashed = store.writer.each()[last].submit(Write::Crash).await;
    assert!(matches!(crashed, Err(StoreError::WriterStopped)));
    assert!(matches!(store.ping().await, Err(StoreError::WriterStopped)), "one writer gone fails readiness");
    // The chats of the writers left are still written; the stopped one's are refused.
    assert_eq!(row(&store.send(&message(&chats[0], ADA, "a")).await.unwrap()).seq, 1);
    assert!(matches!(store.send(&message(&chats[1], ADA, "b")).await, Err(StoreError::WriterStopped)));
}

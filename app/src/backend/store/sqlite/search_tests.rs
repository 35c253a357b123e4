//! What one search costs the database, whatever other people have written.
use rusqlite::{Connection, StatementStatus, params};

use super::*;
use crate::backend::store::{AccountStore, ChatStore, accounts::UserRow, states::MemberState};
use crate::chats::validate::search_words;

/// Ada's chat with Bob, and Bob's chat with Carol, which Ada cannot read.
async fn two_chats() -> (SqliteStore, String, String, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(&format!("sqlite://{}", dir.path().join("t.db").display())).await.unwrap();
    for (id, name) in [("AAAAAAAA", "ada"), ("BBBBBBBB", "bob"), ("CCCCCCCC", "carol")] {
        let row = UserRow { id: id.into(), username: name.into(), display_name: name.into(), phone: None, email: None, password_hash: None, created_at: 0 };
        store.user_insert(&row).await.unwrap();
    }
    let (mine, _) = store.create_direct("c1", "AAAAAAAA", MemberState::Active, "BBBBBBBB", MemberState::Active, 0).await.unwrap();
    let (theirs, _) = store.create_direct("c2", "BBBBBBBB", MemberState::Active, "CCCCCCCC", MemberState::Active, 0).await.unwrap();
    (store, mine, theirs, dir)
}

async fn write(store: &SqliteStore, chat: &str, sender: &str, body: &str, from: usize, count: usize) {
    let messages: Vec<_> = (from..from + count)
        .map(|n| NewMessage { id: format!("{chat}-{n}"), chat_id: chat.into(), sender_id: Some(sender.into()), body: body.into(), ..NewMessage::default() })
        .collect();
    store.send_batch(&messages).await.unwrap();
}

/// Ada's hits for `query`, and the SQLite VM steps the search took.
fn search_as_ada(dir: &tempfile::TempDir, query: &str) -> (usize, i32) {
    let conn = Connection::open(dir.path().join("t.db")).unwrap();
    let mut statement = conn.prepare(&SEARCH_SQL).unwrap();
    let hits = statement.query_map(params!["AAAAAAAA", query, 30, SEARCH_CANDIDATES], |_| Ok(())).unwrap().count();
    (hits, statement.get_status(StatementStatus::VmStep))
}

#[tokio::test]
async fn searching_a_word_common_in_other_peoples_chats_does_bounded_work() {
    let (store, mine, theirs, dir) = two_chats().await;
    write(&store, &mine, "AAAAAAAA", "apple pie tonight", 0, 1).await;
    write(&store, &theirs, "BBBBBBBB", "an apple a day", 0, 12_000).await;
    let (_, steps_at_12k) = search_as_ada(&dir, "\"apple\"");
    write(&store, &theirs, "BBBBBBBB", "an apple a day", 12_000, 28_000).await;
    let (hits, steps_at_40k) = search_as_ada(&dir, "\"apple\"");
    assert_eq!(hits, 0, "Ada's one match is older than the newest {SEARCH_CANDIDATES} on the server");
    assert!(
        f64::from(steps_at_40k) < 1.2 * f64::from(steps_at_12k),
        "more of other people's matches cost more: {steps_at_12k} steps at 12,000, {steps_at_40k} at 40,000"
    );
}

#[tokio::test]
async fn a_search_finds_the_callers_hits_among_other_peoples_with_snippets_newest_first() {
    let (store, mine, theirs, _dir) = two_chats().await;
    write(&store, &mine, "AAAAAAAA", "the granite quarry", 0, 1).await;
    write(&store, &theirs, "BBBBBBBB", "granite everywhere", 0, 500).await;
    write(&store, &mine, "BBBBBBBB", "more granite here", 1, 1).await;
    let hits = store.search_messages("AAAAAAAA", &["granite".to_owned()], 30).await.unwrap();
    let found: Vec<_> = hits.iter().map(|h| (h.chat_id.as_str(), h.snippet.as_str())).collect();
    assert_eq!(found, [(mine.as_str(), "more \u{1}granite\u{2} here"), (mine.as_str(), "the \u{1}granite\u{2} quarry")]);
}

/// What the shared suite holds PostgreSQL to as well (`postgres/search_tests.rs`).
#[tokio::test]
async fn a_hyphenated_word_is_found_whole_and_by_its_start() {
    let (store, mine, _theirs, _dir) = two_chats().await;
    write(&store, &mine, "AAAAAAAA", "a well-known place", 0, 1).await;
    for (typed, found) in [("well-known", 1), ("well-kn", 1), ("well-", 1), ("known place", 1), ("well-known pla", 1), ("ell-kn", 0), ("well-kn place", 0)] {
        let hits = store.search_messages("AAAAAAAA", &search_words(typed), 30).await.unwrap();
        assert_eq!(hits.len(), found, "{typed:?}");
    }
}

fn fts(raw: &str) -> Option<String> {
    fts_query(&search_words(raw))
}

#[test]
fn search_words_are_quoted_so_no_input_is_fts_syntax() {
    assert_eq!(fts("hello world").as_deref(), Some("\"hello\" \"world\"*"));
    assert_eq!(fts("a\"b OR c*").as_deref(), Some("\"a\"\"b\" \"OR\" \"c*\""));
    assert_eq!(fts("OR a\"b").as_deref(), Some("\"OR\" \"a\"\"b\"*"));
    assert_eq!(fts("  ( ) "), None);
    assert_eq!(fts("nul\0end").as_deref(), Some("\"nulend\"*"), "SQLite would end the query at the NUL");
}

#[test]
fn a_one_or_two_letter_search_is_a_whole_word_not_a_prefix_of_every_word() {
    assert_eq!(fts("e").as_deref(), Some("\"e\""));
    assert_eq!(fts("see yo").as_deref(), Some("\"see\" \"yo\""));
    assert_eq!(fts("see you").as_deref(), Some("\"see\" \"you\"*"));
    assert_eq!(fts("ça").as_deref(), Some("\"ça\""), "characters, not bytes");
}

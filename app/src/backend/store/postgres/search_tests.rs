//! Search on PostgreSQL: whose messages it finds, how words match, and the snippets.
use super::*;
use crate::backend::store::{
    ChatStore, PgStore,
    scratch::{ScratchDatabase, TestStoreKind},
    states::MemberState,
};
use crate::chats::validate::search_words;

const ADA: &str = "AAAAAAAA";
const BOB: &str = "BBBBBBBB";

/// Ada's chat with Bob (`c1`), and Bob's chat with Carol (`c2`), which Ada cannot read.
async fn two_chats() -> (PgStore, ScratchDatabase) {
    let db = ScratchDatabase::of_kind(TestStoreKind::Postgres).await;
    let store = PgStore::open(&db.url).await.unwrap();
    sqlx::query(
        "INSERT INTO users (id, username, display_name, created_at)
         VALUES ('AAAAAAAA', 'ada', 'Ada', 0), ('BBBBBBBB', 'bob', 'Bob', 0), ('CCCCCCCC', 'carol', 'Carol', 0)",
    )
    .execute(store.pool())
    .await
    .unwrap();
    store.create_direct("c1", ADA, MemberState::Active, BOB, MemberState::Active, 0).await.unwrap();
    store.create_direct("c2", BOB, MemberState::Active, "CCCCCCCC", MemberState::Active, 0).await.unwrap();
    (store, db)
}

async fn write(store: &PgStore, chat: &str, sender: &str, body: &str, from: usize, count: usize) {
    let messages: Vec<_> = (from..from + count)
        .map(|n| NewMessage { id: format!("{chat}-{n}"), chat_id: chat.into(), sender_id: Some(sender.into()), body: body.into(), ..NewMessage::default() })
        .collect();
    store.send_batch(&messages).await.unwrap();
}

async fn snippets(store: &PgStore, typed: &str) -> Vec<(String, String)> {
    let hits = store.search_messages(ADA, &search_words(typed), 30).await.unwrap();
    hits.into_iter().map(|h| (h.message_id, h.snippet)).collect()
}

#[tokio::test]
async fn a_search_finds_the_callers_hits_among_other_peoples_with_snippets_newest_first() {
    let (store, _db) = two_chats().await;
    write(&store, "c1", ADA, "the granite quarry", 0, 1).await;
    write(&store, "c2", BOB, "granite everywhere", 0, 500).await;
    write(&store, "c1", BOB, "more granite here", 1, 1).await;
    let hits = store.search_messages(ADA, &["granite".to_owned()], 30).await.unwrap();
    let found: Vec<_> = hits.iter().map(|h| (h.chat_id.as_str(), h.snippet.as_str(), h.sender.username.as_str())).collect();
    assert_eq!(found, [("c1", "more \u{1}granite\u{2} here", "bob"), ("c1", "the \u{1}granite\u{2} quarry", "ada")]);
    assert_eq!(hits[0].peer_name.as_deref(), Some("Bob"), "a direct chat is named after the other person");
}

#[tokio::test]
async fn words_match_without_case_or_accents_and_the_last_one_as_typed_so_far() {
    let (store, _db) = two_chats().await;
    write(&store, "c1", ADA, "Un CAFÉ très bon", 0, 1).await;
    write(&store, "c1", ADA, "a well-known place", 1, 1).await;
    assert_eq!(snippets(&store, "cafe tres").await, [("c1-0".to_owned(), "Un \u{1}CAFÉ\u{2} \u{1}très\u{2} bon".to_owned())]);
    assert_eq!(snippets(&store, "caf").await.len(), 1, "the last word from three letters on is a prefix");
    assert!(snippets(&store, "ca").await.is_empty(), "shorter, it is a whole word");
    assert!(snippets(&store, "bon cafe").await.len() == 1, "every word, in any order");
    assert!(snippets(&store, "cafe place").await.is_empty(), "every word in one message");
    assert_eq!(snippets(&store, "well-known").await.len(), 1);
}

/// As on SQLite (`sqlite/search_tests.rs`): the parts of a hyphenated word are a phrase, the
/// last part a prefix, whatever PostgreSQL's parser makes of the compound as typed.
#[tokio::test]
async fn a_hyphenated_word_is_found_whole_and_by_its_start() {
    let (store, _db) = two_chats().await;
    write(&store, "c1", ADA, "a well-known place", 0, 1).await;
    for (typed, found) in [("well-known", 1), ("well-kn", 1), ("well-", 1), ("known place", 1), ("well-known pla", 1), ("ell-kn", 0), ("well-kn place", 0)] {
        assert_eq!(snippets(&store, typed).await.len(), found, "{typed:?}");
    }
}

#[tokio::test]
async fn nothing_typed_is_read_as_query_syntax() {
    let (store, _db) = two_chats().await;
    write(&store, "c1", ADA, "it's a b&c deal", 0, 1).await;
    for typed in ["it's", "b&c", "a' | 'b", "!deal", "deal:*", "<-> (", "'", "\\", "nul\0deal", "deal)"] {
        let found = store.search_messages(ADA, &search_words(typed), 30).await;
        assert!(found.is_ok(), "{typed:?}: {found:?}");
    }
    assert_eq!(snippets(&store, "it's").await.len(), 1);
    assert_eq!(snippets(&store, "b&c").await.len(), 1);
}

#[tokio::test]
async fn a_long_message_is_cut_around_its_hit_with_ellipses() {
    let (store, _db) = two_chats().await;
    let body = format!("{} granite {}", "before ".repeat(40).trim(), "after ".repeat(40).trim());
    write(&store, "c1", ADA, &body, 0, 1).await;
    let (_, snippet) = snippets(&store, "granite").await.remove(0);
    assert!(snippet.starts_with('…') && snippet.ends_with('…'), "{snippet:?}");
    assert!(snippet.contains("\u{1}granite\u{2}") && snippet.split(' ').count() <= 17, "{snippet:?}");
}

#[test]
fn the_query_holds_placeholders_only_and_the_last_word_is_a_prefix_from_three_letters() {
    let words = |raw: &str| SearchTerms::new(&search_words(raw)).unwrap();
    let sql = tsquery_sql(&words("zebra's caf"), 4);
    assert!(!sql.contains("zebra") && sql.contains("$4::TEXT") && sql.contains("$5::TEXT") && sql.contains(":*"), "{sql}");
    assert!(!tsquery_sql(&words("see yo"), 4).contains(":*"));
    assert_eq!(with_ellipses("a b c", "b".into()), "…b…");
    assert_eq!(with_ellipses("a b c", "a \u{1}b\u{2} c".into()), "a \u{1}b\u{2} c");
}

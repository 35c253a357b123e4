//! Where PostgreSQL would answer differently from SQLite unless the store says how: text order,
//! which unique rule a write broke, writers racing on one row (also from two servers). The tests
//! run on the store the test run names (`CONFAB_TEST_STORE`), so both stores give these answers.
use std::sync::Arc;

use tokio::task::JoinSet;

use super::super::{
    Store,
    accounts::{CodeRow, InsertUser, NextRefresh, RefreshRow, RefreshUse, Taken, UserRow},
    scratch::{ScratchDatabase, TestStoreKind},
    states::ContactStatus,
};

fn user(id: &str, username: &str, display_name: &str) -> UserRow {
    UserRow {
        id: id.into(),
        username: username.into(),
        display_name: display_name.into(),
        phone: None,
        email: None,
        password_hash: None,
        created_at: 1,
    }
}

async fn with_users(db: &ScratchDatabase, users: &[UserRow]) -> Arc<dyn Store> {
    let store = db.open().await.unwrap();
    for u in users {
        assert!(matches!(store.user_insert(u).await.unwrap(), InsertUser::Inserted), "{} is new", u.id);
    }
    store
}

/// On PostgreSQL, gives the name columns a locale's collation, as a server created with a
/// locale would: `COLLATE "C"` in the store's queries must still sort them by bytes. SQLite
/// always compares bytes; nothing to change there.
async fn collate_names_by_locale(db: &ScratchDatabase) {
    if db.kind() != TestStoreKind::Postgres {
        return;
    }
    let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
    sqlx::raw_sql(
        "ALTER TABLE users ALTER COLUMN username TYPE TEXT COLLATE \"en-US-x-icu\";
         ALTER TABLE users ALTER COLUMN display_name TYPE TEXT COLLATE \"en-US-x-icu\";",
    )
    .execute(&pool)
    .await
    .expect("PostgreSQL built with ICU (Debian's is)");
    pool.close().await;
}

#[tokio::test]
async fn each_unique_rule_a_user_write_breaks_is_named() {
    let db = ScratchDatabase::new().await;
    let ann = UserRow { phone: Some("+15550001".into()), email: Some("ann@example.test".into()), ..user("U1", "ann", "Ann") };
    let store = with_users(&db, &[ann]).await;

    let taken = |row: UserRow| {
        let store = store.clone();
        async move {
            match store.user_insert(&row).await.unwrap() {
                InsertUser::Taken(which) => Some(which),
                InsertUser::Inserted => None,
            }
        }
    };
    assert_eq!(taken(user("U1", "other", "Other")).await, Some(Taken::Id));
    assert_eq!(taken(user("U2", "ann", "Other")).await, Some(Taken::Username));
    assert_eq!(taken(UserRow { phone: Some("+15550001".into()), ..user("U2", "bob", "Bob") }).await, Some(Taken::Phone));
    assert_eq!(taken(UserRow { email: Some("ann@example.test".into()), ..user("U2", "bob", "Bob") }).await, Some(Taken::Email));
    assert_eq!(taken(user("U2", "bob", "Bob")).await, None, "nothing was left behind by the refused ones");

    assert_eq!(store.user_set_phone("U2", "+15550001").await.unwrap(), Err(Taken::Phone));
    assert_eq!(store.user_set_email("U2", "ann@example.test", "hash").await.unwrap(), Err(Taken::Email));
    assert_eq!(store.user_set_phone("U2", "+15550002").await.unwrap(), Ok(()));
    assert_eq!(store.user_by_phone("+15550002").await.unwrap().map(|u| u.id), Some("U2".into()));
}

#[tokio::test]
async fn usernames_by_prefix_sort_by_bytes_and_wildcards_match_only_themselves() {
    let db = ScratchDatabase::new().await;
    let store = db.open().await.unwrap();
    collate_names_by_locale(&db).await;
    let names = ["ab", "a1", "a_b", "aa", "a.c", "me"];
    for (i, name) in names.iter().enumerate() {
        assert!(matches!(store.user_insert(&user(&format!("P{i}"), name, name)).await.unwrap(), InsertUser::Inserted));
    }
    let me = "P5";
    let found = |prefix: &'static str| {
        let store = store.clone();
        async move { store.people_by_prefix(me, prefix, 10).await.unwrap().into_iter().map(|b| b.username).collect::<Vec<_>>() }
    };
    // Bytes: '.' < '1' < '_' < 'a'. A locale puts '_' first and compares "a_b" with "ab".
    assert_eq!(found("a").await, ["a.c", "a1", "a_b", "aa", "ab"]);
    assert_eq!(found("a_").await, ["a_b"], "'_' is not a wildcard");
    assert_eq!(found("a.").await, ["a.c"]);
}

#[tokio::test]
async fn contacts_list_in_byte_order_of_display_names() {
    let db = ScratchDatabase::new().await;
    let store = db.open().await.unwrap();
    collate_names_by_locale(&db).await;
    let people = [user("ME", "me", "Me"), user("B1", "bob", "bob"), user("Z1", "zed", "Zed"), user("A1", "alice", "alice")];
    for p in &people {
        assert!(matches!(store.user_insert(p).await.unwrap(), InsertUser::Inserted));
    }
    for other in ["B1", "Z1", "A1"] {
        store.set_contact("ME", other, "ME", ContactStatus::Accepted, 5).await.unwrap();
    }
    let listed: Vec<String> = store.contacts_of("ME").await.unwrap().into_iter().map(|c| c.person.display_name).collect();
    assert_eq!(listed, ["Zed", "alice", "bob"], "capitals first, as bytes sort them");
}

#[tokio::test]
async fn a_contact_pair_keyed_by_byte_order_is_stored_whatever_the_locale_says() {
    let db = ScratchDatabase::new().await;
    // "B…" < "a…" in bytes, the other way round in most locales: the pair's CHECK must agree
    // with the order `pair` puts them in.
    let store = with_users(&db, &[user("a0", "lower", "Lower"), user("B0", "upper", "Upper")]).await;
    store.set_contact("a0", "B0", "a0", ContactStatus::Pending, 5).await.unwrap();
    let relation = store.relation("B0", "a0").await.unwrap();
    assert_eq!(relation.contact, Some(("a0".into(), ContactStatus::Pending)));
    assert_eq!(store.unseen_invitations("B0").await.unwrap(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn parallel_tries_of_a_code_never_share_a_count() {
    let db = ScratchDatabase::new().await;
    let (first, second) = (db.open().await.unwrap(), db.open().await.unwrap());
    let code = CodeRow {
        id: "C1".into(),
        purpose: "login".into(),
        channel: "sms".into(),
        destination: "+15550001".into(),
        code_hash: "hash".into(),
        payload: "{}".into(),
        attempts: 0,
        created_at: 0,
        sent_at: 0,
        expires_at: 1_000,
        used_at: None,
    };
    first.code_insert(&code).await.unwrap();
    let mut tries = JoinSet::new();
    for i in 0..20 {
        // Half through each store: two servers sharing one database.
        let store = if i % 2 == 0 { first.clone() } else { second.clone() };
        tries.spawn(async move { store.code_take_try("C1", 5, 10).await.unwrap() });
    }
    let mut counted: Vec<i64> = tries.join_all().await.into_iter().flatten().collect();
    counted.sort_unstable();
    assert_eq!(counted, [1, 2, 3, 4, 5], "five tries, each counted once; the other fifteen refused");
    assert_eq!(first.code_get("C1").await.unwrap().map(|c| c.attempts), Some(5));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn racing_uses_of_one_refresh_token_let_one_win_and_end_its_family() {
    let db = ScratchDatabase::new().await;
    let first = with_users(&db, &[user("U1", "ann", "Ann")]).await;
    let second = db.open().await.unwrap();
    let next = |hash: &str| NextRefresh { token_hash: hash.into(), user_agent: None, ip: None, created_at: 10, expires_at: 1_000 };
    for round in 0..10 {
        let family = format!("F{round}");
        let token = RefreshRow {
            token_hash: format!("T{round}"),
            family: family.clone(),
            user_id: "U1".into(),
            user_agent: None,
            ip: None,
            created_at: 1,
            expires_at: 1_000,
        };
        first.refresh_insert(&token).await.unwrap();
        let mut uses = JoinSet::new();
        for (store, successor) in [(first.clone(), next(&format!("T{round}a"))), (second.clone(), next(&format!("T{round}b")))] {
            let spent = token.token_hash.clone();
            uses.spawn(async move { store.refresh_rotate(&spent, &successor, 10).await.unwrap() });
        }
        let outcomes = uses.join_all().await;
        let winners: Vec<&RefreshRow> = outcomes.iter().filter_map(|u| if let RefreshUse::Spent(row) = u { Some(row) } else { None }).collect();
        assert_eq!(winners.len(), 1, "round {round}: one use wins: {outcomes:?}");
        assert!(outcomes.contains(&RefreshUse::Reused), "round {round}: the other finds it spent: {outcomes:?}");
        assert_eq!(winners[0].family, family);
        assert!(!first.device_active(&format!("t:{family}"), 10).await.unwrap(), "round {round}: the successor was revoked too");
        assert_eq!(first.refresh_rotate(&winners[0].token_hash, &next("late"), 10).await.unwrap(), RefreshUse::Invalid);
    }
}

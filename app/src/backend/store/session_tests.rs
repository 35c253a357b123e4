//! The browser sessions every store keeps, on the store the test run names (`CONFAB_TEST_STORE`).
use super::{SessionRow, scratch::ScratchDatabase};

fn row(id: &str, expires_at: i64) -> SessionRow {
    SessionRow { id: id.into(), data: r#"{"k":1}"#.into(), expires_at, ..SessionRow::default() }
}

#[tokio::test]
async fn sessions_survive_reopening_and_expire_on_time() {
    let database = ScratchDatabase::new().await;
    let store = database.open().await.unwrap();
    assert!(store.session_insert(&row("a", 2_000), 1_000).await.unwrap());
    assert!(!store.session_insert(&row("a", 2_000), 1_000).await.unwrap(), "ids are unique");
    store.session_upsert(&row("b", 1_500), 1_000).await.unwrap();
    drop(store);

    let reopened = database.open().await.unwrap();
    assert_eq!(reopened.session_load("a", 1_000).await.unwrap(), Some(row("a", 2_000)));
    assert_eq!(reopened.session_load("b", 1_600).await.unwrap(), None, "expired");
    assert_eq!(reopened.sessions_purge_expired(1_600).await.unwrap(), 1);
    reopened.session_delete("a").await.unwrap();
    assert_eq!(reopened.session_load("a", 1_000).await.unwrap(), None);
}

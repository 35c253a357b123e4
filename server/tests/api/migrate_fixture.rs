//! An embedded installation worth copying, built through the API like people would build it:
//! sign-ups by phone and email, a browser session, a direct chat with replies, edits, a
//! deletion, reactions, read marks, muting and calls turned off, a public group with roles, an
//! invite link, a group invitation, contacts and a block, a passkey, a stranger-chat report, a
//! file sent and one not; and one chat long enough to need several batches.
use std::sync::Arc;

use app::backend::store::{
    MessageStore, PasskeyStore, SqliteStore, StrangerStore,
    chats::NewMessage,
    passkeys::{CeremonyRow, PasskeyRow},
    strangers::StrangerReportRow,
    scratch::{ScratchDatabase, TestStoreKind},
};
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_with};

/// Messages stored in bulk into one chat: more than one copy batch (2,000 rows).
pub const BULK_MESSAGES: usize = 2_500;

/// An app on a SQLite scratch database, whatever store the test run is for.
pub async fn embedded_app() -> (TestApp, ScratchDatabase) {
    let source = ScratchDatabase::of_kind(TestStoreKind::Sqlite).await;
    let app = spawn_app_with(&[("CONFAB_DATABASE_URL", source.url.as_str())]).await;
    (app, source)
}

pub async fn postgres_target() -> ScratchDatabase {
    ScratchDatabase::of_kind(TestStoreKind::Postgres).await
}

async fn ok(app: &TestApp, method: &str, path: &str, token: &str, body: Value) -> Value {
    let (status, answer) = app.call(method, path, token, Some(body)).await;
    assert!((200..300).contains(&status), "{method} {path}: {status} {answer}");
    answer
}

async fn send(app: &TestApp, token: &str, chat: &str, client_id: &str, body: &str, reply_to: Option<&str>) -> Value {
    let message = json!({ "client_id": client_id, "body": body, "reply_to": reply_to });
    ok(app, "POST", &format!("/api/chats/{chat}/messages"), token, message).await
}

/// Fills the app's database; `source` is its URL (for the bulk messages).
pub async fn build_installation(app: &TestApp, source: &str) {
    let (ada_id, ada) = app.person("ada", "+4915112390001").await;
    let (bob_id, bob) = app.person("bob", "+4915112390002").await;
    let (cy_id, cy) = app.person("cyrus", "+4915112390003").await;
    let (dee_id, dee) = app.person("dee", "+4915112390004").await;
    let eve = app.sign_up_by_email("eve", "eve@example.com", "correct horse battery").await;
    let eve_id = eve["user_id"].as_str().unwrap().to_owned();
    let browser = app.browser();
    app.browser_log_in(&browser, "+4915112390001").await;
    let settings = json!({ "display_name": "Ada L.", "bio": "Café owner", "who_can_message": "everyone", "last_seen": "contacts" });
    ok(app, "PUT", "/api/settings", &ada, settings).await;

    // A direct chat: a reply, an edit, a deletion, reactions, a read mark, muting.
    let direct = ok(app, "POST", "/api/chats", &ada, json!({ "user_id": bob_id })).await;
    let direct = direct["id"].as_str().unwrap().to_owned();
    let first = send(app, &ada, &direct, "a-1", "Are we still going to Lisbon?", None).await;
    let first_id = first["id"].as_str().unwrap();
    send(app, &bob, &direct, "b-1", "Yes, the café by the river", Some(first_id)).await;
    ok(app, "PATCH", &format!("/api/messages/{first_id}"), &ada, json!({ "body": "Still going to Lisbon in May?" })).await;
    let regret = send(app, &ada, &direct, "a-2", "never mind", None).await;
    let (status, _) = app.call("DELETE", &format!("/api/messages/{}", regret["id"].as_str().unwrap()), &ada, None).await;
    assert_eq!(status, 200);
    // A file sent with a caption, and an upload never sent (the bytes stay in the data directory).
    for name in ["plan.pdf", "draft.pdf"] {
        let upload = app.client.post(app.url(&format!("/api/attachments?name={name}"))).bearer_auth(&ada);
        let upload = upload.body(format!("%PDF-1.7\n{name}").into_bytes()).send().await.unwrap();
        assert_eq!(upload.status(), 201);
        let file: Value = upload.json().await.unwrap();
        if name == "plan.pdf" {
            let message = json!({ "client_id": "a-file", "body": "the plan", "attachments": [file["id"]] });
            ok(app, "POST", &format!("/api/chats/{direct}/messages"), &ada, message).await;
        }
    }
    for (token, emoji) in [(&bob, "👍"), (&ada, "🎉"), (&bob, "🎉")] {
        ok(app, "POST", &format!("/api/messages/{first_id}/reactions"), token, json!({ "emoji": emoji })).await;
    }
    let (status, _) = app.call("POST", &format!("/api/chats/{direct}/read"), &bob, Some(json!({ "seq": 2 }))).await;
    assert_eq!(status, 204);
    let (status, _) = app.call("PUT", &format!("/api/chats/{direct}/muted"), &bob, Some(json!({ "muted": true }))).await;
    assert_eq!(status, 204);
    let (status, _) = app.call("PUT", &format!("/api/chats/{direct}/calls"), &ada, Some(json!({ "calls_off": true }))).await;
    assert_eq!(status, 204);

    // A public group: an admin, an invite link someone joined by, a pending invitation.
    let group = ok(app, "POST", "/api/groups", &ada, json!({ "name": "Trip to Lisbon", "description": "May", "public": true })).await;
    let group = group["id"].as_str().unwrap().to_owned();
    let (status, _) = app.call("POST", &format!("/api/groups/{group}/members"), &ada, Some(json!({ "user_id": bob_id }))).await;
    assert_eq!(status, 204);
    let (status, _) = app.call("PUT", &format!("/api/groups/{group}/members/{bob_id}/role"), &ada, Some(json!({ "role": "admin" }))).await;
    assert_eq!(status, 204);
    let link = ok(app, "POST", &format!("/api/groups/{group}/invites"), &bob, json!({ "max_uses": 5, "expires_in_hours": 48 })).await;
    ok(app, "POST", "/api/groups/join", &cy, json!({ "invite": link["token"] })).await;
    send(app, &cy, &group, "c-1", "Hello everyone", None).await;
    let contacts_only = json!({ "display_name": "Dee", "bio": "", "who_can_message": "contacts", "last_seen": "nobody" });
    ok(app, "PUT", "/api/settings", &dee, contacts_only).await;
    let (status, invited) = app.call("POST", &format!("/api/groups/{group}/members"), &bob, Some(json!({ "user_id": dee_id }))).await;
    assert_eq!((status, invited["state"].as_str()), (202, Some("invited")), "{invited}");

    // Contacts: one accepted, one pending; and a block.
    ok(app, "POST", "/api/contacts", &ada, json!({ "user_id": cy_id })).await;
    ok(app, "POST", &format!("/api/contacts/{ada_id}/answer"), &cy, json!({ "accept": true })).await;
    ok(app, "POST", "/api/contacts", &dee, json!({ "user_id": ada_id })).await;
    ok(app, "PUT", &format!("/api/people/{eve_id}/blocked"), &cy, json!({ "blocked": true })).await;

    // The long chat, stored in bulk (sending 2,500 messages one request at a time would make the
    // test slow without making it truer).
    let long = ok(app, "POST", "/api/chats", &cy, json!({ "user_id": ada_id })).await;
    let long = long["id"].as_str().unwrap().to_owned();
    let store = Arc::new(SqliteStore::open(source).await.unwrap());
    let cy_stored: String = stored_id(source, "cyrus").await;
    let bulk: Vec<NewMessage> = (0..BULK_MESSAGES)
        .map(|i| NewMessage {
            id: format!("bulk{i:06}"),
            chat_id: long.clone(),
            sender_id: Some(cy_stored.clone()),
            body: format!("message number {i} about the itinerary"),
            created_at: 1_700_000_000 + i as i64,
            client_id: Some(format!("bulk-{i}")),
            ..NewMessage::default()
        })
        .collect();
    store.send_batch(&bulk).await.unwrap();

    // A passkey and a ceremony in flight, as a server with passkeys on keeps them (this one, on
    // an IP address, has them off).
    let passkey = PasskeyRow {
        credential_id: "YWRhcy1waG9uZQ".into(),
        user_id: stored_id(source, "ada").await,
        user_handle: "3f1c2a9e-8b1d-4c6e-9a7f-2d5b8e0c4a11".into(),
        name: "Ada’s phone".into(),
        device: "Chrome on Android".into(),
        passkey: r#"{"cred":{}}"#.into(),
        created_at: 1_700_000_000,
        last_used_at: Some(1_700_000_100),
    };
    assert!(store.passkey_insert(&passkey).await.unwrap());
    let ceremony = CeremonyRow { id: "c".repeat(32), kind: "sign_in".into(), user_id: String::new(), state: "{}".into(), expires_at: 1_700_000_300 };
    store.ceremony_insert(&ceremony).await.unwrap();

    // Stranger chat: two adults, one reported the other (which also keeps them apart).
    let (ada, dee) = (stored_id(source, "ada").await, stored_id(source, "dee").await);
    store.stranger_confirm_adult(&ada, 1_700_000_000).await.unwrap();
    store.stranger_confirm_adult(&dee, 1_700_000_001).await.unwrap();
    store.stranger_avoid(&ada, &dee, 1_700_000_200).await.unwrap();
    let report = StrangerReportRow {
        id: "r".repeat(32),
        reporter_id: ada,
        reported_id: dee,
        reason: "spam".into(),
        note: "links to a shop".into(),
        transcript: r#"[{"seq":1,"from":"reported","body":"buy now","created_at":1700000150}]"#.into(),
        created_at: 1_700_000_200,
    };
    store.stranger_report_insert(&report).await.unwrap();
}

/// Runs a statement on the SQLite database (to make a state no route can reach).
pub async fn sqlite_execute(source: &str, statement: &str) {
    let pool = sqlx::SqlitePool::connect(source).await.unwrap();
    sqlx::query(statement).execute(&pool).await.unwrap();
    pool.close().await;
}

/// A person's stored user id, by username.
pub async fn stored_id(source: &str, username: &str) -> String {
    let pool = sqlx::SqlitePool::connect(source).await.unwrap();
    sqlx::query_scalar("SELECT id FROM users WHERE username = ?").bind(username).fetch_one(&pool).await.unwrap()
}

/// Rows per table on the SQLite side, for the tables the copy moves.
pub async fn sqlite_counts(source: &str, tables: &[&str]) -> Vec<(String, i64)> {
    let pool = sqlx::SqlitePool::connect(source).await.unwrap();
    let mut counts = Vec::new();
    for table in tables {
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(&pool).await.unwrap();
        counts.push((table.to_string(), n));
    }
    counts
}

pub async fn postgres_counts(target: &str, tables: &[&str]) -> Vec<(String, i64)> {
    let pool = sqlx::PgPool::connect(target).await.unwrap();
    let mut counts = Vec::new();
    for table in tables {
        let n: i64 = sqlx::query_scalar(&format!("SELECT count(*) FROM {table}")).fetch_one(&pool).await.unwrap();
        counts.push((table.to_string(), n));
    }
    pool.close().await;
    counts
}

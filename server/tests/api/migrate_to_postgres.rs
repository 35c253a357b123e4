//! `confab migrate-to-postgres`: an embedded installation copied into a scratch PostgreSQL
//! database, read back by SQL and through the `Store` trait; refusals that write nothing; a
//! failure part-way that leaves the target empty; the command as an operator runs it.
use std::process::Command;

use confab::migrate_to_postgres::{MigrateError, TABLES, migrate};

use crate::migrate_fixture::{
    BULK_MESSAGES, build_installation, embedded_app, postgres_counts, postgres_target, sqlite_counts, sqlite_execute,
};

async fn pg(url: &str) -> sqlx::PgPool {
    sqlx::PgPool::connect(url).await.unwrap()
}

/// Tables in the PostgreSQL database's schema (0 before anything was written).
async fn table_count(url: &str) -> i64 {
    let pool = pg(url).await;
    let n = sqlx::query_scalar("SELECT count(*) FROM pg_tables WHERE schemaname = current_schema()").fetch_one(&pool).await.unwrap();
    pool.close().await;
    n
}

#[tokio::test]
async fn an_embedded_installation_is_copied_whole_and_checked() {
    let (app, source) = embedded_app().await;
    build_installation(&app, &source.url).await;
    let target = postgres_target().await;

    let summary = migrate(&source.url, &target.url).await.expect("the copy succeeds");

    let expected = sqlite_counts(&source.url, &TABLES).await;
    assert_eq!(postgres_counts(&target.url, &TABLES).await, expected);
    let reported: Vec<(String, i64)> = summary.tables.iter().map(|(t, n)| (t.to_string(), *n as i64)).collect();
    assert_eq!(reported, expected, "the summary reports what was copied");
    for table in ["users", "passkeys", "passkey_ceremonies", "sessions", "one_time_codes", "refresh_tokens", "members", "reactions", "contacts", "blocks", "group_invites", "group_invitations"] {
        let rows = expected.iter().find(|(t, _)| t == table).unwrap().1;
        assert!(rows > 0, "the installation has {table}");
    }
    assert!(summary.rows() as usize > BULK_MESSAGES);
    assert!(summary.sampled >= 200 && summary.conversations == 3, "{summary}");
    let printed = summary.to_string();
    assert!(printed.starts_with("Copied 18 tables") && printed.contains("messages"), "{printed}");

    // Booleans arrive as booleans, the search column is computed, the identity counts on.
    let db = pg(&target.url).await;
    let public: Vec<bool> = sqlx::query_scalar("SELECT public FROM conversations WHERE kind = 'group'").fetch_all(&db).await.unwrap();
    assert_eq!(public, [true]);
    let muted: i64 = sqlx::query_scalar("SELECT count(*) FROM members WHERE muted").fetch_one(&db).await.unwrap();
    assert_eq!(muted, 1);
    let calls_off: i64 = sqlx::query_scalar("SELECT count(*) FROM members WHERE calls_off").fetch_one(&db).await.unwrap();
    assert_eq!(calls_off, 1);
    let deleted: Vec<String> = sqlx::query_scalar("SELECT body FROM messages WHERE deleted").fetch_all(&db).await.unwrap();
    assert_eq!(deleted, [""], "the tombstone");
    let searchable: i64 = sqlx::query_scalar("SELECT count(*) FROM messages WHERE search IS NOT NULL").fetch_one(&db).await.unwrap();
    let live: i64 = sqlx::query_scalar("SELECT count(*) FROM messages WHERE system IS NULL AND NOT deleted").fetch_one(&db).await.unwrap();
    assert_eq!(searchable, live);
    let found: Vec<String> = sqlx::query_scalar("SELECT body FROM messages WHERE search @@ to_tsquery('simple', search_fold('cafe'))")
        .fetch_all(&db)
        .await
        .unwrap();
    assert_eq!(found, ["Yes, the café by the river"]);
    let highest: i64 = sqlx::query_scalar("SELECT max(n) FROM messages").fetch_one(&db).await.unwrap();
    let next: i64 = sqlx::query_scalar(
        "INSERT INTO messages (id, conversation_id, seq, body, created_at)
         SELECT 'after-copy', id, last_seq + 1, 'new', 0 FROM conversations WHERE kind = 'group' RETURNING n",
    )
    .fetch_one(&db)
    .await
    .unwrap();
    assert_eq!(next, highest + 1, "new rows are numbered after the copied ones");
}

#[tokio::test]
async fn the_copy_reads_back_through_the_store_as_the_original_does() {
    let (app, source) = embedded_app().await;
    build_installation(&app, &source.url).await;
    let target = postgres_target().await;
    migrate(&source.url, &target.url).await.expect("the copy succeeds");

    let (original, copy) = (source.open().await.unwrap(), target.open().await.unwrap());
    crate::migrate_readback::same_answers(&source.url, original.as_ref(), copy.as_ref()).await;
}

#[tokio::test]
async fn a_target_holding_data_is_refused_and_left_as_it_was() {
    let (app, source) = embedded_app().await;
    app.person("ada", "+4915112391001").await;
    let target = postgres_target().await;
    migrate(&source.url, &target.url).await.expect("the first copy succeeds");
    let before = postgres_counts(&target.url, &TABLES).await;
    app.person("bob", "+4915112391002").await;

    let refused = migrate(&source.url, &target.url).await.unwrap_err();
    assert!(matches!(refused, MigrateError::Target(_)), "{refused}");
    assert!(refused.to_string().contains("already holds data (in users, "), "{refused}");
    assert_eq!(postgres_counts(&target.url, &TABLES).await, before);
}

#[tokio::test]
async fn a_source_from_another_build_or_missing_writes_nothing() {
    let (app, source) = embedded_app().await;
    app.person("ada", "+4915112392001").await;
    let target = postgres_target().await;

    sqlite_execute(&source.url, "INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time) VALUES (99, 'future', 1, x'00', 0)").await;
    let newer = migrate(&source.url, &target.url).await.unwrap_err();
    assert!(matches!(newer, MigrateError::Source(_)) && newer.to_string().contains("migration 99"), "{newer}");

    sqlite_execute(&source.url, "DELETE FROM _sqlx_migrations WHERE version >= 8").await;
    let older = migrate(&source.url, &target.url).await.unwrap_err();
    assert!(older.to_string().contains("older Confab (migrations 8, 9, 10, 11, 12 are missing)"), "{older}");

    let missing = format!("{}-gone", source.url);
    let gone = migrate(&missing, &target.url).await.unwrap_err();
    assert!(gone.to_string().contains("does not exist"), "{gone}");
    assert!(!std::path::Path::new(missing.trim_start_matches("sqlite://")).exists(), "a missing source is not created");

    let wrong = migrate(&target.url, &source.url).await.unwrap_err();
    assert!(matches!(wrong, MigrateError::Usage(_)), "{wrong}");
    assert_eq!(table_count(&target.url).await, 0, "not even the schema was written");
}

#[tokio::test]
async fn a_failure_part_way_leaves_the_target_empty() {
    let (app, source) = embedded_app().await;
    build_installation(&app, &source.url).await;
    // A value no boolean can hold, in a table copied after users and conversations.
    sqlite_execute(&source.url, "UPDATE messages SET deleted = 7 WHERE seq = 2 AND body LIKE 'Yes%'").await;
    let target = postgres_target().await;

    let failed = migrate(&source.url, &target.url).await.unwrap_err();
    match &failed {
        MigrateError::Copy { table, reason } => assert_eq!((table.as_str(), reason.as_str()), ("messages", "column deleted: holds 7 where a boolean (0 or 1) belongs")),
        other => panic!("{other}"),
    }
    let counts = postgres_counts(&target.url, &TABLES).await;
    assert!(counts.iter().all(|(_, n)| *n == 0), "{counts:?}");
}

#[tokio::test]
async fn the_command_prints_a_summary_and_exits_non_zero_when_refused() {
    let (app, source) = embedded_app().await;
    app.person("ada", "+4915112393001").await;
    let target = postgres_target().await;
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_confab"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env("CONFAB_DATA_DIR", dir.path())
            .env("CONFAB_DATABASE_URL", &source.url)
            .env("CONFAB_LOG", "off")
            .current_dir(dir.path())
            .arg("migrate-to-postgres")
            .args(args)
            .output()
            .unwrap()
    };

    let done = run(&["--to", target.url.as_str()]);
    let stdout = String::from_utf8_lossy(&done.stdout);
    assert!(done.status.success(), "{stdout} {}", String::from_utf8_lossy(&done.stderr));
    assert!(stdout.contains("Copied 18 tables") && stdout.contains("Checked:"), "{stdout}");

    let again = run(&["--to", target.url.as_str()]);
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert_eq!(again.status.code(), Some(1));
    assert!(stderr.contains("confab migrate-to-postgres: the PostgreSQL database: it already holds data"), "{stderr}");

    let bad = run(&["--to", "mysql://db/confab"]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("usage: confab migrate-to-postgres"));
}

//! The copy read back through the `Store` trait: each question asked of the original SQLite
//! store gets the same answer from the PostgreSQL copy, for every person, chat, message,
//! session, link and invitation the installation holds; then the copy takes a new message.
use std::fmt::Debug;

use app::backend::store::{
    Store, StoreError,
    chats::{NewMessage, Sent, SummaryScope},
    states::MemberState,
};

const ALL_STATES: [MemberState; 7] = [
    MemberState::Active,
    MemberState::Incoming,
    MemberState::Outgoing,
    MemberState::Declined,
    MemberState::Dismissed,
    MemberState::Left,
    MemberState::Removed,
];

/// The time questions are asked at: before anything expires.
const NOW: i64 = 0;

fn answer<T>(what: &str, side: &str, result: Result<T, StoreError>) -> T {
    result.unwrap_or_else(|e| panic!("{what} on {side}: {e}"))
}

/// An answer whose order the trait defines, compared as it is.
fn same<T: PartialEq + Debug>(what: &str, original: Result<T, StoreError>, copy: Result<T, StoreError>) {
    assert_eq!(answer(what, "SQLite", original), answer(what, "PostgreSQL", copy), "{what}");
}

/// A list whose order the trait leaves open, compared as a set of rows.
fn same_rows<T: Debug>(what: &str, original: Result<Vec<T>, StoreError>, copy: Result<Vec<T>, StoreError>) {
    let rows = |list: Vec<T>| {
        let mut rows: Vec<String> = list.iter().map(|row| format!("{row:?}")).collect();
        rows.sort();
        rows
    };
    assert_eq!(rows(answer(what, "SQLite", original)), rows(answer(what, "PostgreSQL", copy)), "{what}");
}

async fn column(pool: &sqlx::SqlitePool, sql: &str) -> Vec<String> {
    sqlx::query_scalar(sql).fetch_all(pool).await.unwrap()
}

async fn pairs(pool: &sqlx::SqlitePool, sql: &str) -> Vec<(String, String)> {
    sqlx::query_as(sql).fetch_all(pool).await.unwrap()
}

pub async fn same_answers(source: &str, a: &dyn Store, b: &dyn Store) {
    let pool = sqlx::SqlitePool::connect(source).await.unwrap();
    let users = column(&pool, "SELECT id FROM users").await;
    assert!(users.len() >= 5);
    for user in &users {
        same(&format!("user_by_id {user}"), a.user_by_id(user).await, b.user_by_id(user).await);
        same("brief", a.brief(user).await, b.brief(user).await);
        same("profile_row", a.profile_row(user).await, b.profile_row(user).await);
        same("unseen_invitations", a.unseen_invitations(user).await, b.unseen_invitations(user).await);
        same_rows("contacts_of", a.contacts_of(user).await, b.contacts_of(user).await);
        same_rows("devices_of", a.devices_of(user, NOW).await, b.devices_of(user, NOW).await);
        same_rows("group_invitations_of", a.group_invitations_of(user).await, b.group_invitations_of(user).await);
        same_rows("last_seqs_of", a.last_seqs_of(user, &ALL_STATES).await, b.last_seqs_of(user, &ALL_STATES).await);
        same_rows("presence_audience", a.presence_audience(user, false).await, b.presence_audience(user, false).await);
        let mine = SummaryScope::Viewer { user_id: user, cursor: None, limit: 50, only_chat: None };
        same("summaries of a viewer", a.summaries(mine.clone()).await, b.summaries(mine).await);
        for other in &users {
            same("relation", a.relation(user, other).await, b.relation(user, other).await);
        }
    }
    for phone in column(&pool, "SELECT phone FROM users WHERE phone IS NOT NULL").await {
        same("user_by_phone", a.user_by_phone(&phone).await, b.user_by_phone(&phone).await);
    }
    for email in column(&pool, "SELECT email FROM users WHERE email IS NOT NULL").await {
        same("user_by_email", a.user_by_email(&email).await, b.user_by_email(&email).await);
    }
    for username in column(&pool, "SELECT username FROM users").await {
        same("username_exists", a.username_exists(&username).await, b.username_exists(&username).await);
    }

    for chat in &column(&pool, "SELECT id FROM conversations").await {
        same("conv", a.conv(chat).await, b.conv(chat).await);
        same_rows("members", a.members(chat, &ALL_STATES).await, b.members(chat, &ALL_STATES).await);
        same("page", a.page(chat, 0, i64::MAX, 5_000, false).await, b.page(chat, 0, i64::MAX, 5_000, false).await);
        same_rows("reactions", a.reactions(chat, 0, i64::MAX).await, b.reactions(chat, 0, i64::MAX).await);
        same_rows("invites_of", a.invites_of(chat).await, b.invites_of(chat).await);
        same_rows("summaries of members", a.summaries(SummaryScope::Members { chat_id: chat }).await, b.summaries(SummaryScope::Members { chat_id: chat }).await);
        for user in &users {
            same("membership", a.membership(chat, user).await, b.membership(chat, user).await);
        }
    }
    for group_id in column(&pool, "SELECT group_id FROM conversations WHERE group_id IS NOT NULL").await {
        same("conv_by_group_id", a.conv_by_group_id(&group_id).await, b.conv_by_group_id(&group_id).await);
    }
    for message in column(&pool, "SELECT id FROM messages WHERE id NOT LIKE 'bulk%' OR seq % 97 = 0").await {
        same("message", a.message(&message).await, b.message(&message).await);
    }
    for (sender, client_id) in pairs(&pool, "SELECT sender_id, client_id FROM messages WHERE client_id IS NOT NULL AND seq < 20").await {
        same("message_by_client_id", a.message_by_client_id(&sender, &client_id).await, b.message_by_client_id(&sender, &client_id).await);
    }
    for session in column(&pool, "SELECT id FROM sessions").await {
        same("session_load", a.session_load(&session, NOW).await, b.session_load(&session, NOW).await);
    }
    for token in column(&pool, "SELECT token FROM group_invites").await {
        same("invite", a.invite(&token).await, b.invite(&token).await);
    }
    for (chat, user) in pairs(&pool, "SELECT conversation_id, user_id FROM group_invitations").await {
        same("group_invitation", a.group_invitation(&chat, &user).await, b.group_invitation(&chat, &user).await);
    }

    let ada = &column(&pool, "SELECT id FROM users WHERE username = 'ada'").await[0];
    let hits = |found: Result<Vec<app::backend::store::chats::MessageHitRow>, StoreError>, side| {
        let mut ids: Vec<String> = answer("search_messages", side, found).into_iter().map(|hit| hit.message_id).collect();
        ids.sort();
        ids
    };
    let words = ["lisbon".to_owned()];
    let (original, copy) = (hits(a.search_messages(ada, &words, 50).await, "SQLite"), hits(b.search_messages(ada, &words, 50).await, "PostgreSQL"));
    assert!(!original.is_empty());
    assert_eq!(original, copy, "search finds the same messages");
    same_rows("people_by_prefix", a.people_by_prefix(ada, "b", 10).await, b.people_by_prefix(ada, "b", 10).await);

    // The copy goes on where the original stopped: the next message takes the next seq.
    let group = &column(&pool, "SELECT id FROM conversations WHERE kind = 'group'").await[0];
    let last = answer("conv", "PostgreSQL", b.conv(group).await).expect("the group").last_seq;
    let next = NewMessage {
        id: "after-the-copy".into(),
        chat_id: group.clone(),
        sender_id: Some(ada.clone()),
        body: "first message on PostgreSQL".into(),
        created_at: 1_800_000_000,
        client_id: Some("after-1".into()),
        ..NewMessage::default()
    };
    match answer("send", "PostgreSQL", b.send(&next).await) {
        Sent::New(row) => assert_eq!(row.seq, last + 1),
        Sent::Existing(row) => panic!("a new client id was taken for a resend: {row:?}"),
    }
}

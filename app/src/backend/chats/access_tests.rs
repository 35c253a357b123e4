//! The authorization matrix: every read and write, tried by a non-member, a pending group
//! invitee, a blocked person, a removed member and a declined requester. Outsiders, invitees
//! and former members learn nothing
//! (`NotFound`); the blocked and the declined keep reading the direct chat they are in (so the
//! block shows only as "can't message"), and every write is refused with a clear code.
use std::sync::Arc;

use super::*;
use super::tests::id_of;
use crate::chats::types::*;
use crate::ids::{ChatId, MessageId, UserId};
use crate::backend::{
    hub::Hub,
    store::{Store, accounts::UserRow, scratch::ScratchDatabase},
};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Expect {
    Allowed,
    NotFound,
    Code(&'static str),
}
use Expect::*;

const OPS: [&str; 22] = [
    "open_chat", "history", "messages_after", "send", "edit", "delete", "react", "mark_read", "mark_delivered",
    "member_ids", "set_muted", "set_calls_off", "add_member", "remove_member", "set_role", "edit_group", "leave_group", "delete_group",
    "create_invite", "list_invites", "revoke_invite", "search",
];

struct Case {
    actor: UserId,
    chat: ChatId,
    /// A message in the chat, the actor's own where they have one.
    message: MessageId,
    third: UserId,
    token: String,
}

async fn run(chats: &ChatsService, c: &Case, op: &str) -> Result<(), AppError> {
    let (me, chat) = (&c.actor, &c.chat);
    match op {
        "open_chat" => chats.open_chat(me, chat, None).await.map(drop),
        "history" => chats.history(me, chat, 5).await.map(drop),
        "messages_after" => chats.messages_after(me, chat, 0, 10).await.map(drop),
        "send" => chats.send_message(me, chat, &"matrix-1".into(), "hello", None).await.map(drop),
        "edit" => chats.edit_message(me, &c.message, "changed").await.map(drop),
        "delete" => chats.delete_message(me, &c.message).await.map(drop),
        "react" => chats.toggle_reaction(me, &c.message, "👍").await.map(drop),
        "mark_read" => chats.mark_read(me, chat, 99).await,
        "mark_delivered" => chats.mark_delivered(me, chat, 99).await,
        "member_ids" => chats.member_ids(me, chat).await.map(drop),
        "set_muted" => chats.set_muted(me, chat, true).await,
        "set_calls_off" => chats.set_calls_off(me, chat, true).await,
        "add_member" => chats.add_member(me, chat, &c.third).await.map(drop),
        "remove_member" => chats.remove_member(me, chat, &c.third).await,
        "set_role" => chats.set_role(me, chat, &c.third, Role::Admin).await,
        "edit_group" => chats.edit_group(me, chat, "Taken over", "", true).await,
        "leave_group" => chats.leave_group(me, chat).await,
        "delete_group" => chats.delete_group(me, chat).await,
        "create_invite" => chats.create_invite(me, chat, None, None).await.map(drop),
        "list_invites" => chats.list_invites(me, chat).await.map(drop),
        "revoke_invite" => chats.revoke_invite(me, chat, &c.token).await,
        // Searching for a word only the chat contains: a hit would be a leak.
        "search" => match chats.search(me, "zebracorn").await?.messages.iter().any(|h| h.chat_id == *chat) {
            true => Ok(()),
            false => Err(AppError::NotFound),
        },
        other => panic!("unknown op {other}"),
    }
}

fn outcome(r: &Result<(), AppError>) -> Expect {
    match r {
        Ok(()) => Allowed,
        Err(AppError::NotFound) => NotFound,
        Err(AppError::Invalid { code, .. }) => Code(Box::leak(code.clone().into_boxed_str())),
        Err(other) => panic!("unexpected {other:?}"),
    }
}

/// What each actor may do: reads of their own direct chat stay open to the blocked and the
/// declined; group operations on a direct chat find no group.
fn expected(actor: &str, op: &str) -> Expect {
    let reads = ["open_chat", "history", "messages_after", "set_muted", "set_calls_off", "search"];
    let group_ops = ["add_member", "remove_member", "set_role", "edit_group", "leave_group", "delete_group", "create_invite", "list_invites", "revoke_invite"];
    match actor {
        "non-member" | "pending invitee" | "removed member" => NotFound,
        _ if reads.contains(&op) => Allowed,
        _ if group_ops.contains(&op) => NotFound,
        "blocked person" => Code("cannot_message"),
        "declined requester" => Code("request_declined"),
        _ => unreachable!(),
    }
}

async fn person(store: &Arc<dyn Store>, name: &str, n: u64) -> UserId {
    let id = crate::accounts::validate::user_id_from_bits(0x20_0000 + n);
    let row = UserRow {
        id: id.clone(),
        username: name.into(),
        display_name: name.into(),
        phone: None,
        email: None,
        password_hash: None,
        created_at: 0,
    };
    store.user_insert(&row).await.unwrap();
    id.into()
}

#[tokio::test]
async fn outsiders_invitees_the_blocked_the_removed_and_the_declined_are_refused_everywhere() {
    let database = ScratchDatabase::new().await;
    let store = database.open().await.unwrap();
    let chats = ChatsService::new(store.clone(), Hub::local(), ChatsConfig::default());
    let owner = person(&store, "owner", 1).await;
    let third = person(&store, "third", 2).await;
    let outsider = person(&store, "outsider", 3).await;
    let removed = person(&store, "removed", 4).await;
    let blocker = person(&store, "blocker", 5).await;
    let blocked = person(&store, "blocked", 6).await;
    let picky = person(&store, "picky", 7).await;
    let requester = person(&store, "requester", 8).await;

    let group = chats.create_group(&owner, "Club", "", false).await.unwrap();
    chats.add_member(&owner, &group, &third).await.unwrap();
    chats.add_member(&owner, &group, &removed).await.unwrap();
    let in_group = chats.send_message(&removed, &group, &"g1".into(), "zebracorn in the group", None).await.unwrap().0;
    let token = chats.create_invite(&owner, &group, None, None).await.unwrap().token;
    chats.remove_member(&owner, &group, &removed).await.unwrap();

    let (dm, _) = chats.start_direct(&blocker, &blocked).await.unwrap();
    let in_dm = chats.send_message(&blocked, &dm, &"d1".into(), "zebracorn in the chat", None).await.unwrap().0;
    chats.set_blocked(&blocker, &blocked, true).await.unwrap();

    let mut settings = chats.my_settings(&picky).await.unwrap();
    settings.who_can_message = WhoCanMessage::Contacts;
    chats.save_settings(&picky, settings).await.unwrap();
    let (request, _) = chats.start_direct(&requester, &picky).await.unwrap();
    let asked = chats.send_message(&requester, &request, &"q1".into(), "zebracorn, please", None).await.unwrap().0;
    chats.answer_request(&picky, &request, false).await.unwrap();
    // Picky takes messages from contacts only: the owner's add only invites them.
    assert_eq!(chats.add_member(&owner, &group, &picky).await.unwrap(), AddOutcome::Invited);

    let cases = [
        ("non-member", Case { actor: outsider, chat: group.clone(), message: id_of(&in_group), third: third.clone(), token: token.clone() }),
        ("pending invitee", Case { actor: picky, chat: group.clone(), message: id_of(&in_group), third: third.clone(), token: token.clone() }),
        ("removed member", Case { actor: removed, chat: group.clone(), message: id_of(&in_group), third: third.clone(), token: token.clone() }),
        ("blocked person", Case { actor: blocked, chat: dm.clone(), message: id_of(&in_dm), third: third.clone(), token: token.clone() }),
        ("declined requester", Case { actor: requester, chat: request.clone(), message: id_of(&asked), third: third.clone(), token: token.clone() }),
    ];
    let mut wrong = Vec::new();
    for (actor, case) in &cases {
        for op in OPS {
            let got = outcome(&run(&chats, case, op).await);
            if got != expected(actor, op) {
                wrong.push(format!("{actor} × {op}: expected {:?}, got {got:?}", expected(actor, op)));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    // Nothing above changed the chats' contents.
    assert_eq!(chats.open_chat(&owner, &group, None).await.unwrap().group.unwrap().name, "Club");
    assert!(!chats.open_chat(&blocker, &dm, None).await.unwrap().messages[0].deleted);
    assert_eq!(chats.open_chat(&owner, &group, None).await.unwrap().members.len(), 2);
}

//! Groups: roles, system messages, membership changes, size limits and invite links.
use super::tests::{code, world, world_with};
use super::*;
use crate::chats::types::*;

#[tokio::test]
async fn groups_roles_and_system_messages() {
    let w = world().await;
    let (o, ad, m, x) = (w.person("Olga", 1).await, w.person("Adam", 2).await, w.person("Mia", 3).await, w.person("Xan", 4).await);
    let g = w.chats.create_group(&o, "Hikers", "Weekend walks", true).await.unwrap();
    let gid = w.chats.open_chat(&o, &g, None).await.unwrap().group.unwrap().group_id;
    assert_eq!(w.chats.join_group(&ad, Some(&gid.to_lowercase()), None).await.unwrap(), g);
    w.chats.join_group(&m, Some(&gid), None).await.unwrap();
    assert_eq!(w.chats.set_role(&ad, &g, &m, Role::Admin).await.unwrap_err(), AppError::Forbidden, "only the owner promotes");
    w.chats.set_role(&o, &g, &ad, Role::Admin).await.unwrap();
    assert_eq!(w.chats.remove_member(&ad, &g, &o).await.unwrap_err(), AppError::Forbidden, "admins can't remove the owner");
    w.chats.add_member(&ad, &g, &x).await.unwrap();
    w.chats.set_role(&o, &g, &x, Role::Admin).await.unwrap();
    assert_eq!(w.chats.remove_member(&ad, &g, &x).await.unwrap_err(), AppError::Forbidden, "nor other admins");
    assert_eq!(w.chats.edit_group(&m, &g, "Mine", "", true).await.unwrap_err(), AppError::Forbidden);
    w.chats.edit_group(&ad, &g, "Hill walkers", "Weekend walks", true).await.unwrap();
    w.chats.remove_member(&ad, &g, &m).await.unwrap();
    assert_eq!(w.chats.open_chat(&m, &g, None).await.unwrap_err(), AppError::NotFound);
    assert_eq!(w.chats.join_group(&m, Some(&gid), None).await.unwrap_err(), AppError::NotFound, "removed: no way back by ID");
    w.chats.set_role(&o, &g, &ad, Role::Owner).await.unwrap();
    let detail = w.chats.open_chat(&o, &g, None).await.unwrap();
    assert_eq!(detail.group.as_ref().unwrap().my_role, Role::Admin);
    let events: Vec<_> = detail.messages.iter().filter_map(|m| m.system.clone()).collect();
    assert!(matches!(events[0], SystemEvent::Created { .. }));
    assert!(matches!(events[1], SystemEvent::Joined { .. }));
    assert!(events.iter().any(|e| matches!(e, SystemEvent::Renamed { name, .. } if name == "Hill walkers")));
    assert!(events.iter().any(|e| matches!(e, SystemEvent::Removed { .. })));
    assert!(events.iter().any(|e| matches!(e, SystemEvent::RoleChanged { role: Role::Admin, .. })));
    assert!(matches!(events.last().unwrap(), SystemEvent::OwnerChanged { .. }));

    // The owner leaving hands the group to the longest-standing admin.
    w.chats.leave_group(&ad, &g).await.unwrap();
    assert_eq!(w.chats.open_chat(&o, &g, None).await.unwrap().group.unwrap().my_role, Role::Owner);
    // A private group's ID finds nothing.
    let private = w.chats.create_group(&o, "Secret", "", false).await.unwrap();
    let pid = w.chats.open_chat(&o, &private, None).await.unwrap().group.unwrap().group_id;
    assert_eq!(w.chats.join_group(&m, Some(&pid), None).await.unwrap_err(), AppError::NotFound);
    assert_eq!(w.chats.delete_group(&x, &g).await.unwrap_err(), AppError::Forbidden);
    w.chats.delete_group(&o, &g).await.unwrap();
    assert_eq!(w.chats.open_chat(&o, &g, None).await.unwrap_err(), AppError::NotFound);
}

/// Who may send is answered from memory (`ChatStore::access`): every membership change must
/// take effect on the very next send, and fan-out must follow it.
#[tokio::test]
async fn membership_changes_reach_the_next_send_and_its_fan_out() {
    let w = world().await;
    let (o, m) = (w.person("Olga", 1).await, w.person("Mia", 2).await);
    let g = w.chats.create_group(&o, "Walks", "", false).await.unwrap();
    w.chats.add_member(&o, &g, &m).await.unwrap();
    w.send(&m, &g, "in").await;
    let mut mia = w.hub.attach(&m);
    w.chats.remove_member(&o, &g, &m).await.unwrap();
    assert_eq!(w.chats.send_message(&m, &g, "c1", "still here?", None).await.unwrap_err(), AppError::NotFound);
    while mia.events.try_recv().is_ok() {}
    w.send(&o, &g, "after Mia left").await;
    assert!(mia.events.try_recv().is_err(), "a removed member hears nothing more");
    w.chats.add_member(&o, &g, &m).await.unwrap();
    w.send(&m, &g, "back").await;
    w.chats.leave_group(&m, &g).await.unwrap();
    assert_eq!(w.chats.member_ids(&m, &g).await.unwrap_err(), AppError::NotFound);
}

#[tokio::test]
async fn a_full_group_refuses_newcomers() {
    let w = world_with(3).await;
    let o = w.person("Olga", 1).await;
    let g = w.chats.create_group(&o, "Tiny", "", true).await.unwrap();
    w.chats.add_member(&o, &g, &w.person("B", 2).await).await.unwrap();
    w.chats.add_member(&o, &g, &w.person("C", 3).await).await.unwrap();
    let e = w.chats.add_member(&o, &g, &w.person("D", 4).await).await.unwrap_err();
    assert_eq!(code(e), "group_full");
    let gid = w.chats.open_chat(&o, &g, None).await.unwrap().group.unwrap().group_id;
    assert_eq!(code(w.chats.join_group(&w.person("E", 5).await, Some(&gid), None).await.unwrap_err()), "group_full");
}

#[tokio::test]
async fn invite_links_expire_run_out_and_can_be_revoked() {
    let clock = std::sync::Arc::new(crate::backend::clock::ManualClock::default());
    let w = world().await.on_clock(clock.clone());
    let o = w.person("Olga", 1).await;
    let g = w.chats.create_group(&o, "Private", "", false).await.unwrap();
    let once = w.chats.create_invite(&o, &g, None, Some(1)).await.unwrap();
    assert_eq!(once.path, format!("/join/{}", once.token));
    let b = w.person("Bob", 2).await;
    assert_eq!(w.chats.join_group(&b, None, Some(&once.path)).await.unwrap(), g);
    let c = w.person("Cy", 3).await;
    assert_eq!(code(w.chats.join_group(&c, None, Some(&once.token)).await.unwrap_err()), "invite_used_up");
    let revoked = w.chats.create_invite(&o, &g, Some(24), None).await.unwrap();
    w.chats.revoke_invite(&o, &g, &revoked.token).await.unwrap();
    assert_eq!(code(w.chats.join_group(&c, None, Some(&revoked.token)).await.unwrap_err()), "invite_revoked");
    let expired = w.chats.create_invite(&o, &g, Some(1), None).await.unwrap();
    clock.advance_secs(3600);
    assert_eq!(code(w.chats.join_group(&c, None, Some(&expired.token)).await.unwrap_err()), "invite_expired");
    assert_eq!(w.chats.join_group(&c, None, Some("nope")).await.unwrap_err(), AppError::NotFound);
    assert_eq!(w.chats.list_invites(&o, &g).await.unwrap().len(), 2, "revoked links are not listed");
    assert_eq!(w.chats.create_invite(&b, &g, None, None).await.unwrap_err(), AppError::Forbidden);
}

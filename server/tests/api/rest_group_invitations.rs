//! Group invitations over REST, named after the attacks they stop: a stranger putting someone
//! who takes messages from contacts only into a group, adding a person across a block, reading
//! the group before accepting, re-inviting in a loop; and member lists leaking presence.
use std::time::Duration;

use serde_json::json;

use crate::helpers::{TestApp, spawn_app};
use crate::realtime::{hello, open_with_token, person, try_recv};

async fn contacts_only(app: &TestApp, token: &str, last_seen: &str) {
    let (status, body) = app
        .call("PUT", "/api/settings", token, Some(json!({ "display_name": "Ada", "bio": "", "who_can_message": "contacts", "last_seen": last_seen })))
        .await;
    assert_eq!(status, 200, "{body}");
}

async fn group_of(app: &TestApp, token: &str) -> String {
    let (status, group) = app.call("POST", "/api/groups", token, Some(json!({ "name": "Strangers", "public": false }))).await;
    assert_eq!(status, 201, "{group}");
    group["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_stranger_adding_a_contacts_only_person_does_not_make_them_a_member() {
    let app = spawn_app().await;
    let (ada, bob) = (person(&app, 1).await, person(&app, 2).await);
    contacts_only(&app, &ada.token, "everyone").await;
    let id = group_of(&app, &bob.token).await;
    let members = format!("/api/groups/{id}/members");
    let (status, body) = app.call("POST", &members, &bob.token, Some(json!({ "user_id": ada.shown }))).await;
    assert_eq!((status, body["state"].as_str()), (202, Some("invited")), "{body}");
    let (_, page) = app.call("GET", &members, &bob.token, None).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1, "{page}");
    let (_, detail) = app.call("GET", &format!("/api/chats/{id}"), &bob.token, None).await;
    assert_eq!(detail["group"]["member_count"], 1);

    let (status, list) = app.call("GET", "/api/groups/invitations", &ada.token, None).await;
    assert_eq!(status, 200);
    let invitation = &list["items"][0];
    assert_eq!((invitation["id"].as_str(), invitation["request"].as_str()), (Some(id.as_str()), Some("invited")));
    assert_eq!((invitation["title"].as_str(), invitation["invited_by"]["user_id"].as_str()), (Some("Strangers"), Some(bob.shown.as_str())));

    let answer = format!("/api/groups/{id}/invitation");
    let (status, _) = app.call("POST", &answer, &ada.token, Some(json!({ "accept": true }))).await;
    assert_eq!(status, 204);
    let (_, page) = app.call("GET", &members, &bob.token, None).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 2);
    let (status, _) = app.call("POST", &answer, &ada.token, Some(json!({ "accept": true }))).await;
    assert_eq!(status, 404, "nothing left to answer");
}

#[tokio::test]
async fn an_invitee_cannot_read_history_or_post_before_accepting() {
    let app = spawn_app().await;
    let (ada, bob) = (person(&app, 1).await, person(&app, 2).await);
    contacts_only(&app, &ada.token, "everyone").await;
    let id = group_of(&app, &bob.token).await;
    let (status, _) = app.call("POST", &format!("/api/chats/{id}/messages"), &bob.token, Some(json!({ "client_id": "b1", "body": "private plans" }))).await;
    assert_eq!(status, 201);
    app.call("POST", &format!("/api/groups/{id}/members"), &bob.token, Some(json!({ "user_id": ada.shown }))).await;
    for path in [format!("/api/chats/{id}"), format!("/api/chats/{id}/messages"), format!("/api/groups/{id}/members")] {
        let (status, body) = app.call("GET", &path, &ada.token, None).await;
        assert_eq!(status, 404, "{path}: {body}");
    }
    let (status, _) = app.call("POST", &format!("/api/chats/{id}/messages"), &ada.token, Some(json!({ "client_id": "a1", "body": "hi" }))).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn a_blocked_person_cannot_be_added_to_a_group() {
    let app = spawn_app().await;
    let (ada, bob) = (person(&app, 1).await, person(&app, 2).await);
    let id = group_of(&app, &bob.token).await;
    let (status, _) = app.call("PUT", &format!("/api/people/{}/blocked", bob.shown), &ada.token, Some(json!({ "blocked": true }))).await;
    assert_eq!(status, 200);
    let members = format!("/api/groups/{id}/members");
    let (status, body) = app.call("POST", &members, &bob.token, Some(json!({ "user_id": ada.shown }))).await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("cannot_add")), "{body}");
    let (_, page) = app.call("GET", &members, &bob.token, None).await;
    assert_eq!(page["items"].as_array().unwrap().len(), 1);
    let (_, list) = app.call("GET", "/api/groups/invitations", &ada.token, None).await;
    assert_eq!(list["items"], json!([]));
}

#[tokio::test]
async fn a_declined_invitation_cannot_be_resent_in_a_loop() {
    let app = spawn_app().await;
    let (ada, bob) = (person(&app, 1).await, person(&app, 2).await);
    contacts_only(&app, &ada.token, "everyone").await;
    let id = group_of(&app, &bob.token).await;
    let members = format!("/api/groups/{id}/members");
    app.call("POST", &members, &bob.token, Some(json!({ "user_id": ada.shown }))).await;
    let (status, _) = app.call("POST", &format!("/api/groups/{id}/invitation"), &ada.token, Some(json!({ "accept": false }))).await;
    assert_eq!(status, 204);
    let mut ws = open_with_token(&app, &ada.token).await;
    hello(&mut ws, &[]).await;
    for _ in 0..5 {
        let (status, body) = app.call("POST", &members, &bob.token, Some(json!({ "user_id": ada.shown }))).await;
        assert_eq!((status, body["error"]["code"].as_str()), (422, Some("invitation_declined")), "{body}");
    }
    let (_, list) = app.call("GET", "/api/groups/invitations", &ada.token, None).await;
    assert_eq!(list["items"], json!([]));
    assert!(try_recv(&mut ws, Duration::from_millis(300)).await.is_none(), "nothing reached her devices");
}

#[tokio::test]
async fn a_group_member_list_does_not_show_someone_online_who_hides_it() {
    let app = spawn_app().await;
    let (ada, bob) = (person(&app, 1).await, person(&app, 2).await);
    let id = group_of(&app, &bob.token).await;
    let (status, _) = app.call("POST", &format!("/api/groups/{id}/members"), &bob.token, Some(json!({ "user_id": ada.shown }))).await;
    assert_eq!(status, 204, "Ada takes messages from everyone");
    let mut ws = open_with_token(&app, &ada.token).await;
    hello(&mut ws, &[]).await;
    let ada_online = || async {
        let (_, page) = app.call("GET", &format!("/api/groups/{id}/members"), &bob.token, None).await;
        page["items"].as_array().unwrap().iter().find(|m| m["person"]["user_id"] == ada.shown.as_str()).unwrap()["online"].as_bool().unwrap()
    };
    assert!(ada_online().await, "last seen: everyone");
    for hidden in ["nobody", "contacts"] {
        let (status, _) = app
            .call("PUT", "/api/settings", &ada.token, Some(json!({ "display_name": "Ada", "bio": "", "who_can_message": "everyone", "last_seen": hidden })))
            .await;
        assert_eq!(status, 200);
        assert!(!ada_online().await, "last seen: {hidden}");
    }
}

//! Groups over REST: creating, editing, members and roles, invite links, joining, leaving and
//! deleting, with outsiders (404) and plain members (403) refused.
use serde_json::{Value, json};

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_group_from_creation_to_deletion() {
    let app = spawn_app().await;
    let (_, owner) = app.person("owner", "+4915112360001").await;
    let (member_id, member) = app.person("member", "+4915112360002").await;
    let (joiner_id, joiner) = app.person("joiner", "+4915112360003").await;
    let (_, outsider) = app.person("outsider", "+4915112360004").await;

    let (status, group) = app.call("POST", "/api/groups/", &owner, Some(json!({ "name": "Book club", "public": false }))).await;
    assert_eq!(status, 201, "{group}");
    assert_eq!((group["name"].as_str(), group["my_role"].as_str()), (Some("Book club"), Some("owner")));
    let id = group["id"].as_str().unwrap().to_owned();
    let (status, _) = app.call("POST", "/api/groups", &owner, Some(json!({ "name": "", "public": false }))).await;
    assert_eq!(status, 422);
    let (status, _) = app.call("POST", "/api/groups", &owner, Some(json!({ "name": "x" }))).await;
    assert_eq!(status, 400, "public is required");

    // Private: its group ID does not let anyone in.
    let (status, _) = app.call("POST", "/api/groups/join", &joiner, Some(json!({ "group_id": group["group_id"] }))).await;
    assert_eq!(status, 404);
    let (status, _) = app.call("POST", "/api/groups/join", &joiner, Some(json!({ "group_id": "x", "invite": "y" }))).await;
    assert_eq!(status, 400, "one of the two, not both");

    let members = format!("/api/groups/{id}/members");
    let (status, _) = app.call("POST", &members, &owner, Some(json!({ "user_id": member_id }))).await;
    assert_eq!(status, 204);
    let (status, page) = app.call("GET", &members, &member, None).await;
    assert_eq!((status, page["items"].as_array().unwrap().len()), (200, 2));
    let (status, _) = app.call("GET", &members, &outsider, None).await;
    assert_eq!(status, 404);
    let (status, _) = app.call("POST", &members, &member, Some(json!({ "user_id": joiner_id }))).await;
    assert_eq!(status, 403, "a plain member cannot add people");

    // Invite links: admins only.
    let invites = format!("/api/groups/{id}/invites");
    let (status, _) = app.call("POST", &invites, &member, Some(json!({}))).await;
    assert_eq!(status, 403);
    let (status, _) = app.call("POST", &invites, &owner, Some(json!({ "max_uses": "many" }))).await;
    assert_eq!(status, 400);
    let (status, link) = app.call("POST", &invites, &owner, Some(json!({ "max_uses": 1, "expires_in_hours": 24 }))).await;
    assert_eq!(status, 201, "{link}");
    let (_, listed) = app.call("GET", &invites, &owner, None).await;
    assert_eq!(listed["items"][0]["token"], link["token"]);
    let (status, joined) = app.call("POST", "/api/groups/join/", &joiner, Some(json!({ "invite": link["path"] }))).await;
    assert_eq!(status, 200, "{joined}");
    assert_eq!(joined["id"], id.as_str());
    let (status, body) = app.call("POST", "/api/groups/join", &outsider, Some(json!({ "invite": link["token"] }))).await;
    assert_eq!((status, body["error"]["code"].as_str()), (422, Some("invite_used_up")));
    let (status, _) = app.call("DELETE", &format!("{invites}/{}", link["token"].as_str().unwrap()), &owner, None).await;
    assert_eq!(status, 204);
    let (_, listed) = app.call("GET", &invites, &owner, None).await;
    assert_eq!(listed["items"], json!([]));

    // Roles: the owner makes the member an admin, who may then add and remove plain members.
    let role = format!("/api/groups/{id}/members/{member_id}/role");
    let (status, _) = app.call("PUT", &role, &member, Some(json!({ "role": "admin" }))).await;
    assert_eq!(status, 403);
    let (status, _) = app.call("PUT", &role, &owner, Some(json!({ "role": "boss" }))).await;
    assert_eq!(status, 400);
    let (status, _) = app.call("PUT", &role, &owner, Some(json!({ "role": "admin" }))).await;
    assert_eq!(status, 204);
    let (status, _) = app.call("DELETE", &format!("/api/groups/{id}/members/{joiner_id}"), &member, None).await;
    assert_eq!(status, 204);
    let (status, _) = app.call("GET", &format!("/api/chats/{id}"), &joiner, None).await;
    assert_eq!(status, 404, "a removed member no longer sees the group");

    // Editing: admins; deleting: the owner.
    let edit = json!({ "name": "Readers", "description": "Monthly", "public": true });
    let (status, _) = app.call("PUT", &format!("/api/groups/{id}"), &member, Some(edit)).await;
    assert_eq!(status, 204);
    let (_, detail) = app.call("GET", &format!("/api/chats/{id}"), &owner, None).await;
    assert_eq!((detail["group"]["name"].as_str(), detail["group"]["public"].as_bool()), (Some("Readers"), Some(true)));
    let (status, joined) = app.call("POST", "/api/groups/join", &outsider, Some(json!({ "group_id": detail["group"]["group_id"] }))).await;
    assert_eq!((status, joined["id"].as_str()), (200, Some(id.as_str())), "public now: its group ID lets people in");
    let (status, _) = app.call("POST", &format!("/api/groups/{id}/leave"), &outsider, None).await;
    assert_eq!(status, 204);
    let (status, _) = app.call("DELETE", &format!("/api/groups/{id}"), &member, None).await;
    assert_eq!(status, 403);
    let (status, _) = app.call("DELETE", &format!("/api/groups/{id}"), &owner, None).await;
    assert_eq!(status, 204);
    let (status, body) = app.call("GET", &format!("/api/chats/{id}"), &owner, None).await;
    assert_eq!(status, 404);
    assert_eq!(body["error"]["code"], "not_found");
    let _: Value = body;
}

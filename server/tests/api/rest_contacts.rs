//! Contacts, people, settings and search over REST.
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn contacts_from_invitation_to_blocking() {
    let app = spawn_app().await;
    let (ada_id, ada) = app.person("ada", "+4915112370001").await;
    let (bob_id, bob) = app.person("bob", "+4915112370002").await;

    let (status, body) = app.call("POST", "/api/contacts", &ada, Some(json!({ "user_id": bob_id }))).await;
    assert_eq!((status, body["state"].as_str()), (200, Some("invitation_sent")));
    let (status, _) = app.call("POST", "/api/contacts", &ada, Some(json!({ "user_id": "not an id" }))).await;
    assert_eq!(status, 422);
    let (status, _) = app.call("POST", "/api/contacts", &ada, Some(json!({ "id": bob_id }))).await;
    assert_eq!(status, 400);

    let (_, unseen) = app.call("GET", "/api/contacts/unseen", &bob, None).await;
    assert_eq!(unseen["count"], 1);
    let (status, _) = app.call("POST", "/api/contacts/seen", &bob, None).await;
    assert_eq!(status, 204);
    let (_, unseen) = app.call("GET", "/api/contacts/unseen", &bob, None).await;
    assert_eq!(unseen["count"], 0);

    let (status, body) = app.call("POST", &format!("/api/contacts/{ada_id}/answer"), &bob, Some(json!({ "accept": true }))).await;
    assert_eq!((status, body["state"].as_str()), (200, Some("contact")));
    let (_, list) = app.call("GET", "/api/contacts", &ada, None).await;
    assert_eq!(list["items"][0]["person"]["user_id"], bob_id.as_str());
    assert_eq!(list["next"], json!(null));
    let (status, profile) = app.call("GET", &format!("/api/people/{}", bob_id.to_lowercase()), &ada, None).await;
    assert_eq!((status, profile["contact"].as_str()), (200, Some("contact")));
    let (status, _) = app.call("GET", "/api/people/ZZZZ-ZZZZ", &ada, None).await;
    assert_eq!(status, 404);
    let (status, _) = app.call("GET", "/api/people/nope", &ada, None).await;
    assert_eq!(status, 422);

    let (status, body) = app.call("DELETE", &format!("/api/contacts/{bob_id}"), &ada, None).await;
    assert_eq!((status, body["state"].as_str()), (200, Some("none")));
    let (status, body) = app.call("PUT", &format!("/api/people/{ada_id}/blocked"), &bob, Some(json!({ "blocked": true }))).await;
    assert_eq!((status, body["state"].as_str()), (200, Some("blocked")));
    let (status, _) = app.call("POST", "/api/chats", &ada, Some(json!({ "user_id": bob_id }))).await;
    assert_eq!(status, 422, "blocked people cannot start a chat");
    let (status, body) = app.call("PUT", &format!("/api/people/{ada_id}/blocked"), &bob, Some(json!({ "blocked": false }))).await;
    assert_eq!((status, body["state"].as_str()), (200, Some("none")));
}

#[tokio::test]
async fn settings_are_read_and_saved_whole() {
    let app = spawn_app().await;
    let (_, ada) = app.person("ada", "+4915112370011").await;
    let (status, settings) = app.call("GET", "/api/settings", &ada, None).await;
    assert_eq!((status, settings["who_can_message"].as_str()), (200, Some("everyone")));
    let changed = json!({ "display_name": "Ada L.", "bio": "Engines", "who_can_message": "everyone", "last_seen": "nobody" });
    let (status, saved) = app.call("PUT", "/api/settings/", &ada, Some(changed.clone())).await;
    assert_eq!((status, &saved), (200, &changed));
    let (_, me) = app.call("GET", "/api/user", &ada, None).await;
    assert_eq!(me["display_name"], "Ada L.");
    let (status, _) = app.call("PUT", "/api/settings", &ada, Some(json!({ "display_name": "x" }))).await;
    assert_eq!(status, 400, "all four are needed");
    let bad = json!({ "display_name": "", "bio": "", "who_can_message": "everyone", "last_seen": "nobody" });
    let (status, body) = app.call("PUT", "/api/settings", &ada, Some(bad)).await;
    assert_eq!((status, body["error"]["field"].as_str()), (422, Some("display_name")));
}

#[tokio::test]
async fn search_finds_people_chats_and_messages_in_the_callers_chats_only() {
    let app = spawn_app().await;
    let (_, ada) = app.person("ada", "+4915112370021").await;
    let (bob_id, bob) = app.person("bobby", "+4915112370022").await;
    let (_, eve) = app.person("eve", "+4915112370023").await;
    let (_, chat) = app.call("POST", "/api/chats", &ada, Some(json!({ "user_id": bob_id }))).await;
    let chat = chat["id"].as_str().unwrap();
    let body = json!({ "body": "the walrus sings", "client_id": "w-1" });
    assert_eq!(app.call("POST", &format!("/api/chats/{chat}/messages"), &ada, Some(body)).await.0, 201);
    let (_, group) = app.call("POST", "/api/groups", &ada, Some(json!({ "name": "Walrus fans", "public": true }))).await;

    let (status, all) = app.call("GET", "/api/search?q=bob", &ada, None).await;
    assert_eq!((status, all["people"][0]["user_id"].as_str()), (200, Some(bob_id.as_str())));
    let (_, people) = app.call("GET", "/api/search/people?q=bob", &ada, None).await;
    assert_eq!(people["items"][0]["username"], "bobby");
    let (_, chats) = app.call("GET", "/api/search/chats?q=walrus", &ada, None).await;
    assert_eq!(chats["items"][0]["id"], group["id"]);
    let (_, messages) = app.call("GET", "/api/search/messages?q=walrus", &bob, None).await;
    assert_eq!(messages["items"][0]["chat_id"], chat);
    let (_, messages) = app.call("GET", "/api/search/messages?q=walrus", &eve, None).await;
    assert_eq!(messages["items"], json!([]), "not Eve's chat");
    let (status, _) = app.call("GET", "/api/search/messages", &ada, None).await;
    assert_eq!(status, 400, "q is required");
    let (status, _) = app.call("GET", "/api/search/people?q=bob&limit=500", &ada, None).await;
    assert_eq!(status, 422);
}

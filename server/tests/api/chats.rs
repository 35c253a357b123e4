//! Conversations over HTTP: the REST routes and a server fn, with Bearer tokens and sessions.
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app};

struct Person {
    user_id: String,
    token: String,
}

async fn person(app: &TestApp, name: &str, phone: &str) -> Person {
    let body = app.sign_up(name, phone).await;
    Person { user_id: body["user_id"].as_str().unwrap().to_owned(), token: body["access_token"].as_str().unwrap().to_owned() }
}

async fn post(app: &TestApp, path: &str, token: &str, body: Value) -> reqwest::Response {
    app.client.post(app.url(path)).bearer_auth(token).json(&body).send().await.unwrap()
}

async fn error_code(response: reqwest::Response) -> String {
    let body: Value = response.json().await.unwrap();
    body["error"]["code"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn direct_chats_and_messages_over_rest() {
    let app = spawn_app().await;
    let ada = person(&app, "ada", "+4915112345671").await;
    let bob = person(&app, "bob", "+4915112345672").await;
    let eve = person(&app, "eve", "+4915112345673").await;

    let typed = bob.user_id.to_lowercase().replace('-', "");
    let started = post(&app, "/api/chats/", &ada.token, json!({ "user_id": typed })).await;
    assert_eq!(started.status(), 201);
    let chat: Value = started.json().await.unwrap();
    assert_eq!(chat["kind"], "direct");
    assert_eq!(chat["title"], "bob");
    let id = chat["id"].as_str().unwrap().to_owned();
    let again = post(&app, "/api/chats", &bob.token, json!({ "user_id": ada.user_id })).await;
    assert_eq!(again.status(), 200);
    assert_eq!(again.json::<Value>().await.unwrap()["id"], id.as_str());

    let path = format!("/api/chats/{id}/messages/");
    let sent = post(&app, &path, &ada.token, json!({ "body": "hello <b>bob</b>", "client_id": "c-1" })).await;
    assert_eq!(sent.status(), 201);
    let sent: Value = sent.json().await.unwrap();
    assert_eq!((sent["seq"].as_i64(), sent["body"].as_str()), (Some(1), Some("hello <b>bob</b>")));
    let repeat = post(&app, &path, &ada.token, json!({ "body": "hello <b>bob</b>", "client_id": "c-1" })).await;
    assert_eq!(repeat.status(), 200);
    assert_eq!(repeat.json::<Value>().await.unwrap()["id"], sent["id"]);
    let reply = post(&app, &path, &bob.token, json!({ "body": "hi", "client_id": "b-1", "reply_to": sent["id"] })).await;
    assert_eq!(reply.status(), 201);

    let too_long = post(&app, &path, &ada.token, json!({ "body": "x".repeat(4097), "client_id": "c-2" })).await;
    assert_eq!(too_long.status(), 422);
    assert_eq!(error_code(too_long).await, "message_too_long");
    let unknown = post(&app, &path, &ada.token, json!({ "body": "x", "client_id": "c-3", "extra": 1 })).await;
    assert_eq!(unknown.status(), 400);
    assert_eq!(error_code(unknown).await, "invalid_body");

    let list: Value = app.get_with_token("/api/chats/", &bob.token).await.json().await.unwrap();
    assert_eq!(list["items"][0]["id"], id.as_str());
    assert_eq!(list["items"][0]["unread"], 0, "Bob replied, so he has read it");
    assert_eq!(list["next"], Value::Null);
    let list: Value = app.get_with_token("/api/chats", &ada.token).await.json().await.unwrap();
    assert_eq!(list["items"][0]["unread"], 1);
    assert_eq!(list["items"][0]["last_message"]["excerpt"], "hi");

    let open = app.get_with_token(&format!("/api/chats/{id}/"), &bob.token).await;
    assert_eq!(open.status(), 200);
    let open: Value = open.json().await.unwrap();
    assert_eq!(open["messages"].as_array().unwrap().len(), 2);
    assert_eq!(open["messages"][1]["reply_to"]["excerpt"], "hello <b>bob</b>");
    assert_eq!(open["members"].as_array().unwrap().len(), 2);
    let older: Value = app.get_with_token(&format!("/api/chats/{id}?before=2"), &bob.token).await.json().await.unwrap();
    assert_eq!(older["messages"].as_array().unwrap().len(), 1);
    assert_eq!(older["next_before"], Value::Null);

    // An outsider learns nothing, not even that the chat exists.
    for response in [
        app.get_with_token(&format!("/api/chats/{id}/"), &eve.token).await,
        post(&app, &path, &eve.token, json!({ "body": "let me in", "client_id": "e-1" })).await,
        app.get_with_token("/api/chats/no-such-chat/", &eve.token).await,
    ] {
        assert_eq!(response.status(), 404);
    }
    assert_eq!(app.get("/api/chats/").await.status(), 401);
}

#[tokio::test]
async fn groups_by_public_id_and_message_search_over_rest() {
    let app = spawn_app().await;
    let ada = person(&app, "ada", "+4915112345671").await;
    let bob = person(&app, "bob", "+4915112345672").await;

    let created = post(&app, "/api/groups/", &ada.token, json!({ "name": "Climbers", "public": true })).await;
    assert_eq!(created.status(), 201);
    let group: Value = created.json().await.unwrap();
    let group_id = group["group_id"].as_str().unwrap();
    assert_eq!((group_id.len(), group["my_role"].as_str()), (9, Some("owner")));
    let id = group["id"].as_str().unwrap();

    let joined = post(&app, "/api/groups/join/", &bob.token, json!({ "group_id": group_id.to_lowercase() })).await;
    assert_eq!(joined.status(), 200);
    assert_eq!(joined.json::<Value>().await.unwrap()["id"], id);

    let private: Value =
        post(&app, "/api/groups", &ada.token, json!({ "name": "Secret", "public": false, "description": "shh" })).await.json().await.unwrap();
    let refused = post(&app, "/api/groups/join", &bob.token, json!({ "group_id": private["group_id"] })).await;
    assert_eq!(refused.status(), 404);

    post(&app, &format!("/api/chats/{id}/messages"), &bob.token, json!({ "body": "granite tomorrow?", "client_id": "g1" })).await;
    post(&app, &format!("/api/chats/{}/messages", private["id"].as_str().unwrap()), &ada.token, json!({ "body": "granite secret", "client_id": "s1" }))
        .await;
    let hits: Value = app.get_with_token("/api/search/messages/?q=granite", &bob.token).await.json().await.unwrap();
    let hits = hits["items"].as_array().unwrap();
    assert_eq!(hits.len(), 1, "only Bob's chats");
    assert_eq!(hits[0]["snippet"], "\u{1}granite\u{2} tomorrow?");
    let all: Value = app.get_with_token("/api/search/messages?q=granite", &ada.token).await.json().await.unwrap();
    assert_eq!(all["items"].as_array().unwrap().len(), 2);
}

#[tokio::test]
async fn the_web_apps_server_fns_reach_the_same_service() {
    let app = spawn_app().await;
    let bob = person(&app, "bob", "+4915112345672").await;
    app.sign_up("ada", "+4915112345671").await;
    let browser = app.browser();
    app.browser_log_in(&browser, "+4915112345671").await;
    let fun = |name: &str| app.url(&format!("/api/chats-fn/{name}"));

    let started = browser.post(fun("start_direct")).form(&[("user_id", bob.user_id.as_str())]).send().await.unwrap();
    assert_eq!(started.status(), 200);
    let chat_id: String = started.json().await.unwrap();
    let sent = browser
        .post(fun("send_message"))
        .form(&[("chat_id", chat_id.as_str()), ("client_id", "w-1"), ("body", "from the browser")])
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 200, "{:?}", sent.text().await);
    let list: Value = app.get_with_token("/api/chats/", &bob.token).await.json().await.unwrap();
    assert_eq!(list["items"][0]["last_message"]["excerpt"], "from the browser");
    let stranger = app.browser();
    let refused = stranger.post(fun("list_chats")).send().await.unwrap();
    assert_eq!(refused.status(), 401);
}

#[tokio::test]
async fn the_chat_list_pages_with_a_cursor() {
    let app = spawn_app().await;
    let ada = person(&app, "ada", "+4915112345671").await;
    for i in 0..51 {
        let created = post(&app, "/api/groups/", &ada.token, json!({ "name": format!("Group {i}"), "public": false })).await;
        assert_eq!(created.status(), 201);
    }
    let first: Value = app.get_with_token("/api/chats/", &ada.token).await.json().await.unwrap();
    assert_eq!(first["items"].as_array().unwrap().len(), 50);
    let cursor = first["next"].as_str().expect("a next cursor").to_owned();
    let second: Value = app.get_with_token(&format!("/api/chats/?cursor={cursor}"), &ada.token).await.json().await.unwrap();
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert_eq!(second["next"], Value::Null);
    let seen: Vec<&str> = first["items"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert!(!seen.contains(&second["items"][0]["id"].as_str().unwrap()));
    let bad = app.get_with_token("/api/chats/?cursor=yesterday", &ada.token).await;
    assert_eq!(bad.status(), 422);
    let unknown = app.get_with_token("/api/chats/?page=2", &ada.token).await;
    assert_eq!(unknown.status(), 400);
}

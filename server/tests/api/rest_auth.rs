//! The API as a whole: the served description, tokens on every secured operation, the one error
//! shape for problems outside the handlers, the docs page, signing out, CORS and cookie writes
//! from other sites.
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app, spawn_app_with};

const SECRET: &str = "a-test-secret-that-is-long-enough-0123456789";

fn assert_error_shape(body: &Value, code: &str) {
    assert_eq!(body["error"]["code"], code, "{body}");
    assert!(body["error"]["message"].as_str().is_some_and(|m| !m.is_empty()), "{body}");
    assert!(body["error"].as_object().unwrap().contains_key("field"), "{body}");
}

async fn spec(app: &TestApp) -> Value {
    let response = app.get("/api/openapi.json").await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Every (method, path) of the description, with `{params}` filled with a plausible value.
fn operations(spec: &Value) -> Vec<(String, String, bool)> {
    let mut ops = Vec::new();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let open = op["security"].as_array().is_some_and(|s| s.iter().all(|r| r.as_object().unwrap().is_empty()));
            let concrete = path.replace("{user_id}", "7KQ4-M2XD").replace("{id}", "x1").replace("{token}", "t1");
            ops.push((method.to_uppercase(), concrete, !open));
        }
    }
    ops
}

#[tokio::test]
async fn the_description_is_openapi_3_1_with_the_original_routes_and_a_bearer_scheme() {
    let app = spawn_app().await;
    let spec = spec(&app).await;
    assert!(spec["openapi"].as_str().unwrap().starts_with("3.1"), "{}", spec["openapi"]);
    assert_eq!(spec["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    for (method, path) in [
        ("post", "/api/register"),
        ("post", "/api/login"),
        ("get", "/api/user"),
        ("get", "/api/chats"),
        ("get", "/api/chats/{id}"),
        ("post", "/api/groups"),
        ("post", "/api/groups/join"),
    ] {
        assert!(spec["paths"][path][method].is_object(), "{method} {path}");
    }
    assert_eq!(spec["paths"]["/api/register"]["post"]["security"], json!([{}]), "sign-up needs no token");
    let errors = &spec["paths"]["/api/chats/{id}/messages"]["post"]["responses"];
    for status in ["400", "401", "404", "413", "422"] {
        assert_eq!(errors[status]["content"]["application/json"]["schema"]["$ref"], "#/components/schemas/Error", "{status}");
    }
    assert!(operations(&spec).len() >= 50, "every operation of the web app is described");
}

#[tokio::test]
async fn every_secured_operation_refuses_a_missing_expired_or_forged_token() {
    let app = spawn_app_with(&[("CONFAB_SECRET_KEY", SECRET)]).await;
    let (user_id, _) = app.person("tokens", "+4915112340001").await;
    let sub = user_id.replace('-', "");
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let expired = app::backend::accounts::tokens::access_token(SECRET.as_bytes(), &sub, now - 3600).unwrap();
    let forged = app::backend::accounts::tokens::access_token(b"another-secret-that-is-long-enough-0000", &sub, now).unwrap();
    // The expired token is otherwise good: minted now, the same way, it is accepted.
    let fresh = app::backend::accounts::tokens::access_token(SECRET.as_bytes(), &sub, now).unwrap();
    assert_eq!(app.call("GET", "/api/user", &fresh, None).await.0, 200);

    let spec = spec(&app).await;
    let secured: Vec<_> = operations(&spec).into_iter().filter(|(_, _, secured)| *secured).collect();
    assert!(secured.len() >= 40);
    for (method, path, _) in secured {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        for (what, token) in [("missing", None), ("expired", Some(&expired)), ("forged", Some(&forged))] {
            let mut request = app.client.request(method.clone(), app.url(&path)).json(&json!({}));
            if let Some(token) = token {
                request = request.bearer_auth(token);
            }
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), 401, "{what} token: {method} {path}");
            assert_eq!(response.headers()["www-authenticate"], "Bearer");
            assert_error_shape(&response.json().await.unwrap(), "unauthenticated");
        }
    }
}

#[tokio::test]
async fn problems_outside_the_handlers_answer_in_the_error_shape() {
    let app = spawn_app().await;
    let (_, token) = app.person("shape", "+4915112340002").await;

    let (status, body) = app.call("GET", "/api/no-such-thing", &token, None).await;
    assert_eq!(status, 404);
    assert_error_shape(&body, "not_found");

    let response = app.client.delete(app.url("/api/user")).bearer_auth(&token).send().await.unwrap();
    assert_eq!(response.status(), 405);
    assert!(response.headers()["allow"].to_str().unwrap().contains("GET"));
    assert_error_shape(&response.json().await.unwrap(), "method_not_allowed");

    let huge = json!({ "body": "x".repeat(70 * 1024), "client_id": "big" });
    let (status, body) = app.call("POST", "/api/chats/x1/messages", &token, Some(huge)).await;
    assert_eq!(status, 413);
    assert_error_shape(&body, "invalid_body");

    let response = app.client.post(app.url("/api/groups")).bearer_auth(&token).body("name=x").send().await.unwrap();
    assert_eq!(response.status(), 415);
    assert_error_shape(&response.json().await.unwrap(), "invalid_body");

    let (status, body) = app.call("GET", "/api/chats?limit=0", &token, None).await;
    assert_eq!(status, 422);
    assert_error_shape(&body, "invalid_limit");
    let (status, body) = app.call("GET", "/api/chats?cursor=nonsense", &token, None).await;
    assert_eq!(status, 422);
    assert_error_shape(&body, "invalid_cursor");
    let (status, body) = app.call("GET", "/api/devices?surprise=1", &token, None).await;
    assert_eq!(status, 400);
    assert_error_shape(&body, "invalid_query");
}

#[tokio::test]
async fn the_docs_page_lists_operations_and_links_the_description_and_the_protocol() {
    let app = spawn_app().await;
    let page = app.get("/api/docs").await;
    assert_eq!(page.status(), 200);
    assert!(page.headers()["content-type"].to_str().unwrap().starts_with("text/html"));
    let html = page.text().await.unwrap();
    assert!(html.contains("<code>/api/groups/join</code>") && html.contains("<code>/api/chats/{id}/messages</code>"));
    assert!(html.contains("href=\"/api/openapi.json\"") && html.contains("href=\"/api/docs/protocol.md\""));
    assert!(!html.contains("<script"));
    let protocol = app.get("/api/docs/protocol.md").await;
    assert_eq!(protocol.status(), 200);
    assert!(protocol.headers()["content-type"].to_str().unwrap().starts_with("text/markdown"));
    assert!(protocol.text().await.unwrap().contains("/ws"));
}

#[tokio::test]
async fn logging_out_ends_the_refresh_token_of_that_login_only() {
    let app = spawn_app().await;
    let first = app.sign_up("leaver", "+4915112340003").await;
    let token = first["access_token"].as_str().unwrap();
    let refresh = first["refresh_token"].as_str().unwrap();

    let (status, body) = app.call("POST", "/api/logout", token, Some(json!({ "refresh_token": "not-a-token" }))).await;
    assert_eq!(status, 404);
    assert_error_shape(&body, "not_found");
    let (status, _) = app.call("POST", "/api/logout/", token, Some(json!({ "refresh_token": refresh }))).await;
    assert_eq!(status, 204);
    let (status, body) = app.call("POST", "/api/token/refresh", "", Some(json!({ "refresh_token": refresh }))).await;
    assert_eq!(status, 401);
    assert_error_shape(&body, "unauthenticated");

    // Someone else's refresh token is not theirs to end.
    let other = app.sign_up("stayer", "+4915112340004").await;
    let (status, _) = app.call("POST", "/api/logout", token, Some(json!({ "refresh_token": other["refresh_token"] }))).await;
    assert_eq!(status, 404);
    let (status, _) = app.call("POST", "/api/token/refresh", "", Some(json!({ "refresh_token": other["refresh_token"] }))).await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn cors_answers_only_configured_origins_and_never_allows_credentials() {
    let off = spawn_app().await;
    let preflight = |app: &TestApp, origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/chats"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header("access-control-request-headers", "authorization, content-type")
            .send()
    };
    let response = preflight(&off, "https://app.example.com").await.unwrap();
    assert!(response.headers().get("access-control-allow-origin").is_none(), "off by default");

    let on = spawn_app_with(&[("CONFAB_CORS_ORIGINS", "https://app.example.com")]).await;
    let response = preflight(&on, "https://app.example.com").await.unwrap();
    assert_eq!(response.headers()["access-control-allow-origin"], "https://app.example.com");
    let allowed = response.headers()["access-control-allow-headers"].to_str().unwrap().to_lowercase();
    assert!(allowed.contains("authorization") && allowed.contains("content-type"));
    assert!(response.headers().get("access-control-allow-credentials").is_none());
    let response = preflight(&on, "https://evil.example").await.unwrap();
    assert!(response.headers().get("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn a_write_with_the_session_cookie_from_another_site_is_refused() {
    let app = spawn_app().await;
    app.sign_up("cookie", "+4915112340005").await;
    let browser = app.browser();
    app.browser_log_in(&browser, "+4915112340005").await;
    let send = |origin: String| {
        browser
            .post(app.url("/api/chats-fn/create_group"))
            .header("origin", origin)
            .form(&[("name", "Planted"), ("description", ""), ("public", "false")])
            .send()
    };
    let response = send("https://evil.example".into()).await.unwrap();
    assert_eq!(response.status(), 403);
    assert_error_shape(&response.json().await.unwrap(), "cross_origin");
    let list = browser.post(app.url("/api/chats-fn/list_chats")).header("origin", app.url("")).send().await.unwrap();
    let list: Value = list.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 0, "nothing was created");

    let response = send(app.url("").trim_end_matches('/').to_owned()).await.unwrap();
    assert_eq!(response.status(), 200, "the app's own pages still work");
}

#[tokio::test]
async fn a_login_form_posted_from_another_site_does_not_sign_the_browser_in() {
    let app = spawn_app().await;
    app.sign_up("mallory", "+4915112340006").await;
    // The attacker starts a login to their own account and reads their own code...
    let attacker = app.browser();
    let pending: Value = app.server_fn(&attacker, "login_start", &[("user_id", ""), ("phone", "+4915112340006")]).await.json().await.unwrap();
    let pending_id = pending["pending_id"].as_str().unwrap().to_owned();
    let code = app.latest_code("+4915112340006");
    // ...then their page makes the victim's browser (no session cookie yet) post it.
    let victim = app.browser();
    let response = victim
        .post(app.url("/api/accounts/verify_code"))
        .header("origin", "https://evil.example")
        .form(&[("pending_id", pending_id.as_str()), ("code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
    assert!(response.headers().get("set-cookie").is_none(), "no session was handed out");
    assert_error_shape(&response.json().await.unwrap(), "cross_origin");
    let user: Value = app.server_fn(&victim, "current_user", &[]).await.json().await.unwrap();
    assert_eq!(user, Value::Null, "the victim's browser is not signed in to the attacker's account");

    let own_page = app.url("").trim_end_matches('/').to_owned();
    let response = attacker
        .post(app.url("/api/accounts/verify_code"))
        .header("origin", own_page)
        .form(&[("pending_id", pending_id.as_str()), ("code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "the same code from the app's own page still works");
}

//! `spawn_app()`: the real `Application` on port 0, a throw-away data directory and database
//! (of the kind `CONFAB_TEST_STORE` names), and helpers.
use std::{collections::HashMap, net::SocketAddr, path::PathBuf, sync::Arc};

use app::backend::{
    clock::ManualClock,
    store::{Store, scratch::ScratchDatabase},
};
use confab::{config::Config, startup::Application};

pub struct TestApp {
    pub address: SocketAddr,
    pub client: reqwest::Client,
    pub data_dir: PathBuf,
    pub outbox_dir: PathBuf,
    /// The accounts service's clock: it stands still until a test moves it (to wait out a code).
    pub clock: Arc<ManualClock>,
    /// The app's database, made for it (none when the test named its own); dropping it removes it.
    pub database: Option<ScratchDatabase>,
    // Dropping the directory removes the data and outbox; kept alive for the test's duration.
    _dirs: tempfile::TempDir,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request failed")
    }

    pub async fn post(&self, path: &str, body: serde_json::Value) -> reqwest::Response {
        self.client.post(self.url(path)).json(&body).send().await.expect("request failed")
    }

    pub async fn get_with_token(&self, path: &str, token: &str) -> reqwest::Response {
        self.client.get(self.url(path)).bearer_auth(token).send().await.expect("request failed")
    }

    /// A REST call with a Bearer token: the status and the JSON body (null when empty).
    pub async fn call(&self, method: &str, path: &str, token: &str, body: Option<serde_json::Value>) -> (u16, serde_json::Value) {
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.client.request(method, self.url(path)).bearer_auth(token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.expect("request failed");
        let status = response.status().as_u16();
        let text = response.text().await.unwrap_or_default();
        (status, if text.is_empty() { serde_json::Value::Null } else { serde_json::from_str(&text).expect("a JSON body") })
    }

    /// Signs a person up; returns their user ID (as shown) and access token.
    pub async fn person(&self, username: &str, phone: &str) -> (String, String) {
        let body = self.sign_up(username, phone).await;
        (body["user_id"].as_str().unwrap().to_owned(), body["access_token"].as_str().unwrap().to_owned())
    }

    /// A confirmation that it is the person (for a sensitive change), by a code to `phone`.
    pub async fn confirmation(&self, token: &str, phone: &str) -> String {
        let (status, pending) = self.call("POST", "/api/confirm/code", token, None).await;
        assert_eq!(status, 202, "{pending}");
        let body = serde_json::json!({ "pending_id": pending["pending_id"], "code": self.latest_code(phone) });
        let (status, confirmation) = self.call("POST", "/api/confirm/code/verify", token, Some(body)).await;
        assert_eq!(status, 200, "{confirmation}");
        assert_eq!(confirmation["expires_in"], 300);
        confirmation["confirmation"].as_str().unwrap().to_owned()
    }

    /// Every message in the outbox folder, oldest first.
    pub fn outbox_messages(&self) -> Vec<serde_json::Value> {
        let Ok(dir) = std::fs::read_dir(&self.outbox_dir) else { return Vec::new() };
        let mut files: Vec<_> = dir
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        files.iter().map(|p| serde_json::from_slice(&std::fs::read(p).unwrap()).unwrap()).collect()
    }

    /// The newest one-time code delivered to `to`, read from the outbox folder.
    pub fn latest_code(&self, to: &str) -> String {
        self.outbox_messages()
            .iter()
            .rev()
            .find(|m| m["to"] == to)
            .map(|m| m["code"].as_str().unwrap().to_owned())
            .unwrap_or_else(|| panic!("no code sent to {to}"))
    }

    /// Starts a sign-up and returns its pending id.
    pub async fn start_sign_up(&self, username: &str, phone: &str) -> String {
        let response = self.post("/api/register/", serde_json::json!({ "username": username, "phone": phone })).await;
        assert_eq!(response.status(), 202, "{:?}", response.text().await);
        response.json::<serde_json::Value>().await.unwrap()["pending_id"].as_str().unwrap().to_owned()
    }

    /// Signs a new person up through the API; returns the verify response body.
    pub async fn sign_up(&self, username: &str, phone: &str) -> serde_json::Value {
        let pending_id = self.start_sign_up(username, phone).await;
        let code = self.latest_code(phone);
        let response = self.post("/api/register/verify/", serde_json::json!({ "pending_id": pending_id, "code": code })).await;
        assert_eq!(response.status(), 201);
        response.json().await.unwrap()
    }

    /// A new browser: its own cookie jar, no redirects followed.
    pub fn browser(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36")
            .build()
            .expect("client")
    }

    /// Calls an accounts server fn (`/api/accounts/<name>`) as a browser form post would.
    pub async fn server_fn(&self, browser: &reqwest::Client, name: &str, form: &[(&str, &str)]) -> reqwest::Response {
        browser.post(self.url(&format!("/api/accounts/{name}"))).form(form).send().await.expect("request failed")
    }

    /// Signs `browser` in with a phone code (the account must exist).
    pub async fn browser_log_in(&self, browser: &reqwest::Client, phone: &str) {
        let pending = self.server_fn(browser, "login_start", &[("user_id", ""), ("phone", phone)]).await;
        assert_eq!(pending.status(), 200, "{:?}", pending.text().await);
        let pending: serde_json::Value = pending.json().await.unwrap();
        let code = self.latest_code(phone);
        let pending_id = pending["pending_id"].as_str().unwrap();
        let done = self.server_fn(browser, "verify_code", &[("pending_id", pending_id), ("code", &code)]).await;
        assert_eq!(done.status(), 200, "{:?}", done.text().await);
    }

    /// Signs a new person up by email through the API; returns the verify response body.
    pub async fn sign_up_by_email(&self, username: &str, email: &str, password: &str) -> serde_json::Value {
        let body = serde_json::json!({ "username": username, "email": email, "password": password });
        let pending = self.post("/api/email/register/", body).await;
        assert_eq!(pending.status(), 202, "{:?}", pending.text().await);
        let pending: serde_json::Value = pending.json().await.unwrap();
        let code = self.latest_code(email);
        let done = self
            .post("/api/email/register/verify/", serde_json::json!({ "pending_id": pending["pending_id"], "code": code }))
            .await;
        assert_eq!(done.status(), 201);
        done.json().await.unwrap()
    }

    /// Runs SQL on the app's database (to set up a state no route can reach). The statement
    /// goes as written to SQLite or PostgreSQL, so it must mean the same on both.
    pub async fn sql(&self, statement: &str) {
        self.scratch().execute(statement).await.unwrap();
    }

    /// A second store on the app's database (as a second server would open it), to read what
    /// the app stored where no route shows it.
    pub async fn store(&self) -> Arc<dyn Store> {
        self.scratch().open().await.expect("the app's database opens")
    }

    fn scratch(&self) -> &ScratchDatabase {
        self.database.as_ref().expect("a test that names its own CONFAB_DATABASE_URL reaches that database itself")
    }
}

/// Starts an app with the given extra `CONFAB_*` variables on top of the test defaults: on a
/// scratch database of the run's kind, unless they name a `CONFAB_DATABASE_URL` of their own.
pub async fn spawn_app_with(vars: &[(&str, &str)]) -> TestApp {
    let dirs = tempfile::tempdir().expect("tempdir");
    let names_its_own = vars.iter().any(|(name, _)| *name == "CONFAB_DATABASE_URL");
    let database = if names_its_own { None } else { Some(ScratchDatabase::new().await) };
    spawn_on(database, dirs, vars).await
}

/// An app on SQLite with its database file in its data directory, whatever store the run
/// tests: for tests about the files a SQLite server keeps there.
pub async fn spawn_sqlite_app() -> TestApp {
    let dirs = tempfile::tempdir().expect("tempdir");
    spawn_on(Some(ScratchDatabase::sqlite_in(&dirs.path().join("data"))), dirs, &[]).await
}

async fn spawn_on(database: Option<ScratchDatabase>, dirs: tempfile::TempDir, vars: &[(&str, &str)]) -> TestApp {
    let data_dir = dirs.path().join("data");
    let outbox_dir = dirs.path().join("outbox");
    let mut env: HashMap<String, String> = HashMap::from([
        ("CONFAB_LISTEN".into(), "127.0.0.1:0".into()),
        ("CONFAB_DATA_DIR".into(), data_dir.display().to_string()),
        ("CONFAB_CODE_DELIVERY".into(), "outbox".into()),
        ("CONFAB_OUTBOX_DIR".into(), outbox_dir.display().to_string()),
        // The suite signs up many people from 127.0.0.1; one test checks the real default.
        ("CONFAB_CODE_SENDS_PER_IP_HOUR".into(), "1000".into()),
        ("CONFAB_LOG".into(), if std::env::var("TEST_LOG").is_ok() { "debug" } else { "off" }.into()),
    ]);
    if let Some(database) = &database {
        env.insert("CONFAB_DATABASE_URL".into(), database.url.clone());
    }
    for (k, v) in vars {
        env.insert(k.to_string(), v.to_string());
    }
    let config = Config::from_lookup(|k| env.get(k).cloned()).expect("test config");
    if std::env::var("TEST_LOG").is_ok() {
        confab::telemetry::init(&config.log_filter, false);
    }
    let clock = Arc::new(ManualClock::default());
    let app = Application::build_with_clock(config, clock.clone()).await.expect("app builds");
    let address = app.address();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    TestApp { address, client, data_dir, outbox_dir, clock, database, _dirs: dirs }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

//! `spawn_app()`: the real `Application` on port 0, a throw-away data directory, and helpers.
use std::{collections::HashMap, net::SocketAddr, path::PathBuf};

use confab::{config::Config, startup::Application};

pub struct TestApp {
    pub address: SocketAddr,
    pub client: reqwest::Client,
    pub data_dir: PathBuf,
    pub outbox_dir: PathBuf,
    // Dropping the directory removes the database; kept alive for the test's duration.
    _dirs: tempfile::TempDir,
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client.get(self.url(path)).send().await.expect("request failed")
    }
}

/// Starts an app with the given extra `CONFAB_*` variables on top of the test defaults.
pub async fn spawn_app_with(vars: &[(&str, &str)]) -> TestApp {
    let dirs = tempfile::tempdir().expect("tempdir");
    let data_dir = dirs.path().join("data");
    let outbox_dir = dirs.path().join("outbox");
    let mut env: HashMap<String, String> = HashMap::from([
        ("CONFAB_LISTEN".into(), "127.0.0.1:0".into()),
        ("CONFAB_DATA_DIR".into(), data_dir.display().to_string()),
        ("CONFAB_CODE_DELIVERY".into(), "outbox".into()),
        ("CONFAB_OUTBOX_DIR".into(), outbox_dir.display().to_string()),
        ("CONFAB_LOG".into(), if std::env::var("TEST_LOG").is_ok() { "debug" } else { "off" }.into()),
    ]);
    for (k, v) in vars {
        env.insert(k.to_string(), v.to_string());
    }
    let config = Config::from_lookup(|k| env.get(k).cloned()).expect("test config");
    if std::env::var("TEST_LOG").is_ok() {
        confab::telemetry::init(&config.log_filter, false);
    }
    let app = Application::build(config).await.expect("app builds");
    let address = app.address();
    tokio::spawn(app.run_until_stopped());
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    TestApp { address, client, data_dir, outbox_dir, _dirs: dirs }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(&[]).await
}

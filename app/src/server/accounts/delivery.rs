//! How one-time codes reach people. One trait; the configuration picks an implementation.
use std::path::PathBuf;

use async_trait::async_trait;
use serde::Serialize;

#[derive(Debug, Clone, Serialize)]
pub struct CodeMessage {
    pub to: String,
    pub channel: &'static str,
    pub purpose: String,
    pub code: String,
}

#[derive(Debug, thiserror::Error)]
#[error("code delivery failed: {0}")]
pub struct DeliveryError(pub String);

#[async_trait]
pub trait CodeSender: Send + Sync {
    async fn send(&self, message: &CodeMessage) -> Result<(), DeliveryError>;
    /// What the code-entry page says on a development server that does not really send codes.
    fn dev_notice(&self) -> Option<String> {
        None
    }
}

/// For a local run: the code goes to the server's log.
pub struct ConsoleSender;

#[async_trait]
impl CodeSender for ConsoleSender {
    async fn send(&self, m: &CodeMessage) -> Result<(), DeliveryError> {
        // Logging the code is this sender's whole purpose; no other sender ever logs one.
        tracing::info!(target: "confab::codes", channel = m.channel, purpose = %m.purpose, "one-time code: {}", m.code);
        Ok(())
    }

    fn dev_notice(&self) -> Option<String> {
        Some("Development server: codes are not sent, they are printed in the server’s log (look for “one-time code”).".into())
    }
}

/// One JSON file per code in a folder: what the end-to-end tests read.
pub struct OutboxSender {
    pub dir: PathBuf,
}

#[async_trait]
impl CodeSender for OutboxSender {
    async fn send(&self, m: &CodeMessage) -> Result<(), DeliveryError> {
        let json = serde_json::to_vec_pretty(m).map_err(|e| DeliveryError(e.to_string()))?;
        tokio::fs::create_dir_all(&self.dir).await.map_err(|e| DeliveryError(e.to_string()))?;
        let name = format!(
            "{}-{:08x}.json",
            time::OffsetDateTime::now_utc().unix_timestamp_nanos(),
            rand::random::<u32>()
        );
        let tmp = self.dir.join(format!(".{name}.tmp"));
        // Write then rename, so a reader never sees half a file.
        tokio::fs::write(&tmp, json).await.map_err(|e| DeliveryError(e.to_string()))?;
        tokio::fs::rename(&tmp, self.dir.join(name)).await.map_err(|e| DeliveryError(e.to_string()))
    }

    fn dev_notice(&self) -> Option<String> {
        Some(format!("Test server: codes are written to {}.", self.dir.display()))
    }
}

//! How one-time codes reach people. One trait; the configuration picks an implementation per
//! channel (`Senders`): console or outbox for either, SMTP for email, a webhook for SMS.
mod smtp;
mod webhook;

use std::{path::PathBuf, sync::Arc};

use async_trait::async_trait;
use serde::Serialize;

pub use smtp::SmtpSender;
pub use webhook::WebhookSender;

use crate::accounts::types::Channel;

#[derive(Debug, Clone, Serialize)]
pub struct CodeMessage {
    pub to: String,
    pub channel: Channel,
    pub purpose: String,
    pub code: String,
}

impl CodeMessage {
    /// What the code is for, in the words of the message that carries it.
    fn reason(&self) -> &'static str {
        match self.purpose.as_str() {
            "register" | "register_email" => "to finish creating your Confab account",
            "login" => "to log in to Confab",
            "reset_password" => "to choose a new Confab password",
            "add_phone" => "to add this phone number to your Confab account",
            "add_email" => "to add this email address to your Confab account",
            _ => "for Confab",
        }
    }

    /// The short text an SMS carries.
    pub fn sms_text(&self) -> String {
        format!("{} is your Confab code {}. It expires in 10 minutes. Don’t share it with anyone.", self.code, self.reason())
    }

    /// Subject and plain-text body of the email.
    pub fn email_text(&self) -> (String, String) {
        (
            format!("Your Confab code: {}", self.code),
            format!(
                "Your code is {}\n\nEnter it {}. It expires in 10 minutes.\n\n\
                 If you didn’t ask for this code, you can ignore this email: nothing changes without it.\n",
                self.code,
                self.reason()
            ),
        )
    }
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

/// One sender per channel.
#[derive(Clone)]
pub struct Senders {
    pub sms: Arc<dyn CodeSender>,
    pub email: Arc<dyn CodeSender>,
}

impl Senders {
    pub fn for_channel(&self, channel: Channel) -> &dyn CodeSender {
        match channel {
            Channel::Sms => self.sms.as_ref(),
            Channel::Email => self.email.as_ref(),
        }
    }
}

/// For a local run: the code goes to the server's log.
pub struct ConsoleSender;

#[async_trait]
impl CodeSender for ConsoleSender {
    async fn send(&self, m: &CodeMessage) -> Result<(), DeliveryError> {
        // Logging the code is this sender's whole purpose; no other sender ever logs one.
        tracing::info!(target: "confab::codes", channel = ?m.channel, purpose = %m.purpose, "one-time code: {}", m.code);
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
        use tokio::io::AsyncWriteExt;
        let json = serde_json::to_vec_pretty(m).map_err(|e| DeliveryError(e.to_string()))?;
        // Codes are secrets: the folder and its files are for the server's user only.
        let mut folder = tokio::fs::DirBuilder::new();
        folder.recursive(true);
        #[cfg(unix)]
        folder.mode(0o700);
        folder.create(&self.dir).await.map_err(|e| DeliveryError(e.to_string()))?;
        let name = format!(
            "{}-{:08x}.json",
            time::OffsetDateTime::now_utc().unix_timestamp_nanos(),
            rand::random::<u32>()
        );
        let tmp = self.dir.join(format!(".{name}.tmp"));
        // Write then rename, so a reader never sees half a file.
        let mut file = tokio::fs::OpenOptions::new();
        file.write(true).create_new(true);
        #[cfg(unix)]
        file.mode(0o600);
        let mut file = file.open(&tmp).await.map_err(|e| DeliveryError(e.to_string()))?;
        file.write_all(&json).await.map_err(|e| DeliveryError(e.to_string()))?;
        file.flush().await.map_err(|e| DeliveryError(e.to_string()))?;
        drop(file);
        tokio::fs::rename(&tmp, self.dir.join(name)).await.map_err(|e| DeliveryError(e.to_string()))
    }

    fn dev_notice(&self) -> Option<String> {
        Some(format!("Test server: codes are written to {}.", self.dir.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn message(purpose: &str) -> CodeMessage {
        CodeMessage { to: "+447911123456".into(), channel: Channel::Sms, purpose: purpose.into(), code: "042917".into() }
    }

    #[test]
    fn messages_carry_the_code_and_say_what_it_is_for() {
        let sms = message("login").sms_text();
        assert!(sms.starts_with("042917 is your Confab code to log in"), "{sms}");
        let (subject, body) = message("reset_password").email_text();
        assert_eq!(subject, "Your Confab code: 042917");
        assert!(body.contains("to choose a new Confab password"), "{body}");
    }

    #[tokio::test]
    async fn the_outbox_writes_one_json_file_per_code() {
        let dir = tempfile_dir();
        let outbox = OutboxSender { dir: dir.clone() };
        outbox.send(&message("register")).await.unwrap();
        outbox.send(&message("login")).await.unwrap();
        let files: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
        assert_eq!(files.len(), 2, "no temporary files are left behind");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&dir), 0o700, "the outbox folder is private");
            assert!(files.iter().all(|f| mode(f) == 0o600), "each code's file is private");
        }
        let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&files[0]).unwrap()).unwrap();
        assert_eq!(json["channel"], "sms");
        assert_eq!(json["code"], "042917");
        assert_eq!(json["to"], "+447911123456");
        let _ = std::fs::remove_dir_all(dir);
    }

    fn tempfile_dir() -> PathBuf {
        std::env::temp_dir().join(format!("confab-outbox-{}", rand::random::<u64>()))
    }
}

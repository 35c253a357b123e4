//! SMS codes through a gateway that takes an HTTP POST of JSON: `{"to": "+44…", "text": "…"}`,
//! with an optional `Authorization: Bearer` token.
use std::time::Duration;

use async_trait::async_trait;
use serde_json::json;

use super::{CodeMessage, CodeSender, DeliveryError};

pub struct WebhookSender {
    client: reqwest::Client,
    url: String,
    token: Option<String>,
}

impl WebhookSender {
    pub fn new(url: String, token: Option<String>) -> Result<Self, DeliveryError> {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| DeliveryError(e.to_string()))?;
        Ok(Self { client, url, token })
    }
}

#[async_trait]
impl CodeSender for WebhookSender {
    async fn send(&self, m: &CodeMessage) -> Result<(), DeliveryError> {
        let body = json!({ "to": m.to, "text": m.sms_text(), "purpose": m.purpose });
        let mut request = self.client.post(&self.url).json(&body);
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        // `without_url`: the URL may carry the gateway's credentials.
        let response = request.send().await.map_err(|e| DeliveryError(e.without_url().to_string()))?;
        if !response.status().is_success() {
            return Err(DeliveryError(format!("the SMS gateway answered {}", response.status())));
        }
        Ok(())
    }
}

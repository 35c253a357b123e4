//! Email codes over SMTP (lettre), e.g. `smtps://user:pass@smtp.example.com` or
//! `smtp://localhost:1025` for a local mail catcher.
use async_trait::async_trait;
use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
};

use super::{CodeMessage, CodeSender, DeliveryError};

pub struct SmtpSender {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpSender {
    /// Checks the URL and sender address now, so a typo stops start-up rather than a sign-up.
    pub fn new(url: &str, from: &str) -> Result<Self, DeliveryError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|e| DeliveryError(format!("bad SMTP URL: {e}")))?
            .timeout(Some(std::time::Duration::from_secs(15)))
            .build();
        let from = from.parse().map_err(|e| DeliveryError(format!("bad sender address: {e}")))?;
        Ok(Self { transport, from })
    }
}

#[async_trait]
impl CodeSender for SmtpSender {
    async fn send(&self, m: &CodeMessage) -> Result<(), DeliveryError> {
        let (subject, body) = m.email_text();
        let to: Mailbox = m.to.parse().map_err(|e| DeliveryError(format!("bad recipient: {e}")))?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| DeliveryError(e.to_string()))?;
        self.transport.send(email).await.map_err(|e| DeliveryError(e.to_string()))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The connection pool starts a task, so this needs a runtime.
    #[tokio::test]
    async fn urls_and_addresses_are_checked_up_front() {
        assert!(SmtpSender::new("smtp://localhost:1025", "Confab <codes@example.com>").is_ok());
        assert!(SmtpSender::new("smtps://user:pass@smtp.example.com", "codes@example.com").is_ok());
        assert!(SmtpSender::new("http://example.com", "codes@example.com").is_err());
        assert!(SmtpSender::new("smtp://localhost:1025", "not an address").is_err());
    }
}

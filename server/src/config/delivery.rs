//! How one-time codes reach people: a delivery per channel (SMS, email), each defaulting to the
//! common `CONFAB_CODE_DELIVERY`, and the rule that keeps codes out of a public server's log.
use super::{ConfigError, SecretString, bad};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeDelivery {
    Console,
    Outbox,
    /// SMS only: an HTTP POST of JSON to a gateway.
    Webhook { url: String, token: Option<SecretString> },
    /// Email only.
    Smtp { url: SecretString, from: String },
}

/// `CONFAB_SMS_DELIVERY` and `CONFAB_EMAIL_DELIVERY` (with their settings), each defaulting to
/// `CONFAB_CODE_DELIVERY`.
pub(super) fn from_lookup(get: &impl Fn(&str) -> Option<String>) -> Result<(CodeDelivery, CodeDelivery), ConfigError> {
    let default_delivery = match get("CONFAB_CODE_DELIVERY").as_deref() {
        None | Some("console") => CodeDelivery::Console,
        Some("outbox") => CodeDelivery::Outbox,
        Some(other) => {
            return Err(bad("CONFAB_CODE_DELIVERY", format!("`{other}` is not one of: console, outbox")));
        }
    };
    let sms_delivery = match get("CONFAB_SMS_DELIVERY").as_deref() {
        None => default_delivery.clone(),
        Some("console") => CodeDelivery::Console,
        Some("outbox") => CodeDelivery::Outbox,
        Some("webhook") => {
            let url = get("CONFAB_SMS_WEBHOOK_URL")
                .ok_or_else(|| bad("CONFAB_SMS_WEBHOOK_URL", "is needed when CONFAB_SMS_DELIVERY=webhook"))?;
            let uri: axum::http::Uri = url.trim().parse().map_err(|_| bad("CONFAB_SMS_WEBHOOK_URL", "is not a URL"))?;
            if !matches!(uri.scheme_str(), Some("http" | "https")) || uri.host().is_none() {
                return Err(bad("CONFAB_SMS_WEBHOOK_URL", "must be an http:// or https:// URL with a host"));
            }
            CodeDelivery::Webhook { url: url.trim().to_owned(), token: get("CONFAB_SMS_WEBHOOK_TOKEN").map(SecretString) }
        }
        Some(other) => {
            return Err(bad("CONFAB_SMS_DELIVERY", format!("`{other}` is not one of: console, outbox, webhook")));
        }
    };
    let email_delivery = match get("CONFAB_EMAIL_DELIVERY").as_deref() {
        None => default_delivery,
        Some("console") => CodeDelivery::Console,
        Some("outbox") => CodeDelivery::Outbox,
        Some("smtp") => {
            let url = get("CONFAB_SMTP_URL").ok_or_else(|| bad("CONFAB_SMTP_URL", "is needed when CONFAB_EMAIL_DELIVERY=smtp"))?;
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                return Err(bad("CONFAB_SMTP_URL", "must start with smtp:// or smtps://"));
            }
            let from = get("CONFAB_SMTP_FROM")
                .filter(|f| f.contains('@'))
                .ok_or_else(|| bad("CONFAB_SMTP_FROM", "is needed for smtp: the sender, e.g. Confab <codes@example.com>"))?;
            CodeDelivery::Smtp { url: SecretString(url), from }
        }
        Some(other) => {
            return Err(bad("CONFAB_EMAIL_DELIVERY", format!("`{other}` is not one of: console, outbox, smtp")));
        }
    };
    Ok((sms_delivery, email_delivery))
}

/// Console delivery prints codes in the log, where anyone who reads the log could sign in as
/// anyone: refused behind an `https` public URL (a real deployment) unless allowed explicitly.
pub(super) fn refuse_logged_codes_on_a_public_server(
    get: &impl Fn(&str) -> Option<String>,
    public_url: &str,
    sms: &CodeDelivery,
    email: &CodeDelivery,
) -> Result<(), ConfigError> {
    let allowed = match get("CONFAB_ALLOW_CONSOLE_CODES").as_deref().map(str::trim) {
        None | Some("0" | "false") => false,
        Some("1" | "true") => true,
        Some(other) => return Err(bad("CONFAB_ALLOW_CONSOLE_CODES", format!("`{other}` is neither 1 nor 0"))),
    };
    if allowed || !public_url.starts_with("https://") {
        return Ok(());
    }
    let var = |own: &'static str| if get(own).is_some() { own } else { "CONFAB_CODE_DELIVERY" };
    for (delivery, var) in [(sms, var("CONFAB_SMS_DELIVERY")), (email, var("CONFAB_EMAIL_DELIVERY"))] {
        if *delivery == CodeDelivery::Console {
            return Err(bad(
                var,
                "`console` prints one-time codes in the server log, and CONFAB_PUBLIC_URL is https (a public server): \
                 set CONFAB_SMS_DELIVERY=webhook and CONFAB_EMAIL_DELIVERY=smtp (or outbox), \
                 or CONFAB_ALLOW_CONSOLE_CODES=1 to print them anyway",
            ));
        }
    }
    Ok(())
}

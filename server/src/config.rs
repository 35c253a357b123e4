//! Configuration from `CONFAB_*` environment variables and an optional `.env` file, checked once
//! at start-up. A bad value stops start-up with a message naming the variable.
use std::{
    fmt,
    net::SocketAddr,
    path::{Path, PathBuf},
};

use rand::RngCore;

use crate::{client_address::TrustedProxies, private_files};

/// Key material for signing tokens and hashing one-time codes. Never printed.
#[derive(Clone)]
pub struct SecretKey(Vec<u8>);

impl SecretKey {
    pub fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

/// A configured password or credential-bearing URL. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretString(String);

impl SecretString {
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretString(..)")
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `CONFAB_LISTEN`: address and port to listen on; port 0 picks a free one.
    pub listen: SocketAddr,
    /// `CONFAB_PUBLIC_URL`: the URL people reach the app at; decides the cookie's `Secure` flag
    /// and the WebSocket origin check. Defaults to `http://<listen>`.
    pub public_url: String,
    /// `CONFAB_DATA_DIR`: where the database, the generated secret and uploads live.
    pub data_dir: PathBuf,
    /// `CONFAB_DATABASE_URL`: defaults to a SQLite file in the data directory.
    pub database_url: String,
    /// `CONFAB_HUB`: what carries live events between sockets: `local` (the default, one process).
    pub hub: crate::backends::HubKind,
    /// `CONFAB_LOG`: a tracing filter such as `info` or `confab=debug,tower_http=info`.
    pub log_filter: String,
    /// `CONFAB_LOG_FORMAT`: `text` (default) or `json`.
    pub log_json: bool,
    /// `CONFAB_SECRET_KEY`: at least 32 characters; when unset, one is generated on first start
    /// and kept in `<data dir>/secret.key`.
    pub secret_key: SecretKey,
    /// How one-time codes reach phones. `CONFAB_SMS_DELIVERY`: `console`, `outbox` or
    /// `webhook` (with `CONFAB_SMS_WEBHOOK_URL` and optionally `CONFAB_SMS_WEBHOOK_TOKEN`);
    /// defaults to `CONFAB_CODE_DELIVERY`: `console` (default: codes go to the log) or `outbox`.
    pub sms_delivery: CodeDelivery,
    /// How codes reach email. `CONFAB_EMAIL_DELIVERY`: `console`, `outbox` or `smtp` (with
    /// `CONFAB_SMTP_URL` such as `smtps://user:pass@smtp.example.com` and `CONFAB_SMTP_FROM`);
    /// defaults to `CONFAB_CODE_DELIVERY`.
    pub email_delivery: CodeDelivery,
    /// `CONFAB_OUTBOX_DIR`: where `outbox` delivery writes one JSON file per code
    /// (default `<data dir>/outbox`).
    pub outbox_dir: PathBuf,
    /// `CONFAB_DEFAULT_REGION`: ISO country for phone numbers typed without `+` (default `GB`).
    pub default_region: String,
    /// `CONFAB_CODE_SENDS_PER_IP_HOUR`: one-time codes one IP may ask for per hour (default 5).
    pub code_sends_per_ip_hour: usize,
    /// `CONFAB_CODE_CHECKS_PER_IP_10_MIN`: codes one IP may try per 10 minutes (default 60).
    pub code_checks_per_ip_10_min: usize,
    /// `CONFAB_WS_FRAMES_PER_SEC`: frames one WebSocket may send per second on average (default
    /// 20); twice as many may come at once.
    pub ws_frames_per_sec: f64,
    /// `CONFAB_WS_SOCKETS_PER_USER`: WebSockets one user may hold open at once on this server
    /// (default 16); one more is refused with 429 until one closes.
    pub ws_sockets_per_user: usize,
    /// `CONFAB_WS_REPLAY_MESSAGES`: messages one reconnect replays at most (default 10000); the
    /// client is then asked to reconnect and goes on from where it got to.
    pub ws_replay_messages: usize,
    /// `CONFAB_CORS_ORIGINS`: comma-separated origins (such as `https://app.example.com`) whose
    /// pages may call `/api` with a Bearer token; empty or unset turns CORS off.
    pub cors_origins: Vec<String>,
    /// `CONFAB_TRUSTED_PROXIES`: comma-separated addresses or ranges (`10.0.0.0/8`) of reverse
    /// proxies whose `X-Forwarded-For` names the client; empty (the default) trusts none.
    pub trusted_proxies: TrustedProxies,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeDelivery {
    Console,
    Outbox,
    /// SMS only: an HTTP POST of JSON to a gateway.
    Webhook { url: String, token: Option<SecretString> },
    /// Email only.
    Smtp { url: SecretString, from: String },
}

#[derive(Debug, thiserror::Error)]
#[error("{var}: {problem}")]
pub struct ConfigError {
    pub var: &'static str,
    pub problem: String,
}

fn bad(var: &'static str, problem: impl Into<String>) -> ConfigError {
    ConfigError { var, problem: problem.into() }
}

const DEFAULT_LOG: &str = "info,confab=info,app=info,tower_http=info,sqlx=warn";
const MIN_SECRET_LEN: usize = 32;

impl Config {
    /// Reads `.env` (if present; real environment variables win) and then the environment.
    pub fn from_env() -> Result<Self, ConfigError> {
        match dotenvy::dotenv() {
            Ok(_) => {}
            Err(e) if e.not_found() => {}
            Err(e) => return Err(bad(".env", e.to_string())),
        }
        Self::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Builds the configuration from any variable source (the environment, or a test's map).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let listen: SocketAddr = match get("CONFAB_LISTEN") {
            None => SocketAddr::from(([127, 0, 0, 1], 3000)),
            Some(v) => v.trim().parse().map_err(|_| {
                bad("CONFAB_LISTEN", format!("`{v}` is not an address and port such as 127.0.0.1:3000"))
            })?,
        };
        let public_url = match get("CONFAB_PUBLIC_URL") {
            None => format!("http://{listen}"),
            Some(v) => parse_public_url(v.trim()).map_err(|p| bad("CONFAB_PUBLIC_URL", p))?,
        };
        let data_dir = PathBuf::from(get("CONFAB_DATA_DIR").unwrap_or_else(|| "./data".into()));
        private_files::private_dir(&data_dir).map_err(|e| {
            bad("CONFAB_DATA_DIR", format!("cannot create `{}`: {e}", data_dir.display()))
        })?;
        let database_url = get("CONFAB_DATABASE_URL").unwrap_or_else(|| format!("sqlite://{}", data_dir.join("confab.db").display()));
        crate::backends::StoreKind::of(&database_url).map_err(|p| bad("CONFAB_DATABASE_URL", p))?;
        let hub = crate::backends::HubKind::parse(get("CONFAB_HUB").as_deref()).map_err(|p| bad("CONFAB_HUB", p))?;
        let log_filter = get("CONFAB_LOG").unwrap_or_else(|| DEFAULT_LOG.into());
        tracing_subscriber::EnvFilter::try_new(&log_filter)
            .map_err(|e| bad("CONFAB_LOG", format!("`{log_filter}` is not a valid filter: {e}")))?;
        let log_json = match get("CONFAB_LOG_FORMAT").as_deref() {
            None | Some("text") => false,
            Some("json") => true,
            Some(other) => return Err(bad("CONFAB_LOG_FORMAT", format!("`{other}` is neither `text` nor `json`"))),
        };
        let secret_key = match get("CONFAB_SECRET_KEY") {
            Some(v) if v.len() < MIN_SECRET_LEN => {
                return Err(bad("CONFAB_SECRET_KEY", format!("must be at least {MIN_SECRET_LEN} characters")));
            }
            Some(v) => SecretKey(v.into_bytes()),
            None => load_or_create_secret(&data_dir.join("secret.key"))
                .map_err(|p| bad("CONFAB_SECRET_KEY", p))?,
        };
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
        refuse_logged_codes_on_a_public_server(&get, &public_url, &sms_delivery, &email_delivery)?;
        let outbox_dir = get("CONFAB_OUTBOX_DIR").map(PathBuf::from).unwrap_or_else(|| data_dir.join("outbox"));
        let default_region = get("CONFAB_DEFAULT_REGION").unwrap_or_else(|| "GB".into()).trim().to_uppercase();
        if default_region.len() != 2 || !default_region.chars().all(|c| c.is_ascii_uppercase()) {
            return Err(bad("CONFAB_DEFAULT_REGION", format!("`{default_region}` is not a two-letter country code such as GB")));
        }
        let positive = |name: &'static str, default: usize| match get(name) {
            None => Ok(default),
            Some(v) => v.trim().parse().ok().filter(|n| *n > 0).ok_or_else(|| bad(name, format!("`{v}` is not a positive whole number"))),
        };
        let code_sends_per_ip_hour = positive("CONFAB_CODE_SENDS_PER_IP_HOUR", 5)?;
        let code_checks_per_ip_10_min = positive("CONFAB_CODE_CHECKS_PER_IP_10_MIN", 60)?;
        let ws_frames_per_sec = match get("CONFAB_WS_FRAMES_PER_SEC") {
            None => 20.0,
            Some(v) => v.trim().parse::<f64>().ok().filter(|n| n.is_finite() && *n >= 1.0).ok_or_else(|| {
                bad("CONFAB_WS_FRAMES_PER_SEC", format!("`{v}` is not a number of at least 1"))
            })?,
        };
        let ws_sockets_per_user = positive("CONFAB_WS_SOCKETS_PER_USER", crate::ws::limits::SOCKETS_PER_USER)?;
        let ws_replay_messages = positive("CONFAB_WS_REPLAY_MESSAGES", crate::ws::limits::REPLAY_MESSAGES)?;
        let cors_origins = match get("CONFAB_CORS_ORIGINS") {
            None => Vec::new(),
            Some(v) => parse_origins(&v).map_err(|p| bad("CONFAB_CORS_ORIGINS", p))?,
        };
        let trusted_proxies = TrustedProxies::parse(&get("CONFAB_TRUSTED_PROXIES").unwrap_or_default())
            .map_err(|p| bad("CONFAB_TRUSTED_PROXIES", p))?;
        Ok(Self {
            listen,
            public_url,
            data_dir,
            database_url,
            hub,
            log_filter,
            log_json,
            secret_key,
            sms_delivery,
            email_delivery,
            outbox_dir,
            default_region,
            code_sends_per_ip_hour,
            code_checks_per_ip_10_min,
            ws_frames_per_sec,
            ws_sockets_per_user,
            ws_replay_messages,
            cors_origins,
            trusted_proxies,
        })
    }

    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}

/// Console delivery prints codes in the log, where anyone who reads the log could sign in as
/// anyone: refused behind an `https` public URL (a real deployment) unless allowed explicitly.
fn refuse_logged_codes_on_a_public_server(
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

fn parse_public_url(v: &str) -> Result<String, String> {
    let uri: axum::http::Uri = v.parse().map_err(|_| format!("`{v}` is not a URL"))?;
    match (uri.scheme_str(), uri.authority()) {
        (Some("http" | "https"), Some(_)) if uri.path() == "/" || uri.path().is_empty() => {
            Ok(v.trim_end_matches('/').to_string())
        }
        (Some("http" | "https"), Some(_)) => Err(format!("`{v}` must not have a path")),
        _ => Err(format!("`{v}` must be an http:// or https:// URL with a host")),
    }
}

/// Exact origins: scheme, host and optional port, nothing after them (browsers send no slash).
fn parse_origins(v: &str) -> Result<Vec<String>, String> {
    v.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|o| {
            let uri: axum::http::Uri = o.parse().map_err(|_| format!("`{o}` is not an origin"))?;
            match (uri.scheme_str(), uri.authority(), uri.path_and_query().map(|p| p.as_str())) {
                (Some("http" | "https"), Some(_), None | Some("" | "/")) if !o.ends_with('/') => Ok(o.to_owned()),
                _ => Err(format!("`{o}` is not an origin such as https://app.example.com (no path, no trailing slash)")),
            }
        })
        .collect()
}

/// The secret generated on first start lives beside the database, readable by the owner only.
fn load_or_create_secret(path: &Path) -> Result<SecretKey, String> {
    match std::fs::read_to_string(path) {
        Ok(text) if text.trim().len() >= MIN_SECRET_LEN => return Ok(SecretKey(text.trim().as_bytes().to_vec())),
        Ok(_) => return Err(format!("`{}` holds a key shorter than {MIN_SECRET_LEN} characters", path.display())),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(format!("cannot read `{}`: {e}", path.display())),
    }
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let key = hex::encode(bytes);
    write_private(path, &key).map_err(|e| format!("cannot write `{}`: {e}", path.display()))?;
    Ok(SecretKey(key.into_bytes()))
}

fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write;
    #[cfg(unix)]
    use std::os::unix::fs::OpenOptionsExt;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    options.mode(0o600);
    options.open(path)?.write_all(contents.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let dir = tempfile::tempdir().unwrap().keep();
        let mut map: HashMap<String, String> =
            vars.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        map.entry("CONFAB_DATA_DIR".into()).or_insert_with(|| dir.display().to_string());
        Config::from_lookup(|k| map.get(k).cloned())
    }

    #[test]
    fn defaults_listen_on_localhost_3000_with_sqlite_in_the_data_dir() {
        let c = config(&[]).unwrap();
        assert_eq!(c.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(c.public_url, "http://127.0.0.1:3000");
        assert!(c.database_url.starts_with("sqlite://") && c.database_url.ends_with("confab.db"));
        assert!(!c.is_https());
    }

    #[test]
    fn a_generated_secret_is_kept_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let vars = [("CONFAB_DATA_DIR", dir.path().to_str().unwrap())];
        let first = config(&vars).unwrap();
        let second = config(&vars).unwrap();
        assert_eq!(first.secret_key.expose(), second.secret_key.expose());
        assert!(first.secret_key.expose().len() >= 32);
        assert_eq!(format!("{:?}", first.secret_key), "SecretKey(..)");
    }

    #[test]
    fn bad_values_name_their_variable() {
        for (var, value) in [
            ("CONFAB_LISTEN", "localhost"),
            ("CONFAB_PUBLIC_URL", "chat.example.com"),
            ("CONFAB_PUBLIC_URL", "https://chat.example.com/app"),
            ("CONFAB_DATABASE_URL", "mysql://x"),
            ("CONFAB_SECRET_KEY", "short"),
            ("CONFAB_LOG", "confab=loud"),
            ("CONFAB_LOG_FORMAT", "xml"),
            ("CONFAB_CODE_DELIVERY", "pigeon"),
            ("CONFAB_DEFAULT_REGION", "Britain"),
            ("CONFAB_CODE_SENDS_PER_IP_HOUR", "0"),
            ("CONFAB_CODE_CHECKS_PER_IP_10_MIN", "lots"),
            ("CONFAB_SMS_DELIVERY", "smtp"),
            ("CONFAB_EMAIL_DELIVERY", "webhook"),
            ("CONFAB_CORS_ORIGINS", "app.example.com"),
            ("CONFAB_CORS_ORIGINS", "https://app.example.com/"),
            ("CONFAB_CORS_ORIGINS", "https://a.example.com,https://b.example.com/path"),
        ] {
            let err = config(&[(var, value)]).expect_err(value);
            assert_eq!(err.var, var, "{value}");
        }
    }

    #[test]
    fn each_channel_picks_its_delivery_and_defaults_to_the_common_one() {
        let c = config(&[("CONFAB_CODE_DELIVERY", "outbox")]).unwrap();
        assert_eq!((c.sms_delivery, c.email_delivery), (CodeDelivery::Outbox, CodeDelivery::Outbox));
        let c = config(&[
            ("CONFAB_SMS_DELIVERY", "webhook"),
            ("CONFAB_SMS_WEBHOOK_URL", "https://sms.example.com/send"),
            ("CONFAB_SMS_WEBHOOK_TOKEN", "gateway-token"),
            ("CONFAB_EMAIL_DELIVERY", "smtp"),
            ("CONFAB_SMTP_URL", "smtps://user:pass@smtp.example.com"),
            ("CONFAB_SMTP_FROM", "Confab <codes@example.com>"),
        ])
        .unwrap();
        assert!(matches!(c.sms_delivery, CodeDelivery::Webhook { ref url, token: Some(_) } if url == "https://sms.example.com/send"));
        assert!(matches!(c.email_delivery, CodeDelivery::Smtp { ref from, .. } if from == "Confab <codes@example.com>"));
        let printed = format!("{c:?}");
        assert!(!printed.contains("pass@") && !printed.contains("gateway-token"), "secrets stay out of Debug");
    }

    #[test]
    fn a_delivery_without_its_settings_names_the_missing_variable() {
        for (vars, var) in [
            (&[("CONFAB_SMS_DELIVERY", "webhook")][..], "CONFAB_SMS_WEBHOOK_URL"),
            (&[("CONFAB_SMS_DELIVERY", "webhook"), ("CONFAB_SMS_WEBHOOK_URL", "ftp://x")][..], "CONFAB_SMS_WEBHOOK_URL"),
            (&[("CONFAB_EMAIL_DELIVERY", "smtp")][..], "CONFAB_SMTP_URL"),
            (&[("CONFAB_EMAIL_DELIVERY", "smtp"), ("CONFAB_SMTP_URL", "http://mail")][..], "CONFAB_SMTP_URL"),
            (&[("CONFAB_EMAIL_DELIVERY", "smtp"), ("CONFAB_SMTP_URL", "smtp://mail")][..], "CONFAB_SMTP_FROM"),
        ] {
            assert_eq!(config(vars).expect_err(var).var, var);
        }
    }

    #[test]
    fn cors_is_off_unless_origins_are_listed() {
        assert!(config(&[]).unwrap().cors_origins.is_empty());
        let c = config(&[("CONFAB_CORS_ORIGINS", " https://app.example.com, http://localhost:5173 ")]).unwrap();
        assert_eq!(c.cors_origins, ["https://app.example.com", "http://localhost:5173"]);
    }

    #[test]
    fn an_https_server_refuses_to_print_codes_in_its_log_unless_allowed() {
        let https = ("CONFAB_PUBLIC_URL", "https://chat.example.com");
        let err = config(&[https]).expect_err("console codes on a public server");
        assert_eq!(err.var, "CONFAB_CODE_DELIVERY");
        assert!(err.problem.contains("CONFAB_ALLOW_CONSOLE_CODES=1"), "{}", err.problem);
        let err = config(&[https, ("CONFAB_CODE_DELIVERY", "outbox"), ("CONFAB_EMAIL_DELIVERY", "console")]).unwrap_err();
        assert_eq!(err.var, "CONFAB_EMAIL_DELIVERY", "the variable that chose console is named");
        assert!(config(&[https, ("CONFAB_ALLOW_CONSOLE_CODES", "1")]).is_ok());
        assert!(config(&[https, ("CONFAB_CODE_DELIVERY", "outbox")]).is_ok());
        assert!(config(&[]).is_ok(), "plain http (a local run) prints them as before");
        assert_eq!(config(&[https, ("CONFAB_ALLOW_CONSOLE_CODES", "yes")]).unwrap_err().var, "CONFAB_ALLOW_CONSOLE_CODES");
    }

    #[test]
    fn trusted_proxies_are_addresses_or_ranges() {
        assert_eq!(config(&[]).unwrap().trusted_proxies, TrustedProxies::default());
        assert!(config(&[("CONFAB_TRUSTED_PROXIES", "10.0.0.1, 172.16.0.0/12, ::1")]).is_ok());
        assert_eq!(config(&[("CONFAB_TRUSTED_PROXIES", "10.0.0.0/40")]).unwrap_err().var, "CONFAB_TRUSTED_PROXIES");
    }

    #[cfg(unix)]
    #[test]
    fn the_data_directory_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let data = dir.path().join("data");
        config(&[("CONFAB_DATA_DIR", data.to_str().unwrap())]).unwrap();
        assert_eq!(std::fs::metadata(&data).unwrap().permissions().mode() & 0o777, 0o700);
    }

    #[test]
    fn https_public_url_marks_cookies_secure() {
        let c = config(&[("CONFAB_PUBLIC_URL", "https://chat.example.com/"), ("CONFAB_CODE_DELIVERY", "outbox")]).unwrap();
        assert_eq!(c.public_url, "https://chat.example.com");
        assert!(c.is_https());
    }
}

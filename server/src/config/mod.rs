//! Configuration from `CONFAB_*` environment variables and an optional `.env` file, checked once
//! at start-up. A bad value stops start-up with a message naming the variable.
mod delivery;
mod secrets;
#[cfg(test)]
mod tests;
mod urls;

use std::{net::SocketAddr, path::PathBuf};

use app::backend::{
    accounts::passkeys::RelyingParty,
    calls::{CallConfig, IceConfig, parse_urls},
    media::{MediaConfig, blobs::S3Settings},
    strangers::StrangerConfig,
};

pub use self::{
    delivery::CodeDelivery,
    secrets::{SecretKey, SecretString},
};
use crate::{client_address::TrustedProxies, private_files};

#[derive(Debug, Clone)]
pub struct Config {
    /// `CONFAB_LISTEN`: address and port to listen on; port 0 picks a free one.
    pub listen: SocketAddr,
    /// `CONFAB_PUBLIC_URL`: the URL people reach the app at; decides the cookie's `Secure` flag
    /// and the WebSocket origin check. Defaults to `http://<listen>`.
    pub public_url: String,
    /// Passkeys' relying party: the public URL's host. `CONFAB_PASSKEYS`: `on` (the default
    /// when `CONFAB_PUBLIC_URL` is set: start-up fails if its host cannot be one, such as an
    /// IP address) or `off`. With the default URL (`http://<listen>`, an IP address) passkeys
    /// are off unless asked for.
    pub passkeys: Option<RelyingParty>,
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
    /// Talk to a stranger. `CONFAB_STRANGER_INTEREST_WAIT_MS`: how long someone who gave
    /// interests waits for a partner sharing one before anyone will do (default 5000);
    /// `CONFAB_STRANGER_AWAY_MS`: how long a silent page counts as still there (default 30000);
    /// `CONFAB_STRANGER_BAN_REPORTS`: reports from this many different people within a day keep
    /// someone out of stranger chat for a day (default 3).
    pub strangers: StrangerConfig,
    /// Attachments, kept under `<data dir>/blobs`. `CONFAB_PICTURE_MAX_MB` (20),
    /// `CONFAB_PICTURE_MAX_MEGAPIXELS` (40), `CONFAB_VOICE_MAX_MB` (20), `CONFAB_VOICE_MAX_MINUTES`
    /// (15), `CONFAB_FILE_MAX_MB` (100), `CONFAB_STORAGE_PER_USER_MB` (2000),
    /// `CONFAB_UPLOADS_PER_MINUTE` (30 per person).
    pub media: MediaConfig,
    /// Attachment bytes in an S3-compatible bucket instead of `<data dir>/blobs`, so several
    /// servers share them: `CONFAB_BLOB_S3_BUCKET`, with `CONFAB_BLOB_S3_ENDPOINT` (MinIO, Garage,
    /// Ceph…; `http://` allowed) and `CONFAB_BLOB_S3_REGION` (default `AWS_REGION`, else
    /// `us-east-1`). Keys come from `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (or a role).
    pub blob_s3: Option<S3Settings>,
    /// Calls. `CONFAB_TURN_URLS` (`turn:`/`turns:`, comma-separated) with `CONFAB_TURN_SECRET`
    /// (coturn's `static-auth-secret`): the relay calls fall back to, with credentials that
    /// expire; `CONFAB_STUN_URLS` (default: the TURN servers' own STUN);
    /// `CONFAB_CALL_RING_SECONDS`: how long a call rings before it is missed (default 45).
    pub calls: CallConfig,
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
            Some(v) => urls::parse_public_url(v.trim()).map_err(|p| bad("CONFAB_PUBLIC_URL", p))?,
        };
        let passkeys = match (get("CONFAB_PASSKEYS").as_deref().map(str::trim), get("CONFAB_PUBLIC_URL").is_some()) {
            (Some("off"), _) => None,
            (Some("on"), _) | (None, true) => Some(RelyingParty::for_site(&public_url).map_err(|p| {
                let var = if get("CONFAB_PUBLIC_URL").is_some() { "CONFAB_PUBLIC_URL" } else { "CONFAB_PASSKEYS" };
                bad(var, format!("{p}; or set CONFAB_PASSKEYS=off"))
            })?),
            (None, false) => RelyingParty::for_site(&public_url).ok(),
            (Some(other), _) => return Err(bad("CONFAB_PASSKEYS", format!("`{other}` is neither `on` nor `off`"))),
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
        let secret_key = secrets::from_lookup(&get, &data_dir)?;
        let (sms_delivery, email_delivery) = delivery::from_lookup(&get)?;
        delivery::refuse_logged_codes_on_a_public_server(&get, &public_url, &sms_delivery, &email_delivery)?;
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
            Some(v) => urls::parse_origins(&v).map_err(|p| bad("CONFAB_CORS_ORIGINS", p))?,
        };
        let trusted_proxies = TrustedProxies::parse(&get("CONFAB_TRUSTED_PROXIES").unwrap_or_default())
            .map_err(|p| bad("CONFAB_TRUSTED_PROXIES", p))?;
        let default = StrangerConfig::default();
        let strangers = StrangerConfig {
            interest_window_ms: positive("CONFAB_STRANGER_INTEREST_WAIT_MS", default.interest_window_ms as usize)? as i64,
            away_after_ms: positive("CONFAB_STRANGER_AWAY_MS", default.away_after_ms as usize)? as i64,
            ban_reports: positive("CONFAB_STRANGER_BAN_REPORTS", default.ban_reports)?,
            ..default
        };
        let media = media_config(&positive)?;
        let blob_s3 = blob_s3(&get)?;
        let calls = call_config(&get, &positive)?;
        Ok(Self {
            listen,
            public_url,
            passkeys,
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
            strangers,
            media,
            blob_s3,
            calls,
        })
    }

    pub fn is_https(&self) -> bool {
        self.public_url.starts_with("https://")
    }
}


/// `MediaConfig` from the `CONFAB_*_MB`, `_MEGAPIXELS`, `_MINUTES` and `_PER_MINUTE` variables.
fn media_config(positive: &impl Fn(&'static str, usize) -> Result<usize, ConfigError>) -> Result<MediaConfig, ConfigError> {
    const MB: u64 = 1_000_000;
    let d = MediaConfig::default();
    let megabytes = |name, default: u64| positive(name, (default / MB) as usize).map(|n| n as u64 * MB);
    Ok(MediaConfig {
        picture_max_bytes: megabytes("CONFAB_PICTURE_MAX_MB", d.picture_max_bytes)?,
        picture_max_pixels: positive("CONFAB_PICTURE_MAX_MEGAPIXELS", (d.picture_max_pixels / 1_000_000) as usize)? as u64 * 1_000_000,
        voice_max_bytes: megabytes("CONFAB_VOICE_MAX_MB", d.voice_max_bytes)?,
        voice_max_ms: positive("CONFAB_VOICE_MAX_MINUTES", (d.voice_max_ms / 60_000) as usize)?.min(24 * 60) as u32 * 60_000,
        file_max_bytes: megabytes("CONFAB_FILE_MAX_MB", d.file_max_bytes)?,
        quota_bytes: megabytes("CONFAB_STORAGE_PER_USER_MB", d.quota_bytes)?,
        uploads_per_minute: positive("CONFAB_UPLOADS_PER_MINUTE", d.uploads_per_minute)?,
    })
}

/// The S3 bucket for attachments, when `CONFAB_BLOB_S3_BUCKET` names one.
fn blob_s3(get: &impl Fn(&str) -> Option<String>) -> Result<Option<S3Settings>, ConfigError> {
    let endpoint = get("CONFAB_BLOB_S3_ENDPOINT").map(|v| v.trim().trim_end_matches('/').to_owned());
    let region = get("CONFAB_BLOB_S3_REGION").map(|v| v.trim().to_owned());
    let Some(bucket) = get("CONFAB_BLOB_S3_BUCKET").map(|v| v.trim().to_owned()) else {
        // Half a configuration would quietly keep blobs on this server's disk.
        return match (&endpoint, &region) {
            (None, None) => Ok(None),
            _ => Err(bad("CONFAB_BLOB_S3_BUCKET", "is unset, but CONFAB_BLOB_S3_ENDPOINT or _REGION is set")),
        };
    };
    if bucket.contains(|c: char| c == '/' || c.is_whitespace()) {
        return Err(bad("CONFAB_BLOB_S3_BUCKET", format!("`{bucket}` is not a bucket name")));
    }
    if let Some(endpoint) = &endpoint {
        if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) || endpoint.contains(char::is_whitespace) {
            return Err(bad("CONFAB_BLOB_S3_ENDPOINT", format!("`{endpoint}` is not a URL such as http://127.0.0.1:9000")));
        }
    }
    Ok(Some(S3Settings { bucket, endpoint, region, keys: None }))
}

/// `CallConfig` from `CONFAB_TURN_URLS`, `CONFAB_TURN_SECRET`, `CONFAB_STUN_URLS` and
/// `CONFAB_CALL_RING_SECONDS`.
fn call_config(
    get: &impl Fn(&str) -> Option<String>,
    positive: &impl Fn(&'static str, usize) -> Result<usize, ConfigError>,
) -> Result<CallConfig, ConfigError> {
    let default = CallConfig::default();
    let turn_urls = parse_urls(&get("CONFAB_TURN_URLS").unwrap_or_default(), &["turn", "turns"]).map_err(|p| bad("CONFAB_TURN_URLS", p))?;
    let stun_urls = parse_urls(&get("CONFAB_STUN_URLS").unwrap_or_default(), &["stun", "stuns"]).map_err(|p| bad("CONFAB_STUN_URLS", p))?;
    let turn_secret = get("CONFAB_TURN_SECRET").map(|v| v.trim().to_owned());
    // Half a relay configuration would leave calls without the relay someone meant to give them.
    match (turn_urls.is_empty(), &turn_secret) {
        (false, None) => return Err(bad("CONFAB_TURN_SECRET", "is unset, but CONFAB_TURN_URLS is set")),
        (true, Some(_)) => return Err(bad("CONFAB_TURN_URLS", "is unset, but CONFAB_TURN_SECRET is set")),
        _ => {}
    }
    let ring_secs = positive("CONFAB_CALL_RING_SECONDS", (default.ring_ms / 1000) as usize)?.min(600);
    Ok(CallConfig {
        ring_ms: ring_secs as i64 * 1000,
        ice: IceConfig { stun_urls, turn_urls, turn_secret, ..default.ice.clone() },
        ..default
    })
}

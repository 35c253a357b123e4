//! Builds the application (store, services, router, listener) and runs it until a signal.
use std::{net::SocketAddr, sync::Arc};

use app::{
    App,
    backend::{
        Services,
        clock::{Clock, SystemClock},
        accounts::{
            AccountsConfig, AccountsService,
            delivery::{CodeSender, ConsoleSender, DeliveryError, OutboxSender, Senders, SmtpSender, WebhookSender},
        },
        chats::{ChatsConfig, ChatsService},
        hub::Hub,
        media::{
            MediaService,
            blobs::{BlobStore, LocalBlobStore, S3BlobStore},
        },
        sessions::DbSessionStore,
        store::Store,
        strangers::StrangerService,
        calls::CallService,
    },
    shell,
};
use axum::{
    Router,
    extract::{DefaultBodyLimit, FromRef},
    middleware,
    routing::get,
};
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tokio::net::TcpListener;
use tower_http::{
    CompressionLevel,
    compression::{CompressionLayer, DefaultPredicate, Predicate},
    trace::TraceLayer,
};
use tower_sessions::{Expiry, SessionManagerLayer, cookie::SameSite};

use crate::{
    api,
    backends::{self, BackendError, Backends},
    config::{CodeDelivery, Config},
    client_address, guard, health, http, private_files, ws,
};

/// The state axum hands to handlers.
#[derive(Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub services: Services,
    pub config: Arc<Config>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StartupError {
    #[error(transparent)]
    Backend(#[from] BackendError),
    #[error("cannot set up code delivery: {0}")]
    Delivery(#[from] DeliveryError),
    #[error("cannot set up attachment storage in {dir}: {source}")]
    Attachments { dir: std::path::PathBuf, source: std::io::Error },
    #[error("cannot use the attachment bucket (CONFAB_BLOB_S3_*, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY): {0}")]
    BlobBucket(std::io::Error),
    #[error("cannot listen on {addr}: {source}")]
    Listen { addr: SocketAddr, source: std::io::Error },
}

pub struct Application {
    listener: TcpListener,
    router: Router,
    address: SocketAddr,
    public_url: String,
    /// Tells open WebSockets the server is stopping (they ask their clients to reconnect).
    stopping: tokio::sync::watch::Sender<bool>,
}

impl Application {
    pub async fn build(config: Config) -> Result<Self, StartupError> {
        Self::build_with_clock(config, Arc::new(SystemClock)).await
    }

    /// As `build`, with the services on `clock` (tests move it to wait out a code).
    pub async fn build_with_clock(config: Config, clock: Arc<dyn Clock>) -> Result<Self, StartupError> {
        let Backends { store, hub } = backends::open(&config).await?;
        spawn_session_purge(store.clone());
        let blobs = blob_store(&config).await?;
        let services = services(&config, store.clone(), hub, blobs, clock)?;
        services.strangers.spawn_sweeper();
        services.media.spawn_sweeper();
        services.calls.spawn_sweeper();
        if !config.calls.ice.has_turn() {
            tracing::warn!(
                "calls connect directly only (STUN and host candidates): no TURN relay is configured \
                 (CONFAB_TURN_URLS, CONFAB_TURN_SECRET), so two people behind strict NATs cannot call"
            );
        }

        let leptos_options = leptos_options(&config);
        let stale = crate::static_files::drop_stale_copies(std::path::Path::new(&*leptos_options.site_root));
        if stale > 0 {
            tracing::warn!(stale, "removed precompressed files older than their originals; run scripts/precompress.mjs");
        }

        let listener = TcpListener::bind(config.listen)
            .await
            .map_err(|source| StartupError::Listen { addr: config.listen, source })?;
        let address = listener.local_addr().map_err(|source| StartupError::Listen { addr: config.listen, source })?;
        let public_url = if config.listen.port() == 0 && config.public_url == format!("http://{}", config.listen) {
            format!("http://{address}")
        } else {
            config.public_url.clone()
        };

        let sessions = SessionManagerLayer::new(DbSessionStore::new(store))
            .with_name("confab_session")
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_secure(config.is_https())
            .with_expiry(Expiry::OnInactivity(time::Duration::days(30)));

        let ws_rate = ws::limits::RateLimit { per_sec: config.ws_frames_per_sec, burst: 2.0 * config.ws_frames_per_sec };
        let (stopping, stopping_rx) = tokio::sync::watch::channel(false);
        let ws_settings = ws::WsSettings::new(&public_url, ws_rate, stopping_rx)
            .with_limits(config.ws_sockets_per_user, config.ws_replay_messages);
        let cors_origins = config.cors_origins.clone();
        let trusted_proxies = Arc::new(config.trusted_proxies.clone());
        let state = AppState { leptos_options: leptos_options.clone(), services: services.clone(), config: Arc::new(config) };
        let routes = generate_route_list(App);
        let write_origins = http::WriteOrigins { site: public_url.as_str().into(), api_clients: cors_origins.clone().into() };
        let router = Router::new()
            .route("/healthz", get(health::healthz))
            .route("/readyz", get(health::readyz))
            .merge(api::router(&cors_origins))
            .merge(ws::router(ws_settings))
            .leptos_routes_with_context(
                &state,
                routes,
                move || provide_context(services.clone()),
                move || shell(leptos_options.clone()),
            )
            .fallback(leptos_axum::file_and_error_handler::<AppState, _>(shell))
            .layer(middleware::from_fn_with_state(state.clone(), guard::require_sign_in))
            .layer(DefaultBodyLimit::max(64 * 1024))
            .layer(sessions)
            .layer(middleware::from_fn(move |request, next| {
                http::refuse_cross_site_writes(write_origins.clone(), request, next)
            }))
            .layer(middleware::from_fn(http::security_headers))
            // Pages are compressed per request, so cheaply: gzip at level 2. Brotli, even at
            // quality 2, zeroes megabytes of tables per response; under callgrind a chat list
            // cost 37 M instructions with it, 30 M with gzip (24 M uncompressed), for 13%
            // more bytes. Static files have brotli copies made once at the best ratio
            // (`static_files`), which this layer passes through.
            .layer(CompressionLayer::new().no_br().quality(CompressionLevel::Precise(2)).compress_when(DefaultPredicate::new().and(http::not_ranged)))
            .layer(TraceLayer::new_for_http().make_span_with(http::request_span).on_response(http::log_response))
            .layer(middleware::from_fn_with_state(trusted_proxies, client_address::record))
            .with_state(state);

        Ok(Self { listener, router, address, public_url, stopping })
    }

    /// The address actually bound (differs from the configured one when its port is 0).
    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn public_url(&self) -> &str {
        &self.public_url
    }

    /// Serves until SIGTERM or Ctrl-C, then stops accepting and lets in-flight requests finish.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        // Handlers go in before "ready" is printed: a SIGTERM right after it must stop us gently.
        let signal = shutdown_signal();
        tracing::info!(url = %self.public_url, "Confab is ready at {}", self.public_url);
        let stopping = self.stopping;
        let stop = async move {
            signal.await;
            let _ = stopping.send(true);
        };
        axum::serve(self.listener, self.router.into_make_service_with_connect_info::<SocketAddr>())
            .with_graceful_shutdown(stop)
            .await?;
        // Upgraded sockets are not HTTP requests in flight: give them a moment to say goodbye.
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        tracing::info!("stopped");
        Ok(())
    }
}

/// Where attachment bytes live: the configured S3 bucket (checked to answer), else `<data dir>/blobs`.
async fn blob_store(config: &Config) -> Result<Arc<dyn BlobStore>, StartupError> {
    Ok(match &config.blob_s3 {
        Some(settings) => {
            let store = S3BlobStore::connect(settings).await.map_err(StartupError::BlobBucket)?;
            tracing::info!(bucket = %settings.bucket, "attachments are kept in an S3 bucket");
            Arc::new(store)
        }
        None => {
            let dir = config.data_dir.join("blobs");
            Arc::new(LocalBlobStore::new(&dir).map_err(|source| StartupError::Attachments { dir, source })?)
        }
    })
}

/// The services, on the store, hub and blob store the configuration chose.
fn services(
    config: &Config,
    store: Arc<dyn Store>,
    hub: Hub,
    blobs: Arc<dyn BlobStore>,
    clock: Arc<dyn Clock>,
) -> Result<Services, StartupError> {
    let chats_config = ChatsConfig { default_region: config.default_region.clone(), ..ChatsConfig::default() };
    let dir = config.data_dir.clone();
    let storage_failed = |source| StartupError::Attachments { dir: dir.clone(), source };
    let media = MediaService::new(store.clone(), blobs, dir.join("uploading"), config.media.clone())
        .map_err(storage_failed)?
        .with_clock(clock.clone());
    let media = Arc::new(media);
    let chats = ChatsService::new(store.clone(), hub.clone(), chats_config).with_clock(clock.clone()).with_media(media.clone());
    let chats = Arc::new(chats);
    let strangers = StrangerService::new(store.clone(), hub.clone(), chats.clone(), config.strangers.clone()).with_clock(clock.clone());
    let calls = CallService::new(chats.clone(), hub.clone(), config.calls.clone()).with_clock(clock.clone());
    let accounts = accounts_service(config, store.clone(), hub.clone())?.with_clock(clock);
    Ok(Services { store, accounts: Arc::new(accounts), chats, strangers: Arc::new(strangers), calls: Arc::new(calls), media, hub })
}

fn accounts_service(config: &Config, store: Arc<dyn Store>, hub: Hub) -> Result<AccountsService, DeliveryError> {
    let sender = |delivery: &CodeDelivery| -> Result<Arc<dyn CodeSender>, DeliveryError> {
        Ok(match delivery {
            CodeDelivery::Console => Arc::new(ConsoleSender),
            CodeDelivery::Outbox => {
                private_files::private_dir(&config.outbox_dir)
                    .map_err(|e| DeliveryError(format!("cannot make `{}` private: {e}", config.outbox_dir.display())))?;
                Arc::new(OutboxSender { dir: config.outbox_dir.clone() })
            }
            CodeDelivery::Webhook { url, token } => {
                Arc::new(WebhookSender::new(url.clone(), token.as_ref().map(|t| t.expose().to_owned()))?)
            }
            CodeDelivery::Smtp { url, from } => Arc::new(SmtpSender::new(url.expose(), from)?),
        })
    };
    let senders = Senders { sms: sender(&config.sms_delivery)?, email: sender(&config.email_delivery)? };
    let settings = AccountsConfig {
        secret: config.secret_key.expose().to_vec(),
        default_region: config.default_region.clone(),
        code_sends_per_ip_hour: config.code_sends_per_ip_hour,
        code_checks_per_ip_10_min: config.code_checks_per_ip_10_min,
    };
    let accounts = AccountsService::new(store, hub, senders, settings);
    Ok(match &config.passkeys {
        Some(relying_party) => accounts.with_passkeys(relying_party.clone()),
        None => {
            tracing::info!(url = %config.public_url, "passkeys are off: set CONFAB_PUBLIC_URL to a domain name (http://localhost:PORT on this machine) to offer them");
            accounts
        }
    })
}

/// Removes expired sessions and passkey ceremonies hourly, so abandoned devices and unanswered
/// challenges do not pile up in the database.
fn spawn_session_purge(store: Arc<dyn Store>) {
    tokio::spawn(async move {
        let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every_hour.tick().await;
            let now = time::OffsetDateTime::now_utc().unix_timestamp();
            match store.sessions_purge_expired(now).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(removed = n, "purged expired sessions"),
                Err(e) => tracing::warn!(error = %e, "purging expired sessions failed"),
            }
            if let Err(e) = store.ceremonies_purge(now).await {
                tracing::warn!(error = %e, "purging expired passkey ceremonies failed");
            }
        }
    });
}

/// The site settings Leptos needs, fixed here rather than read from cargo-leptos's environment so
/// `target/release/confab` behaves the same however it is started. `LEPTOS_SITE_ROOT` still
/// moves the static files (default `target/site`, relative to the working directory).
fn leptos_options(config: &Config) -> LeptosOptions {
    let site_root = std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into());
    LeptosOptions::builder()
        .output_name("confab")
        .site_root(site_root)
        .site_pkg_dir("pkg")
        .env(leptos::config::Env::PROD)
        .site_addr(config.listen)
        .build()
}

/// Registers the signal handlers now and resolves when one fires.
fn shutdown_signal() -> impl std::future::Future<Output = ()> {
    #[cfg(unix)]
    let terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    async move {
        let ctrl_c = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        #[cfg(unix)]
        let terminate = async move {
            match terminate {
                Some(mut signal) => {
                    signal.recv().await;
                }
                None => std::future::pending::<()>().await,
            }
        };
        #[cfg(not(unix))]
        let terminate = std::future::pending::<()>();
        tokio::select! {
            () = ctrl_c => tracing::info!("Ctrl-C received: finishing in-flight requests"),
            () = terminate => tracing::info!("SIGTERM received: finishing in-flight requests"),
        }
    }
}

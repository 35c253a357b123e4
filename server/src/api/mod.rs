//! The JSON REST API for other clients (`/api/...`, Bearer tokens). Handlers only translate
//! HTTP to service calls; the services decide. The description is at `/api/openapi.json`.
mod accounts;
mod attachments;
mod chats;
mod contacts;
mod docs;
mod edges;
mod email;
mod extract;
mod groups;
mod me;
mod messages;
pub mod openapi;
mod page;
mod passkeys;
mod search;
mod strangers;
mod whole;

use axum::{Router, routing::MethodRouter};

use crate::startup::AppState;

pub use extract::{ApiError, ApiJson, ApiPath, ApiQuery, ApiUser, BearerOrSessionUser, error_response};

/// Every route of the API, with its error shape for unknown paths and wrong methods, and CORS
/// for the configured origins.
pub fn router(cors_origins: &[String]) -> Router<AppState> {
    let api = Router::new()
        .merge(accounts::router())
        .merge(email::router())
        .merge(me::router())
        .merge(passkeys::router())
        .merge(chats::router())
        .merge(messages::router())
        .merge(attachments::router())
        .merge(groups::router())
        .merge(contacts::router())
        .merge(search::router())
        .merge(strangers::router())
        .merge(docs::router())
        .route("/api", axum::routing::any(edges::unknown_route))
        .route("/api/{*rest}", axum::routing::any(edges::unknown_route))
        .layer(axum::middleware::from_fn(edges::errors_as_json));
    match edges::cors(cors_origins) {
        Some(cors) => api.layer(cors),
        None => api,
    }
}

/// Each route answers with and without its trailing slash, as the original clients used both.
fn with_and_without_slash<const N: usize>(routes: [(&str, MethodRouter<AppState>); N]) -> Router<AppState> {
    routes.into_iter().fold(Router::new(), |router, (path, route)| {
        router.route(path, route.clone()).route(&format!("{path}/"), route)
    })
}

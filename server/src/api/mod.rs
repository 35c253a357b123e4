//! The JSON REST API for other clients (`/api/...`, Bearer tokens). Handlers only translate
//! HTTP to service calls; the services decide.
mod accounts;
mod chats;
mod extract;

use axum::Router;

use crate::startup::AppState;

pub use extract::{ApiError, ApiJson, ApiQuery, ApiUser};

pub fn router() -> Router<AppState> {
    accounts::router().merge(chats::router())
}

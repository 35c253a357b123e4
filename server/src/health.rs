//! Liveness and readiness probes for load balancers and orchestrators.
use axum::{Json, extract::State, http::StatusCode, response::IntoResponse};
use serde_json::json;

use app::backend::store::StoreError;

use crate::startup::AppState;

/// The process is up and serving HTTP.
pub async fn healthz() -> impl IntoResponse {
    Json(json!({ "status": "ok" }))
}

/// The process can do useful work: its database answers, and so does the message writer (a
/// dead or stuck writer thread would take every send with it while pages still render).
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.services.store.ping().await {
        Ok(()) => (StatusCode::OK, Json(json!({ "status": "ready" }))),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            let reason = match e {
                StoreError::Busy | StoreError::Slow | StoreError::WriterStopped => "writer",
                _ => "database",
            };
            (StatusCode::SERVICE_UNAVAILABLE, Json(json!({ "status": "unavailable", "reason": reason })))
        }
    }
}

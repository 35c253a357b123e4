//! The API's edges: JSON bodies that reject unknown fields, Bearer identity, one error shape.
use axum::{
    Json,
    extract::{FromRequest, FromRequestParts, Path, Query, Request, rejection::JsonRejection},
    http::{HeaderValue, StatusCode, header, request::Parts},
    response::{IntoResponse, Response},
};
use serde::de::DeserializeOwned;
use serde_json::json;

use app::{error::AppError, ids::UserId};

use crate::startup::AppState;

/// An `AppError` as the API sends it: `{"error": {"code", "message", "field"}}` with its status.
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = e.status();
        let body = json!({ "error": { "code": e.code(), "message": e.to_string(), "field": e.field() } });
        let mut response = (status, Json(body)).into_response();
        if let AppError::RateLimited { retry_after_secs } = e {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
        }
        response
    }
}

/// The API's error body for a problem found before any service was asked (bad syntax, a
/// missing route, a wrong method).
pub fn error_response(status: StatusCode, code: &str, message: &str) -> Response {
    (status, Json(json!({ "error": { "code": code, "message": message, "field": null } }))).into_response()
}

/// A JSON body whose problems (bad syntax, missing or unknown fields) answer in the API's shape.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let refuse = |rejection: JsonRejection| {
            let status = match &rejection {
                JsonRejection::MissingJsonContentType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
                JsonRejection::BytesRejection(_) => StatusCode::PAYLOAD_TOO_LARGE,
                _ => StatusCode::BAD_REQUEST,
            };
            error_response(status, "invalid_body", &rejection.body_text())
        };
        // Read as a JSON value first: every body is an object, and serde would otherwise also
        // build a struct from an array of its fields (`[]` for one whose fields are optional).
        let Json(value) = Json::<serde_json::Value>::from_request(req, state).await.map_err(refuse)?;
        if !value.is_object() {
            return Err(error_response(StatusCode::BAD_REQUEST, "invalid_body", "The body must be a JSON object"));
        }
        serde_json::from_value::<T>(value)
            .map(Self)
            .map_err(|e| error_response(StatusCode::BAD_REQUEST, "invalid_body", &format!("Failed to deserialize the JSON body into the target type: {e}")))
    }
}

/// A query string whose problems answer in the API's shape.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(Self(value)),
            Err(rejection) => {
                Err(error_response(StatusCode::BAD_REQUEST, "invalid_query", &rejection.body_text()))
            }
        }
    }
}

/// Path parameters whose problems answer in the API's shape.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(Self(value)),
            // An id no chat or message can have: there is nothing at that address.
            Err(rejection) if rejection.body_text().contains(app::ids::CONTROL_IN_ID) => Err(ApiError(AppError::NotFound).into_response()),
            Err(rejection) => Err(error_response(StatusCode::BAD_REQUEST, "invalid_path", &rejection.body_text())),
        }
    }
}

/// The caller by a Bearer token, else by the browser's session cookie: for what both API
/// clients and the web app's own pages fetch (attachments, which an `<img>` loads with the cookie).
pub struct BearerOrSessionUser(pub UserId);

impl FromRequestParts<AppState> for BearerOrSessionUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if app::backend::identity::bearer_token(&parts.headers).is_some() {
            return ApiUser::from_request_parts(parts, state).await.map(|ApiUser(user)| Self(user));
        }
        let session = parts.extensions.get::<tower_sessions::Session>().ok_or(ApiError(AppError::Unauthenticated))?;
        let user = app::backend::identity::session_user(session).await.ok_or(ApiError(AppError::Unauthenticated))?;
        Ok(Self(user))
    }
}

/// The user named by a valid `Authorization: Bearer <access token>`.
pub struct ApiUser(pub UserId);

impl FromRequestParts<AppState> for ApiUser {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let token = app::backend::identity::bearer_token(&parts.headers).ok_or(ApiError(AppError::Unauthenticated))?;
        let user = state.services.accounts.bearer_user(token).ok_or(ApiError(AppError::Unauthenticated))?;
        Ok(Self(user))
    }
}

//! The error every client sees: serialisable, specific where the person can act on it, and
//! without internals (causes are logged on the server, never sent).
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    /// 401: no session or token, or it was signed out.
    #[error("Please log in to continue")]
    Unauthenticated,
    /// 401 from a password login: the email or the password is wrong (never saying which).
    #[error("That email and password don’t match — check them or reset your password")]
    WrongCredentials,
    /// 403
    #[error("You are not allowed to do that")]
    Forbidden,
    /// 404 (also for things that exist but the caller may not see)
    #[error("Not found")]
    NotFound,
    /// 400/422: a field the person can fix; `reason` is written for them, `code` for programs
    /// (e.g. `code_expired`, `invalid_phone`).
    #[error("{reason}")]
    Invalid { code: String, field: String, reason: String },
    /// 409: e.g. a username or phone already taken.
    #[error("{message}")]
    Conflict { field: String, message: String },
    /// 429
    #[error("Too many attempts — try again in {retry_after_secs} s")]
    RateLimited { retry_after_secs: u64 },
    /// The browser could not reach the server.
    #[error("Can’t reach Confab — check your connection and try again")]
    Network,
    /// 500: logged on the server; the client learns nothing more.
    #[error("Something went wrong on our side — please try again")]
    Internal,
}

impl AppError {
    pub fn invalid(field: &str, reason: impl Into<String>) -> Self {
        Self::Invalid { code: format!("invalid_{field}"), field: field.into(), reason: reason.into() }
    }

    pub fn invalid_with_code(code: &str, field: &str, reason: impl Into<String>) -> Self {
        Self::Invalid { code: code.into(), field: field.into(), reason: reason.into() }
    }

    /// A stable snake_case name for programs (the REST API's `error.code`).
    pub fn code(&self) -> &str {
        match self {
            Self::Unauthenticated => "unauthenticated",
            Self::WrongCredentials => "invalid_credentials",
            Self::Forbidden => "forbidden",
            Self::NotFound => "not_found",
            Self::Invalid { code, .. } => code,
            Self::Conflict { field, .. } => match field.as_str() {
                "username" => "username_taken",
                "phone" => "phone_taken",
                "email" => "email_taken",
                _ => "conflict",
            },
            Self::RateLimited { .. } => "rate_limited",
            Self::Network => "network",
            Self::Internal => "internal",
        }
    }

    pub fn conflict(field: &str, message: impl Into<String>) -> Self {
        Self::Conflict { field: field.into(), message: message.into() }
    }

    /// The form field this error belongs to, if any, so a page can show it beside that field.
    pub fn field(&self) -> Option<&str> {
        match self {
            Self::Invalid { field, .. } | Self::Conflict { field, .. } => Some(field),
            Self::WrongCredentials => Some("password"),
            _ => None,
        }
    }
}

#[cfg(feature = "ssr")]
impl AppError {
    /// The HTTP status this error answers with, on the REST API and on server fns alike.
    pub fn status(&self) -> axum::http::StatusCode {
        use axum::http::StatusCode;
        match self {
            Self::Unauthenticated | Self::WrongCredentials => StatusCode::UNAUTHORIZED,
            Self::Forbidden => StatusCode::FORBIDDEN,
            Self::NotFound => StatusCode::NOT_FOUND,
            Self::Invalid { code, .. } if code.ends_with("_too_large") => StatusCode::PAYLOAD_TOO_LARGE,
            Self::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::Conflict { .. } => StatusCode::CONFLICT,
            Self::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Network | Self::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl FromServerFnError for AppError {
    // The same JSON as `JsonEncoding`, read like the results it comes with (see `codec`).
    type Encoder = crate::codec::StrJsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) => Self::Network,
            ServerFnErrorErr::Args(reason) | ServerFnErrorErr::MissingArg(reason) => {
                Self::Invalid { code: "invalid_request".into(), field: String::new(), reason }
            }
            _ => Self::Internal,
        }
    }
}

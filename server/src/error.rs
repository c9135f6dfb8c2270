//! Every failure a handler can return, each with its status. The caller's mistakes are 4xx with
//! a stable code; internal failures are logged here and answered with a bare 500.

use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequest, Request};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use porch_domain::DomainError;
use porch_protocol as wire;
use porch_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// 404: unknown id, or one that belongs to another workspace or lead.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// 401: no valid session or visitor token.
    #[error("sign in first")]
    Unauthorized,
    /// 403: signed in, but this needs an owner or manager.
    #[error("only owners and managers may do this")]
    Forbidden,
    /// 429: too many requests of this kind from this caller; try again after the given seconds.
    #[error("too many {what}; try again in {retry_after} s")]
    RateLimited { what: &'static str, retry_after: u64 },
    /// 503: the server is too busy for this now (every password check slot is taken).
    #[error("the server is busy; try again in a moment")]
    Busy,
    /// 401: login refused.
    #[error("wrong e-mail or password")]
    InvalidCredentials,
    /// 400/413/415/422: the request could not be read.
    #[error("{message}")]
    BadRequest { status: StatusCode, code: &'static str, message: String },
    /// 409: the request clashes with what is stored.
    #[error("{0} already exists")]
    Conflict(&'static str),
    /// 4xx: a rule refused the command.
    #[error(transparent)]
    Domain(#[from] DomainError),
    /// 500: logged, never shown.
    #[error("internal error")]
    Internal(String),
}

impl ApiError {
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Unauthorized | ApiError::InvalidCredentials => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::BadRequest { status, .. } => *status,
            ApiError::Conflict(_) => StatusCode::CONFLICT,
            ApiError::Domain(e) => match e {
                DomainError::EmptyMessage
                | DomainError::MessageTooLong { .. }
                | DomainError::OutcomeRequired
                | DomainError::ClosingNoteRequired(_)
                | DomainError::UnknownCategory(_)
                | DomainError::ClosingNotesOff
                | DomainError::SnoozeInPast
                | DomainError::InvalidSettings(_)
                | DomainError::UnknownQuickAnswer(_) => StatusCode::UNPROCESSABLE_ENTITY,
                DomainError::PlanRequired { .. } | DomainError::LeadMayNotEnd => {
                    StatusCode::FORBIDDEN
                }
                DomainError::InputDisabled
                | DomainError::ConversationClosed
                | DomainError::AlreadyClosed
                | DomainError::ContactBlocked
                | DomainError::NotClosed
                | DomainError::AlreadyOpen
                | DomainError::NotSnoozed
                | DomainError::NotLive
                | DomainError::NotWithTheBot => StatusCode::CONFLICT,
            },
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    pub fn code(&self) -> &'static str {
        match self {
            ApiError::NotFound(_) => "not_found",
            ApiError::Unauthorized => "unauthorized",
            ApiError::InvalidCredentials => "invalid_credentials",
            ApiError::Forbidden => "forbidden",
            ApiError::RateLimited { .. } => "rate_limited",
            ApiError::Busy => "busy",
            ApiError::BadRequest { code, .. } => code,
            ApiError::Conflict(_) => "conflict",
            ApiError::Domain(e) => e.code(),
            ApiError::Internal(_) => "internal",
        }
    }

    pub fn to_wire(&self) -> wire::ApiError {
        wire::ApiError { code: self.code().to_owned(), message: self.to_string() }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::BadRequest { status: StatusCode::BAD_REQUEST, code, message: message.into() }
    }

    /// 422 with `code`: the request was read, but a value in it is not acceptable.
    pub fn unprocessable(code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError::BadRequest {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code,
            message: message.into(),
        }
    }

    /// Seconds to wait before trying again, for `Retry-After`.
    fn retry_after(&self) -> Option<u64> {
        match self {
            ApiError::RateLimited { retry_after, .. } => Some((*retry_after).max(1)),
            ApiError::Busy => Some(1),
            _ => None,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        if let ApiError::Internal(detail) = &self {
            tracing::error!(%detail, "request failed");
        }
        let mut response = (self.status(), axum::Json(self.to_wire())).into_response();
        if let Some(seconds) = self.retry_after() {
            response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound => ApiError::NotFound("conversation"),
            StoreError::Conflict(what) => ApiError::Conflict(what),
            StoreError::Domain(e) => ApiError::Domain(e),
            StoreError::Limited { what, wait } => {
                let retry_after = u64::try_from(wait.saturating_add(999) / 1000).unwrap_or(1);
                ApiError::RateLimited { what, retry_after }
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(rejection: JsonRejection) -> ApiError {
        let status = rejection.status();
        let code = match status {
            StatusCode::PAYLOAD_TOO_LARGE => "too_large",
            StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
            StatusCode::UNPROCESSABLE_ENTITY => "invalid_fields",
            _ => "malformed_json",
        };
        ApiError::BadRequest { status, code, message: rejection.body_text() }
    }
}

impl From<QueryRejection> for ApiError {
    fn from(rejection: QueryRejection) -> ApiError {
        ApiError::bad_request("invalid_query", rejection.body_text())
    }
}

/// `axum::Json`, with its rejections answered in Porch's error shape, refusing text that a
/// store cannot hold (NUL: PostgreSQL's text has no place for it) the same way on every backend.
pub struct Json<T>(pub T);

impl<T: serde::de::DeserializeOwned, S: Send + Sync> FromRequest<S> for Json<T> {
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        // Content type, size and syntax (including lone surrogates and nesting deeper than
        // serde_json's limit) are checked here.
        let axum::Json(value) =
            axum::Json::<serde_json::Value>::from_request(request, state).await?;
        if contains_nul(&value) {
            return Err(ApiError::unprocessable(
                "invalid_text",
                "text may not contain NUL (\\u0000)",
            ));
        }
        T::deserialize(value).map(Json).map_err(|e| {
            ApiError::unprocessable("invalid_fields", format!("the JSON body does not fit: {e}"))
        })
    }
}

/// Whether any string or key in `value` holds a NUL character.
fn contains_nul(value: &serde_json::Value) -> bool {
    use serde_json::Value;
    // Iterative, so no input can deepen the stack (serde_json already limits nesting to 128).
    let mut pending = vec![value];
    while let Some(value) = pending.pop() {
        match value {
            Value::String(s) if s.contains('\0') => return true,
            Value::Array(items) => pending.extend(items),
            Value::Object(fields) => {
                if fields.keys().any(|k| k.contains('\0')) {
                    return true;
                }
                pending.extend(fields.values());
            }
            _ => {}
        }
    }
    false
}

/// Refuses a path or query holding an encoded NUL (`%00`) before any handler sees it: ids and
/// filters are text too.
pub async fn refuse_nul_in_uri(request: Request, next: Next) -> Response {
    let uri = request.uri();
    let has_nul = |text: &str| text.as_bytes().windows(3).any(|w| w == b"%00");
    if has_nul(uri.path()) || uri.query().is_some_and(has_nul) {
        return ApiError::unprocessable("invalid_text", "the address may not contain NUL (%00)")
            .into_response();
    }
    next.run(request).await
}

impl<T: serde::Serialize> IntoResponse for Json<T> {
    fn into_response(self) -> Response {
        axum::Json(self.0).into_response()
    }
}

/// `axum::extract::Query`, with its rejections answered in Porch's error shape.
#[derive(axum::extract::FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct Query<T>(pub T);

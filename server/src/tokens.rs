//! API tokens: what an integration calling with `Authorization: Bearer porch_…` may reach. A
//! token acts as a manager of its workspace on conversations, contacts and reports (`read`
//! tokens only read them), is named as the actor of what it does, and is rate-limited per
//! token. The team, the settings, sessions and tokens stay with people signed in.

use axum::http::Method;
use porch_protocol::{Agent, AgentId, Role, TokenScope};
use porch_store::AgentRecord;

use crate::auth::{token_hash, AgentSession};
use crate::limits::Limit;
use crate::{ApiError, AppState};

/// Requests one token makes: 600 at once, then 20 a second.
pub const REQUESTS_PER_TOKEN: Limit = Limit { what: "API requests", burst: 600, every: 50 };

/// What a token may reach, by path under `/api/v1` (every method of these; `read` tokens
/// only GET).
const REACHABLE: [&str; 3] = ["/agent/conversations", "/agent/contacts/", "/agent/reports/"];
/// Reachable with GET only, whatever the scope.
const READABLE: [&str; 1] = ["/agent/workspace"];

/// The caller behind an API token's `secret`, for a request of `method` to `path`.
pub async fn caller(
    state: &AppState,
    secret: &str,
    method: &Method,
    path: &str,
) -> Result<AgentSession, ApiError> {
    let now = state.clock.now();
    let (workspace_id, token) = state
        .store
        .token_by_secret(&token_hash(secret), now)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let path = path.strip_prefix("/api/v1").unwrap_or(path);
    let reads = matches!(*method, Method::GET | Method::HEAD);
    let reachable =
        REACHABLE.iter().any(|p| path.starts_with(p)) || (reads && READABLE.contains(&path));
    if !reachable {
        return Err(ApiError::BadRequest {
            status: axum::http::StatusCode::FORBIDDEN,
            code: "token_not_allowed",
            message:
                "API tokens reach conversations, contacts and reports only; sign in for the rest"
                    .into(),
        });
    }
    if token.scope == TokenScope::Read && !reads {
        return Err(ApiError::BadRequest {
            status: axum::http::StatusCode::FORBIDDEN,
            code: "token_read_only",
            message: "this token may only read; create a write token to act".into(),
        });
    }
    state.limit(&REQUESTS_PER_TOKEN, token.id.as_str()).await?;
    Ok(AgentSession(AgentRecord {
        workspace_id,
        agent: Agent {
            id: AgentId(token.id.0),
            name: token.name,
            email: String::new(),
            role: Role::Manager,
        },
        token: Some(token.scope),
    }))
}

//! Settings → API, for owners: create, list and revoke the workspace's API tokens. A token's
//! secret is shown once, at creation; only its hash is stored.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Router;
use porch_protocol::{self as wire, api, Permission, TokenId};
use porch_store::NewToken;

use super::Endpoints;
use crate::auth::{new_token, require, token_hash, AgentSession, API_TOKEN_PREFIX};
use crate::error::Json;
use crate::limits::Limit;
use crate::{ApiError, AppState};

/// Tokens a workspace creates: 20, then 1 a minute.
const CREATED_PER_WORKSPACE: Limit = Limit { what: "new API tokens", burst: 20, every: 60_000 };

pub fn router() -> Router<AppState> {
    Router::new()
        .endpoint(api::agent::TOKENS, list)
        .endpoint(api::agent::CREATE_TOKEN, create)
        .endpoint(api::agent::REVOKE_TOKEN, revoke)
}

async fn list(
    State(state): State<AppState>,
    AgentSession(owner): AgentSession,
) -> Result<Json<Vec<wire::ApiToken>>, ApiError> {
    require(&owner, Permission::Settings)?;
    Ok(Json(state.store.tokens(&owner.workspace_id).await?))
}

async fn create(
    State(state): State<AppState>,
    AgentSession(owner): AgentSession,
    Json(req): Json<wire::CreateToken>,
) -> Result<(StatusCode, Json<wire::CreatedToken>), ApiError> {
    require(&owner, Permission::Settings)?;
    let name = crate::setup::check_name(&req.name, "token name")?;
    state.limit(&CREATED_PER_WORKSPACE, owner.workspace_id.as_str()).await?;
    let secret = format!("{API_TOKEN_PREFIX}{}", new_token()?);
    let token = wire::ApiToken {
        id: TokenId(format!("tok_{}", &new_token()?[..20])),
        name,
        scope: req.scope,
        prefix: secret[..API_TOKEN_PREFIX.len() + 6].to_owned(),
        created_at: state.clock.now(),
        created_by: owner.agent.id.clone(),
        last_used_at: None,
    };
    let new = NewToken {
        workspace_id: owner.workspace_id.clone(),
        token: token.clone(),
        secret_hash: token_hash(&secret),
    };
    if !state.store.create_token(&new, wire::MAX_TOKENS).await? {
        return Err(ApiError::BadRequest {
            status: StatusCode::CONFLICT,
            code: "too_many_tokens",
            message: format!(
                "a workspace holds at most {} tokens; revoke one first",
                wire::MAX_TOKENS
            ),
        });
    }
    tracing::info!(workspace = %owner.workspace_id, token = %token.id, "API token created");
    Ok((StatusCode::CREATED, Json(wire::CreatedToken { token, secret })))
}

async fn revoke(
    State(state): State<AppState>,
    AgentSession(owner): AgentSession,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    require(&owner, Permission::Settings)?;
    let now = state.clock.now();
    match state.store.revoke_token(&owner.workspace_id, &TokenId(id), now).await? {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(ApiError::NotFound("token")),
    }
}

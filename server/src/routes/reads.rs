//! Each member's unread messages: how many per open conversation, and marking one read.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Router;
use porch_protocol::{self as wire, api, ConversationId};

use super::Endpoints;
use crate::auth::AgentSession;
use crate::error::Json;
use crate::{ApiError, AppState};

pub fn router() -> Router<AppState> {
    Router::new().endpoint(api::agent::UNREAD, unread).endpoint(api::agent::MARK_READ, mark_read)
}

async fn unread(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
) -> Result<Json<Vec<wire::UnreadCount>>, ApiError> {
    Ok(Json(state.store.unread(&session.workspace_id, &session.agent.id).await?))
}

async fn mark_read(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Path(id): Path<String>,
    Json(req): Json<wire::MarkRead>,
) -> Result<StatusCode, ApiError> {
    let id = ConversationId(id);
    match state.store.mark_read(&session.workspace_id, &session.agent.id, &id, req.seq).await? {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(ApiError::NotFound("conversation")),
    }
}

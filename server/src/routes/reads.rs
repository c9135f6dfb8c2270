//! What each member has read and is writing: unread messages per open conversation, marking
//! one read (the lead then sees their messages as seen), and saying they are typing.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Router;
use porch_protocol::{self as wire, api, ConversationId, LeadServerFrame};

use super::Endpoints;
use crate::auth::AgentSession;
use crate::error::Json;
use crate::signals::Signal;
use crate::{limits, ApiError, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .endpoint(api::agent::UNREAD, unread)
        .endpoint(api::agent::MARK_READ, mark_read)
        .endpoint(api::agent::TYPING, typing)
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
    let workspace = &session.workspace_id;
    if !state.store.mark_read(workspace, &session.agent.id, &id, req.seq).await? {
        return Err(ApiError::NotFound("conversation"));
    }
    // The lead's widget shows their messages sent until now as seen.
    let conversation = state.conversation(workspace, &id).await?;
    let frame = LeadServerFrame::Seen { conversation_id: id, at: state.clock.now() };
    state.signal(Signal::to_lead(workspace, &conversation.contact_id, &frame)).await;
    Ok(StatusCode::NO_CONTENT)
}

/// The member is writing a reply: the lead's widget shows it, with their name, for a few
/// seconds. Limited in this process alone, as the lead's (nothing is kept).
async fn typing(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.limits.take(&limits::TYPING, session.agent.id.as_str(), state.clock.now())?;
    let conversation = state.conversation(&session.workspace_id, &ConversationId(id)).await?;
    let name = session.agent.name.clone();
    let frame = LeadServerFrame::Typing { conversation_id: conversation.id, name };
    state.signal(Signal::to_lead(&session.workspace_id, &conversation.contact_id, &frame)).await;
    Ok(StatusCode::NO_CONTENT)
}

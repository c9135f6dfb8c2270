//! The sellers' endpoints, used by the inbox with the session cookie.

use axum::extract::{Path, State, WebSocketUpgrade};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use porch_domain::NewMessage;
use porch_protocol::{self as wire, Actor, AuthorKind, ConversationId, ConversationStatus};
use porch_store::{ConversationFilter, Decide};
use serde::Deserialize;

use super::Resume;
use crate::auth::{self, AgentSession};
use crate::error::{Json, Query};
use crate::hub::Audience;
use crate::service::new_message_id;
use crate::{ApiError, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agent/login", post(login))
        .route("/agent/logout", post(logout))
        .route("/agent/me", get(me))
        .route("/agent/conversations", get(list))
        .route("/agent/conversations/{id}", get(read))
        .route("/agent/conversations/{id}/messages", post(reply))
        .route("/agent/conversations/{id}/close", post(close))
        .route("/agent/ws", get(socket))
}

async fn login(
    State(state): State<AppState>,
    Json(req): Json<wire::Login>,
) -> Result<Response, ApiError> {
    let credentials = state.store.agent_credentials(&req.email).await?;
    let stored = credentials.as_ref().map(|c| c.password_hash.clone());
    let verified = auth::verify_password(req.password, stored).await;
    let credentials = credentials.filter(|_| verified).ok_or(ApiError::InvalidCredentials)?;
    let token = auth::new_token()?;
    let expires = state.clock.now() + auth::SESSION_MILLIS;
    state.store.create_session(&auth::token_hash(&token), &credentials.record, expires).await?;
    let last_seq = state.store.last_seq(&credentials.record.workspace_id).await?;
    let me = wire::Me { agent: credentials.record.agent, last_seq };
    let cookie = auth::session_cookie(&token, auth::SESSION_MILLIS / 1000);
    Ok(([(header::SET_COOKIE, cookie)], Json(me)).into_response())
}

async fn logout(State(state): State<AppState>, headers: axum::http::HeaderMap) -> Response {
    if let Some(token) = auth::cookie(&headers, auth::SESSION_COOKIE) {
        if let Err(e) = state.store.delete_session(&auth::token_hash(token)).await {
            return ApiError::from(e).into_response();
        }
    }
    (StatusCode::NO_CONTENT, [(header::SET_COOKIE, auth::session_cookie("", 0))]).into_response()
}

async fn me(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
) -> Result<Json<wire::Me>, ApiError> {
    let last_seq = state.store.last_seq(&session.workspace_id).await?;
    Ok(Json(wire::Me { agent: session.agent, last_seq }))
}

#[derive(Deserialize)]
struct ListParams {
    status: Option<ConversationStatus>,
}

async fn list(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Query(params): Query<ListParams>,
) -> Result<Json<Vec<wire::Conversation>>, ApiError> {
    let filter = ConversationFilter { status: params.status, ..Default::default() };
    Ok(Json(state.store.conversations(&session.workspace_id, &filter).await?))
}

async fn read(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Path(id): Path<String>,
) -> Result<Json<wire::ConversationDetail>, ApiError> {
    let conversation = state
        .store
        .conversation(&session.workspace_id, &ConversationId(id))
        .await?
        .ok_or(ApiError::NotFound("conversation"))?;
    let messages = state.store.messages(&conversation.id).await?;
    Ok(Json(wire::ConversationDetail { conversation, messages }))
}

async fn reply(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Path(id): Path<String>,
    Json(req): Json<wire::PostMessage>,
) -> Result<(StatusCode, Json<wire::Message>), ApiError> {
    let message = NewMessage {
        id: new_message_id(),
        author_kind: AuthorKind::Agent,
        author_id: Some(session.agent.id.0.clone()),
        author_name: Some(session.agent.name.clone()),
        body: req.body,
        client_id: req.client_id,
    };
    let actor = Actor::Agent(session.agent.id.clone());
    let stored =
        state.post_message(&session.workspace_id, &ConversationId(id), actor, message).await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

async fn close(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Path(id): Path<String>,
    Json(req): Json<wire::CloseConversation>,
) -> Result<Json<wire::Conversation>, ApiError> {
    let id = ConversationId(id);
    let by = session.agent.id.clone();
    let decide: Decide = Box::new(move |state| match state {
        Some(state) => porch_domain::close(state, &by, req.outcome),
        None => Ok(Vec::new()),
    });
    let actor = Actor::Agent(session.agent.id.clone());
    state.record(&session.workspace_id, Some(&id), actor, decide).await?;
    let conversation = state.store.conversation(&session.workspace_id, &id).await?;
    Ok(Json(conversation.ok_or(ApiError::NotFound("conversation"))?))
}

async fn socket(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Query(resume): Query<Resume>,
    upgrade: WebSocketUpgrade,
) -> Response {
    let workspace = session.workspace_id;
    upgrade.on_upgrade(move |socket| {
        crate::ws::serve(socket, state, workspace, Audience::Agents, resume.after)
    })
}

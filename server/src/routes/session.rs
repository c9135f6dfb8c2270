//! Signing in and out, who is signed in, and moving between one's workspaces. A session is one
//! person in one workspace (one membership); switching makes a new session in the other.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use porch_protocol as wire;
use porch_protocol::api;
use porch_store::AgentRecord;

use super::Endpoints;
use crate::auth::{self, AgentSession};
use crate::error::Json;
use crate::limits::{self, ClientIp};
use crate::throttle;
use crate::{ApiError, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .endpoint(api::agent::LOGIN, login)
        .endpoint(api::agent::LOGOUT, logout)
        .endpoint(api::agent::ME, me)
        .endpoint(api::agent::SWITCH_WORKSPACE, switch)
}

/// Longest e-mail address (RFC 5321's path limit).
const MAX_EMAIL_CHARS: usize = 254;

async fn login(
    State(state): State<AppState>,
    ClientIp(address): ClientIp,
    Json(req): Json<wire::Login>,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    state.limit(&limits::SIGN_INS_PER_ADDRESS, &address.to_string()).await?;
    if req.email.chars().count() > MAX_EMAIL_CHARS
        || req.password.len() > crate::password::MAX_PASSWORD_BYTES
    {
        return Err(ApiError::InvalidCredentials);
    }
    let stored = state.store.person(&req.email).await?.map(|p| p.password_hash);
    if !throttle::verify(&state, &req.email, address, req.password, stored).await? {
        return Err(ApiError::InvalidCredentials);
    }
    // The workspace asked for when it is still theirs, else their first; a person without any
    // active membership has nothing to sign in to.
    let wanted = match &req.workspace_id {
        Some(id) => state.store.membership(&req.email, Some(id)).await?,
        None => None,
    };
    let member = match wanted {
        Some(member) => Some(member),
        None => state.store.membership(&req.email, None).await?,
    };
    let member = member.ok_or(ApiError::InvalidCredentials)?;
    // Logins are rare enough to carry the clean-up of expired sessions and old attempts.
    state.store.purge_expired_sessions(now).await?;
    state.store.purge_sign_ins(now.saturating_sub(throttle::PER_EMAIL.window)).await?;
    sign_in(&state, member).await
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    match end_session(&state, &headers).await {
        Ok(()) => (StatusCode::NO_CONTENT, [(header::SET_COOKIE, auth::session_cookie("", 0))])
            .into_response(),
        Err(e) => e.into_response(),
    }
}

/// Forgets the request's session; this server's sockets of it close now, other servers' at
/// their recheck.
async fn end_session(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    if let Some(token) = auth::cookie(headers, auth::SESSION_COOKIE) {
        let hash = auth::token_hash(token);
        state.store.delete_session(&hash).await?;
        state.session_sockets.end_session(&hash);
    }
    Ok(())
}

async fn me(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
) -> Result<Json<wire::Me>, ApiError> {
    Ok(Json(me_of(&state, session).await?))
}

/// Who `member` is, with every workspace of theirs and where this one's events stand.
async fn me_of(state: &AppState, member: AgentRecord) -> Result<wire::Me, ApiError> {
    let last_seq = state.store.last_seq(&member.workspace_id).await?;
    let workspaces = state.store.memberships(&member.agent.email).await?;
    Ok(wire::Me { agent: member.agent, workspaces, last_seq, now: state.clock.now() })
}

/// The signed-in person opens another of their workspaces: a session there replaces this one
/// (whose sockets end; the app opens new ones).
async fn switch(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    headers: HeaderMap,
    Json(req): Json<wire::SwitchWorkspace>,
) -> Result<Response, ApiError> {
    let email = &session.agent.email;
    let member = state.store.membership(email, Some(&req.workspace_id)).await?;
    let member = member.ok_or(ApiError::NotFound("workspace"))?;
    end_session(&state, &headers).await?;
    sign_in(&state, member).await
}

/// A new session for `member`: its cookie and who they are.
pub async fn sign_in(state: &AppState, member: AgentRecord) -> Result<Response, ApiError> {
    let token = auth::new_token()?;
    let expires_at = state.clock.now() + auth::SESSION_MILLIS;
    state.store.create_session(&auth::token_hash(&token), &member, expires_at).await?;
    let cookie = auth::session_cookie(&token, auth::SESSION_MILLIS / 1000);
    Ok(([(header::SET_COOKIE, cookie)], Json(me_of(state, member).await?)).into_response())
}

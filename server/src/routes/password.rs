//! Passwords: set through a single-use link (a new owner's setup, a reset), changed by their
//! owner, reset by e-mail. Setting one ends the member's other sessions and sockets.

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use axum::Router;
use porch_protocol as wire;
use porch_protocol::api;
use porch_store::PasswordLink;

use super::Endpoints;
use crate::auth::{self, AgentSession};
use crate::error::Json;
use crate::limits::{self, ClientIp};
use crate::{setup, throttle, ApiError, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .endpoint(api::agent::SET_PASSWORD_BY_LINK, set_by_link)
        .endpoint(api::agent::CHANGE_PASSWORD, change)
        .endpoint(api::agent::FORGOT_PASSWORD, forgot)
}

/// The link's token becomes a password, and the member is signed in.
async fn set_by_link(
    State(state): State<AppState>,
    ClientIp(address): ClientIp,
    Json(req): Json<wire::SetPassword>,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    state.limit(&limits::SIGN_INS_PER_ADDRESS, &address.to_string()).await?;
    setup::check_password(&req.password)?;
    let hash = state.passwords.hash(req.password).await?;
    let token = auth::token_hash(req.token.trim());
    let Some(member) = state.store.use_password_link(&token, &hash, now).await? else {
        return Err(ApiError::unprocessable(
            "invalid_link",
            "this link has expired or was used already; ask for a new one",
        ));
    };
    // Every session of the person ended, in each of their workspaces.
    for other in state.store.memberships(&member.agent.email).await? {
        state.session_sockets.end_agent(&other.agent_id);
    }
    super::session::sign_in(&state, member).await
}

/// A member changes their password, giving the current one (checked like a sign-in, so this
/// is no way around the guessing limits); their other sessions end.
async fn change(
    State(state): State<AppState>,
    AgentSession(member): AgentSession,
    ClientIp(address): ClientIp,
    headers: HeaderMap,
    Json(req): Json<wire::ChangePassword>,
) -> Result<StatusCode, ApiError> {
    setup::check_password(&req.password)?;
    let email = &member.agent.email;
    let stored = state.store.person(email).await?.map(|p| p.password_hash);
    if !throttle::verify(&state, email, address, req.current, stored).await? {
        return Err(ApiError::unprocessable("wrong_password", "the current password is not right"));
    }
    let hash = state.passwords.hash(req.password).await?;
    let keep = auth::cookie(&headers, auth::SESSION_COOKIE).map(auth::token_hash);
    state.store.set_password(member.id(), &hash, keep.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sends a reset link (an hour, single use) to a member's address, when SMTP is configured. The
/// answer is the same whether or not the address belongs to anyone.
async fn forgot(
    State(state): State<AppState>,
    ClientIp(address): ClientIp,
    Json(req): Json<wire::ForgotPassword>,
) -> Result<StatusCode, ApiError> {
    let now = state.clock.now();
    state.limit(&limits::SIGN_INS_PER_ADDRESS, &address.to_string()).await?;
    let email = setup::check_email(&req.email)?;
    // Answered the same either way; only the e-mail is not sent again so soon.
    match state.limit(&limits::RESETS_PER_EMAIL, &email).await {
        Err(ApiError::RateLimited { .. }) => return Ok(StatusCode::ACCEPTED),
        other => other?,
    }
    let (Some(mailer), Some(member)) =
        (state.mailer.clone(), state.store.membership(&email, None).await?)
    else {
        return Ok(StatusCode::ACCEPTED);
    };
    let link = setup::password_link(
        state.store.as_ref(),
        member.id(),
        PasswordLink::Reset,
        &state.public_url,
        now,
    )
    .await?;
    // Sent beside the answer, so its time says nothing about whether the address is known.
    tokio::spawn(async move {
        let body = format!(
            "Someone asked to reset your Porch password. To choose a new one, open this link \
             within an hour (it works once):\n\n{link}\n\nIf it was not you, ignore this e-mail; \
             your password stays as it is.\n"
        );
        if let Err(e) = mailer.send_text(&email, "Reset your Porch password", body).await {
            tracing::warn!(error = %e, "sending a password reset");
        }
    });
    Ok(StatusCode::ACCEPTED)
}

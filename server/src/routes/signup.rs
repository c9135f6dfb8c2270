//! Self-service: a new workspace with its owner from the app, when the operator allows it
//! (`--signup open`) or on a fresh server's first run (no workspace at all yet). On the `free`
//! plan; the operator changes plans.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use porch_protocol::{self as wire, Plan};

use crate::error::Json;
use crate::limits::{self, ClientIp};
use crate::{setup, ApiError, AppState};

pub fn router() -> Router<AppState> {
    Router::new().route("/agent/signup", get(status)).route("/agent/signup", post(signup))
}

async fn status(State(state): State<AppState>) -> Result<Json<wire::SignupStatus>, ApiError> {
    let first_run = !state.store.has_workspaces().await?;
    Ok(Json(wire::SignupStatus { first_run, open: state.signup_open }))
}

async fn signup(
    State(state): State<AppState>,
    ClientIp(address): ClientIp,
    Json(req): Json<wire::Signup>,
) -> Result<Response, ApiError> {
    let now = state.clock.now();
    state.limits.take(&limits::SESSIONS_PER_ADDRESS, &address.to_string(), now)?;
    if !state.signup_open && state.store.has_workspaces().await? {
        return Err(ApiError::BadRequest {
            status: StatusCode::FORBIDDEN,
            code: "signup_closed",
            message: "new workspaces are created by this server's operator".into(),
        });
    }
    setup::check_password(&req.password)?;
    // The slow hash before anything is stored: a refusal (busy) leaves nothing behind.
    let hash = state.passwords.hash(req.password).await?;
    let store = state.store.as_ref();
    let public_url = &state.public_url;
    let created = setup::create_workspace(
        store,
        &req.workspace_name,
        &req.email,
        Some(&req.name),
        Plan::Free,
        public_url,
        now,
    )
    .await?;
    // The owner chose their password here: the setup link is used at once.
    let token = created.setup_url.rsplit_once("#setup=").map(|(_, t)| t).unwrap_or_default();
    let owner = state.store.use_password_link(&crate::auth::token_hash(token), &hash, now).await?;
    let owner = owner.ok_or_else(|| ApiError::Internal("a fresh setup link was refused".into()))?;
    super::password::sign_in(&state, owner).await
}

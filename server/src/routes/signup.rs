//! Self-service: a new workspace with its owner from the app, when the operator allows it
//! (`--signup open`) or on a fresh server's first run (no workspace at all yet). On the `free`
//! plan; the operator changes plans.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use axum::Router;
use porch_protocol::{self as wire, api, Plan};

use super::Endpoints;
use crate::error::Json;
use crate::limits::{self, ClientIp};
use crate::{setup, throttle, ApiError, AppState};

pub fn router() -> Router<AppState> {
    Router::new().endpoint(api::agent::SIGNUP_STATUS, status).endpoint(api::agent::SIGNUP, signup)
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
    state.limit(&limits::SESSIONS_PER_ADDRESS, &address.to_string()).await?;
    if !state.signup_open && state.store.has_workspaces().await? {
        return Err(ApiError::BadRequest {
            status: StatusCode::FORBIDDEN,
            code: "signup_closed",
            message: "new workspaces are created by this server's operator".into(),
        });
    }
    let store = state.store.as_ref();
    let public_url = &state.public_url;
    // Someone with a Porch account (a member elsewhere) adds a workspace with their password,
    // checked like a sign-in; a new person chooses one.
    let existing = state.store.person(&req.email).await?;
    let new_hash = match existing {
        Some(person) => {
            let stored = Some(person.password_hash);
            if !throttle::verify(&state, &req.email, address, req.password, stored).await? {
                return Err(ApiError::BadRequest {
                    status: StatusCode::CONFLICT,
                    code: "email_taken",
                    message: "this e-mail has a Porch account: give its password to add a \
                              workspace to it, or sign in"
                        .into(),
                });
            }
            None
        }
        None => {
            setup::check_password(&req.password)?;
            // The slow hash before anything is stored: a refusal (busy) leaves nothing behind.
            Some(state.passwords.hash(req.password).await?)
        }
    };
    let name = Some(req.name.as_str());
    let created = setup::create_workspace(
        store,
        &req.workspace_name,
        &req.email,
        name,
        Plan::Free,
        public_url,
        now,
    )
    .await?;
    let owner = match (created.setup_url, new_hash) {
        // The owner chose their password here: the setup link is used at once.
        (Some(url), Some(hash)) => {
            let token = url.rsplit_once("#setup=").map(|(_, t)| t).unwrap_or_default();
            state.store.use_password_link(&crate::auth::token_hash(token), &hash, now).await?
        }
        // An account whose password was checked above.
        (None, None) => state.store.membership(&req.email, Some(&created.workspace_id)).await?,
        // The address got an account between the check and now: nobody is signed in.
        _ => return Err(ApiError::Conflict("email")),
    };
    let owner = owner.ok_or_else(|| ApiError::Internal("a new owner was not found".into()))?;
    super::session::sign_in(&state, owner).await
}

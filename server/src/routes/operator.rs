//! The operator API, for a billing system: authenticated by `Authorization: Bearer
//! <PORCH_OPERATOR_TOKEN>`, absent (404) when no token is configured.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::Router;
use porch_protocol::{self as wire, api, Actor};

use super::Endpoints;
use crate::auth::bearer_is;
use crate::error::Json;
use crate::{operator, ApiError, AppState};

pub fn router() -> Router<AppState> {
    Router::new().endpoint(api::operator::SET_PLAN, set_plan)
}

/// The caller holds the operator token.
fn operator(state: &AppState, headers: &HeaderMap) -> Result<(), ApiError> {
    let Some(configured) = &state.operator_token else {
        return Err(ApiError::NotFound("endpoint"));
    };
    match bearer_is(headers, configured) {
        true => Ok(()),
        false => Err(ApiError::Unauthorized),
    }
}

/// Moves a workspace (id or widget key) to a plan; open widgets and inboxes hear of it live.
async fn set_plan(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(workspace): Path<String>,
    Json(req): Json<wire::ChangePlan>,
) -> Result<Json<wire::PlanChanged>, ApiError> {
    operator(&state, &headers)?;
    let current = operator::find_workspace(state.store.as_ref(), &workspace)
        .await
        .map_err(ApiError::Internal)?
        .ok_or(ApiError::NotFound("workspace"))?;
    let plan = req.plan;
    let decide: porch_store::Decision =
        Box::new(move |c, _| Ok(operator::plan_change(c.workspace, plan)));
    state.record(&current.id, None, Actor::System, decide).await?;
    Ok(Json(wire::PlanChanged { workspace_id: current.id, plan: req.plan, was: current.plan }))
}

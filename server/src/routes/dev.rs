//! Only on a server started with `--dev-clock`: move its clock forward, so tests (and people
//! trying the product) can watch a 30-minute auto-close happen in a second. Elsewhere these
//! routes answer 404.

use axum::extract::State;
use axum::Router;
use porch_protocol::{self as wire, api, Millis};

use super::Endpoints;
use crate::error::Json;
use crate::{ApiError, AppState};

/// One move may not exceed 30 days.
const MAX_ADVANCE: Millis = 30 * 24 * 3_600_000;

pub fn router() -> Router<AppState> {
    Router::new().endpoint(api::dev::CLOCK, read).endpoint(api::dev::ADVANCE_CLOCK, advance)
}

fn dev_only(state: &AppState) -> Result<(), ApiError> {
    if state.dev_clock {
        Ok(())
    } else {
        Err(ApiError::NotFound("endpoint"))
    }
}

async fn read(State(state): State<AppState>) -> Result<Json<wire::Clock>, ApiError> {
    dev_only(&state)?;
    Ok(Json(wire::Clock { now: state.clock.now() }))
}

async fn advance(
    State(state): State<AppState>,
    Json(req): Json<wire::AdvanceClock>,
) -> Result<Json<wire::Clock>, ApiError> {
    dev_only(&state)?;
    if !(0..=MAX_ADVANCE).contains(&req.millis) {
        return Err(ApiError::bad_request("invalid_advance", "advance by 0 to 30 days"));
    }
    if !state.clock.advance(req.millis) {
        return Err(ApiError::NotFound("endpoint"));
    }
    Ok(Json(wire::Clock { now: state.clock.now() }))
}

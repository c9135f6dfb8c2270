//! HTTP routes, one module per audience; each exposes `router()`.

mod agent;
mod assets;
mod conversations;
mod dev;
mod reports;
mod widget;

use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use tower_http::trace::TraceLayer;

use crate::{ApiError, AppState};

/// Largest request body accepted; larger ones get 413 `too_large`. Generous for a 4,000
/// character message in any script, tight enough to refuse junk early.
pub const BODY_LIMIT: usize = 64 * 1024;

pub fn router(state: AppState) -> Router {
    let api = Router::new()
        .merge(widget::router())
        .merge(agent::router())
        .merge(conversations::router())
        .merge(dev::router())
        .merge(reports::router())
        .fallback(|| async { ApiError::NotFound("endpoint") });
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .nest("/api/v1", api)
        .merge(assets::router(&state))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// `?after=<seq>` on both sockets.
#[derive(Debug, Default, Deserialize)]
pub struct Resume {
    #[serde(default)]
    pub after: u64,
}

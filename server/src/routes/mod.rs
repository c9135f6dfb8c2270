//! HTTP routes, one module per audience; each exposes `router()`.

mod agent;
mod assets;
mod contacts;
mod conversations;
mod dev;
mod install;
mod lead_chat;
mod lead_identity;
mod operator;
mod password;
mod reads;
mod reports;
mod session;
mod signup;
mod team;
mod tokens;
mod webhooks;
mod widget;

use axum::extract::DefaultBodyLimit;
use axum::handler::Handler;
use axum::http::StatusCode;
use axum::middleware;
use axum::routing::{get, on, MethodFilter};
use axum::Router;
use porch_protocol::api::{self, Endpoint, Method};
use serde::Deserialize;
use tower_http::compression::predicate::SizeAbove;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;

use crate::{security, ApiError, AppState};

/// Largest request body accepted; larger ones get 413 `too_large`. Generous for a 4,000
/// character message in any script, tight enough to refuse junk early.
pub const BODY_LIMIT: usize = 64 * 1024;

pub fn router(state: AppState) -> Router {
    // What an agent's cookie authorises must come from Porch's own pages.
    let agents = Router::new()
        .merge(session::router())
        .merge(agent::router())
        .merge(password::router())
        .merge(install::router())
        .merge(team::router())
        .merge(tokens::router())
        .merge(webhooks::router())
        .merge(signup::router())
        .merge(conversations::router())
        .merge(reads::router())
        .merge(contacts::router())
        .merge(reports::router())
        .route_layer(middleware::from_fn(security::same_origin));
    let api = Router::new()
        .merge(widget::router())
        .merge(lead_chat::router())
        .merge(lead_identity::router())
        .merge(agents)
        .merge(dev::router())
        .merge(operator::router())
        .endpoint(api::OPENAPI, crate::openapi::serve)
        .fallback(|| async { ApiError::NotFound("endpoint") })
        .method_not_allowed_fallback(|| async {
            ApiError::BadRequest {
                status: StatusCode::METHOD_NOT_ALLOWED,
                code: "method_not_allowed",
                message: "this endpoint does not take that method".into(),
            }
        })
        .layer(middleware::from_fn(crate::error::refuse_nul_in_uri))
        // JSON answers above 1 KB go gzipped to clients that accept it (lists, reports).
        .layer(
            CompressionLayer::new()
                .no_br()
                .no_deflate()
                .no_zstd()
                .compress_when(SizeAbove::new(1024)),
        );
    Router::new()
        .route("/healthz", get(|| async { "ok" }))
        .route("/readyz", get(ready))
        .route("/metrics", get(crate::metrics::scrape))
        .nest("/api/v1", api)
        .merge(assets::router(&state))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(security::with_common_headers))
        .layer(middleware::from_fn(crate::access::log))
        // Spans name the method and path only: a query string is the caller's to fill, and
        // old widgets put their visitor token there.
        .layer(TraceLayer::new_for_http().make_span_with(|request: &axum::extract::Request| {
            tracing::debug_span!("request", method = %request.method(), path = request.uri().path())
        }))
        .with_state(state)
}

/// Ready for traffic: the store answers (its migrations ran at start) and the scheduler has
/// loaded the stored deadlines. 503 `not_ready` otherwise, for a load balancer to wait.
async fn ready(
    axum::extract::State(state): axum::extract::State<AppState>,
) -> Result<&'static str, ApiError> {
    let not_ready = |message: String| ApiError::BadRequest {
        status: StatusCode::SERVICE_UNAVAILABLE,
        code: "not_ready",
        message,
    };
    if let Err(e) = state.store.has_workspaces().await {
        return Err(not_ready(format!("the database does not answer: {e}")));
    }
    if !state.scheduler.loaded.load(std::sync::atomic::Ordering::Relaxed) {
        return Err(not_ready("the scheduler is loading the stored deadlines".into()));
    }
    Ok("ready")
}

/// Routing of the endpoints [`porch_protocol::api`] describes, by their method and path.
pub trait Endpoints {
    fn endpoint<Req, Res, H, T>(self, endpoint: Endpoint<Req, Res>, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static;
}

impl Endpoints for Router<AppState> {
    fn endpoint<Req, Res, H, T>(self, endpoint: Endpoint<Req, Res>, handler: H) -> Self
    where
        H: Handler<T, AppState>,
        T: 'static,
    {
        let filter = match endpoint.method {
            Method::Get => MethodFilter::GET,
            Method::Post => MethodFilter::POST,
            Method::Put => MethodFilter::PUT,
            Method::Delete => MethodFilter::DELETE,
        };
        self.route(endpoint.path, on(filter, handler))
    }
}

/// `?after=<seq>` on both sockets.
#[derive(Debug, Default, Deserialize)]
pub struct Resume {
    #[serde(default)]
    pub after: u64,
}

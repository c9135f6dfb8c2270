//! Porch's server: HTTP API under `/api/v1`, the two WebSockets, static assets (loader, widget,
//! inbox, demo page), demo data. Turns requests into domain decisions recorded by the store, then
//! pushes what was committed.
//!
//! Not for rules (`porch-domain`) nor SQL (`porch-store`).

mod access;
pub mod auth;
pub mod charts;
pub mod clock;
pub mod config;
pub mod demo;
mod error;
pub mod folder;
pub mod hub;
pub mod limits;
mod listener;
pub mod mailer;
pub mod metrics;
pub mod openapi;
pub mod operator;
pub mod password;
mod relay;
mod routes;
pub mod scheduler;
mod security;
mod service;
pub mod sessions;
pub mod setup;
pub mod signals;
pub mod summarizer;
mod throttle;
pub mod tokens;
pub mod visitors;
pub mod webhooks;
mod writer;
mod ws;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex};

use porch_protocol::WorkspaceId;
use porch_store::Store;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::ApiError;
use hub::Hub;

/// Cheap handles shared by every request.
#[derive(Clone)]
pub struct AppState {
    pub store: Arc<dyn Store>,
    pub hub: Arc<Hub>,
    pub clock: Arc<dyn Clock>,
    /// Drafts closing-note summaries; the built-in extractive one unless configured otherwise.
    pub summarizer: Arc<dyn summarizer::Summarizer>,
    /// Built UI: `widget/` (the iframe page) and `app/` (the inbox).
    pub assets_dir: PathBuf,
    /// The widget key `/demo` embeds, when demo data was created.
    pub demo_key: Option<String>,
    /// Cancelled on shutdown; long-lived sockets and loops watch it.
    pub shutdown: CancellationToken,
    /// Deadline changes for the scheduler, sent after each commit.
    pub scheduler: Arc<scheduler::Channel>,
    /// `--dev-clock`: `/api/v1/dev/clock` may move the (manual) clock.
    pub dev_clock: bool,
    /// Sends the e-mailed reports, when SMTP is configured.
    pub mailer: Option<Arc<mailer::Mailer>>,
    /// Events the background report fold ([`folder`]) has folded since start (for health
    /// checks and tests).
    pub folded: Arc<AtomicU64>,
    /// Password checks, at most one per core at a time.
    pub passwords: Arc<password::Passwords>,
    /// Request rate limits (widget sessions, conversation starts, messages, sign-ins).
    pub limits: Arc<limits::Limits>,
    /// `--trust-forwarded`: the client's address is the last of `X-Forwarded-For`.
    pub trust_forwarded: bool,
    /// Where people reach this server (`--public-url`): the base of every link it sends.
    pub public_url: String,
    /// `--signup open`: anyone may create a workspace from the app.
    pub signup_open: bool,
    /// `PORCH_OPERATOR_TOKEN`: the operator API's bearer token; without one it is off.
    pub operator_token: Option<String>,
    /// `PORCH_METRICS_TOKEN`: when set, `/metrics` asks for it as a bearer token.
    pub metrics_token: Option<String>,
    /// What `/metrics` reports.
    pub metrics: Arc<metrics::Metrics>,
    /// Open agent sockets by session, ended with it.
    pub session_sockets: Arc<sessions::SessionSockets>,
    /// How often an agent socket checks that its session is still valid (expiry, a logout on
    /// another server).
    pub session_recheck: std::time::Duration,
    /// Per-workspace order of record-then-publish within this process, so sockets receive
    /// frames in sequence order.
    workspace_locks: Arc<Mutex<HashMap<WorkspaceId, Arc<tokio::sync::Mutex<()>>>>>,
    /// Group commit: the one queue every write of this server goes through.
    writer: Arc<writer::Writer>,
    /// Webhook deliveries: the HTTP client, the operator's choices, the loop's wake-up.
    pub webhooks: Arc<webhooks::Webhooks>,
    /// Visitor tokens verified in the last few seconds.
    pub visitors: Arc<visitors::Visitors>,
}

impl AppState {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, assets_dir: PathBuf) -> AppState {
        AppState {
            store,
            hub: Arc::default(),
            clock,
            summarizer: Arc::new(summarizer::Extractive),
            assets_dir,
            demo_key: None,
            shutdown: CancellationToken::new(),
            scheduler: Arc::default(),
            dev_clock: false,
            mailer: None,
            folded: Arc::default(),
            passwords: Arc::default(),
            limits: Arc::default(),
            trust_forwarded: false,
            public_url: "http://127.0.0.1:8080".into(),
            signup_open: false,
            operator_token: None,
            metrics_token: None,
            metrics: Arc::default(),
            session_sockets: Arc::default(),
            session_recheck: std::time::Duration::from_secs(30),
            workspace_locks: Arc::default(),
            writer: Arc::default(),
            webhooks: Arc::default(),
            visitors: Arc::default(),
        }
    }
}

/// The whole HTTP application.
pub fn app(state: AppState) -> axum::Router {
    routes::router(state)
}

/// Serves, and fires deadlines, until `state.shutdown` is cancelled.
pub async fn run(listener: TcpListener, state: AppState) -> std::io::Result<()> {
    let shutdown = state.shutdown.clone();
    tokio::spawn(scheduler::run(state.clone()));
    tokio::spawn(folder::run(state.clone()));
    tokio::spawn(relay::run(state.clone()));
    tokio::spawn(webhooks::run(state.clone()));
    mailer::spawn(state.clone());
    let listener = listener::Guarded::new(listener, state.metrics.clone());
    let app = app(state).into_make_service_with_connect_info::<std::net::SocketAddr>();
    // `tap_io` (doing nothing) is how axum hands a custom listener's address to `ConnectInfo`.
    let listener = axum::serve::ListenerExt::tap_io(listener, |_| {});
    axum::serve(listener, app).with_graceful_shutdown(shutdown.cancelled_owned()).await
}

//! A real Porch server on an ephemeral port over a fresh database, with a manual clock, the
//! demo workspace and more workspaces and members as a test needs.

use std::sync::Arc;
use std::time::Duration;

use porch_protocol::{self as wire, Agent, AgentId, LeadOptions, Plan, Role, WorkspaceId};
use porch_server::{auth, demo, AppState, Clock, ManualClock};
use porch_store::testing::TestDatabase;
use porch_store::{NewAgent, NewWorkspace};

use crate::*;

pub const PASSWORD: &str = "correct horse battery staple";

/// The operator API's token on test servers.
pub const OPERATOR_TOKEN: &str = "test-operator-token-0123456789abcdef";

pub struct TestServer {
    pub base: String,
    pub state: AppState,
    pub clock: Arc<ManualClock>,
    /// The database, owned by one server of those sharing it; dropped with it.
    db: Option<TestDatabase>,
    pub database_url: String,
}

impl TestServer {
    /// A server over a fresh SQLite database with the demo workspace, serving the UI from
    /// `PORCH_ASSETS_DIR` (or `dist`).
    pub async fn start() -> TestServer {
        TestServer::start_on(TestDatabase::sqlite()).await
    }

    pub async fn start_on(db: TestDatabase) -> TestServer {
        let url = db.url.clone();
        let mut server = TestServer::start_at(&url, porch_server::SystemClock.now()).await;
        server.db = Some(db);
        server
    }

    /// Another server process on the same database, its manual clock starting at `now`.
    pub async fn start_at(database_url: &str, now: porch_protocol::Millis) -> TestServer {
        TestServer::start_configured(database_url, now, true, |_| {}).await
    }

    /// A server over a fresh SQLite database with no workspace at all (a first run), adjusted
    /// by `configure`.
    pub async fn start_empty(configure: impl FnOnce(&mut AppState)) -> TestServer {
        TestServer::start_fresh(false, configure).await
    }

    /// A server over a fresh SQLite database whose state `configure` adjusts before it serves
    /// (a mailer, say).
    pub async fn start_with(configure: impl FnOnce(&mut AppState)) -> TestServer {
        TestServer::start_fresh(true, configure).await
    }

    /// Over a fresh SQLite database, dropped with the server; with the demo workspace or none.
    async fn start_fresh(demo: bool, configure: impl FnOnce(&mut AppState)) -> TestServer {
        let db = TestDatabase::sqlite();
        let now = porch_server::SystemClock.now();
        let mut server = TestServer::start_configured(&db.url.clone(), now, demo, configure).await;
        server.db = Some(db);
        server
    }

    async fn start_configured(
        database_url: &str,
        now: porch_protocol::Millis,
        demo: bool,
        configure: impl FnOnce(&mut AppState),
    ) -> TestServer {
        let store = porch_store::connect(database_url).await.expect("connect store");
        let clock = Arc::new(ManualClock::new(now));
        let assets = std::env::var("PORCH_ASSETS_DIR")
            .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../dist").to_owned());
        let mut state = AppState::new(store, clock.clone() as Arc<dyn Clock>, assets.into());
        if demo {
            state.demo_key = Some(demo::seed(state.store.as_ref(), clock.as_ref()).await.unwrap());
        }
        state.dev_clock = true;
        // Sockets notice an expired session within a test's patience.
        state.session_recheck = Duration::from_millis(100);
        state.operator_token = Some(OPERATOR_TOKEN.to_owned());
        // Webhook receivers of tests are on 127.0.0.1; retries are found within 50 ms.
        state.webhooks = Arc::new(porch_server::webhooks::Webhooks::new(
            true,
            Duration::from_secs(2),
            Duration::from_millis(50),
        ));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        state.public_url = base.clone();
        configure(&mut state);
        tokio::spawn(porch_server::run(listener, state.clone()));
        TestServer { base, state, clock, db: None, database_url: database_url.to_owned() }
    }

    /// Stops this server and starts a fresh one on the same database and time, as a restart
    /// (or a crash) would: only what the store kept survives.
    pub async fn restart(mut self) -> TestServer {
        let db = self.db.take();
        self.state.shutdown.cancel();
        let mut next = TestServer::start_at(&self.database_url, self.clock.now()).await;
        next.db = db;
        next
    }

    /// Hands the database over (to drop it explicitly, as PostgreSQL ones must be).
    pub fn take_database(&mut self) -> Option<TestDatabase> {
        self.db.take()
    }

    /// Stops this server, then drops its database (a PostgreSQL one must be dropped by hand).
    pub async fn stop_and_drop_database(mut self) {
        let db = self.take_database();
        self.state.shutdown.cancel();
        drop(self);
        if let Some(db) = db {
            db.drop_database().await;
        }
    }

    /// Moves this server's clock forward.
    pub fn advance(&self, millis: porch_protocol::Millis) {
        self.clock.advance(millis);
    }

    pub fn clock_now(&self) -> porch_protocol::Millis {
        self.clock.now()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn ws_url(&self, path: &str) -> String {
        format!("ws{}{path}", self.base.trim_start_matches("http"))
    }

    pub async fn demo_workspace(&self) -> WorkspaceId {
        self.state
            .store
            .workspace_by_key(demo::WIDGET_KEY)
            .await
            .unwrap()
            .expect("demo workspace")
            .id
    }

    /// Moves a workspace (id or widget key) to `plan` through the operator API, as a billing
    /// system would.
    pub async fn set_plan(&self, workspace: &str, plan: &str) -> Answer {
        let http = Http::new(self).with_bearer(OPERATOR_TOKEN);
        let path = format!("/api/v1/operator/workspaces/{workspace}/plan");
        http.send(reqwest::Method::PUT, &path, Some(serde_json::json!({ "plan": plan }))).await
    }

    /// The stored messages of a demo workspace conversation.
    pub async fn demo_messages(&self, conversation: &wire::ConversationId) -> Vec<wire::Message> {
        let workspace = self.demo_workspace().await;
        self.state.store.messages(&workspace, conversation).await.unwrap()
    }

    /// Fills the demo workspace (still empty) with `conversations` of generated history over
    /// the last 14 days.
    pub async fn demo_history(&self, conversations: u64) -> porch_store::generate::Generated {
        demo::history(self.state.store.as_ref(), self.clock.as_ref(), conversations)
            .await
            .unwrap()
            .expect("an empty demo workspace")
    }

    /// Another workspace with one agent: its widget key and the agent's e-mail (password
    /// [`PASSWORD`]).
    pub async fn workspace(&self, plan: Plan, options: LeadOptions) -> (String, String) {
        let team = self.team_workspace(plan, options, Default::default()).await;
        (team.key, team.agents[0].1.clone())
    }

    /// A workspace with two agents, "Ann Agent" (owner) and "Bob Agent": its widget key and
    /// their names and e-mails (password [`PASSWORD`]).
    pub async fn team_workspace(
        &self,
        plan: Plan,
        options: LeadOptions,
        settings: porch_protocol::WorkspaceSettings,
    ) -> TestWorkspace {
        let store = &self.state.store;
        let id = WorkspaceId(uuid());
        let key = format!("key-{}", uuid());
        let now = self.clock.now();
        let new = NewWorkspace {
            id: id.clone(),
            name: "Other".into(),
            widget_key: key.clone(),
            plan,
            lead_options: options,
            settings,
            created_at: now,
        };
        store.create_workspace(&new).await.unwrap();
        let mut agents = Vec::new();
        for (name, role) in [("Ann Agent", Role::Owner), ("Bob Agent", Role::Agent)] {
            agents.push((name.to_owned(), self.add_member(&id, name, role).await));
        }
        TestWorkspace { key, agents }
    }

    /// A new member of `workspace` with password [`PASSWORD`]: their e-mail.
    pub async fn add_member(&self, workspace: &WorkspaceId, name: &str, role: Role) -> String {
        // Hashed once for every test of the binary: Argon2 is slow on purpose.
        static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        let password_hash = HASH.get_or_init(|| auth::hash_password(PASSWORD).unwrap()).clone();
        let email = format!("{}@example.com", uuid());
        let agent = Agent { id: AgentId(uuid()), name: name.into(), email: email.clone(), role };
        let created_at = self.clock.now();
        let new = NewAgent { workspace_id: workspace.clone(), agent, password_hash, created_at };
        self.state.store.create_agent(&new).await.unwrap();
        email
    }
}

pub struct TestWorkspace {
    pub key: String,
    /// (name, e-mail), Ann (owner) first.
    pub agents: Vec<(String, String)>,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.state.shutdown.cancel();
    }
}

pub fn uuid() -> String {
    porch_server::auth::new_token().unwrap()[..16].to_owned()
}

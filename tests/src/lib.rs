//! Black-box test support: a real Porch server on an ephemeral port over a fresh database, and
//! thin HTTP / WebSocket clients for a lead and an agent.

use std::sync::Arc;
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use porch_protocol::{self as wire, Agent, AgentId, LeadOptions, Plan, Role, WorkspaceId};
use porch_server::{auth, demo, AppState, Clock, ManualClock};
use porch_store::testing::TestDatabase;
use porch_store::{NewAgent, NewWorkspace};
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message as WsMessage};

pub mod bench;
pub mod browser;
pub mod python;
pub mod receiver;
pub mod smtp;

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
        let db = TestDatabase::sqlite();
        let now = porch_server::SystemClock.now();
        let mut server = TestServer::start_configured(&db.url.clone(), now, false, configure).await;
        server.db = Some(db);
        server
    }

    /// A server over a fresh SQLite database whose state `configure` adjusts before it serves
    /// (a mailer, say).
    pub async fn start_with(configure: impl FnOnce(&mut AppState)) -> TestServer {
        let db = TestDatabase::sqlite();
        let now = porch_server::SystemClock.now();
        let mut server = TestServer::start_configured(&db.url.clone(), now, true, configure).await;
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
        let http = Http {
            auth: Some(("authorization", format!("Bearer {OPERATOR_TOKEN}"))),
            ..Http::new(self)
        };
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

/// An HTTP answer: status and JSON body (or `Null`).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
    /// The body as sent.
    pub text: String,
}

impl Answer {
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_value(self.body.clone())
            .unwrap_or_else(|e| panic!("{e}: unexpected body {} ({})", self.body, self.status))
    }

    /// Asserts an error answer: its status and `code`, and that it has a message.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.body["code"], code, "body: {}", self.body);
        assert!(self.body["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", self.body);
    }
}

#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    base: String,
    /// `Authorization` for leads, `Cookie` for agents.
    auth: Option<(&'static str, String)>,
}

impl Http {
    pub fn new(server: &TestServer) -> Http {
        Http { client: reqwest::Client::new(), base: server.base.clone(), auth: None }
    }

    /// This client, signed in as it is, talking to another server (of the same database).
    pub fn on(&self, server: &TestServer) -> Http {
        Http { base: server.base.clone(), ..self.clone() }
    }

    /// This client with an agent's session cookie (`porch_session=…`).
    pub fn with_cookie(self, cookie: &str) -> Http {
        Http { auth: Some(("cookie", cookie.to_owned())), ..self }
    }

    /// This client with `Authorization: Bearer <secret>` (an API token, a visitor token).
    pub fn with_bearer(self, secret: &str) -> Http {
        Http { auth: Some(("authorization", format!("Bearer {secret}"))), ..self }
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Answer {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some((name, value)) = &self.auth {
            request = request.header(*name, value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        answer(request.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    /// Any method with a raw body and content type, for hostile-input tests.
    pub async fn send_raw(
        &self,
        method: reqwest::Method,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Answer {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        if let Some((name, value)) = &self.auth {
            request = request.header(*name, value);
        }
        answer(request.send().await.expect("request")).await
    }

    /// A POST with a raw body and content type, for malformed-input tests.
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Answer {
        self.send_raw(reqwest::Method::POST, path, content_type, body).await
    }
}

/// Sends `send(0)`, `send(1)`, … until one is refused with 429, every answer before it
/// `accepted` (at most `tries` sends): the refused one's index and answer.
pub async fn until_refused<F, Fut>(tries: usize, accepted: u16, mut send: F) -> (usize, Answer)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = Answer>,
{
    for i in 0..tries {
        let answer = send(i).await;
        if answer.status == 429 {
            return (i, answer);
        }
        assert_eq!(answer.status, accepted, "{}", answer.body);
    }
    panic!("not refused in {tries} tries");
}

async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer { status, body, headers, text }
}

/// A lead's widget session.
pub struct LeadClient {
    pub http: Http,
    pub session: wire::WidgetSession,
}

impl LeadClient {
    pub async fn open(server: &TestServer, key: &str) -> LeadClient {
        let http = Http::new(server);
        let answer =
            http.post("/api/v1/widget/session", serde_json::json!({"workspace_key": key})).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let session: wire::WidgetSession = answer.json();
        let http = Http {
            auth: Some(("authorization", format!("Bearer {}", session.visitor_token))),
            ..http
        };
        LeadClient { http, session }
    }

    /// The session this browser gets on a reload: same workspace, same visitor token.
    pub async fn reopen(&self, key: &str) -> wire::WidgetSession {
        let body =
            serde_json::json!({"workspace_key": key, "visitor_token": self.session.visitor_token});
        self.http.post("/api/v1/widget/session", body).await.json()
    }

    pub async fn start(&self, body: &str) -> wire::LeadConversation {
        let answer =
            self.http.post("/api/v1/widget/conversations", serde_json::json!({"body": body})).await;
        assert_eq!(answer.status, StatusCode::CREATED, "{}", answer.body);
        answer.json()
    }

    pub async fn say(&self, conversation: &wire::ConversationId, body: &str) -> Answer {
        self.http
            .post(
                &format!("/api/v1/widget/conversations/{conversation}/messages"),
                serde_json::json!({"body": body}),
            )
            .await
    }

    pub async fn socket(&self, server: &TestServer, after: u64) -> Socket {
        Socket::connect(self.socket_request(server, after), true).await
    }

    /// The handshake of this lead's socket: the token rides in `Sec-WebSocket-Protocol`.
    pub fn socket_request(
        &self,
        server: &TestServer,
        after: u64,
    ) -> tokio_tungstenite::tungstenite::handshake::client::Request {
        let url = server.ws_url(&format!("/api/v1/widget/ws?after={after}"));
        let mut request = url.into_client_request().unwrap();
        let protocols = format!("porch, porch.token.{}", self.session.visitor_token);
        request.headers_mut().insert("sec-websocket-protocol", protocols.parse().unwrap());
        request
    }
}

/// A signed-in agent.
pub struct AgentClient {
    pub http: Http,
    pub me: wire::Me,
    cookie: String,
}

impl AgentClient {
    pub async fn login(server: &TestServer, email: &str, password: &str) -> AgentClient {
        let http = Http::new(server);
        let answer = http
            .post("/api/v1/agent/login", serde_json::json!({"email": email, "password": password}))
            .await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        let set_cookie =
            answer.headers.get("set-cookie").expect("session cookie").to_str().unwrap();
        let cookie = set_cookie.split(';').next().unwrap().to_owned();
        let http = http.with_cookie(&cookie);
        AgentClient { http, me: answer.json(), cookie }
    }

    /// `porch_session=<token>`, as the browser sends it.
    pub fn cookie(&self) -> &str {
        &self.cookie
    }

    pub async fn demo(server: &TestServer) -> AgentClient {
        AgentClient::login(server, demo::AGENT.1, demo::AGENT.2).await
    }

    pub async fn reply(&self, conversation: &wire::ConversationId, body: &str) -> Answer {
        self.http
            .post(
                &format!("/api/v1/agent/conversations/{conversation}/messages"),
                serde_json::json!({"body": body}),
            )
            .await
    }

    /// Closes as Resolved, with no note.
    pub async fn close(&self, conversation: &wire::ConversationId) -> Answer {
        self.act(conversation, "close", serde_json::json!({"outcome": "resolved"})).await
    }

    /// `POST /api/v1/agent/conversations/{id}/{action}` with `body`.
    pub async fn act(
        &self,
        conversation: &wire::ConversationId,
        action: &str,
        body: Value,
    ) -> Answer {
        self.http.post(&format!("/api/v1/agent/conversations/{conversation}/{action}"), body).await
    }

    pub async fn detail(&self, conversation: &wire::ConversationId) -> wire::ConversationDetail {
        self.http.get(&format!("/api/v1/agent/conversations/{conversation}")).await.json()
    }

    pub async fn owner(server: &TestServer) -> AgentClient {
        AgentClient::login(server, demo::OWNER.1, demo::OWNER.2).await
    }

    pub async fn socket(&self, server: &TestServer, after: u64) -> Socket {
        let mut request = server
            .ws_url(&format!("/api/v1/agent/ws?after={after}"))
            .into_client_request()
            .unwrap();
        request.headers_mut().insert("cookie", self.cookie.parse().unwrap());
        Socket::connect(request, false).await
    }
}

pub type WsStream =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The code a socket closes with, skipping the frames before; panics unless it closes within
/// the wait.
pub async fn close_code(stream: &mut WsStream) -> Option<u16> {
    loop {
        let next = tokio::time::timeout(FRAME_WAIT, stream.next());
        match next.await.expect("a close within the wait") {
            Some(Ok(WsMessage::Close(frame))) => return frame.map(|f| u16::from(f.code)),
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

/// A WebSocket to the server; a lead's speaks [`wire::LeadServerFrame`], which [`Socket::next`]
/// turns into the agents' vocabulary so tests read both alike.
pub struct Socket {
    pub stream: WsStream,
    lead: bool,
}

/// How long a test waits for a frame that should come; a liveness guard, not a measurement.
const FRAME_WAIT: Duration = Duration::from_secs(10);

impl Socket {
    async fn connect(
        request: tokio_tungstenite::tungstenite::handshake::client::Request,
        lead: bool,
    ) -> Socket {
        let (stream, _) = tokio_tungstenite::connect_async(request).await.expect("socket connects");
        Socket { stream, lead }
    }

    /// The next text frame, as sent.
    pub async fn text(&mut self) -> String {
        loop {
            let message = tokio::time::timeout(FRAME_WAIT, self.stream.next())
                .await
                .expect("a frame within the wait")
                .expect("socket open")
                .expect("socket ok");
            if let WsMessage::Text(text) = message {
                return text.to_string();
            }
        }
    }

    pub async fn next(&mut self) -> wire::ServerFrame {
        let text = self.text().await;
        if !self.lead {
            return serde_json::from_str(&text).expect("a server frame");
        }
        match serde_json::from_str(&text).expect("a lead's frame") {
            wire::LeadServerFrame::Event(frame) => wire::ServerFrame::Event(Box::new(frame.into())),
            wire::LeadServerFrame::Ready { seq } => wire::ServerFrame::Ready { seq },
            wire::LeadServerFrame::Error(e) => wire::ServerFrame::Error(e),
        }
    }

    /// The next event frame; panics on anything else.
    pub async fn event(&mut self) -> wire::EventFrame {
        match self.next().await {
            wire::ServerFrame::Event(frame) => *frame,
            other => panic!("expected an event, got {other:?}"),
        }
    }

    /// Reads up to and including `Ready`, returning the events before it.
    pub async fn until_ready(&mut self) -> (Vec<wire::EventFrame>, u64) {
        let mut events = Vec::new();
        loop {
            match self.next().await {
                wire::ServerFrame::Event(frame) => events.push(*frame),
                wire::ServerFrame::Ready { seq } => return (events, seq),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    pub async fn send_text(&mut self, text: &str) {
        self.stream.send(WsMessage::Text(text.into())).await.expect("send");
    }
}

//! A lead (a widget session) and an agent (a signed-in member), over HTTP and their sockets.

use porch_protocol as wire;
use porch_server::demo;
use reqwest::StatusCode;
use serde_json::Value;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::*;

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
        let http = http.with_bearer(&session.visitor_token);
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

//! A lead (a widget session) and an agent (a signed-in member), over HTTP and their sockets.

use porch_protocol as wire;
use porch_protocol::api::{agent, widget};
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
        let session = http.expect(widget::OPEN_SESSION.at(&[]), &open_session(key, None)).await;
        let http = http.with_bearer(&session.visitor_token);
        LeadClient { http, session }
    }

    /// The session this browser gets on a reload: same workspace, same visitor token.
    pub async fn reopen(&self, key: &str) -> wire::WidgetSession {
        let token = Some(self.session.visitor_token.clone());
        self.http.expect(widget::OPEN_SESSION.at(&[]), &open_session(key, token)).await
    }

    pub async fn start(&self, body: &str) -> wire::LeadConversation {
        let request = wire::StartConversation { body: Some(body.into()), client_id: None };
        self.http.expect(widget::START.at(&[]), &request).await
    }

    pub async fn say(&self, conversation: &wire::ConversationId, body: &str) -> Answer {
        let request = wire::PostMessage { body: body.into(), client_id: None };
        self.http.call(widget::WRITE.at(&[conversation.as_str()]), &request).await
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
        let url = server.ws_url(&widget::SOCKET.at(&[]).query(&format!("after={after}")).url);
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
        let login =
            wire::Login { email: email.into(), password: password.into(), workspace_id: None };
        let answer = http.call(agent::LOGIN.at(&[]), &login).await;
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
        let request = wire::PostMessage { body: body.into(), client_id: None };
        self.http.call(agent::REPLY.at(&[conversation.as_str()]), &request).await
    }

    /// Closes as Resolved, with no note.
    pub async fn close(&self, conversation: &wire::ConversationId) -> Answer {
        let request =
            wire::CloseConversation { outcome: Some(wire::Outcome::Resolved), note: None };
        self.http.call(agent::CLOSE.at(&[conversation.as_str()]), &request).await
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
        self.http.expect(agent::CONVERSATION.at(&[conversation.as_str()]), &()).await
    }

    pub async fn owner(server: &TestServer) -> AgentClient {
        AgentClient::login(server, demo::OWNER.1, demo::OWNER.2).await
    }

    pub async fn socket(&self, server: &TestServer, after: u64) -> Socket {
        let mut request = server
            .ws_url(&agent::SOCKET.at(&[]).query(&format!("after={after}")).url)
            .into_client_request()
            .unwrap();
        request.headers_mut().insert("cookie", self.cookie.parse().unwrap());
        Socket::connect(request, false).await
    }
}

fn open_session(key: &str, visitor_token: Option<String>) -> wire::OpenSession {
    wire::OpenSession {
        workspace_key: key.into(),
        visitor_token,
        host_origin: None,
        host_page: None,
    }
}

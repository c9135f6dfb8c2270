//! Issue 13, continued: text a store cannot hold, socket limits and lifetimes, browser-facing
//! headers and origins, visitor token lifetimes, concurrent sign-ins.

use futures_util::StreamExt;
use porch_protocol as wire;
use porch_server::demo;
use porch_store::testing::TestDatabase;
use porch_tests::*;
use serde_json::json;
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message as WsMessage};

/// NUL in a body, a key, an e-mail, a path id or a query is refused with 422 `invalid_text`
/// on both backends, and nothing is stored (PostgreSQL answered 500, SQLite stored it).
async fn nul_is_refused_everywhere(server: TestServer) {
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("Hello").await;
    let workspace = server.demo_workspace().await;
    let before = server.state.store.last_seq(&workspace).await.unwrap();
    let messages = format!("/api/v1/widget/conversations/{}/messages", conversation.id);
    lead.http.post(&messages, json!({"body": "a\u{0}b"})).await.assert_error(422, "invalid_text");
    let keyed = json!({"body": "fine", "client_id": "x", "extra\u{0}": 1});
    lead.http.post(&messages, keyed).await.assert_error(422, "invalid_text");
    let start = json!({"body": "x", "client_id": "a\u{0}"});
    lead.http.post("/api/v1/widget/conversations", start).await.assert_error(422, "invalid_text");
    let login = json!({"email": "a\u{0}@x.io", "password": "p"});
    Http::new(&server).post("/api/v1/agent/login", login).await.assert_error(422, "invalid_text");
    let session = json!({"workspace_key": "k\u{0}"});
    Http::new(&server)
        .post("/api/v1/widget/session", session)
        .await
        .assert_error(422, "invalid_text");
    let path = format!("/api/v1/widget/conversations/{}%00", conversation.id);
    lead.http.get(&path).await.assert_error(422, "invalid_text");
    let owner = AgentClient::owner(&server).await;
    let query = "/api/v1/agent/reports/conversations?from=0&to=1000&category=a%00";
    owner.http.get(query).await.assert_error(422, "invalid_text");
    assert_eq!(server.state.store.last_seq(&workspace).await.unwrap(), before, "nothing stored");
}

#[tokio::test]
async fn nul_is_refused_on_sqlite() {
    nul_is_refused_everywhere(TestServer::start().await).await;
}

#[tokio::test]
async fn nul_is_refused_on_postgres() {
    let Some(db) = TestDatabase::postgres().await else { return };
    let mut server = TestServer::start_on(db).await;
    let db = server.take_database();
    nul_is_refused_everywhere(server).await;
    if let Some(db) = db {
        db.drop_database().await;
    }
}

/// A client message over the socket limit closes the socket with 1009 before it is buffered;
/// a visitor token in the URL is not accepted.
#[tokio::test]
async fn socket_messages_are_bounded() {
    let server = TestServer::start().await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let mut socket = lead.socket(&server, 0).await;
    socket.until_ready().await;
    socket.send_text(&"x".repeat(64 * 1024)).await;
    let close = loop {
        match socket.stream.next().await {
            Some(Ok(WsMessage::Close(frame))) => break frame,
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(close.map(|f| u16::from(f.code)), Some(1009));

    let mut fine = lead.socket(&server, 0).await;
    fine.until_ready().await;
    fine.send_text(r#"{"frame":"ping"}"#).await;
    assert!(matches!(fine.next().await, wire::ServerFrame::Ready { .. }), "small frames work");

    let url = format!("/api/v1/widget/ws?token={}", lead.session.visitor_token);
    let in_url = tokio_tungstenite::connect_async(server.ws_url(&url)).await;
    assert!(in_url.is_err(), "a token in the URL is not accepted");
}

/// The next close frame's code on an agent socket.
async fn closed_with(socket: &mut Socket) -> Option<u16> {
    loop {
        match tokio::time::timeout(std::time::Duration::from_secs(10), socket.stream.next()).await {
            Ok(Some(Ok(WsMessage::Close(frame)))) => return frame.map(|f| u16::from(f.code)),
            Ok(Some(Ok(_))) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

/// Logging out, or the session expiring, closes the agent's sockets (they kept receiving every
/// event of the workspace).
#[tokio::test]
async fn agent_sockets_end_with_their_session() {
    let server = TestServer::start().await;
    let agent = AgentClient::demo(&server).await;
    let other = AgentClient::demo(&server).await;
    let mut socket = agent.socket(&server, agent.me.last_seq).await;
    let mut others = other.socket(&server, other.me.last_seq).await;
    socket.until_ready().await;
    others.until_ready().await;
    assert_eq!(agent.http.post("/api/v1/agent/logout", json!({})).await.status, 204);
    assert_eq!(closed_with(&mut socket).await, Some(1008));

    // The other session's socket is still live, until that session expires.
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    lead.start("still there?").await;
    assert!(matches!(others.next().await, wire::ServerFrame::Event(_)));
    server.advance(porch_server::auth::SESSION_MILLIS + 1);
    assert_eq!(closed_with(&mut others).await, Some(1008));
}

/// Pages carry a strict policy, every answer `nosniff`, and errors (405 too) are
/// `{code, message}`.
#[tokio::test]
async fn pages_and_answers_carry_security_headers() {
    let server = TestServer::start().await;
    for (page, ancestors) in
        [("/app/", "frame-ancestors 'none'"), ("/widget/", "frame-ancestors *")]
    {
        let answer = reqwest::get(server.url(page)).await.unwrap();
        let policy = answer.headers()["content-security-policy"].to_str().unwrap().to_owned();
        assert!(policy.contains("script-src 'self' 'wasm-unsafe-eval'"), "{page}: {policy}");
        assert!(policy.contains(ancestors), "{page}: {policy}");
        assert!(!policy.contains("unsafe-inline"), "{page}: {policy}");
        assert_eq!(answer.headers()["x-content-type-options"], "nosniff");
    }
    let http = Http::new(&server);
    let answer = http.get("/api/v1/agent/login").await;
    answer.assert_error(405, "method_not_allowed");
    assert_eq!(answer.headers["x-content-type-options"], "nosniff");
    assert!(answer.headers.contains_key("referrer-policy"));
}

/// A page on another site cannot make a signed-in agent's browser change anything or open the
/// agent socket: a form POST to `/block` with the cookie and a foreign `Origin` succeeded.
#[tokio::test]
async fn foreign_origins_cannot_use_an_agents_cookie() {
    let server = TestServer::start().await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("Hello").await;
    let agent = AgentClient::demo(&server).await;
    let path = server.url(&format!("/api/v1/agent/conversations/{}/block", conversation.id));
    let cookie = agent.cookie().to_owned();
    let forged = reqwest::Client::new()
        .post(&path)
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .header("content-type", "application/x-www-form-urlencoded")
        .body("")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(!agent.detail(&conversation.id).await.conversation.contact_blocked);
    let same = reqwest::Client::new()
        .post(&path)
        .header("cookie", &cookie)
        .header("origin", server.base.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), 200, "the inbox itself still works");

    let mut request = server.ws_url("/api/v1/agent/ws").into_client_request().unwrap();
    request.headers_mut().insert("cookie", cookie.parse().unwrap());
    request.headers_mut().insert("origin", "https://evil.example".parse().unwrap());
    assert!(tokio_tungstenite::connect_async(request).await.is_err());
}

/// A visitor token expires after 30 days unused; the widget then starts a fresh anonymous
/// session. Each session renews it.
#[tokio::test]
async fn visitor_tokens_expire_unless_used() {
    let server = TestServer::start().await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("Hello").await;
    server.advance(porch_server::auth::VISITOR_TOKEN_MILLIS - 1);
    assert_eq!(lead.reopen(demo::WIDGET_KEY).await.contact_id, lead.session.contact_id);
    server.advance(porch_server::auth::VISITOR_TOKEN_MILLIS - 1);
    assert_eq!(lead.say(&conversation.id, "renewed").await.status, 201);
    server.advance(2);
    lead.say(&conversation.id, "too late").await.assert_error(401, "unauthorized");
    let fresh = lead.reopen(demo::WIDGET_KEY).await;
    assert_ne!(fresh.contact_id, lead.session.contact_id);
    assert!(fresh.conversations.is_empty(), "the next person on this device sees nothing");
}

/// 100 concurrent wrong passwords for one e-mail: exactly the free attempts are checked, the
/// rest refused before hashing (they were all checked: the count was read before the hash).
#[tokio::test]
async fn concurrent_wrong_logins_are_counted_before_hashing() {
    let server = TestServer::start().await;
    let wrong = json!({"email": demo::AGENT.1, "password": "guess"});
    let tries = (0..100).map(|_| {
        let (http, wrong) = (Http::new(&server), wrong.clone());
        tokio::spawn(async move { http.post("/api/v1/agent/login", wrong).await.status.as_u16() })
    });
    let mut statuses = Vec::new();
    for t in tries {
        statuses.push(t.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 401).count(), 5, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 95);
}

/// `Porch.shutdown()` ends this browser's token on the server: it no longer reads or writes,
/// and the next session on the device is a new anonymous lead.
#[tokio::test]
async fn ending_a_widget_session_forgets_the_lead_on_this_device() {
    let server = TestServer::start().await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("my private question").await;
    // A message first: this server now believes the token for a few seconds.
    assert_eq!(lead.say(&conversation.id, "one more").await.status, 201);
    Http::new(&server)
        .post("/api/v1/widget/session/end", json!({}))
        .await
        .assert_error(401, "unauthorized");
    let ended = lead.http.post("/api/v1/widget/session/end", json!({})).await;
    assert_eq!(ended.status, 204);
    lead.say(&conversation.id, "again").await.assert_error(401, "unauthorized");
    let next = lead.reopen(demo::WIDGET_KEY).await;
    assert_ne!(next.contact_id, lead.session.contact_id);
    assert!(next.conversations.is_empty());
}

/// Auto-close does not close a blocked contact's conversations (a manual close is refused
/// too): blocking pauses the deadline of every open conversation of theirs, unblocking resumes
/// them.
#[tokio::test]
async fn auto_close_waits_while_the_contact_is_blocked() {
    let server = TestServer::start().await;
    let owner = AgentClient::owner(&server).await;
    let policy = json!({"settings": {"enabled": true, "period_minutes": 30}});
    let path = "/api/v1/agent/settings/auto-close";
    assert_eq!(owner.http.send(reqwest::Method::PUT, path, Some(policy)).await.status, 200);
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let (first, second) = (lead.start("hello").await, lead.start("another thing").await);
    let agent = AgentClient::demo(&server).await;
    for c in [&first, &second] {
        assert_eq!(agent.reply(&c.id, "anything else?").await.status, 201);
    }
    assert_eq!(agent.act(&first.id, "block", json!({})).await.status, 200);
    for c in [&first, &second] {
        let blocked = agent.detail(&c.id).await.conversation;
        assert_eq!(blocked.auto_close_at, None, "no deadline runs while blocked");
    }
    server.advance(31 * 60_000);
    assert_eq!(agent.act(&first.id, "unblock", json!({})).await.status, 200);
    for c in [&first, &second] {
        let resumed = agent.detail(&c.id).await.conversation;
        assert_eq!(resumed.status, wire::ConversationStatus::Open);
        assert_eq!(resumed.auto_close_at, Some(server.clock_now() + 30 * 60_000));
    }
}

/// Two servers on one database share what guards sign-ins and sessions: wrong guesses made on
/// one slow the next attempt on the other, and a logout on one closes the agent's socket on the
/// other (within a session recheck).
async fn two_servers_share_sign_ins_and_sessions(a: &TestServer) {
    let b = TestServer::start_at(&a.database_url, a.clock_now()).await;
    let wrong = json!({"email": demo::AGENT.1, "password": "guess"});
    for _ in 0..5 {
        let answer = Http::new(a).post("/api/v1/agent/login", wrong.clone()).await;
        answer.assert_error(401, "invalid_credentials");
    }
    let right = json!({"email": demo::AGENT.1, "password": demo::AGENT.2});
    Http::new(&b).post("/api/v1/agent/login", right).await.assert_error(429, "rate_limited");

    let owner = AgentClient::owner(a).await;
    let mut socket_on_b = {
        let mut request = b.ws_url("/api/v1/agent/ws").into_client_request().unwrap();
        request.headers_mut().insert("cookie", owner.cookie().parse().unwrap());
        let (stream, _) = tokio_tungstenite::connect_async(request).await.expect("connects");
        stream
    };
    assert_eq!(owner.http.post("/api/v1/agent/logout", json!({})).await.status, 204);
    assert_eq!(close_code(&mut socket_on_b).await, Some(1008));
    b.state.shutdown.cancel();
}

#[tokio::test]
async fn two_servers_on_sqlite_share_sign_ins_and_sessions() {
    two_servers_share_sign_ins_and_sessions(&TestServer::start().await).await;
}

#[tokio::test]
async fn two_servers_on_postgres_share_sign_ins_and_sessions() {
    let Some(db) = TestDatabase::postgres().await else { return };
    let a = TestServer::start_on(db).await;
    two_servers_share_sign_ins_and_sessions(&a).await;
    a.stop_and_drop_database().await;
}

/// Expiry follows the server's clock: moved past a session's end (as a dev clock can be), the
/// agent's socket closes at once, however long the real-time recheck period is.
#[tokio::test]
async fn an_expired_session_closes_its_socket_when_the_clock_passes_the_expiry() {
    let server = TestServer::start_with(|state| {
        state.session_recheck = std::time::Duration::from_secs(3600)
    })
    .await;
    let agent = AgentClient::demo(&server).await;
    let mut socket = agent.socket(&server, agent.me.last_seq).await;
    socket.until_ready().await;
    server.advance(porch_server::auth::SESSION_MILLIS + 1);
    assert_eq!(closed_with(&mut socket).await, Some(1008));
}

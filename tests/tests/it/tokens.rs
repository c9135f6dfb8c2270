//! API tokens (issue 16): an owner creates and revokes them; a token acts on conversations as
//! a manager may (a `read` one only reads), is named as the actor in the log, never reaches the
//! team, settings or tokens, stays in its workspace, and is rate-limited.

use porch_protocol::{self as wire, Actor, Plan, TokenScope};
use porch_server::demo;
use porch_tests::*;
use serde_json::json;

async fn create(owner: &AgentClient, name: &str, scope: &str) -> wire::CreatedToken {
    let answer =
        owner.http.post("/api/v1/agent/tokens", json!({"name": name, "scope": scope})).await;
    assert_eq!(answer.status.as_u16(), 201, "{}", answer.body);
    answer.json()
}

fn with_token(server: &TestServer, created: &wire::CreatedToken) -> Http {
    Http::new(server).with_bearer(&created.secret)
}

#[tokio::test]
async fn a_write_token_acts_as_a_manager_and_is_named_in_the_log() {
    let server = TestServer::start().await;
    let owner = AgentClient::owner(&server).await;
    let agent = AgentClient::demo(&server).await;
    let body = json!({"name": "CRM", "scope": "write"});
    agent.http.post("/api/v1/agent/tokens", body).await.assert_error(403, "forbidden");

    let created = create(&owner, "  CRM sync ", "write").await;
    assert!(
        created.secret.starts_with("porch_") && created.secret.len() > 60,
        "{}",
        created.secret
    );
    assert_eq!((created.token.name.as_str(), created.token.scope), ("CRM sync", TokenScope::Write));
    assert!(created.secret.starts_with(&created.token.prefix));
    let listed = owner.http.get("/api/v1/agent/tokens").await;
    assert!(!listed.text.contains(&created.secret), "the secret is shown once");
    assert_eq!(listed.json::<Vec<wire::ApiToken>>(), std::slice::from_ref(&created.token));

    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("Where is my order?").await.id;
    let api = with_token(&server, &created);
    let list: Vec<wire::Conversation> = api.get("/api/v1/agent/conversations").await.json();
    assert!(list.iter().any(|c| c.id == conversation));
    let path = format!("/api/v1/agent/conversations/{conversation}");
    let reply = api.post(&format!("{path}/messages"), json!({"body": "It ships today."})).await;
    assert_eq!(reply.status.as_u16(), 201, "{}", reply.body);
    assert_eq!(reply.json::<wire::Message>().author_name.as_deref(), Some("CRM sync"));
    let closed = api.post(&format!("{path}/close"), json!({"outcome": "resolved"})).await;
    assert_eq!(closed.status.as_u16(), 200, "{}", closed.body);

    let detail: wire::ConversationDetail = api.get(&path).await.json();
    let by_token = Actor::Token(created.token.id.clone());
    let actors: Vec<_> = detail.events.iter().map(|f| (f.event.kind(), &f.actor)).collect();
    assert!(actors.contains(&("message_posted", &by_token)), "{actors:?}");
    assert!(actors.contains(&("conversation_closed", &by_token)), "{actors:?}");
    let listed: Vec<wire::ApiToken> = owner.http.get("/api/v1/agent/tokens").await.json();
    assert_eq!(listed[0].last_used_at, Some(server.clock_now()), "last use is shown");

    // Revoked: refused at once, and gone from the list.
    let revoke = format!("/api/v1/agent/tokens/{}", created.token.id);
    let revoked = owner.http.send(reqwest::Method::DELETE, &revoke, None).await;
    assert_eq!(revoked.status.as_u16(), 204, "{}", revoked.body);
    api.get("/api/v1/agent/conversations").await.assert_error(401, "unauthorized");
    owner.http.send(reqwest::Method::DELETE, &revoke, None).await.assert_error(404, "not_found");
    let listed: Vec<wire::ApiToken> = owner.http.get("/api/v1/agent/tokens").await.json();
    assert!(listed.is_empty());
}

#[tokio::test]
async fn a_token_never_reaches_the_team_settings_sessions_or_tokens() {
    let server = TestServer::start().await;
    let owner = AgentClient::owner(&server).await;
    let api = with_token(&server, &create(&owner, "Ops", "write").await);
    let refused = [
        (reqwest::Method::GET, "/api/v1/agent/tokens", None),
        (
            reqwest::Method::POST,
            "/api/v1/agent/tokens",
            Some(json!({"name": "x", "scope": "write"})),
        ),
        (reqwest::Method::GET, "/api/v1/agent/team", None),
        (
            reqwest::Method::POST,
            "/api/v1/agent/team/invitations",
            Some(json!({"email": "a@b.example", "role": "owner"})),
        ),
        (reqwest::Method::PUT, "/api/v1/agent/settings/name", Some(json!({"name": "Taken"}))),
        (reqwest::Method::GET, "/api/v1/agent/install", None),
        (reqwest::Method::GET, "/api/v1/agent/me", None),
        (reqwest::Method::PUT, "/api/v1/agent/password", Some(json!({"current": "x", "new": "y"}))),
    ];
    for (method, path, body) in refused {
        api.send(method, path, body).await.assert_error(403, "token_not_allowed");
    }
    let view: wire::WorkspaceView = api.get("/api/v1/agent/workspace").await.json();
    assert_eq!(view.identity_secret, None, "a token is no owner");
    assert_eq!(owner.http.get("/api/v1/agent/tokens").await.json::<Vec<wire::ApiToken>>().len(), 1);

    // What is not a live token is refused as no sign-in.
    for secret in ["porch_", "porch_0123", "not-a-porch-token", ""] {
        let answer =
            Http::new(&server).with_bearer(secret).get("/api/v1/agent/conversations").await;
        answer.assert_error(401, "unauthorized");
    }
}

#[tokio::test]
async fn a_read_token_reads_and_changes_nothing() {
    let server = TestServer::start().await;
    let owner = AgentClient::owner(&server).await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("Hello").await.id;
    let api = with_token(&server, &create(&owner, "Warehouse", "read").await);
    let path = format!("/api/v1/agent/conversations/{conversation}");
    let before: wire::ConversationDetail = api.get(&path).await.json();
    api.post(&format!("{path}/messages"), json!({"body": "hi"}))
        .await
        .assert_error(403, "token_read_only");
    let close = json!({"outcome": "resolved"});
    api.post(&format!("{path}/close"), close).await.assert_error(403, "token_read_only");
    let after: wire::ConversationDetail = api.get(&path).await.json();
    assert_eq!(
        (after.messages.len(), after.events.len()),
        (before.messages.len(), before.events.len())
    );
    let report = api.get("/api/v1/agent/reports/closing?from=0&to=86400000").await;
    assert_eq!(report.status.as_u16(), 200, "{}", report.body);
    let csv = api.get("/api/v1/agent/reports/conversations.csv?from=0&to=86400000").await;
    assert_eq!(csv.status.as_u16(), 200, "{}", csv.body);
}

#[tokio::test]
async fn a_token_stays_in_its_workspace() {
    let server = TestServer::start().await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let demo_conversation = lead.start("Hello").await.id;
    let team = server.team_workspace(Plan::Free, Default::default(), Default::default()).await;
    let other_owner = AgentClient::login(&server, &team.agents[0].1, PASSWORD).await;
    let api = with_token(&server, &create(&other_owner, "Elsewhere", "write").await);
    let path = format!("/api/v1/agent/conversations/{demo_conversation}");
    api.get(&path).await.assert_error(404, "not_found");
    let closing = json!({"outcome": "resolved"});
    api.post(&format!("{path}/close"), closing).await.assert_error(404, "not_found");
    let list: Vec<wire::Conversation> = api.get("/api/v1/agent/conversations").await.json();
    assert!(list.iter().all(|c| c.id != demo_conversation));
    // Nor can another workspace's owner revoke it.
    let owner = AgentClient::owner(&server).await;
    let mine: Vec<wire::ApiToken> = other_owner.http.get("/api/v1/agent/tokens").await.json();
    let revoke = format!("/api/v1/agent/tokens/{}", mine[0].id);
    owner.http.send(reqwest::Method::DELETE, &revoke, None).await.assert_error(404, "not_found");
    assert_eq!(api.get("/api/v1/agent/conversations").await.status.as_u16(), 200);
}

#[tokio::test]
async fn tokens_are_rate_limited_and_bad_requests_refused() {
    let server = TestServer::start().await;
    let owner = AgentClient::owner(&server).await;
    let bad = [
        (json!({"name": "", "scope": "read"}), 422, "invalid_name"),
        (json!({"name": "x".repeat(101), "scope": "read"}), 422, "invalid_name"),
        (json!({"name": "CRM", "scope": "admin"}), 422, "invalid_fields"),
        (json!({"scope": "read"}), 422, "invalid_fields"),
    ];
    for (body, status, code) in bad {
        owner.http.post("/api/v1/agent/tokens", body).await.assert_error(status, code);
    }
    let api = with_token(&server, &create(&owner, "Busy", "read").await);
    let (refused_at, refused) =
        until_refused(700, 200, |_| api.get("/api/v1/agent/workspace")).await;
    refused.assert_error(429, "rate_limited");
    assert_eq!(refused_at, 600, "the burst, then refused");
    server.advance(1_000);
    assert_eq!(api.get("/api/v1/agent/workspace").await.status.as_u16(), 200, "refilled");
}

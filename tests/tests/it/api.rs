use porch_protocol::{self as wire, ConversationStatus, LeadOptions, Plan, MAX_MESSAGE_CHARS};
use porch_server::demo;
use porch_tests::*;
use serde_json::json;

#[tokio::test]
async fn health_and_unknown_endpoints() {
    let server = TestServer::start().await;
    let http = Http::new(&server);
    let health = reqwest::get(server.url("/healthz")).await.unwrap();
    assert_eq!(health.status(), 200);
    http.get("/api/v1/nope").await.assert_error(404, "not_found");
}

#[tokio::test]
async fn a_visitor_token_brings_the_same_lead_back() {
    let server = TestServer::start().await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("Hello").await;
    let again = lead.reopen(demo::WIDGET_KEY).await;
    assert_eq!(again.contact_id, lead.session.contact_id);
    assert_eq!(again.conversations, [conversation]);
    assert!(again.options.disable_input_on_close, "the demo workspace disables input on close");

    // A token that means nothing here starts a new lead rather than failing.
    let stranger = Http::new(&server)
        .post(
            "/api/v1/widget/session",
            json!({"workspace_key": demo::WIDGET_KEY, "visitor_token": "forged"}),
        )
        .await
        .json::<wire::WidgetSession>();
    assert_ne!(stranger.contact_id, lead.session.contact_id);
    assert!(stranger.conversations.is_empty());
}

#[tokio::test]
async fn malformed_requests_get_clear_errors() {
    let server = TestServer::start().await;
    let http = Http::new(&server);
    let path = "/api/v1/widget/session";
    http.post_raw(path, "application/json", "{not json").await.assert_error(400, "malformed_json");
    http.post_raw(path, "text/plain", "{}").await.assert_error(415, "unsupported_media_type");
    http.post(path, json!({"key": "demo"})).await.assert_error(422, "invalid_fields");
    http.post(path, json!({"workspace_key": "no-such-key"})).await.assert_error(404, "not_found");
    let huge = format!(r#"{{"workspace_key": "{}"}}"#, "x".repeat(70 * 1024));
    http.post_raw(path, "application/json", huge).await.assert_error(413, "too_large");
    let agent = AgentClient::demo(&server).await;
    agent
        .http
        .get("/api/v1/agent/conversations?status=sideways")
        .await
        .assert_error(400, "invalid_query");
}

#[tokio::test]
async fn leads_need_their_token_and_see_only_their_conversations() {
    let server = TestServer::start().await;
    let ann = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let bob = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = ann.start("Hello").await;
    let path = format!("/api/v1/widget/conversations/{}", conversation.id);

    Http::new(&server).get(&path).await.assert_error(401, "unauthorized");
    Http::new(&server)
        .post("/api/v1/widget/conversations", json!({}))
        .await
        .assert_error(401, "unauthorized");
    bob.http.get(&path).await.assert_error(404, "not_found");
    bob.say(&conversation.id, "hijack").await.assert_error(404, "not_found");
    ann.http.get("/api/v1/widget/conversations/unknown").await.assert_error(404, "not_found");

    let detail: wire::LeadConversationDetail = ann.http.get(&path).await.json();
    assert_eq!(detail.messages.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(), ["Hello"]);
}

#[tokio::test]
async fn message_size_and_emptiness_are_checked_and_nothing_is_stored() {
    let server = TestServer::start().await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("Hello").await;
    let too_long = "é".repeat(MAX_MESSAGE_CHARS + 1);
    lead.say(&conversation.id, &too_long).await.assert_error(422, "message_too_long");
    lead.say(&conversation.id, "   ").await.assert_error(422, "empty_message");
    lead.http
        .post("/api/v1/widget/conversations", json!({"body": too_long}))
        .await
        .assert_error(422, "message_too_long");
    let ok = lead.say(&conversation.id, &"é".repeat(MAX_MESSAGE_CHARS)).await;
    assert_eq!(ok.status, 201);

    let stored = server.demo_messages(&conversation.id).await;
    assert_eq!(stored.len(), 2);
    let session = LeadClient::open(&server, demo::WIDGET_KEY).await.session;
    assert_eq!(session.last_seq, 3, "started + two messages; refusals recorded nothing");
}

#[tokio::test]
async fn a_retried_message_is_stored_once() {
    let server = TestServer::start().await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("Hello").await;
    let path = format!("/api/v1/widget/conversations/{}/messages", conversation.id);
    let body = json!({"body": "Are you there?", "client_id": "retry-1"});
    let first: wire::Message = lead.http.post(&path, body.clone()).await.json();
    let second: wire::Message = lead.http.post(&path, body).await.json();
    assert_eq!(first, second);
    assert_eq!(server.demo_messages(&conversation.id).await.len(), 2);
}

#[tokio::test]
async fn agent_login_sets_a_strict_http_only_cookie_and_logout_ends_it() {
    let server = TestServer::start().await;
    let http = Http::new(&server);
    let wrong = json!({"email": demo::AGENT.1, "password": "wrong"});
    http.post("/api/v1/agent/login", wrong).await.assert_error(401, "invalid_credentials");
    let unknown = json!({"email": "nobody@example.com", "password": "x"});
    http.post("/api/v1/agent/login", unknown).await.assert_error(401, "invalid_credentials");
    http.get("/api/v1/agent/me").await.assert_error(401, "unauthorized");

    let raw = http
        .post("/api/v1/agent/login", json!({"email": demo::AGENT.1, "password": demo::AGENT.2}))
        .await;
    let cookie = raw.headers["set-cookie"].to_str().unwrap();
    assert!(
        cookie.contains("HttpOnly")
            && cookie.contains("SameSite=Strict")
            && cookie.contains("Secure"),
        "{cookie}"
    );

    let agent = AgentClient::demo(&server).await;
    let me: wire::Me = agent.http.get("/api/v1/agent/me").await.json();
    assert_eq!(me.agent.email, demo::AGENT.1);
    assert_eq!(agent.http.post("/api/v1/agent/logout", json!({})).await.status, 204);
    agent.http.get("/api/v1/agent/me").await.assert_error(401, "unauthorized");
}

#[tokio::test]
async fn agents_list_read_reply_and_close() {
    let server = TestServer::start().await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let agent = AgentClient::demo(&server).await;
    let conversation = lead.start("Hello").await;

    let open: Vec<wire::Conversation> =
        agent.http.get("/api/v1/agent/conversations?status=open").await.json();
    assert_eq!(open.iter().map(|c| &c.id).collect::<Vec<_>>(), [&conversation.id]);
    let reply = agent.reply(&conversation.id, "Hi! How can I help?").await;
    assert_eq!(reply.status, 201);
    assert_eq!(reply.json::<wire::Message>().author_name.as_deref(), Some(demo::AGENT.0));

    let closed: wire::Conversation = agent.close(&conversation.id).await.json();
    assert_eq!(closed.status, ConversationStatus::Closed);
    assert_eq!(closed.closed_by, Some(agent.me.agent.id.clone()));
    agent.close(&conversation.id).await.assert_error(409, "already_closed");
    agent.reply(&conversation.id, "late").await.assert_error(409, "conversation_closed");
    agent.close(&wire::ConversationId("unknown".into())).await.assert_error(404, "not_found");

    let open: Vec<wire::Conversation> =
        agent.http.get("/api/v1/agent/conversations?status=open").await.json();
    assert!(open.is_empty());
    let detail: wire::ConversationDetail =
        agent.http.get(&format!("/api/v1/agent/conversations/{}", conversation.id)).await.json();
    assert_eq!(detail.messages.len(), 2);
}

#[tokio::test]
async fn another_workspace_cannot_touch_a_conversation() {
    let server = TestServer::start().await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("Hello").await;
    let (_, email) = server.workspace(Plan::Enterprise, LeadOptions::default()).await;
    let foreign = AgentClient::login(&server, &email, PASSWORD).await;

    let path = format!("/api/v1/agent/conversations/{}", conversation.id);
    foreign.http.get(&path).await.assert_error(404, "not_found");
    foreign.reply(&conversation.id, "hi").await.assert_error(404, "not_found");
    foreign.close(&conversation.id).await.assert_error(404, "not_found");
    let list: Vec<wire::Conversation> =
        foreign.http.get("/api/v1/agent/conversations").await.json();
    assert!(list.is_empty());

    let ours = AgentClient::demo(&server).await;
    let detail: wire::ConversationDetail = ours.http.get(&path).await.json();
    assert_eq!(detail.conversation.status, ConversationStatus::Open);
    assert_eq!(detail.messages.len(), 1);
}

#[tokio::test]
async fn a_closed_conversation_refuses_the_lead_when_input_is_disabled() {
    let server = TestServer::start().await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let agent = AgentClient::demo(&server).await;
    let conversation = lead.start("Hello").await;
    agent.close(&conversation.id).await;
    lead.say(&conversation.id, "one more thing").await.assert_error(409, "input_disabled");
    let stored = server
        .state
        .store
        .conversation(&server.demo_workspace().await, &conversation.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!((stored.status, stored.cycle), (ConversationStatus::Closed, 1));
    assert_eq!(server.demo_messages(&conversation.id).await.len(), 1);
}

/// With the options off (or saved but not in the plan), a lead writing again reopens the same
/// conversation for the seller, as a new cycle.
#[tokio::test]
async fn a_lead_reopens_a_closed_conversation_when_input_stays_enabled() {
    let server = TestServer::start().await;
    let disabled = LeadOptions { disable_input_on_close: true, ..LeadOptions::default() };
    for (plan, saved) in [(Plan::Enterprise, LeadOptions::default()), (Plan::Free, disabled)] {
        let (key, email) = server.workspace(plan, saved).await;
        let lead = LeadClient::open(&server, &key).await;
        assert!(!lead.session.options.disable_input_on_close, "{plan:?}");
        let agent = AgentClient::login(&server, &email, PASSWORD).await;
        let conversation = lead.start("Hello").await;
        agent.close(&conversation.id).await;
        assert_eq!(lead.say(&conversation.id, "again").await.status, 201, "{plan:?}");
        let open: Vec<wire::Conversation> =
            agent.http.get("/api/v1/agent/conversations?status=open").await.json();
        assert_eq!(open.len(), 1, "{plan:?}");
        assert_eq!((open[0].id.clone(), open[0].cycle), (conversation.id.clone(), 2));
    }
}

#[tokio::test]
async fn password_guessing_is_slowed_per_email_and_address_without_locking_the_user_out() {
    let server = TestServer::start().await;
    let http = Http::new(&server);
    let wrong = json!({"email": demo::AGENT.1, "password": "guess"});
    for _ in 0..5 {
        http.post("/api/v1/agent/login", wrong.clone())
            .await
            .assert_error(401, "invalid_credentials");
    }
    // From the guesser's address, the next attempt must wait, right password or not.
    let right = json!({"email": demo::AGENT.1, "password": demo::AGENT.2});
    let refused = http.post("/api/v1/agent/login", right.clone()).await;
    refused.assert_error(429, "rate_limited");
    assert_eq!(refused.headers["retry-after"], "1");
    let owner = json!({"email": demo::OWNER.1, "password": demo::OWNER.2});
    assert_eq!(http.post("/api/v1/agent/login", owner).await.status, 200, "other e-mails sign in");
    server.advance(1_000);
    http.post("/api/v1/agent/login", wrong.clone()).await.assert_error(401, "invalid_credentials");
    let longer = http.post("/api/v1/agent/login", right.clone()).await;
    assert_eq!(longer.headers["retry-after"], "2", "each failure doubles the wait");
    server.advance(2_000);
    assert_eq!(http.post("/api/v1/agent/login", right).await.status, 200, "after the wait");
}

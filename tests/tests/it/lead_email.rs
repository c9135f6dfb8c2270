//! The widget's e-mail question (issue 14): the owner's choice (off, optional, required),
//! enforced by the server, and the e-mail shown to the team.

use porch_protocol::{self as wire, AskEmail};
use porch_server::demo;
use porch_tests::*;
use serde_json::json;

#[tokio::test]
async fn a_required_email_comes_before_the_first_message_and_the_team_sees_it() {
    let server = TestServer::start().await;
    let owner = AgentClient::owner(&server).await;
    let agent = AgentClient::demo(&server).await;
    let path = "/api/v1/agent/settings/ask-email";
    let body = Some(json!({"ask_email": "required"}));
    agent.http.send(reqwest::Method::PUT, path, body.clone()).await.assert_error(403, "forbidden");
    let saved = owner.http.send(reqwest::Method::PUT, path, body).await;
    assert_eq!(saved.json::<wire::WorkspaceSettings>().ask_email, AskEmail::Required);

    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    assert_eq!((lead.session.ask_email, lead.session.email_known), (AskEmail::Required, false));
    let start = json!({"body": "Hello"});
    let refused = lead.http.post("/api/v1/widget/conversations", start.clone()).await;
    refused.assert_error(422, "email_required");
    let bad = lead.http.post("/api/v1/widget/email", json!({"email": "nope"})).await;
    bad.assert_error(422, "invalid_email");
    let mut inbox = agent.socket(&server, agent.me.last_seq).await;
    inbox.until_ready().await;
    let given = lead.http.post("/api/v1/widget/email", json!({"email": "Lea@Home.example"})).await;
    assert_eq!(given.status, 204);
    // Open inboxes hear of it at once.
    let frame = inbox.event().await;
    let wire::Event::ContactUpdated { contact_id, name, email } = frame.event else {
        panic!("{frame:?}")
    };
    assert_eq!(
        (contact_id, name, email.as_deref()),
        (lead.session.contact_id.clone(), None, Some("lea@home.example"))
    );
    assert!(lead.reopen(demo::WIDGET_KEY).await.email_known);
    let started = lead.http.post("/api/v1/widget/conversations", start).await;
    assert_eq!(started.status, 201, "{}", started.body);
    let id = started.body["id"].as_str().unwrap();
    let detail = agent.detail(&wire::ConversationId(id.into())).await;
    assert_eq!(detail.conversation.contact_email.as_deref(), Some("lea@home.example"));
    assert_eq!(detail.conversation.lead_label(), "lea@home.example");

    Http::new(&server)
        .post("/api/v1/widget/email", json!({"email": "x@y.io"}))
        .await
        .assert_error(401, "unauthorized");
}

/// The contact panel: who the lead is, the page they were on (without its query), their
/// browser, and their conversations; only within the lead's workspace.
#[tokio::test]
async fn the_contact_panel_shows_the_lead_and_their_conversations() {
    let server = TestServer::start().await;
    let session = json!({"workspace_key": demo::WIDGET_KEY,
        "host_page": "https://shop.example/cart?coupon=SECRET"});
    let session: wire::WidgetSession = reqwest::Client::new()
        .post(server.url("/api/v1/widget/session"))
        .header("user-agent", "TestBrowser/1.0")
        .json(&session)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await; // another lead, for contrast
    lead.start("not mine").await;
    let auth = ("authorization", format!("Bearer {}", session.visitor_token));
    let client = reqwest::Client::new();
    for body in ["first question", "second question"] {
        server.advance(1_000); // distinct times: the newest is listed first
        let started = client
            .post(server.url("/api/v1/widget/conversations"))
            .header(auth.0, &auth.1)
            .json(&json!({"body": body}))
            .send()
            .await
            .unwrap();
        assert_eq!(started.status(), 201);
    }
    let agent = AgentClient::demo(&server).await;
    let path = format!("/api/v1/agent/contacts/{}", session.contact_id);
    let panel: wire::ContactView = agent.http.get(&path).await.json();
    assert_eq!(panel.label, wire::visitor_label(&session.contact_id));
    assert_eq!(panel.last_page.as_deref(), Some("https://shop.example/cart"), "no query kept");
    assert_eq!(panel.browser.as_deref(), Some("TestBrowser/1.0"));
    let asked: Vec<_> = panel.conversations.iter().filter_map(|c| c.last_message.clone()).collect();
    assert_eq!(asked, ["second question", "first question"], "theirs only, newest first");

    let (_, stranger) = server.workspace(wire::Plan::Free, Default::default()).await;
    let stranger = AgentClient::login(&server, &stranger, PASSWORD).await;
    stranger.http.get(&path).await.assert_error(404, "not_found");
}

/// Giving an e-mail records an event for the team: the same one again records nothing, and a
/// flood of changes is limited like messages.
#[tokio::test]
async fn email_changes_are_bounded() {
    let server = TestServer::start().await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let workspace = server.demo_workspace().await;
    let give = |email: String| {
        let http = &lead.http;
        async move { http.post("/api/v1/widget/email", json!({ "email": email })).await }
    };
    assert_eq!(give("same@home.example".into()).await.status, 204);
    let after_first = server.state.store.last_seq(&workspace).await.unwrap();
    assert_eq!(give("same@home.example".into()).await.status, 204);
    assert_eq!(server.state.store.last_seq(&workspace).await.unwrap(), after_first, "unchanged");
    let mut refused = None;
    for i in 0..40 {
        let answer = give(format!("lead{i}@home.example")).await;
        if answer.status == 429 {
            refused = Some(answer);
            break;
        }
    }
    refused.expect("a flood of changes is refused").assert_error(429, "rate_limited");
}

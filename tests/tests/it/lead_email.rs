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
    let given = lead.http.post("/api/v1/widget/email", json!({"email": "Lea@Home.example"})).await;
    assert_eq!(given.status, 204);
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

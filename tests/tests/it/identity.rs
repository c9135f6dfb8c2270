//! `Porch.identify`: leads recognised across browsers when the owner's backend signs them.

use porch_protocol as wire;
use porch_server::auth::sign_identity;
use porch_server::demo;
use porch_tests::*;
use serde_json::json;

async fn secret(server: &TestServer) -> String {
    let owner = AgentClient::owner(server).await;
    let view: wire::WorkspaceView = owner.http.get("/api/v1/agent/workspace").await.json();
    view.identity_secret.expect("owners see the secret")
}

#[tokio::test]
async fn a_signed_identity_brings_the_lead_back_on_another_browser() {
    let server = TestServer::start().await;
    let secret = secret(&server).await;
    let agent_view: wire::WorkspaceView =
        AgentClient::demo(&server).await.http.get("/api/v1/agent/workspace").await.json();
    assert_eq!(agent_view.identity_secret, None, "agents do not see the secret");

    let laptop = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = laptop.start("Asked from my laptop").await;
    let me = json!({"id": "customer-7", "name": "Ada", "email": "ada@example.com", "hash": sign_identity(&secret, "customer-7")});
    let first: wire::Identified =
        laptop.http.post("/api/v1/widget/identify", me.clone()).await.json();
    assert!(!first.switched);
    assert_eq!(
        (first.visitor_token, first.contact_id),
        (laptop.session.visitor_token.clone(), laptop.session.contact_id.clone())
    );

    let phone = LeadClient::open(&server, demo::WIDGET_KEY).await;
    assert!(phone.session.conversations.is_empty());
    let second: wire::Identified = phone.http.post("/api/v1/widget/identify", me).await.json();
    assert!(second.switched);
    assert_eq!(second.contact_id, laptop.session.contact_id);
    let resumed: wire::WidgetSession = Http::new(&server)
        .post(
            "/api/v1/widget/session",
            json!({"workspace_key": demo::WIDGET_KEY, "visitor_token": second.visitor_token}),
        )
        .await
        .json();
    assert_eq!(resumed.contact_id, laptop.session.contact_id);
    assert_eq!(resumed.conversations.iter().map(|c| &c.id).collect::<Vec<_>>(), [&conversation.id]);
    // The laptop keeps working too: one lead, two browsers.
    assert_eq!(laptop.say(&conversation.id, "still here").await.status, 201);

    // The team sees who the lead is; the lead's own view carries nothing of it.
    let detail = AgentClient::demo(&server).await.detail(&conversation.id).await;
    let c = detail.conversation;
    assert_eq!(
        (c.contact_name.as_deref(), c.contact_email.as_deref()),
        (Some("Ada"), Some("ada@example.com"))
    );
    assert_eq!(c.lead_label(), "Ada");
    let raw = Http::new(&server)
        .post(
            "/api/v1/widget/session",
            json!({"workspace_key": demo::WIDGET_KEY, "visitor_token": laptop.session.visitor_token}),
        )
        .await;
    assert!(!raw.text.contains("ada@example.com"), "{}", raw.text);
}

#[tokio::test]
async fn unsigned_or_wrongly_signed_identities_are_refused() {
    let server = TestServer::start().await;
    let secret = secret(&server).await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let path = "/api/v1/widget/identify";
    let wrong = json!({"id": "customer-7", "hash": sign_identity(&secret, "customer-8")});
    lead.http.post(path, wrong).await.assert_error(403, "invalid_identity");
    let other_secret =
        json!({"id": "customer-7", "hash": sign_identity("not-the-secret", "customer-7")});
    lead.http.post(path, other_secret).await.assert_error(403, "invalid_identity");
    lead.http
        .post(path, json!({"id": "customer-7", "hash": "zz"}))
        .await
        .assert_error(403, "invalid_identity");
    lead.http.post(path, json!({"id": "customer-7"})).await.assert_error(422, "invalid_fields");
    let empty = json!({"id": " ", "hash": sign_identity(&secret, " ")});
    lead.http.post(path, empty).await.assert_error(422, "invalid_identity");
    let long = "x".repeat(201);
    let too_long = json!({"id": long, "hash": sign_identity(&secret, &long)});
    lead.http.post(path, too_long).await.assert_error(422, "invalid_identity");
    let anonymous = json!({"id": "customer-7", "hash": sign_identity(&secret, "customer-7")});
    Http::new(&server).post(path, anonymous).await.assert_error(401, "unauthorized");
}

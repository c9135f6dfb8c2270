//! Settings → API in Chromium: the owner creates a token, copies its secret, an integration
//! uses it, the list shows its last use, axe finds nothing, and a revoked token stops working.

use porch_server::demo;
use porch_tests::browser::{eventually, Browser};
use porch_tests::{Http, LeadClient, TestServer};
use serde_json::json;

use crate::accessibility::{axe_source, violations};

#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn an_owner_creates_a_token_an_integration_uses_it_and_it_is_revoked() {
    let server = TestServer::start().await;
    let conversation = LeadClient::open(&server, demo::WIDGET_KEY).await.start("Hi").await.id;
    let owner = Browser::start().await;
    owner.sign_in(&server.base, demo::OWNER.1, demo::OWNER.2).await;
    owner.click("open-settings").await;
    owner.type_into("api-token-name", "CRM sync").await;
    owner.click("api-token-write").await;
    owner.click("api-token-create").await;
    owner.wait_for_text("api-status", "created").await;
    let secret = owner.find("api-token-secret").await.text().await.unwrap();
    assert!(secret.starts_with("porch_"), "{secret}");
    assert_eq!(violations(&owner, &axe_source()).await, Vec::<String>::new(), "settings → API");

    // What an integration does with it (curl would send the same request).
    let api = Http::new(&server).with_bearer(&secret);
    let path = format!("/api/v1/agent/conversations/{conversation}/messages");
    let reply = api.post(&path, json!({"body": "From the CRM"})).await;
    assert_eq!(reply.status.as_u16(), 201, "{}", reply.body);

    owner.goto(&format!("{}/app/", server.base)).await;
    owner.click("open-settings").await;
    owner.wait_for_text("api-token", "CRM sync").await;
    let row = owner.find("api-token").await.text().await.unwrap();
    assert!(!row.contains("never"), "the last use is shown: {row}");
    assert!(!row.contains(&secret), "the secret is shown once");

    owner.run("window.confirm = () => true; return true").await;
    owner.click("api-token-revoke").await;
    owner.wait_for_text("api-status", "revoked").await;
    owner.wait_gone("api-token").await;
    eventually("the token to be refused", || async {
        (api.get("/api/v1/agent/conversations").await.status.as_u16() == 401).then_some(())
    })
    .await;
    owner.close().await;
}

#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn an_owner_adds_an_endpoint_pings_it_and_reads_the_delivery_log() {
    let server = TestServer::start().await;
    let receiver = porch_tests::receiver::Receiver::start().await;
    let owner = Browser::start().await;
    owner.sign_in(&server.base, demo::OWNER.1, demo::OWNER.2).await;
    owner.click("open-settings").await;
    owner.type_into("webhook-url", &receiver.url).await;
    owner.click("webhook-create").await;
    owner.wait_for_text("webhook-status", "added").await;
    let secret = owner.find("webhook-secret").await.text().await.unwrap();
    assert!(secret.starts_with("whsec_"), "{secret}");
    owner.wait_for_text("webhook-state", "On").await;
    owner.click("webhook-ping").await;
    owner.wait_for_text("webhook-status", "Test ping: delivered (204").await;
    owner.wait_for_text("webhook-delivery", "webhook.ping").await;
    let got = receiver.until_accepted(1).await;
    assert_eq!(got[0].json()["type"], "webhook.ping");

    // An event of the workspace reaches it too, and shows in the log.
    LeadClient::open(&server, demo::WIDGET_KEY).await.start("Hello").await;
    receiver.until_accepted(2).await;
    owner.click("webhook-log").await;
    owner.wait_for_text("webhook-deliveries", "conversation.started").await;
    assert_eq!(
        violations(&owner, &axe_source()).await,
        Vec::<String>::new(),
        "settings → webhooks"
    );
    owner.close().await;
}

/// The API reference renders the document with its built-in assets (no CDN).
#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn the_api_reference_renders_the_document() {
    let server = TestServer::start().await;
    let reader = Browser::start().await;
    reader.goto(&format!("{}/api/docs", server.base)).await;
    eventually("the reference to list the operations", || async {
        let text = reader.run("return document.body.innerText").await;
        let text = text.as_str().unwrap_or_default().to_owned();
        (text.contains("Porch API") && text.contains("/api/v1/agent/conversations/{id}/close"))
            .then_some(())
    })
    .await;
    let external = reader
        .run("return performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith(location.origin))")
        .await;
    assert_eq!(external, serde_json::json!([]), "everything from this server");
    reader.close().await;
}

use porch_protocol as wire;
use porch_server::auth::sign_identity;
use porch_server::demo;
use porch_tests::browser::Browser;
use porch_tests::{AgentClient, TestServer};
use serde_json::json;

/// The owner's site identifies a lead on a laptop and later on a phone (another browser): the
/// phone's widget shows the laptop's conversation.
#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn an_identified_lead_finds_their_history_on_another_device() {
    let server = TestServer::start().await;
    let owner = AgentClient::owner(&server).await;
    let view: wire::WorkspaceView = owner.http.get("/api/v1/agent/workspace").await.json();
    let user = json!({"id": "customer-7", "name": "Ada", "email": "ada@example.com",
        "hash": sign_identity(&view.identity_secret.unwrap(), "customer-7")});
    let identify = "window.Porch.identify(arguments[0]); return true;";

    let (laptop, phone) = tokio::join!(Browser::start(), Browser::start());
    laptop.open_widget(&server.base, demo::WIDGET_KEY).await;
    laptop.click("start-conversation").await;
    laptop.type_into("composer-input", "Asked on my laptop").await;
    laptop.click("send").await;
    laptop.wait_for_text("message", "Asked on my laptop").await;
    laptop.client.enter_parent_frame().await.unwrap();
    laptop.client.execute(identify, vec![user.clone()]).await.unwrap();

    phone.open_widget(&server.base, demo::WIDGET_KEY).await;
    phone.find("no-history").await;
    phone.client.enter_parent_frame().await.unwrap();
    phone.client.execute(identify, vec![user]).await.unwrap();
    phone.enter_widget().await;
    phone.wait_for_text("conversation-item", "Asked on my laptop").await;
    laptop.close().await;
    phone.close().await;
}

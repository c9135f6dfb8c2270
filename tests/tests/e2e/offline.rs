use porch_protocol as wire;
use porch_server::demo;
use porch_tests::browser::{eventually, Browser};
use porch_tests::{AgentClient, TestServer};

async fn connection(lead: &Browser) -> Option<String> {
    lead.find("connection").await.attr("data-state").await.ok().flatten()
}

/// The widget is offline when the agent closes; back online, it applies the closure it
/// missed, exactly once.
#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn a_closure_missed_while_offline_is_applied_once_on_reconnect() {
    let server = TestServer::start().await;
    let agent = AgentClient::demo(&server).await;
    let lead = Browser::start().await;
    lead.open_widget(&server.base, demo::WIDGET_KEY).await;
    lead.click("start-conversation").await;
    lead.type_into("composer-input", "Hello").await;
    lead.click("send").await;
    lead.wait_for_text("message", "Hello").await;
    eventually("the widget to be online", || async {
        (connection(&lead).await.as_deref() == Some("live")).then_some(())
    })
    .await;

    // The connection drops; while the widget is offline (it retries after a second), the agent
    // replies and closes.
    server.state.hub.disconnect(&server.demo_workspace().await);
    eventually("the widget to notice", || async {
        (connection(&lead).await.as_deref() == Some("offline")).then_some(())
    })
    .await;
    let list: Vec<wire::Conversation> = agent.http.get("/api/v1/agent/conversations").await.json();
    agent.reply(&list[0].id, "Sorry for the wait!").await;
    agent.close(&list[0].id).await;

    eventually("the widget to be back online", || async {
        (connection(&lead).await.as_deref() == Some("live")).then_some(())
    })
    .await;
    eventually("the missed closure to apply", || async {
        lead.is_disabled("composer-input").await.then_some(())
    })
    .await;
    lead.wait_for_text("message", "Sorry for the wait!").await;
    assert_eq!(lead.all("close-notification").await.len(), 1, "the closure applied once");
    assert_eq!(
        lead.texts("message").await,
        ["Hello", "Sam Seller\nSorry for the wait!"],
        "nothing twice"
    );
    lead.close().await;
}

use porch_protocol as wire;
use porch_server::demo;
use porch_tests::browser::{eventually, Browser};
use porch_tests::{AgentClient, TestServer};

async fn connection(lead: &Browser) -> Option<String> {
    lead.find("connection").await.attr("data-state").await.ok().flatten()
}

/// A lead in the demo workspace who said "Hello", with the widget online.
async fn said_hello(server: &TestServer) -> Browser {
    let lead = Browser::lead_who_wrote(&server.base, demo::WIDGET_KEY, "Hello").await;
    eventually("the widget to be online", || async {
        (connection(&lead).await.as_deref() == Some("live")).then_some(())
    })
    .await;
    lead
}

/// The widget is offline when the agent closes; back online, it applies the closure it
/// missed, exactly once.
#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn a_closure_missed_while_offline_is_applied_once_on_reconnect() {
    let server = TestServer::start().await;
    let agent = AgentClient::demo(&server).await;
    let lead = said_hello(&server).await;

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
    let bodies = lead.run(BODIES).await;
    assert_eq!(bodies, serde_json::json!(["Hello", "Sorry for the wait!"]), "nothing twice");
    lead.close().await;
}

/// The texts of the messages shown, without authors or times.
const BODIES: &str =
    "return [...document.querySelectorAll('[data-testid=message] .body')].map(e => e.textContent)";

/// A send whose answer is lost on the way back is tried again by itself, saying so meanwhile,
/// under the same client id: the server keeps the message once.
#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn a_failed_send_is_retried_and_stored_once() {
    let server = TestServer::start().await;
    let agent = AgentClient::demo(&server).await;
    let lead = said_hello(&server).await;

    // The next two requests reach the server, but their answers are lost as a dropped network
    // loses them.
    let lose_two = "const real = window.fetch; let lost = 0; window.fetch = function (...args) { \
                    const sent = real.apply(this, args); if (lost >= 2) return sent; lost++; \
                    if (lost === 2) window.fetch = real; \
                    return sent.then(() => { throw new TypeError('answer lost'); }); }; return true";
    lead.run(lose_two).await;
    lead.type_into("composer-input", "Are you there?").await;
    lead.click("send").await;
    lead.wait_for_text("unsent", "retrying").await;
    lead.wait_gone("unsent").await;
    lead.wait_for_text("message", "Are you there?").await;
    assert!(lead.all("error").await.is_empty(), "nothing to do for the lead");
    assert_eq!(lead.value("composer-input").await, "", "sent, so the composer is empty");
    let list: Vec<wire::Conversation> = agent.http.get("/api/v1/agent/conversations").await.json();
    let bodies: Vec<String> =
        agent.detail(&list[0].id).await.messages.into_iter().map(|m| m.body).collect();
    assert_eq!(bodies, ["Hello", "Are you there?"], "three tries, one message");
    assert_eq!(lead.run(BODIES).await, serde_json::json!(["Hello", "Are you there?"]));
    lead.close().await;
}

/// Anything else that cannot reach the server says so; once the widget is back online the
/// notice goes by itself.
#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn a_network_error_clears_when_the_widget_is_back_online() {
    let server = TestServer::start().await;
    let lead = said_hello(&server).await;
    lead.click("back").await;
    // The next request fails as a dropped network fails it.
    let drop_next = "const real = window.fetch; window.fetch = function () { window.fetch = real; \
                     return Promise.reject(new TypeError('offline')); }; return true";
    lead.run(drop_next).await;
    lead.click("conversation-item").await;
    lead.wait_for_text("error", "Can't reach the server").await;

    // The connection drops and comes back: the notice goes without a click.
    server.state.hub.disconnect(&server.demo_workspace().await);
    lead.wait_gone("error").await;
    assert_eq!(connection(&lead).await.as_deref(), Some("live"));
    lead.close().await;
}

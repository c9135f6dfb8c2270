use porch_server::demo;
use porch_tests::browser::{eventually, Browser};
use porch_tests::{AgentClient, Http, TestServer};
use serde_json::json;

/// With a 30-minute auto-close on a dev-clock server: an agent replies, the inbox counts down,
/// 31 minutes pass, the conversation moves to Closed as closed by auto-close, and the lead's
/// widget applies the demo workspace's closing options exactly as after a manual close.
#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn auto_close_fires_in_the_inbox_and_the_widget() {
    let server = TestServer::start().await;
    let owner = AgentClient::owner(&server).await;
    let policy =
        json!({"settings": {"enabled": true, "period_minutes": 30, "mode": "after_agent_reply"}});
    let set = owner
        .http
        .send(reqwest::Method::PUT, "/api/v1/agent/settings/auto-close", Some(policy))
        .await;
    assert_eq!(set.status, 200, "{}", set.body);

    let (lead, agent) = tokio::join!(Browser::start(), Browser::start());
    agent.sign_in(&server.base, demo::AGENT.1, demo::AGENT.2).await;
    lead.open_widget(&server.base, demo::WIDGET_KEY).await;
    lead.click("start-conversation").await;
    lead.type_into("composer-input", "Do you ship to Norway?").await;
    lead.click("send").await;

    agent.wait_for_text("conversation-item", "Norway").await;
    agent.click("conversation-item").await;
    agent.type_into("reply-input", "Yes, in 3 to 5 days.").await;
    agent.click("reply-send").await;
    lead.wait_for_text("message", "3 to 5 days").await;
    // The countdown runs in the list and in the conversation.
    agent.wait_for_text("conversation-countdown", "Auto-close at").await;
    eventually("the countdown to tick", || async {
        agent
            .texts("auto-close-countdown")
            .await
            .iter()
            .any(|t| t.starts_with("closes in 29:"))
            .then_some(())
    })
    .await;
    agent.wait_for_text("system-note", "Auto-close set for").await;

    // The lead answers (the timer stops) and the agent again (it starts): the timeline keeps
    // one note of the timer, where it stands now.
    lead.type_into("composer-input", "Great, thanks!").await;
    lead.click("send").await;
    agent.wait_for_text("system-note", "Auto-close cancelled").await;
    agent.type_into("reply-input", "You're welcome.").await;
    agent.click("reply-send").await;
    eventually("one note of the timer, the latest", || async {
        let notes = agent.texts("system-note").await;
        let timer: Vec<_> = notes.iter().filter(|n| n.starts_with("Auto-close")).collect();
        (timer.len() == 1 && timer[0].starts_with("Auto-close set for")).then_some(())
    })
    .await;

    // Thirty-one minutes later, by the server's dev clock.
    let moved =
        Http::new(&server).post("/api/v1/dev/clock/advance", json!({"millis": 31 * 60_000})).await;
    assert_eq!(moved.status, 200);

    agent.wait_for_text("folder-closed", "1").await;
    agent.wait_for_text("system-note", "Closed by auto-close").await;
    assert!(agent.all("auto-close-countdown").await.is_empty());
    eventually("the composer to be disabled", || async {
        lead.is_disabled("composer-input").await.then_some(())
    })
    .await;
    lead.wait_for_text("close-notification", "This conversation has been closed").await;

    lead.close().await;
    agent.close().await;
}

//! Typing, both ways: the lead's shows in the team's conversation and the member's in the
//! widget, each ended by the message that was being typed. And "Seen" under the lead's last
//! message once a member has read it, live and after a reload.

use porch_server::demo;
use porch_tests::browser::Browser;
use porch_tests::TestServer;

#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn typing_shows_on_the_other_side_until_the_message_comes() {
    let server = TestServer::start().await;
    let lead = Browser::lead_who_wrote(&server.base, demo::WIDGET_KEY, "Hello").await;
    let agent = Browser::start().await;
    agent.sign_in(&server.base, demo::AGENT.1, demo::AGENT.2).await;
    agent.click("conversation-item").await;
    agent.wait_for_text("message", "Hello").await;
    assert!(agent.all("lead-typing").await.is_empty(), "nobody types yet");

    // The lead types: the member sees it; the message ends it.
    lead.type_into("composer-input", "One more thing").await;
    agent.wait_for_text("lead-typing", "is typing").await;
    lead.click("send").await;
    agent.wait_for_text("message", "One more thing").await;
    // Gone with the message, not seconds later when a signal would have lapsed.
    assert!(agent.all("lead-typing").await.is_empty(), "the message ends the lead's typing");

    // The member types: the lead sees who; the reply ends it.
    assert!(lead.all("typing").await.is_empty());
    agent.type_into("reply-input", "Sure, go ahead").await;
    lead.wait_for_text("typing", "is typing").await;
    let shown = lead.texts("typing").await;
    let first_name = demo::AGENT.0.split(' ').next().unwrap();
    assert!(shown[0].starts_with(first_name), "the member's name: {shown:?}");
    agent.click("reply-send").await;
    lead.wait_for_text("message", "Sure, go ahead").await;
    assert!(lead.all("typing").await.is_empty(), "the reply ends the member's typing");
    for browser in [lead, agent] {
        browser.close().await;
    }
}

#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn the_lead_sees_that_the_team_read_them_also_after_a_reload() {
    let server = TestServer::start().await;
    let lead = Browser::lead_who_wrote(&server.base, demo::WIDGET_KEY, "Hello").await;
    assert!(lead.all("seen").await.is_empty(), "nobody has read it yet");
    let agent = Browser::start().await;
    agent.sign_in(&server.base, demo::AGENT.1, demo::AGENT.2).await;
    agent.click("conversation-item").await;
    agent.wait_for_text("message", "Hello").await;
    lead.wait_for_text("seen", "Seen").await;

    // A reload keeps it: the widget asks the server, the live signal is long gone.
    lead.open_widget(&server.base, demo::WIDGET_KEY).await;
    lead.click("conversation-item").await;
    lead.wait_for_text("message", "Hello").await;
    lead.wait_for_text("seen", "Seen").await;
    for browser in [lead, agent] {
        browser.close().await;
    }
}

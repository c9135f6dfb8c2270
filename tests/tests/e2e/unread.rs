//! Unread counts and new-message alerts in the inbox (issue 17). A lead's messages count on
//! the conversation and its folder until the member opens it (and stay read after a reload);
//! with alerts on, each plays a tone, and in a background tab shows a desktop notification.
//! The browser's Notification and the tone's start are observed by wrapping them in the page.

use porch_server::demo;
use porch_tests::browser::{eventually, Browser};
use porch_tests::{LeadClient, TestServer};

use crate::accessibility::{axe_source, violations};

/// Records notifications and tones; `window.__hidden` stands for a background tab.
const SPY: &str = r#"
    window.__notes = []; window.__tones = 0; window.__hidden = false;
    window.Notification = class {
        static get permission() { return 'granted'; }
        static requestPermission() { return Promise.resolve('granted'); }
        constructor(title, options) { window.__notes.push(title + ' | ' + options.body); }
    };
    const start = OscillatorNode.prototype.start;
    OscillatorNode.prototype.start = function (...args) { window.__tones++; return start.apply(this, args); };
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => window.__hidden });
"#;

async fn number(browser: &Browser, script: &str) -> u64 {
    browser.run(script).await.as_u64().unwrap_or(0)
}

#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn unread_messages_count_until_opened_and_alert_the_member() {
    let server = TestServer::start().await;
    let agent = Browser::start().await;
    agent.sign_in(&server.base, demo::AGENT.1, demo::AGENT.2).await;
    agent.wait_live().await;
    agent.run(SPY).await;
    agent.click("alerts-toggle").await;
    assert_eq!(
        agent.find("alerts-toggle").await.attr("aria-pressed").await.unwrap().unwrap(),
        "true"
    );

    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("Is the blue one in stock?").await;
    agent.wait_for_text("unread-count", "1").await;
    agent.wait_for_text("folder-unread", "1").await;
    eventually("a tone", || async {
        (number(&agent, "return window.__tones").await >= 1).then_some(())
    })
    .await;
    assert_eq!(number(&agent, "return window.__notes.length").await, 0, "the tab is in front");

    // In a background tab the next message also shows a notification.
    agent.run("window.__hidden = true;").await;
    lead.say(&conversation.id, "Size 42 please").await;
    agent.wait_for_text("unread-count", "2").await;
    let notes = eventually("a notification", || async {
        let notes = agent.run("return window.__notes").await;
        (!notes.as_array().unwrap().is_empty()).then_some(notes)
    })
    .await;
    assert!(notes[0].as_str().unwrap().ends_with("| Size 42 please"), "{notes}");
    assert_eq!(violations(&agent, &axe_source()).await, Vec::<String>::new(), "with unread badges");

    // Opening it reads it, here and on the server: a reload shows no badge.
    agent.run("window.__hidden = false;").await;
    agent.click("conversation-item").await;
    agent.wait_gone("unread-count").await;
    agent.wait_gone("folder-unread").await;
    agent.open_inbox(&server.base).await;
    agent.wait_for_text("conversation-item", "Size 42").await;
    assert!(agent.all("unread-count").await.is_empty());

    // A message into the conversation on screen is read as it arrives.
    agent.click("conversation-item").await;
    lead.say(&conversation.id, "Thanks!").await;
    agent.wait_for_text("message", "Thanks!").await;
    assert!(agent.all("unread-count").await.is_empty());
    agent.open_inbox(&server.base).await;
    agent.wait_for_text("conversation-item", "Thanks!").await;
    assert!(agent.all("unread-count").await.is_empty(), "read on the server too");
    assert_eq!(
        agent.find("alerts-toggle").await.attr("aria-pressed").await.unwrap().unwrap(),
        "true",
        "remembered"
    );
    agent.close().await;
}

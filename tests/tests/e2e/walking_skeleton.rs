use std::time::Instant;

use porch_server::demo;
use porch_tests::browser::{eventually, Browser};
use porch_tests::TestServer;
use serde_json::json;

/// A lead on the demo site says Hello; the agent sees it live and replies; the lead sees the
/// reply live; the agent closes; the widget applies the demo workspace's closing options.
#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn one_message_and_one_closure_end_to_end() {
    let server = TestServer::start().await;
    assert!(
        server.state.assets_dir.join("widget/index.html").exists(),
        "no built widget under {:?}: run cargo xtask test",
        server.state.assets_dir
    );
    let (lead, agent) = tokio::join!(Browser::start(), Browser::start());

    // The seller signs in to the live chat app.
    agent.sign_in(&server.base, demo::AGENT.1, demo::AGENT.2).await;

    // The lead visits the customer's site: the loader adds only a launcher and window.Porch.
    lead.goto(&server.url("/demo")).await;
    lead.find("porch-launcher").await;
    // Until the lead asks for the chat, the host page has fetched no wasm and has no iframe.
    let fetched = lead
        .run("return {wasm: performance.getEntriesByType('resource').filter(r => r.name.endsWith('.wasm')).length, frames: document.querySelectorAll('iframe').length}")
        .await;
    assert_eq!(fetched, json!({"wasm": 0, "frames": 0}));
    // The host page listens to the widget's events.
    lead.run("window.seen = []; ['ready', 'message', 'conversation:closed'].forEach(n => Porch.on(n, p => window.seen.push([n, p && p.author_kind || null]))); return true").await;
    lead.click("porch-launcher").await;
    let host = lead
        .run("return {cookie: document.cookie, porch: Object.keys(window.Porch).sort(), frames: document.querySelectorAll('iframe').length}")
        .await;
    assert_eq!(
        host,
        json!({"cookie": "", "porch": ["close", "identify", "on", "open", "shutdown", "toggle"], "frames": 1})
    );
    let frame = lead.find("porch-frame").await;
    frame.enter_frame().await.expect("enter the widget iframe");
    lead.click("start-conversation").await;
    lead.type_into("composer-input", "Hello").await;
    lead.click("send").await;
    lead.wait_for_text("message", "Hello").await;

    // The agent sees it appear without reloading, opens it and replies.
    agent.wait_for_text("conversation-item", "Hello").await;
    agent.click("conversation-item").await;
    agent.wait_for_text("message", "Hello").await;
    agent.type_into("reply-input", "Hi! How can I help?").await;
    agent.click("reply-send").await;

    // The lead sees the reply without reloading.
    lead.wait_for_text("message", "Hi! How can I help?").await;
    assert!(!lead.is_disabled("composer-input").await);

    // The agent closes; the widget disables its composer and shows the owner's notice.
    agent.click("close-conversation").await;
    agent.click("outcome-resolved").await;
    agent.click("confirm-close").await;
    let closed_at = Instant::now();
    eventually("the composer to be disabled", || async {
        lead.is_disabled("composer-input").await.then_some(())
    })
    .await;
    println!(
        "closure applied in the widget {} ms after the agent's click",
        closed_at.elapsed().as_millis()
    );
    lead.wait_for_text("close-notification", "This conversation has been closed").await;
    assert!(lead.is_disabled("send").await);
    lead.find("start-new").await;
    agent.wait_for_text("folder-closed", "1").await;
    assert!(
        agent.all("close-conversation").await.is_empty(),
        "a closed conversation offers no Close"
    );

    // The host page heard: ready, each message (its author, never its text), the closure.
    lead.client.enter_parent_frame().await.unwrap();
    let seen = lead.run("return window.seen").await;
    assert_eq!(
        seen,
        json!([
            ["ready", null],
            ["message", "contact"],
            ["message", "agent"],
            ["conversation:closed", null]
        ])
    );

    lead.close().await;
    agent.close().await;
}

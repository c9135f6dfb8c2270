//! Click → interactive, with Chromium's CPU slowed 4× (run by `cargo xtask bench` after the UI
//! is built; prints figures, asserts nothing). Each run is a fresh browser (nothing cached):
//! - widget: a click on the demo page's launcher → the widget's Home can start a conversation;
//! - widget: "Start a conversation" → the composer takes text;
//! - inbox: "Sign in" → the conversation list is shown;
//! - inbox: a click on a conversation → its messages are shown.
//!
//! Each time is taken inside the page (`performance.now()`, polled every 5 ms), so
//! WebDriver's round trips are not in it. Also the widget's weight as the browser received it
//! on its first open: the bodies of its wasm, JS and CSS responses (served compressed).

use porch_server::demo;
use porch_tests::browser::Browser;
use porch_tests::TestServer;
use serde_json::json;

const RUNS: usize = 3;
const SLOWDOWN: u32 = 4;

/// Clicks `click` (a selector in `scope`, a JS expression for a document) and answers the ms
/// until `ready` (a selector in `within`, another such expression) exists.
fn clicked_until(scope: &str, click: &str, within: &str, ready: &str) -> String {
    format!(
        "const done = arguments[arguments.length - 1]; const t0 = performance.now();
         ({scope}).querySelector('{click}').click();
         const poll = () => {{ let d; try {{ d = {within}; }} catch (e) {{}}
             if (d && d.querySelector('{ready}')) done(performance.now() - t0);
             else setTimeout(poll, 5); }};
         poll();"
    )
}

async fn slowed(base: &str) -> Browser {
    let browser = Browser::start().await;
    browser.cdp("Emulation.setCPUThrottlingRate", json!({ "rate": SLOWDOWN })).await;
    browser.goto(base).await;
    browser
}

async fn time(browser: &Browser, script: &str) -> f64 {
    let ms = browser.client.execute_async(script, Vec::new()).await;
    let ms = ms.unwrap_or_else(|e| panic!("{script}: {e}"));
    ms.as_f64().expect("ms")
}

fn line(what: &str, mut ms: Vec<f64>) {
    ms.sort_by(f64::total_cmp);
    let all: Vec<String> = ms.iter().map(|m| format!("{m:.0}")).collect();
    println!("{what:<52} median {:>5.0} ms (runs: {})", ms[ms.len() / 2], all.join(", "));
}

#[tokio::main]
async fn main() {
    let server = TestServer::start().await;
    let frame = "document.querySelector('[data-testid=porch-frame]').contentDocument";
    let (mut open, mut start, mut sign_in, mut conversation) = (vec![], vec![], vec![], vec![]);
    let mut transferred = None;
    for _ in 0..RUNS {
        let lead = slowed(&format!("{}/demo?key={}", server.base, demo::WIDGET_KEY)).await;
        lead.find("porch-launcher").await;
        let launcher = "[data-testid=porch-launcher]";
        let home = clicked_until("document", launcher, frame, "[data-testid=start-conversation]");
        open.push(time(&lead, &home).await);
        let chat = clicked_until(
            frame,
            "[data-testid=start-conversation]",
            frame,
            "[data-testid=composer-input]:not([disabled])",
        );
        start.push(time(&lead, &chat).await);
        // A conversation for the inbox to show.
        lead.enter_widget().await;
        transferred.get_or_insert(lead.run(TRANSFERRED).await);
        lead.type_into("composer-input", "Hello").await;
        lead.click("send").await;
        lead.wait_for_text("message", "Hello").await;
        lead.close().await;

        let agent = slowed(&format!("{}/app/", server.base)).await;
        agent.find("login-email").await;
        agent.type_into("login-email", demo::AGENT.1).await;
        agent.type_into("login-password", demo::AGENT.2).await;
        let list = clicked_until(
            "document",
            "[data-testid=login-submit]",
            "document",
            "[data-testid=conversation-item]",
        );
        sign_in.push(time(&agent, &list).await);
        let messages = clicked_until(
            "document",
            "[data-testid=conversation-item]",
            "document",
            "[data-testid=message]",
        );
        conversation.push(time(&agent, &messages).await);
        agent.close().await;
    }
    println!("Click → interactive, CPU slowed {SLOWDOWN}×, fresh browser each run (release UI, the server in this process):");
    line("widget: launcher → Home ready (first open)", open);
    line("widget: Start a conversation → composer ready", start);
    line("inbox: Sign in → conversation list", sign_in);
    line("inbox: conversation → its messages", conversation);
    let bytes: Vec<(String, u64)> = serde_json::from_value(transferred.unwrap()).unwrap();
    let shown: Vec<String> = bytes.iter().map(|(kind, n)| format!("{kind} {n}")).collect();
    let total: u64 = bytes.iter().map(|(_, n)| n).sum();
    println!(
        "widget's first open as the browser received it (response bodies): {} = {total} bytes",
        shown.join(" + ")
    );
}

/// In the widget's page: the bytes of its wasm, JS and CSS responses as received (compressed,
/// headers left out), from the browser's resource timing.
const TRANSFERRED: &str = "
    const sum = kind => performance.getEntriesByType('resource')
        .filter(e => new URL(e.name).pathname.endsWith('.' + kind))
        .reduce((n, e) => n + e.encodedBodySize, 0);
    return ['wasm', 'js', 'css'].map(kind => [kind, sum(kind)]);";

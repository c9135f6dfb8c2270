//! Both apps at a phone's and a laptop's width: at 360 and 375 px nothing sticks out of the
//! screen in any view, the inbox shows one pane at a time, and the widget takes the whole
//! screen; at 1280 px nothing sticks out either. Screenshots of each view are saved under
//! `target/tmp/screenshots/<width>-<view>.png` for a reviewer.

use porch_server::demo;
use porch_tests::browser::{eventually, Browser};
use porch_tests::TestServer;
use serde_json::Value;

/// Elements of the current frame that reach past its left or right edge (outside any box that
/// scrolls sideways), and whether the page itself scrolls sideways.
const OVERFLOW: &str = "
    const vw = document.documentElement.clientWidth;
    const scrolls = e => { for (let p = e.parentElement; p; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll') return true; }
        return false; };
    const name = e => e.tagName.toLowerCase() + (e.getAttribute('data-testid') ? '[' +
        e.getAttribute('data-testid') + ']' : '') + '.' + (e.getAttribute('class') || '');
    const out = [...document.querySelectorAll('body *')].filter(e => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && (r.right > vw + 1 || r.left < -1) && !scrolls(e);
    }).map(e => name(e) + ' ' + Math.round(e.getBoundingClientRect().left) + '..' +
        Math.round(e.getBoundingClientRect().right));
    return { out: out.slice(0, 8), page: document.documentElement.scrollWidth, vw };";

/// Fails naming what sticks out of `view`; saves its screenshot.
async fn fits(browser: &Browser, width: u32, view: &str) {
    let found = browser.run(OVERFLOW).await;
    crate::screenshot(browser, &format!("{width}-{view}")).await;
    assert_eq!(found["out"], Value::Array(Vec::new()), "{view}: elements past the edge: {found}");
    assert!(found["page"].as_u64() <= found["vw"].as_u64(), "{view}: scrolls sideways: {found}");
}

/// The widget is an app shell the height of its frame (its lists scroll inside it): its page
/// never scrolls up and down either, which would show a second scroll bar.
async fn no_page_scroll(browser: &Browser, view: &str) {
    let sizes = browser
        .run("const d = document.documentElement; return [d.scrollHeight, d.clientHeight];")
        .await;
    let [scroll, client]: [u64; 2] = serde_json::from_value(sizes.clone()).unwrap();
    assert!(scroll <= client, "{view}: the widget's page scrolls: {sizes}");
}

/// Whether the element with this `data-testid` is shown (rendered with a size).
async fn shown(browser: &Browser, test_id: &str) -> bool {
    let script = format!(
        "const e = document.querySelector('[data-testid=\"{test_id}\"]'); \
         return !!e && e.getBoundingClientRect().width > 0;"
    );
    browser.run(&script).await == Value::Bool(true)
}

#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn every_view_fits_a_360_px_phone() {
    every_view_fits(360, 740).await;
}

#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn every_view_fits_a_375_px_phone() {
    every_view_fits(375, 740).await;
}

#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn every_view_fits_a_1280_px_screen() {
    every_view_fits(1280, 800).await;
}

/// Walks every view of both apps in windows of this size (inner size: the browser's chrome
/// is added), checking that each fits.
async fn every_view_fits(width: u32, height: u32) {
    let phone = width < 600;
    let server = TestServer::start().await;
    let lead = Browser::start().await;
    lead.set_inner_size(width, height).await;
    lead.goto(&format!("{}/demo?key={}", server.base, demo::WIDGET_KEY)).await;
    lead.find("porch-launcher").await;
    fits(&lead, width, "demo-site").await;
    lead.open_widget_here().await;
    lead.find("start-conversation").await;
    fits(&lead, width, "widget-home").await;
    no_page_scroll(&lead, "widget-home").await;
    lead.click("start-conversation").await;
    lead.type_into("composer-input", "Hello from a phone, with a rather long line of text").await;
    lead.click("send").await;
    lead.wait_for_text("message", "Hello from a phone").await;
    fits(&lead, width, "widget-chat").await;
    no_page_scroll(&lead, "widget-chat").await;
    // On a phone the widget covers the whole screen, and the launcher gives way to its close
    // button.
    lead.client.enter_parent_frame().await.unwrap();
    fits(&lead, width, "demo-site-open").await;
    let frame = lead
        .run(
            "const r = document.querySelector('[data-testid=porch-frame]').getBoundingClientRect(); \
             const d = document.documentElement; \
             return [r.left, r.top, r.width, r.height, d.clientWidth, d.clientHeight];",
        )
        .await;
    let f: Vec<f64> = serde_json::from_value(frame.clone()).unwrap();
    let full_screen = f[0] == 0.0 && f[1] == 0.0 && f[2] == f[4] && f[3] == f[5];
    assert_eq!(full_screen, phone, "full screen on a phone only: {frame}");
    assert_eq!(shown(&lead, "porch-launcher").await, !phone, "the launcher hides on a phone");
    // The page behind a phone's full-screen chat holds still, and scrolls again once it shuts.
    let page_scroll = "return getComputedStyle(document.documentElement).overflowY";
    let held = lead.run(page_scroll).await == "hidden";
    assert_eq!(held, phone, "the host page is held while the chat covers it");
    lead.run("Porch.close(); return true").await;
    assert_eq!(lead.run(page_scroll).await, "visible", "the host page scrolls again");
    lead.run("Porch.open(); return true").await;

    let agent = Browser::start().await;
    agent.set_inner_size(width, height).await;
    agent.goto(&format!("{}/app/", server.base)).await;
    agent.find("login-email").await;
    fits(&agent, width, "inbox-sign-in").await;
    agent.sign_in(&server.base, demo::AGENT.1, demo::AGENT.2).await;
    agent.find("conversation-item").await;
    fits(&agent, width, "inbox-list").await;
    // On a phone: the list, then the conversation alone, then back.
    assert!(!shown(&agent, "conversation-lead").await, "no conversation chosen yet");
    agent.click("conversation-item").await;
    agent.wait_for_text("message", "Hello from a phone").await;
    let list = shown(&agent, "conversation-item").await;
    assert_eq!(list, !phone, "on a phone the list gives way to the conversation");
    fits(&agent, width, "inbox-conversation").await;
    agent.click("contact-panel").await;
    fits(&agent, width, "inbox-contact").await;
    agent.click("close-conversation").await;
    agent.find("confirm-close").await;
    fits(&agent, width, "inbox-close-dialog").await;
    agent.click("close-cancel").await;
    if phone {
        agent.click("back-to-list").await;
        eventually("the list again", || async {
            shown(&agent, "conversation-item").await.then_some(())
        })
        .await;
    }
    agent.click("open-settings").await;
    agent.find("settings").await;
    fits(&agent, width, "inbox-settings").await;
    agent.click("sign-out").await;

    agent.sign_in(&server.base, demo::OWNER.1, demo::OWNER.2).await;
    agent.click("open-reports").await;
    agent.find("report-row").await;
    fits(&agent, width, "inbox-reports-list").await;
    for (tab, loaded) in [
        ("closing", "closing-figures"),
        ("contact-centre", "contact-centre-figures"),
        ("activity", "activity-figures"),
        ("chatbot", "chart"),
    ] {
        agent.click(&format!("tab-{tab}")).await;
        agent.find(loaded).await;
        fits(&agent, width, &format!("inbox-reports-{tab}")).await;
    }
    agent.click("open-settings").await;
    agent.find("settings").await;
    fits(&agent, width, "inbox-owner-settings").await;
    for browser in [lead, agent] {
        browser.close().await;
    }
}

use fantoccini::key::Key;
use porch_server::demo;
use porch_tests::browser::{eventually, Browser};
use porch_tests::{AgentClient, TestServer};
use serde_json::json;

/// axe-core as `cargo xtask test` installs it (npm `axe-core`).
pub fn axe_source() -> String {
    let path = std::env::var("PORCH_AXE_JS").unwrap_or_else(|_| {
        format!(
            "{}/.cache/porch/tools/node_modules/axe-core/axe.min.js",
            std::env::var("HOME").unwrap_or_default()
        )
    });
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("axe-core at {path} (cargo xtask test installs it): {e}"))
}

/// axe-core's violations on the current frame, as "rule: nodes" lines.
pub async fn violations(browser: &Browser, axe: &str) -> Vec<String> {
    // Run as WebDriver's own script: the pages' Content-Security-Policy (rightly) refuses an
    // inline <script> element.
    let inject = format!("if (!window.axe) {{ {axe}\n }} return true;");
    browser.client.execute(&inject, vec![]).await.expect("inject axe");
    let run = "const done = arguments[arguments.length - 1];
        axe.run(document).then(r => done(r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '))));";
    let found = browser.client.execute_async(run, vec![]).await.expect("axe runs");
    serde_json::from_value(found).expect("a list")
}

/// axe-core finds nothing on the widget: home, a conversation, and a closed one with the
/// owner's notice.
#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn axe_finds_no_violations_in_the_widget() {
    let server = TestServer::start().await;
    let axe = axe_source();
    let lead = Browser::start().await;
    lead.open_widget(&server.base, demo::WIDGET_KEY).await;
    lead.find("start-conversation").await;
    assert_eq!(violations(&lead, &axe).await, Vec::<String>::new(), "home");
    lead.click("start-conversation").await;
    lead.type_into("composer-input", "Hello").await;
    lead.click("send").await;
    lead.wait_for_text("message", "Hello").await;
    assert_eq!(violations(&lead, &axe).await, Vec::<String>::new(), "chat");
    let agent = AgentClient::demo(&server).await;
    let list: Vec<porch_protocol::Conversation> =
        agent.http.get("/api/v1/agent/conversations").await.json();
    agent.close(&list[0].id).await;
    lead.find("close-notification").await;
    assert_eq!(violations(&lead, &axe).await, Vec::<String>::new(), "closed, with the notice");
    lead.close().await;
}

fn key(k: Key) -> String {
    char::from(k).to_string()
}

/// Types into whatever has focus, as a keyboard would.
async fn press(browser: &Browser, keys: &str) {
    browser.client.active_element().await.unwrap().send_keys(keys).await.unwrap();
}

async fn focused_test_id(browser: &Browser) -> Option<String> {
    let active = browser.client.active_element().await.ok()?;
    active.attr("data-testid").await.ok().flatten()
}

/// From the launcher to a sent message and back, by keyboard alone.
#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn keyboard_only_from_launcher_to_message() {
    let server = TestServer::start().await;
    let lead = Browser::start().await;
    lead.goto(&server.url("/demo")).await;
    lead.find("porch-launcher").await;
    press(&lead, &key(Key::Tab)).await;
    assert_eq!(focused_test_id(&lead).await.as_deref(), Some("porch-launcher"));
    press(&lead, &key(Key::Enter)).await;

    let frame = lead.find("porch-frame").await;
    frame.enter_frame().await.unwrap();
    eventually("focus to move into the widget", || async {
        (focused_test_id(&lead).await.as_deref() == Some("start-conversation")).then_some(())
    })
    .await;
    press(&lead, &key(Key::Enter)).await;
    eventually("the composer to take focus", || async {
        (focused_test_id(&lead).await.as_deref() == Some("composer-input")).then_some(())
    })
    .await;
    press(&lead, &format!("Hello from the keyboard{}", key(Key::Enter))).await;
    lead.wait_for_text("message", "Hello from the keyboard").await;

    // Escape closes the widget and gives focus back to the launcher.
    press(&lead, &key(Key::Escape)).await;
    lead.client.enter_parent_frame().await.unwrap();
    eventually("focus back on the launcher", || async {
        (focused_test_id(&lead).await.as_deref() == Some("porch-launcher")).then_some(())
    })
    .await;
    let hidden = lead
        .run("return getComputedStyle(document.querySelector('[data-testid=porch-frame]')).display")
        .await;
    assert_eq!(hidden, json!("none"));
    lead.close().await;
}

/// axe-core finds nothing in the inbox: a conversation with its timeline (scrollable, so it
/// must be focusable) and the Settings page (which must be the page's `<main>`).
#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn axe_finds_no_violations_in_the_inbox() {
    let server = TestServer::start().await;
    let axe = axe_source();
    let lead = porch_tests::LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("Where is my order?").await;
    let api = AgentClient::owner(&server).await;
    for i in 0..30 {
        api.reply(&conversation.id, &format!("Line {i} of a long answer")).await;
    }
    let owner = Browser::start().await;
    owner.sign_in(&server.base, demo::OWNER.1, demo::OWNER.2).await;
    owner.click("conversation-item").await;
    owner.wait_for_text("message", "Line 29").await;
    assert_eq!(violations(&owner, &axe).await, Vec::<String>::new(), "a conversation");
    owner.click("open-settings").await;
    owner.find("settings").await;
    assert_eq!(violations(&owner, &axe).await, Vec::<String>::new(), "settings");
    owner.close().await;
}

/// Tabs to the next field and checks it is the one expected.
async fn tab_to(browser: &Browser, test_id: &str) {
    press(browser, &key(Key::Tab)).await;
    assert_eq!(focused_test_id(browser).await.as_deref(), Some(test_id));
}

/// The reset and invitation pages, by keyboard alone: Tab through the fields, Enter to send.
#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn keyboard_only_on_the_reset_and_invitation_pages() {
    let server = TestServer::start().await;
    let store = server.state.store.as_ref();
    let reset =
        porch_server::setup::reset_link(store, demo::AGENT.1, &server.base, server.clock_now())
            .await
            .unwrap();
    let agent = Browser::start().await;
    agent.goto(&reset).await;
    agent.find("set-password-form").await;
    tab_to(&agent, "new-password").await;
    press(&agent, "keyboard passphrase").await;
    tab_to(&agent, "new-password-again").await;
    press(&agent, &format!("keyboard passphrase{}", key(Key::Enter))).await;
    agent.wait_live().await;

    let owner = AgentClient::owner(&server).await;
    let invite = json!({"email": "kim@shop.example", "role": "agent"});
    let invited = owner.http.post("/api/v1/agent/team/invitations", invite).await;
    let link = invited.body["link"].as_str().unwrap().to_owned();
    let kim = Browser::start().await;
    kim.goto(&link).await;
    kim.find("accept-form").await;
    tab_to(&kim, "accept-name").await;
    press(&kim, "Kim").await;
    tab_to(&kim, "accept-password").await;
    press(&kim, &format!("kim's passphrase{}", key(Key::Enter))).await;
    kim.wait_live().await;
    kim.wait_for_text("agent-name", "Kim").await;
    for browser in [agent, kim] {
        browser.close().await;
    }
}

/// On a phone (375 × 740) every control of the widget's chat is a 44 px target and its inputs
/// use 16 px text (smaller text makes phones zoom in on focus).
#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn the_widget_suits_touch_screens() {
    let server = TestServer::start().await;
    let lead = Browser::start().await;
    lead.client.set_window_size(375, 740).await.unwrap();
    lead.open_widget(&server.base, demo::WIDGET_KEY).await;
    lead.click("start-conversation").await;
    lead.find("composer-input").await;
    let measured = lead
        .run(
            "const box = e => e.getBoundingClientRect(); \
             return { small: [...document.querySelectorAll('button')] \
                        .filter(b => b.offsetParent && (box(b).height < 44 || box(b).width < 44)) \
                        .map(b => b.getAttribute('aria-label') || b.textContent.trim()), \
                      fonts: [...document.querySelectorAll('input')] \
                        .map(i => getComputedStyle(i).fontSize) };",
        )
        .await;
    assert_eq!(measured["small"], json!([]), "targets under 44 px: {measured}");
    let fonts = measured["fonts"].as_array().unwrap();
    assert!(!fonts.is_empty() && fonts.iter().all(|f| f == "16px"), "{measured}");
    lead.close().await;
}

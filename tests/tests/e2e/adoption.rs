//! Issue 14's whole path, on a server with no demo data: a workspace from the operator's
//! command, its owner's password from the setup link, an invitation e-mailed through a real SMTP
//! server and accepted, the snippet copied into a customer's own site (its own origin, the only
//! one allowed), a lead who gives an e-mail and writes, the seller who sees who it is and where
//! they were, answers and closes, the installation check, and another site that gets no widget.
//! Each step's time is printed (`-- --nocapture`).

use std::time::Instant;

use porch_protocol::Plan;
use porch_server::mailer::Mailer;
use porch_server::setup;
use porch_tests::browser::{customer_site, eventually, Browser};
use porch_tests::smtp::SmtpServer;
use porch_tests::TestServer;

struct Steps(Instant, Instant);

impl Steps {
    fn done(&mut self, what: &str) {
        eprintln!("{:>7.2} s  {what}", self.1.elapsed().as_secs_f64());
        self.1 = Instant::now();
    }
}

#[tokio::test]
#[ignore = "needs the built UI, chromedriver and aiosmtpd: run by cargo xtask test"]
async fn from_nothing_to_a_team_answering_on_its_own_site() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let Some(smtp) = SmtpServer::start(port) else { return };
    let server = TestServer::start_empty(|state| {
        let mailer = Mailer::new(&format!("smtp://127.0.0.1:{port}"), None, "Porch <p@porch.test>");
        state.mailer = Some(std::sync::Arc::new(mailer.unwrap()));
    })
    .await;
    let mut steps = Steps(Instant::now(), Instant::now());

    let store = server.state.store.as_ref();
    let now = server.clock_now();
    let created = setup::create_workspace(
        store,
        "Tea Shop",
        "olga@tea.example",
        Some("Olga"),
        Plan::Free,
        &server.base,
        now,
    )
    .await
    .unwrap();
    steps.done("workspace create");

    let owner = Browser::start().await;
    owner.goto(created.setup_url.as_deref().expect("a new owner")).await;
    owner.type_into("new-password", "olga's passphrase").await;
    owner.type_into("new-password-again", "olga's passphrase").await;
    owner.click("set-password-submit").await;
    owner.wait_live().await;
    steps.done("the owner sets a password from setup_url and is in");

    owner.click("open-settings").await;
    owner.type_into("invite-email", "sam@tea.example").await;
    owner.click("invite-submit").await;
    owner.wait_for_text("team-status", "e-mailed to sam@tea.example").await;
    let mail =
        eventually("the invitation e-mail", || async { smtp.messages().into_iter().next() }).await;
    assert_eq!(mail["to"], "sam@tea.example");
    let text = mail["text"].as_str().unwrap().to_owned();
    let link =
        text.split_whitespace().find(|w| w.contains("/app/#invite=")).expect("a link").to_owned();
    steps.done("an invitation e-mailed through SMTP");

    let sam = Browser::start().await;
    sam.goto(&link).await;
    sam.wait_for_text("invitation-info", "sam@tea.example").await;
    sam.type_into("accept-name", "Sam").await;
    sam.type_into("accept-password", "sam's passphrase").await;
    sam.click("accept-submit").await;
    sam.wait_live().await;
    steps.done("the agent accepts and is signed in");

    owner.select("ask-email", "required").await;
    owner.click("ask-email-save").await;
    owner.wait_for_text("ask-email-status", "Saved").await;
    let snippet = owner.find("install-snippet").await.text().await.unwrap();
    assert!(snippet.contains(&created.widget_key), "{snippet}");
    let shop = customer_site(format!(
        "<!doctype html><html lang=\"en\"><head><title>Tea</title></head><body><main><h1>Tea</h1></main>{snippet}</body></html>"
    ))
    .await;
    let elsewhere =
        customer_site(format!("<!doctype html><html lang=\"en\"><body>{snippet}</body></html>"))
            .await;
    owner.type_into("install-origins", &shop).await;
    owner.click("install-save").await;
    owner.wait_for_text("install-status", "Saved").await;
    steps.done("the owner copies the snippet and allows their site");

    let lead = Browser::start().await;
    lead.goto(&shop).await;
    lead.click("porch-launcher").await;
    lead.find("porch-frame").await.enter_frame().await.expect("the widget");
    lead.click("start-conversation").await;
    lead.type_into("lead-email", "lea@home.example").await;
    lead.type_into("composer-input", "Do you have green tea?").await;
    lead.click("send").await;
    lead.wait_for_text("message", "green tea").await;
    steps.done("a lead on the site gives an e-mail and writes");

    sam.wait_for_text("item-lead", "lea@home.example").await;
    sam.click("conversation-item").await;
    let panel = sam.find("contact-panel").await;
    panel.find(fantoccini::Locator::Css("summary")).await.unwrap().click().await.unwrap();
    sam.wait_for_text("contact-page", &format!("{shop}/")).await;
    sam.type_into("reply-input", "Yes: sencha and matcha.").await;
    sam.click("reply-send").await;
    lead.wait_for_text("message", "sencha").await;
    sam.click("close-conversation").await;
    sam.click("outcome-resolved").await;
    sam.click("confirm-close").await;
    sam.wait_gone("close-dialog").await;
    steps.done("the agent sees who and where, answers and closes");

    owner.goto(&format!("{}/app/", server.base)).await;
    owner.click("open-settings").await;
    owner.wait_for_text("install-seen", &format!("Last seen on {shop}")).await;
    steps.done("the Install page shows where the widget was seen");

    let stranger = Browser::start().await;
    stranger.goto(&elsewhere).await;
    assert!(stranger.widget_frame_refused().await, "the widget was framed elsewhere");
    steps.done("another site gets no widget");
    eprintln!("{:>7.2} s  in all", steps.0.elapsed().as_secs_f64());
    for browser in [owner, sam, lead, stranger] {
        browser.close().await;
    }
}

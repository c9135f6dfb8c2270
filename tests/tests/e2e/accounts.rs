//! A new workspace's owner in the browser: the setup link from `workspace create` sets their
//! password and signs them in; Settings changes it; the login page sends a reset link.

use porch_protocol::Plan;
use porch_server::setup;
use porch_tests::browser::Browser;
use porch_tests::{Http, TestServer};
use serde_json::json;

use crate::accessibility::{axe_source, violations};

#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn a_new_owner_sets_a_password_from_the_setup_link_and_changes_it() {
    let server = TestServer::start().await;
    let store = server.state.store.as_ref();
    let created = setup::create_workspace(
        store,
        "Tea",
        "olga@tea.example",
        Some("Olga"),
        Plan::Free,
        &server.base,
        server.clock_now(),
    )
    .await
    .unwrap();
    let owner = Browser::start().await;
    owner.goto(created.setup_url.as_deref().expect("a new owner")).await;
    owner.find("set-password-form").await;
    assert_eq!(violations(&owner, &axe_source()).await, Vec::<String>::new(), "set password");
    owner.type_into("new-password", "first passphrase").await;
    owner.type_into("new-password-again", "first passphrase!").await;
    owner.click("set-password-submit").await;
    owner.wait_for_text("set-password-error", "differ").await;
    owner.type_into("new-password-again", "\u{8}").await; // Backspace: now they match
    owner.click("set-password-submit").await;
    owner.wait_live().await;
    owner.wait_for_text("agent-name", "Olga").await;
    let address: String = owner.run("return location.href").await.as_str().unwrap().to_owned();
    assert!(!address.contains("setup="), "the link left the address bar: {address}");

    owner.click("open-settings").await;
    owner.type_into("current-password", "first passphrase").await;
    owner.type_into("changed-password", "second passphrase").await;
    owner.click("change-password-submit").await;
    owner.wait_for_text("change-password-status", "Saved").await;
    let login = json!({"email": "olga@tea.example", "password": "second passphrase"});
    assert_eq!(Http::new(&server).post("/api/v1/agent/login", login).await.status, 200);

    // Signed out, the login page offers a reset link.
    let stranger = Browser::start().await;
    stranger.goto(&format!("{}/app/", server.base)).await;
    stranger.click("forgot-open").await;
    stranger.type_into("forgot-email", "olga@tea.example").await;
    stranger.click("forgot-submit").await;
    stranger.wait_for_text("forgot-status", "on its way").await;
    assert_eq!(violations(&stranger, &axe_source()).await, Vec::<String>::new(), "login");
    owner.close().await;
    stranger.close().await;
}

/// A fresh server with no workspace: the app opens on "Set up Porch", not a dead login.
#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn the_first_visitor_of_a_fresh_server_sets_up_a_workspace() {
    let server = TestServer::start_empty(|_| {}).await;
    let owner = Browser::start().await;
    owner.goto(&format!("{}/app/", server.base)).await;
    owner.find("signup-form").await;
    assert!(owner.all("login-form").await.is_empty(), "nobody can sign in yet");
    assert_eq!(violations(&owner, &axe_source()).await, Vec::<String>::new(), "first run");
    owner.type_into("signup-workspace", "Tea Shop").await;
    owner.type_into("signup-name", "Olga").await;
    owner.type_into("signup-email", "olga@tea.example").await;
    owner.type_into("signup-password", "a long passphrase").await;
    owner.click("signup-submit").await;
    owner.wait_live().await;
    owner.wait_for_text("agent-name", "Olga").await;
    owner.close().await;
}

/// A session that ends under an open inbox (here: the password changed from another device,
/// which ends the other sessions) takes the inbox back to signing in, saying why, instead of
/// leaving it "Live" with nothing behind it.
#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn an_ended_session_takes_the_inbox_back_to_signing_in() {
    use porch_protocol::api::agent;
    let server = TestServer::start().await;
    let ann = Browser::start().await;
    ann.sign_in(&server.base, porch_server::demo::AGENT.1, porch_server::demo::AGENT.2).await;
    porch_tests::browser::eventually("the inbox to be live", || async {
        let state = ann.find("connection").await.attr("data-state").await.ok().flatten();
        (state.as_deref() == Some("live")).then_some(())
    })
    .await;
    assert!(ann.all("session-ended").await.is_empty());

    let elsewhere = porch_tests::AgentClient::demo(&server).await;
    let change = porch_protocol::ChangePassword {
        current: porch_server::demo::AGENT.2.into(),
        password: "a brand new passphrase".into(),
    };
    let changed = elsewhere.http.call(agent::CHANGE_PASSWORD.at(&[]), &change).await;
    assert_eq!(changed.status.as_u16(), 204, "{}", changed.text);

    ann.wait_for_text("session-ended", "Your session has ended").await;
    ann.find("login-form").await;
    ann.close().await;
}

//! Getting in (issue 14): a workspace and its first owner from the command line's function, the
//! single-use setup and reset links, changing a password; every refusal stores nothing.

use porch_protocol::{self as wire, Plan, Role};
use porch_server::setup;
use porch_tests::*;
use serde_json::json;

const NEW_PASSWORD: &str = "a long new passphrase";

/// The token in a link's fragment (`…/app/#setup=TOKEN`).
fn token_of(link: &str) -> String {
    link.rsplit_once('=').expect("a token").1.to_owned()
}

async fn set_by_link(server: &TestServer, token: &str, password: &str) -> Answer {
    let body = json!({"token": token, "password": password});
    Http::new(server).post("/api/v1/agent/password/link", body).await
}

async fn login(server: &TestServer, email: &str, password: &str) -> Answer {
    let body = json!({"email": email, "password": password});
    Http::new(server).post("/api/v1/agent/login", body).await
}

#[tokio::test]
async fn a_new_workspaces_owner_sets_a_password_once_and_signs_in() {
    let server = TestServer::start().await;
    let store = server.state.store.as_ref();
    let now = server.clock_now();
    let created = setup::create_workspace(
        store,
        "Shop",
        "Olga@Shop.Example",
        None,
        Plan::Free,
        &server.base,
        now,
    )
    .await
    .unwrap();
    let setup_url = created.setup_url.expect("a new person gets a setup link");
    assert!(setup_url.starts_with(&format!("{}/app/#setup=", server.base)));
    let token = token_of(&setup_url);
    assert!(token.len() >= 32, "at least 128 random bits");
    let workspace = store.workspace_by_key(&created.widget_key).await.unwrap().unwrap();
    assert_eq!((workspace.name.as_str(), workspace.plan), ("Shop", Plan::Free));

    // Before the setup nothing signs in as the owner, not even an empty password.
    for guess in ["", "anything at all"] {
        login(&server, "olga@shop.example", guess).await.assert_error(401, "invalid_credentials");
    }
    set_by_link(&server, &token, "short").await.assert_error(422, "weak_password");
    let done = set_by_link(&server, &token, NEW_PASSWORD).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(done.headers.contains_key("set-cookie"), "signed in");
    let me: wire::Me = done.json();
    assert_eq!((me.agent.name.as_str(), me.agent.role), ("olga", Role::Owner));
    set_by_link(&server, &token, "another long one").await.assert_error(422, "invalid_link");
    set_by_link(&server, "forged", NEW_PASSWORD).await.assert_error(422, "invalid_link");
    assert_eq!(login(&server, "olga@shop.example", NEW_PASSWORD).await.status, 200);

    // The same e-mail again: a second workspace of the same person, who keeps her name and
    // password (no setup link) and now has both.
    let again =
        setup::create_workspace(store, "Other", "olga@shop.example", None, Plan::Free, "", now + 1)
            .await
            .unwrap();
    assert_eq!(again.setup_url, None);
    let me: wire::Me = login(&server, "olga@shop.example", NEW_PASSWORD).await.json();
    let names: Vec<_> = me.workspaces.iter().map(|m| m.workspace_name.as_str()).collect();
    assert_eq!(names, ["Other", "Shop"]);
    assert_eq!(me.workspaces[0].agent_id, again.owner_id);
    assert_eq!(me.agent.name, "olga", "her first workspace opens");
    // Refusals: malformed e-mails, empty names; nothing is created.
    for (name, email) in [("Shop", "not-an-email"), ("  ", "ok@shop.example")] {
        let refused = setup::create_workspace(store, name, email, None, Plan::Free, "", now).await;
        assert!(refused.is_err(), "{name:?} {email:?}");
    }
    assert!(store.person("ok@shop.example").await.unwrap().is_none());
}

#[tokio::test]
async fn setup_links_expire_after_a_week_and_reset_links_after_an_hour() {
    let server = TestServer::start().await;
    let store = server.state.store.as_ref();
    let now = server.clock_now();
    let created =
        setup::create_workspace(store, "Shop", "ann@shop.example", None, Plan::Free, "", now)
            .await
            .unwrap();
    server.advance(setup::SETUP_MILLIS);
    set_by_link(&server, &token_of(&created.setup_url.unwrap()), NEW_PASSWORD)
        .await
        .assert_error(422, "invalid_link");

    let reset = setup::reset_link(store, "ann@shop.example", "", server.clock_now()).await.unwrap();
    assert!(reset.contains("/app/#reset="), "{reset}");
    server.advance(setup::RESET_MILLIS);
    set_by_link(&server, &token_of(&reset), NEW_PASSWORD).await.assert_error(422, "invalid_link");
    let fresh = setup::reset_link(store, "ann@shop.example", "", server.clock_now()).await.unwrap();
    assert_eq!(set_by_link(&server, &token_of(&fresh), NEW_PASSWORD).await.status, 200);
    assert!(setup::reset_link(store, "nobody@shop.example", "", 0).await.is_err());
}

#[tokio::test]
async fn a_reset_ends_every_session_and_a_change_every_other_one() {
    let server = TestServer::start().await;
    let store = server.state.store.as_ref();
    let (laptop, phone) = (AgentClient::demo(&server).await, AgentClient::demo(&server).await);

    // A change: the current password is checked, the other session ends, this one stays.
    let path = "/api/v1/agent/password";
    let change = |current: &str, password: &str| {
        let body = json!({"current": current, "password": password});
        laptop.http.send(reqwest::Method::PUT, path, Some(body))
    };
    change("wrong", NEW_PASSWORD).await.assert_error(422, "wrong_password");
    change(porch_server::demo::AGENT.2, "short").await.assert_error(422, "weak_password");
    assert_eq!(change(porch_server::demo::AGENT.2, NEW_PASSWORD).await.status, 204);
    assert_eq!(laptop.http.get("/api/v1/agent/me").await.status, 200, "this session stays");
    phone.http.get("/api/v1/agent/me").await.assert_error(401, "unauthorized");
    let email = porch_server::demo::AGENT.1;
    login(&server, email, porch_server::demo::AGENT.2)
        .await
        .assert_error(401, "invalid_credentials");
    assert_eq!(login(&server, email, NEW_PASSWORD).await.status, 200);

    // A reset by link: every session ends, sockets too.
    let link = setup::reset_link(store, email, "", server.clock_now()).await.unwrap();
    assert_eq!(set_by_link(&server, &token_of(&link), "the reset passphrase").await.status, 200);
    laptop.http.get("/api/v1/agent/me").await.assert_error(401, "unauthorized");
    assert_eq!(login(&server, email, "the reset passphrase").await.status, 200);
}

#[tokio::test]
async fn forgetting_a_password_answers_the_same_for_any_address() {
    let server = TestServer::start().await;
    for email in [porch_server::demo::AGENT.1, "nobody@shop.example"] {
        let answer =
            Http::new(&server).post("/api/v1/agent/password/forgot", json!({"email": email})).await;
        assert_eq!(answer.status, 202, "{email}");
    }
    let bad = json!({"email": "nope"});
    let answer = Http::new(&server).post("/api/v1/agent/password/forgot", bad).await;
    answer.assert_error(422, "invalid_email");
}

#[tokio::test]
async fn owners_rename_their_workspace() {
    let server = TestServer::start().await;
    let (owner, agent) = (AgentClient::owner(&server).await, AgentClient::demo(&server).await);
    async fn rename(who: &AgentClient, name: &str) -> Answer {
        let body = Some(json!({ "name": name }));
        who.http.send(reqwest::Method::PUT, "/api/v1/agent/settings/name", body).await
    }
    rename(&agent, "Mine now").await.assert_error(403, "forbidden");
    rename(&owner, "   ").await.assert_error(422, "invalid_name");
    rename(&owner, &"x".repeat(101)).await.assert_error(422, "invalid_name");
    let view: wire::WorkspaceView = rename(&owner, " Tea & Co ").await.json();
    assert_eq!(view.name, "Tea & Co");
    let seen: wire::WorkspaceView = agent.http.get("/api/v1/agent/workspace").await.json();
    assert_eq!(seen.name, "Tea & Co");
}

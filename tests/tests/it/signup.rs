//! Self-service workspaces (issue 14): the first run of a fresh server, and `--signup open`.

use porch_protocol::{self as wire, Plan, Role};
use porch_tests::*;
use serde_json::json;

fn signup(email: &str) -> serde_json::Value {
    json!({"workspace_name": "Tea Shop", "name": "Olga", "email": email, "password": "a long passphrase"})
}

#[tokio::test]
async fn a_fresh_server_lets_its_first_visitor_create_the_first_workspace_only() {
    let server = TestServer::start_empty(|_| {}).await;
    let http = Http::new(&server);
    let status: wire::SignupStatus = http.get("/api/v1/agent/signup").await.json();
    assert_eq!(status, wire::SignupStatus { first_run: true, open: false });
    let mut bad = signup("olga@tea.example");
    bad["password"] = json!("short");
    http.post("/api/v1/agent/signup", bad).await.assert_error(422, "weak_password");
    http.post("/api/v1/agent/signup", signup("nope")).await.assert_error(422, "invalid_email");
    assert!(!server.state.store.has_workspaces().await.unwrap(), "refusals store nothing");

    let created = http.post("/api/v1/agent/signup", signup("olga@tea.example")).await;
    assert_eq!(created.status, 200, "{}", created.body);
    assert!(created.headers.contains_key("set-cookie"), "signed in");
    let me: wire::Me = created.json();
    assert_eq!((me.agent.name.as_str(), me.agent.role), ("Olga", Role::Owner));
    let status: wire::SignupStatus = http.get("/api/v1/agent/signup").await.json();
    assert!(!status.first_run);
    let second = http.post("/api/v1/agent/signup", signup("ivan@tea.example")).await;
    second.assert_error(403, "signup_closed");
    let login = json!({"email": "olga@tea.example", "password": "a long passphrase"});
    assert_eq!(http.post("/api/v1/agent/login", login).await.status, 200);
}

#[tokio::test]
async fn with_signup_open_anyone_creates_a_free_workspace() {
    let server = TestServer::start_with(|state| state.signup_open = true).await;
    let http = Http::new(&server);
    let status: wire::SignupStatus = http.get("/api/v1/agent/signup").await.json();
    assert_eq!(status, wire::SignupStatus { first_run: false, open: true });
    let created = http.post("/api/v1/agent/signup", signup("olga@tea.example")).await;
    assert_eq!(created.status, 200, "{}", created.body);
    let owner = AgentClient::login(&server, "olga@tea.example", "a long passphrase").await;
    let view: wire::WorkspaceView = owner.http.get("/api/v1/agent/workspace").await.json();
    assert_eq!(view.plan, Plan::Free);
    // Her e-mail again without her password: refused (with it, a second workspace of hers:
    // workspaces.rs).
    let mut taken = signup("olga@tea.example");
    taken["password"] = json!("somebody else's guess");
    http.post("/api/v1/agent/signup", taken).await.assert_error(409, "email_taken");
}

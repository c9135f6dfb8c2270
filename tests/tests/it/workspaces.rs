//! One person in several workspaces (issue 14): one e-mail and one password, a membership per
//! workspace, and switching between them; conversations, settings and sockets stay per
//! workspace.

use porch_protocol::{self as wire, Plan, Role, WorkspaceId};
use porch_tests::*;
use serde_json::json;

async fn switch(member: &AgentClient, workspace: &WorkspaceId) -> Answer {
    member.http.post("/api/v1/agent/workspaces/switch", json!({"workspace_id": workspace})).await
}

/// The client signed in by a sign-in or switch answer.
fn signed_in(server: &TestServer, answer: Answer) -> Http {
    assert_eq!(answer.status, 200, "{}", answer.body);
    let cookie = answer.headers.get("set-cookie").expect("a session cookie").to_str().unwrap();
    Http::new(server).with_cookie(cookie.split(';').next().unwrap())
}

fn workspace_of(me: &wire::Me) -> WorkspaceId {
    me.workspaces.iter().find(|m| m.agent_id == me.agent.id).expect("its own").workspace_id.clone()
}

#[tokio::test]
async fn a_member_elsewhere_joins_with_their_password_and_switches_between_workspaces() {
    let server = TestServer::start().await;
    let demo_id = server.demo_workspace().await;
    let shop = server.team_workspace(Plan::Free, Default::default(), Default::default()).await;
    let (ann_name, ann_email) = shop.agents[0].clone();
    let demo_owner = AgentClient::owner(&server).await;
    server.advance(1_000); // her shop membership is the older one

    // Invited to the demo: the page knows she has an account, and she joins with its password.
    let invited: wire::Invited = demo_owner
        .http
        .post("/api/v1/agent/team/invitations", json!({"email": ann_email, "role": "agent"}))
        .await
        .json();
    let token = invited.link.unwrap().rsplit_once("#invite=").unwrap().1.to_owned();
    let http = Http::new(&server);
    let info: wire::InvitationInfo =
        http.post("/api/v1/agent/invitations/peek", json!({"token": token})).await.json();
    assert!(info.has_account);
    let accept = |password: &str| {
        let body = json!({"token": token, "name": "", "password": password});
        let http = Http::new(&server);
        async move { http.post("/api/v1/agent/invitations/accept", body).await }
    };
    accept("not her password").await.assert_error(422, "wrong_password");
    let joined = accept(PASSWORD).await;
    assert_eq!(joined.status, 200, "{}", joined.body);
    let me: wire::Me = joined.json();
    assert_eq!((me.agent.name.as_str(), me.agent.role), (ann_name.as_str(), Role::Agent));
    assert_eq!(workspace_of(&me), demo_id);
    assert_eq!(me.workspaces.len(), 2);
    accept(PASSWORD).await.assert_error(422, "invalid_link");
    demo_owner
        .http
        .post("/api/v1/agent/team/invitations", json!({"email": ann_email, "role": "agent"}))
        .await
        .assert_error(409, "already_a_member");

    // Signing in opens her first workspace, or the one asked for when it is hers.
    let ann = AgentClient::login(&server, &ann_email, PASSWORD).await;
    let shop_id = workspace_of(&ann.me);
    assert_ne!(shop_id, demo_id);
    let foreign = server.team_workspace(Plan::Free, Default::default(), Default::default()).await;
    let foreign_id =
        workspace_of(&AgentClient::login(&server, &foreign.agents[0].1, PASSWORD).await.me);
    for (asked, opens) in [(&demo_id, &demo_id), (&foreign_id, &shop_id)] {
        let body = json!({"email": ann_email, "password": PASSWORD, "workspace_id": asked});
        let me: wire::Me = http.post("/api/v1/agent/login", body).await.json();
        assert_eq!(&workspace_of(&me), opens);
    }

    // Each workspace shows its own conversations; a lead of the shop is not in the demo.
    let lead = LeadClient::open(&server, &shop.key).await;
    let started = lead.start("hello shop").await;
    let listed = |http: Http| async move {
        let list: Vec<wire::Conversation> = http.get("/api/v1/agent/conversations").await.json();
        list.into_iter().map(|c| c.id).collect::<Vec<_>>()
    };
    assert!(listed(ann.http.clone()).await.contains(&started.id));
    let mut socket = ann.socket(&server, ann.me.last_seq).await;
    socket.until_ready().await;

    // Switching: a session in the demo; the shop's session and socket end.
    switch(&ann, &foreign_id).await.assert_error(404, "not_found");
    let bad = ann.http.post("/api/v1/agent/workspaces/switch", json!({"workspace": 1})).await;
    assert_eq!(bad.status, 422, "{}", bad.body);
    let in_demo = signed_in(&server, switch(&ann, &demo_id).await);
    assert_eq!(close_code(&mut socket.stream).await, Some(1008));
    ann.http.get("/api/v1/agent/me").await.assert_error(401, "unauthorized");
    let view: wire::WorkspaceView = in_demo.get("/api/v1/agent/workspace").await.json();
    assert_eq!(view.name, "Demo Shop");
    assert!(!listed(in_demo.clone()).await.contains(&started.id));
    let reply = json!({"body": "from the demo"});
    let path = format!("/api/v1/agent/conversations/{}/messages", started.id);
    assert_eq!(in_demo.post(&path, reply).await.status, 404, "not this workspace's");

    // Deactivated in the demo: the demo session ends, the shop stays hers.
    let path = format!("/api/v1/agent/team/members/{}/deactivate", me.agent.id);
    assert_eq!(demo_owner.http.post(&path, json!({})).await.status, 200);
    in_demo.get("/api/v1/agent/me").await.assert_error(401, "unauthorized");
    let ann = AgentClient::login(&server, &ann_email, PASSWORD).await;
    assert_eq!((workspace_of(&ann.me), ann.me.workspaces.len()), (shop_id, 1));
    switch(&ann, &demo_id).await.assert_error(404, "not_found");
}

#[tokio::test]
async fn one_password_for_all_of_a_persons_workspaces() {
    let server = TestServer::start_with(|state| state.signup_open = true).await;
    let shop = server.team_workspace(Plan::Free, Default::default(), Default::default()).await;
    let ann_email = shop.agents[0].1.clone();
    let http = Http::new(&server);

    // An open sign-up with her e-mail adds a workspace only with her password.
    let signup = |password: &str| json!({"workspace_name": "Tea", "name": "Ann", "email": ann_email, "password": password});
    let taken = http.post("/api/v1/agent/signup", signup("a wrong long password")).await;
    taken.assert_error(409, "email_taken");
    let ann = AgentClient::login(&server, &ann_email, PASSWORD).await;
    assert_eq!(ann.me.workspaces.len(), 1, "nothing was created");
    let tea = signed_in(&server, http.post("/api/v1/agent/signup", signup(PASSWORD)).await);
    let me: wire::Me = tea.get("/api/v1/agent/me").await.json();
    assert_eq!((me.agent.role, me.workspaces.len()), (Role::Owner, 2));
    let view: wire::WorkspaceView = tea.get("/api/v1/agent/workspace").await.json();
    assert_eq!((view.name.as_str(), view.plan), ("Tea", Plan::Free));

    // Changed in one workspace, the password changes for both, and her other sessions end.
    let change = json!({"current": PASSWORD, "password": "a brand new passphrase"});
    let changed = tea.send(reqwest::Method::PUT, "/api/v1/agent/password", Some(change)).await;
    assert_eq!(changed.status, 204, "{}", changed.body);
    ann.http.get("/api/v1/agent/me").await.assert_error(401, "unauthorized");
    let login =
        json!({"email": ann_email, "password": PASSWORD, "workspace_id": workspace_of(&ann.me)});
    http.post("/api/v1/agent/login", login).await.assert_error(401, "invalid_credentials");
    let again = AgentClient::login(&server, &ann_email, "a brand new passphrase").await;
    assert_eq!(again.me.workspaces.len(), 2);
}

//! The role table (`Role::may`), each role against each class of endpoint: conversations for
//! everyone, reports for owners and managers, settings and the identity secret for owners.

use porch_protocol::{self as wire, Permission, Plan, Role};
use porch_tests::*;
use serde_json::json;

/// A member with `role` in the workspace of `key`, signed in.
async fn member(server: &TestServer, key: &str, role: Role) -> AgentClient {
    let workspace = server.state.store.workspace_by_key(key).await.unwrap().unwrap();
    let email = server.add_member(&workspace.id, &format!("{role:?}"), role).await;
    AgentClient::login(server, &email, PASSWORD).await
}

#[tokio::test]
async fn each_role_reaches_exactly_what_the_table_allows() {
    let server = TestServer::start().await;
    let team =
        server.team_workspace(Plan::Enterprise, Default::default(), Default::default()).await;
    let lead = LeadClient::open(&server, &team.key).await;
    let conversation = lead.start("Hello").await;
    let (from, to) = (server.clock_now() - 86_400_000, server.clock_now() + 1);
    for role in [Role::Owner, Role::Manager, Role::Agent] {
        let who = member(&server, &team.key, role).await;
        let allowed = |what: Permission| role.may(what);
        let expect = |what: Permission, answer: Answer, ok: u16| {
            if allowed(what) {
                assert_eq!(answer.status.as_u16(), ok, "{role:?} {what:?}: {}", answer.body);
            } else {
                answer.assert_error(403, "forbidden");
            }
        };
        // Conversations.
        let list = who.http.get("/api/v1/agent/conversations").await;
        expect(Permission::Conversations, list, 200);
        expect(Permission::Conversations, who.reply(&conversation.id, "hi").await, 201);
        // Reports.
        let closing =
            who.http.get(&format!("/api/v1/agent/reports/closing?from={from}&to={to}")).await;
        expect(Permission::Reports, closing, 200);
        // Settings.
        let body = json!({"missed_after_minutes": 30});
        let path = "/api/v1/agent/settings/reports";
        let settings = who.http.send(reqwest::Method::PUT, path, Some(body)).await;
        expect(Permission::Settings, settings, 200);
        let preview = json!({"enabled": true, "period_minutes": 60});
        let preview = who.http.post("/api/v1/agent/settings/auto-close/preview", preview).await;
        expect(Permission::Settings, preview, 200);
        // The identity secret is shown to owners only.
        let view: wire::WorkspaceView = who.http.get("/api/v1/agent/workspace").await.json();
        assert_eq!(view.identity_secret.is_some(), allowed(Permission::IdentitySecret), "{role:?}");
    }
}

//! Settings → Team over the API (issue 14): invitations used once (resend, revoke), roles,
//! deactivation cutting a live session, and the last active owner.

use porch_protocol::{self as wire, ConversationStatus, Plan, Role};
use porch_tests::*;
use serde_json::json;

async fn invite(owner: &AgentClient, email: &str, role: &str) -> Answer {
    owner.http.post("/api/v1/agent/team/invitations", json!({"email": email, "role": role})).await
}

fn token_of(link: &str) -> String {
    link.rsplit_once("#invite=").expect("an invitation link").1.to_owned()
}

async fn accept(server: &TestServer, token: &str, name: &str) -> Answer {
    let body = json!({"token": token, "name": name, "password": "a team passphrase"});
    Http::new(server).post("/api/v1/agent/invitations/accept", body).await
}

#[tokio::test]
async fn an_invitee_joins_once_with_the_role_they_were_given() {
    let server = TestServer::start().await;
    let team = server.team_workspace(Plan::Free, Default::default(), Default::default()).await;
    let owner = AgentClient::login(&server, &team.agents[0].1, PASSWORD).await;
    let agent = AgentClient::login(&server, &team.agents[1].1, PASSWORD).await;
    invite(&agent, "x@shop.example", "agent").await.assert_error(403, "forbidden");
    invite(&owner, "not an email", "agent").await.assert_error(422, "invalid_email");
    invite(&owner, &team.agents[1].1, "agent").await.assert_error(409, "already_a_member");

    let invited: wire::Invited = invite(&owner, "Mia@Shop.example", "manager").await.json();
    assert_eq!(
        (invited.invitation.email.as_str(), invited.invitation.role),
        ("mia@shop.example", Role::Manager)
    );
    let link = invited.link.expect("no SMTP here: the owner gets the link to pass on");
    assert!(link.starts_with(&format!("{}/app/#invite=", server.base)), "{link}");

    // Resent: a new link; the first one is dead.
    let path = format!("/api/v1/agent/team/invitations/{}/resend", invited.invitation.id);
    let resent: wire::Invited = owner.http.post(&path, json!({})).await.json();
    let (old, new) = (token_of(&link), token_of(&resent.link.unwrap()));
    let peek = |token: String| {
        let http = Http::new(&server);
        async move { http.post("/api/v1/agent/invitations/peek", json!({"token": token})).await }
    };
    peek(old.clone()).await.assert_error(422, "invalid_link");
    let info: wire::InvitationInfo = peek(new.clone()).await.json();
    assert_eq!((info.workspace_name.as_str(), info.role), ("Other", Role::Manager));

    let body = json!({"token": new, "name": "Mia", "password": "short"});
    let weak = Http::new(&server).post("/api/v1/agent/invitations/accept", body).await;
    weak.assert_error(422, "weak_password");
    let joined = accept(&server, &new, "Mia").await;
    assert_eq!(joined.status, 200, "{}", joined.body);
    let me: wire::Me = joined.json();
    assert_eq!((me.agent.name.as_str(), me.agent.role), ("Mia", Role::Manager));
    accept(&server, &new, "Mia again").await.assert_error(422, "invalid_link");
    let view: wire::TeamView = owner.http.get("/api/v1/agent/team").await.json();
    assert!(view.invitations.is_empty());
    assert!(view.members.iter().any(|m| m.agent.name == "Mia" && m.active));

    // Revoked and expired invitations cannot be used.
    let revoked: wire::Invited = invite(&owner, "sam@shop.example", "agent").await.json();
    let path = format!("/api/v1/agent/team/invitations/{}", revoked.invitation.id);
    let gone = owner.http.send(reqwest::Method::DELETE, &path, None).await;
    assert_eq!(gone.status, 204);
    accept(&server, &token_of(&revoked.link.unwrap()), "Sam")
        .await
        .assert_error(422, "invalid_link");
    let expiring: wire::Invited = invite(&owner, "lou@shop.example", "agent").await.json();
    server.advance(7 * 24 * 3_600_000);
    accept(&server, &token_of(&expiring.link.unwrap()), "Lou")
        .await
        .assert_error(422, "invalid_link");
}

#[tokio::test]
async fn deactivation_ends_a_live_session_and_unassigns_and_an_owner_always_remains() {
    let server = TestServer::start().await;
    let team = server.team_workspace(Plan::Free, Default::default(), Default::default()).await;
    let owner = AgentClient::login(&server, &team.agents[0].1, PASSWORD).await;
    let bob = AgentClient::login(&server, &team.agents[1].1, PASSWORD).await;
    let lead = LeadClient::open(&server, &team.key).await;
    let conversation = lead.start("help").await;
    let assign = json!({"agent_id": bob.me.agent.id});
    assert_eq!(owner.act(&conversation.id, "assign", assign.clone()).await.status, 200);
    let mut socket = bob.socket(&server, bob.me.last_seq).await;
    socket.until_ready().await;

    // The last owner can neither step down nor go.
    let owner_id = owner.me.agent.id.clone();
    let role_path = |id: &porch_protocol::AgentId| format!("/api/v1/agent/team/members/{id}/role");
    let demote = owner
        .http
        .send(reqwest::Method::PUT, &role_path(&owner_id), Some(json!({"role": "agent"})))
        .await;
    demote.assert_error(409, "last_owner");
    let path = format!("/api/v1/agent/team/members/{owner_id}/deactivate");
    owner.http.post(&path, json!({})).await.assert_error(409, "last_owner");
    let bob_id = bob.me.agent.id.clone();
    let path = format!("/api/v1/agent/team/members/{bob_id}/deactivate");
    bob.http.post(&path, json!({})).await.assert_error(403, "forbidden");

    let view: wire::TeamView = owner.http.post(&path, json!({})).await.json();
    assert!(view.members.iter().any(|m| m.agent.id == bob_id && !m.active));
    bob.http.get("/api/v1/agent/me").await.assert_error(401, "unauthorized");
    assert_eq!(close_code(&mut socket.stream).await, Some(1008), "the live socket ends at once");
    let login = json!({"email": team.agents[1].1, "password": PASSWORD});
    Http::new(&server)
        .post("/api/v1/agent/login", login)
        .await
        .assert_error(401, "invalid_credentials");
    let detail = owner.detail(&conversation.id).await;
    assert_eq!(detail.conversation.assignee, None, "back to Unassigned");
    assert!(detail.events.iter().any(|f| matches!(f.event, wire::Event::Unassigned { .. })));
    assert_eq!(detail.conversation.status, ConversationStatus::Open);
    owner.act(&conversation.id, "assign", assign).await.assert_error(404, "not_found");

    // With a second owner, the first may step down.
    let promote = owner
        .http
        .send(reqwest::Method::PUT, &role_path(&bob_id), Some(json!({"role": "owner"})))
        .await;
    assert_eq!(promote.status, 200, "a deactivated member's role can change");
    let demote = owner
        .http
        .send(reqwest::Method::PUT, &role_path(&owner_id), Some(json!({"role": "agent"})))
        .await;
    demote.assert_error(409, "last_owner");
}

/// Invitations go out through Porch's SMTP: a workspace sends at most 50 at once (then one a
/// minute), so it cannot be used as a spam relay.
#[tokio::test]
async fn invitations_are_rate_limited_per_workspace() {
    let server = TestServer::start().await;
    let team = server.team_workspace(Plan::Free, Default::default(), Default::default()).await;
    let owner = AgentClient::login(&server, &team.agents[0].1, PASSWORD).await;
    for i in 0..50 {
        assert_eq!(invite(&owner, &format!("p{i}@spam.example"), "agent").await.status, 201);
    }
    let refused = invite(&owner, "p50@spam.example", "agent").await;
    refused.assert_error(429, "rate_limited");
    server.advance(60_000);
    assert_eq!(invite(&owner, "p51@spam.example", "agent").await.status, 201);
}

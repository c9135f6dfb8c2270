//! Plans gate the lead-facing closing options; downgrades and upgrades take effect live.

use porch_protocol::{self as wire, Event, LeadOptions, Plan};
use porch_tests::*;
use serde_json::json;

const OPTIONS: [&str; 3] = ["hide_closed", "disable_input_on_close", "notify_on_close"];

async fn put(who: &AgentClient, path: &str, body: serde_json::Value) -> Answer {
    who.http.send(reqwest::Method::PUT, path, Some(body)).await
}

#[tokio::test]
async fn each_option_needs_professional_or_higher() {
    let server = TestServer::start().await;
    for plan in Plan::ALL {
        let team = server.team_workspace(plan, LeadOptions::default(), Default::default()).await;
        let owner = AgentClient::login(&server, &team.agents[0].1, PASSWORD).await;
        for option in OPTIONS {
            let mut body = json!({"hide_closed": false, "disable_input_on_close": false, "notify_on_close": false, "notification_text": "Bye"});
            body[option] = json!(true);
            let answer = put(&owner, "/api/v1/agent/settings/lead-options", body).await;
            if plan >= Plan::Professional {
                assert_eq!(answer.status, 200, "{plan:?} {option}: {}", answer.body);
                assert_eq!(
                    answer.json::<wire::WorkspaceView>().lead_options.notification_text,
                    "Bye"
                );
            } else {
                answer.assert_error(403, "plan_required");
                assert!(
                    answer.body["message"].as_str().unwrap().contains("professional"),
                    "{}",
                    answer.body
                );
            }
        }
    }
}

#[tokio::test]
async fn only_owners_and_managers_set_options_and_only_the_operator_the_plan() {
    let server = TestServer::start().await;
    let team =
        server.team_workspace(Plan::Professional, LeadOptions::default(), Default::default()).await;
    let agent = AgentClient::login(&server, &team.agents[1].1, PASSWORD).await;
    let body = json!({"hide_closed": true, "disable_input_on_close": false, "notify_on_close": false, "notification_text": ""});
    put(&agent, "/api/v1/agent/settings/lead-options", body).await.assert_error(403, "forbidden");
    let owner = AgentClient::login(&server, &team.agents[0].1, PASSWORD).await;
    // An owner cannot raise their own plan: it is the operator's.
    for who in [&agent, &owner] {
        put(who, "/api/v1/agent/plan", json!({"plan": "enterprise"}))
            .await
            .assert_error(404, "not_found");
    }
    server.set_plan(&team.key, "platinum").await.assert_error(422, "invalid_fields");
    let long = json!({"hide_closed": false, "disable_input_on_close": false, "notify_on_close": true, "notification_text": "x".repeat(501)});
    put(&owner, "/api/v1/agent/settings/lead-options", long)
        .await
        .assert_error(422, "invalid_settings");
}

#[tokio::test]
async fn a_downgrade_keeps_saved_options_but_stops_them_at_once_and_an_upgrade_restores_them() {
    let server = TestServer::start().await;
    let saved = LeadOptions {
        disable_input_on_close: true,
        notify_on_close: true,
        notification_text: "Closed!".into(),
        ..LeadOptions::default()
    };
    let team = server.team_workspace(Plan::Professional, saved.clone(), Default::default()).await;
    let owner = AgentClient::login(&server, &team.agents[0].1, PASSWORD).await;
    let lead = LeadClient::open(&server, &team.key).await;
    assert!(lead.session.options.disable_input_on_close);
    let c = lead.start("Hi").await;
    owner.close(&c.id).await;
    lead.say(&c.id, "again").await.assert_error(409, "input_disabled");
    let mut widget = lead.socket(&server, lead.session.last_seq).await;
    widget.until_ready().await;

    let down: wire::PlanChanged = server.set_plan(&team.key, "starter").await.json();
    assert_eq!((down.plan, down.was), (Plan::Starter, Plan::Professional));
    let view: wire::WorkspaceView = owner.http.get("/api/v1/agent/workspace").await.json();
    assert_eq!((view.plan, view.lead_options), (Plan::Starter, saved.clone()), "options kept");
    // The widget hears of the closure from before, then the options change, live.
    let changed = loop {
        let frame = widget.event().await;
        if let Event::LeadOptionsChanged { options, saved } = frame.event {
            break (options, saved);
        }
    };
    assert!(!changed.0.disable_input_on_close && !changed.0.notify_on_close);
    assert_eq!(changed.1, None, "the saved options are the owner's business");
    assert_eq!(lead.say(&c.id, "again").await.status, 201, "writing reopens now");

    owner.close(&c.id).await;
    assert_eq!(server.set_plan(&team.key, "enterprise").await.status, 200);
    lead.say(&c.id, "and again").await.assert_error(409, "input_disabled");
    assert_eq!(lead.reopen(&team.key).await.options, saved);
}

#[tokio::test]
async fn hide_closed_leaves_closed_conversations_out_of_a_new_session() {
    let server = TestServer::start().await;
    let hide = LeadOptions { hide_closed: true, ..LeadOptions::default() };
    let team = server.team_workspace(Plan::Professional, hide, Default::default()).await;
    let owner = AgentClient::login(&server, &team.agents[0].1, PASSWORD).await;
    let lead = LeadClient::open(&server, &team.key).await;
    let (closed, open) = (lead.start("one").await, lead.start("two").await);
    owner.close(&closed.id).await;
    let session = lead.reopen(&team.key).await;
    assert_eq!(session.conversations.iter().map(|c| &c.id).collect::<Vec<_>>(), [&open.id]);
}

#[tokio::test]
async fn the_operator_command_changes_the_plan_in_the_log() {
    let server = TestServer::start().await;
    let all = LeadOptions { hide_closed: true, ..LeadOptions::default() };
    let team = server.team_workspace(Plan::Enterprise, all, Default::default()).await;
    let store = server.state.store.as_ref();
    let said = porch_server::operator::set_plan(store, &team.key, Plan::Free, server.clock_now())
        .await
        .unwrap();
    assert!(said.contains("free plan (was enterprise)"), "{said}");
    let lead = LeadClient::open(&server, &team.key).await;
    assert!(!lead.session.options.hide_closed);
    assert!(porch_server::operator::set_plan(store, "nope", Plan::Free, 0).await.is_err());
}

#[tokio::test]
async fn saved_options_reach_open_widgets_at_once() {
    let server = TestServer::start().await;
    let team =
        server.team_workspace(Plan::Professional, LeadOptions::default(), Default::default()).await;
    let owner = AgentClient::login(&server, &team.agents[0].1, PASSWORD).await;
    let lead = LeadClient::open(&server, &team.key).await;
    let mut widget = lead.socket(&server, lead.session.last_seq).await;
    widget.until_ready().await;
    let body = json!({"hide_closed": false, "disable_input_on_close": true, "notify_on_close": true, "notification_text": "Bye!"});
    assert_eq!(put(&owner, "/api/v1/agent/settings/lead-options", body).await.status, 200);
    let frame = widget.event().await;
    let Event::LeadOptionsChanged { options, saved } = frame.event else { panic!("{frame:?}") };
    assert!(options.disable_input_on_close && options.notify_on_close);
    assert_eq!((options.notification_text.as_str(), saved), ("Bye!", None));
}

/// The operator API needs the operator's token; without a configured token it does not exist.
#[tokio::test]
async fn the_operator_api_is_the_operators() {
    let server = TestServer::start().await;
    let team = server.team_workspace(Plan::Free, LeadOptions::default(), Default::default()).await;
    let path = format!("/api/v1/operator/workspaces/{}/plan", team.key);
    let body = Some(json!({"plan": "enterprise"}));
    let anonymous = Http::new(&server);
    anonymous
        .send(reqwest::Method::PUT, &path, body.clone())
        .await
        .assert_error(401, "unauthorized");
    let owner = AgentClient::login(&server, &team.agents[0].1, PASSWORD).await;
    owner
        .http
        .send(reqwest::Method::PUT, &path, body.clone())
        .await
        .assert_error(401, "unauthorized");
    server.set_plan("no-such-workspace", "enterprise").await.assert_error(404, "not_found");
    let view: wire::WorkspaceView = owner.http.get("/api/v1/agent/workspace").await.json();
    assert_eq!(view.plan, Plan::Free, "nothing changed");
    let changed: wire::PlanChanged = server.set_plan(&team.key, "starter").await.json();
    assert_eq!((changed.plan, changed.was), (Plan::Starter, Plan::Free));
}

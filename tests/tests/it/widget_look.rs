//! The owner's widget: colour, side, texts, language, and leads ending their conversations.
//! Saved by owners only, refused whole when wrong, read by the loader and every lead session;
//! a lead's ending is a closing like the seller's, with source `lead`.

use porch_protocol::api::{agent, widget};
use porch_protocol::{
    self as wire, AutoCloseMode, ClosingSource, ConversationStatus, Event, Language,
    WidgetPosition, WidgetSettings,
};
use porch_server::demo;
use porch_tests::*;
use serde_json::json;

fn look() -> WidgetSettings {
    WidgetSettings {
        color: "#1D4ED8".into(),
        position: WidgetPosition::Left,
        launcher_text: " Chat with us ".into(),
        greeting: "Hello from Acme!".into(),
        team_name: "Acme support".into(),
        language: Language::De,
        lead_may_end: true,
    }
}

#[tokio::test]
async fn the_owner_saves_the_widget_and_the_loader_and_leads_read_it() {
    let server = TestServer::start().await;
    let owner = AgentClient::owner(&server).await;
    let settings: wire::WorkspaceSettings =
        owner.http.expect(agent::SET_WIDGET.at(&[]), &look()).await;
    let saved =
        WidgetSettings { color: "#1d4ed8".into(), launcher_text: "Chat with us".into(), ..look() };
    assert_eq!(settings.widget, saved);

    let http = Http::new(&server);
    let launcher: WidgetSettings =
        http.expect(widget::CHECK_KEY.at(&[demo::WIDGET_KEY]), &()).await;
    assert_eq!(launcher, saved);
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    assert_eq!(lead.session.look, saved);

    // An agent reads it but may not change it.
    let agent = AgentClient::demo(&server).await;
    agent.http.call(agent::SET_WIDGET.at(&[]), &look()).await.assert_error(403, "forbidden");

    // Without a team name, the widget says the workspace's name.
    let plain = WidgetSettings { team_name: String::new(), ..look() };
    owner.http.expect::<_, wire::WorkspaceSettings>(agent::SET_WIDGET.at(&[]), &plain).await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let workspace: wire::WorkspaceView = owner.http.expect(agent::WORKSPACE.at(&[]), &()).await;
    assert_eq!(lead.session.look.team_name, workspace.name);
}

#[tokio::test]
async fn a_bad_widget_is_refused_whole_and_the_saved_one_stays() {
    let server = TestServer::start().await;
    let owner = AgentClient::owner(&server).await;
    owner.http.expect::<_, wire::WorkspaceSettings>(agent::SET_WIDGET.at(&[]), &look()).await;
    let long = "x".repeat(201);
    for bad in [
        WidgetSettings { color: "blue".into(), ..look() },
        WidgetSettings { color: "#ffeb3b".into(), ..look() },
        WidgetSettings { greeting: long, ..look() },
        WidgetSettings { launcher_text: "two\nlines".into(), ..look() },
    ] {
        let answer = owner.http.call(agent::SET_WIDGET.at(&[]), &bad).await;
        answer.assert_error(422, "invalid_settings");
    }
    let path = "/api/v1/agent/settings/widget";
    for body in [json!({"position": "top"}), json!({"language": "xx"}), json!([1])] {
        let answer = owner.http.send(reqwest::Method::PUT, path, Some(body.clone())).await;
        assert_eq!(answer.status, 422, "{body}: {}", answer.text);
        assert!(answer.body["code"].is_string(), "{}", answer.text);
    }
    let workspace: wire::WorkspaceView = owner.http.expect(agent::WORKSPACE.at(&[]), &()).await;
    assert_eq!(workspace.settings.widget.color, "#1d4ed8", "the saved widget stays");
}

#[tokio::test]
async fn leads_see_the_team_online_first_by_first_name() {
    let server = TestServer::start().await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let names: Vec<&str> = lead.session.team.iter().map(|f| f.name.as_str()).collect();
    assert!(!names.is_empty() && names.len() <= 5, "{names:?}");
    assert!(names.iter().all(|n| !n.contains(' ')), "first names only: {names:?}");
    assert!(lead.session.team.iter().all(|f| !f.online), "nobody has the inbox open");
    let raw = serde_json::to_string(&lead.session.team).unwrap();
    assert!(!raw.contains('@'), "no e-mail reaches a lead: {raw}");

    // A member with the inbox open is online, and comes first.
    let agent = AgentClient::demo(&server).await;
    let _socket = agent.socket(&server, 0).await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let first = &lead.session.team[0];
    assert!(first.online, "{:?}", lead.session.team);
    assert_eq!(first.name, demo::AGENT.0.split(' ').next().unwrap());
}

#[tokio::test]
async fn a_lead_ends_a_conversation_only_where_the_owner_allows_it() {
    let server = TestServer::start().await;
    let owner = AgentClient::owner(&server).await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("Never mind, found it").await;
    let end = || widget::END.at(&[conversation.id.as_str()]);
    lead.http.call(end(), &()).await.assert_error(403, "lead_may_not_end");
    let detail = owner.detail(&conversation.id).await;
    assert_eq!(detail.conversation.status, ConversationStatus::Open, "nothing changed");

    let allow = WidgetSettings { lead_may_end: true, ..WidgetSettings::default() };
    owner.http.expect::<_, wire::WorkspaceSettings>(agent::SET_WIDGET.at(&[]), &allow).await;
    // Another lead's conversation is not found; nor is one that does not exist.
    let stranger = LeadClient::open(&server, demo::WIDGET_KEY).await;
    stranger.http.call(end(), &()).await.assert_error(404, "not_found");
    stranger.http.call(widget::END.at(&["nope"]), &()).await.assert_error(404, "not_found");

    let ended: wire::LeadConversation = lead.http.expect(end(), &()).await;
    assert_eq!(ended.status, ConversationStatus::Closed);
    lead.http.call(end(), &()).await.assert_error(409, "already_closed");

    let detail = owner.detail(&conversation.id).await;
    let closing = detail.events.iter().find_map(|f| match &f.event {
        Event::ConversationClosed { source, outcome, closed_by, .. } => {
            Some((*source, *outcome, closed_by.clone(), f.actor.clone()))
        }
        _ => None,
    });
    let lead_actor = wire::Actor::Contact(lead.session.contact_id.clone());
    assert_eq!(closing, Some((ClosingSource::Lead, None, None, lead_actor)));
}

#[tokio::test]
async fn a_lead_ending_clears_the_deadline_and_reports_say_lead() {
    let server = TestServer::start().await;
    let owner = AgentClient::owner(&server).await;
    let allow = WidgetSettings { lead_may_end: true, ..WidgetSettings::default() };
    owner.http.expect::<_, wire::WorkspaceSettings>(agent::SET_WIDGET.at(&[]), &allow).await;
    let policy = json!({"settings": {"enabled": true, "period_minutes": 30,
        "mode": AutoCloseMode::Inactivity}});
    let path = "/api/v1/agent/settings/auto-close";
    assert_eq!(owner.http.send(reqwest::Method::PUT, path, Some(policy)).await.status, 200);
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("Hello").await;
    assert!(owner.detail(&conversation.id).await.conversation.auto_close_at.is_some());
    let ended: wire::LeadConversation =
        lead.http.expect(widget::END.at(&[conversation.id.as_str()]), &()).await;
    assert_eq!(ended.status, ConversationStatus::Closed);
    let detail = owner.detail(&conversation.id).await;
    assert_eq!(detail.conversation.auto_close_at, None, "no deadline left to fire");

    let now = server.clock_now();
    let q = format!("from={}&to={}&source=lead", now - 3_600_000, now + 3_600_000);
    let list: wire::ReportList =
        owner.http.get(&format!("/api/v1/agent/reports/conversations?{q}")).await.json();
    let [row] = &list.rows[..] else { panic!("{list:?}") };
    assert_eq!(
        (row.conversation_id.clone(), row.closing_source),
        (conversation.id, Some(ClosingSource::Lead))
    );
}

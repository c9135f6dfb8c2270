//! Tenant isolation, walked over every route: each request made as another workspace's agent,
//! another workspace's lead, an anonymous caller and an agent whose session ended is refused
//! where it names this workspace's data, never answers 5xx, and changes nothing in this
//! workspace's log. The routes are read from `porch_protocol::api`, so an endpoint added
//! without a case here fails the suite.

use std::collections::BTreeSet;

use porch_server::demo;
use porch_tests::*;
use reqwest::Method;
use serde_json::{json, Value};

/// Every endpoint's path in `porch_protocol::api` (the one description the router, the
/// OpenAPI document and the clients use), read from its source so that an endpoint added
/// there without a case here fails the suite. The server's API route modules may route
/// nothing else: a `.route("…")` literal there fails too.
pub fn routes_in_source() -> BTreeSet<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let routes = root.join("server/src/routes");
    for entry in std::fs::read_dir(&routes).expect("the server's route modules") {
        let path = entry.unwrap().path();
        if path.ends_with("assets.rs") || path.ends_with("mod.rs") {
            continue;
        }
        let source = std::fs::read_to_string(&path).unwrap();
        assert!(!source.contains(".route(\""), "{path:?} routes a path not in porch_protocol::api");
    }
    let api = root.join("protocol/src/api");
    let mut paths = BTreeSet::new();
    for entry in std::fs::read_dir(&api).expect("porch_protocol::api") {
        let source = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for method in ["get", "post", "put", "delete"] {
            let marker = format!("Endpoint::{method}(\"");
            for rest in source.split(marker.as_str()).skip(1) {
                paths.extend(rest.split_once('"').map(|(path, _)| path.to_owned()));
            }
        }
    }
    paths
}

/// One request per route: method, path (`{id}`: the victim's conversation, `{name}`: a chart,
/// `{workspace}`: the victim's widget key, `{member}` and `{invitation}`: the victim's)
/// and a body a rightful caller could send (`{victim_workspace}`: the victim's workspace id).
pub fn cases() -> Vec<(Method, &'static str, Value)> {
    vec![
        (Method::POST, "/agent/login", json!({"email": "x@example.com", "password": "p"})),
        (Method::POST, "/agent/logout", json!({})),
        (Method::POST, "/agent/password/link", json!({"token": "t", "password": "long enough pw"})),
        (Method::PUT, "/agent/password", json!({"current": "x", "password": "long enough pw"})),
        (Method::POST, "/agent/password/forgot", json!({"email": "x@example.com"})),
        (Method::GET, "/agent/me", Value::Null),
        (Method::POST, "/agent/workspaces/switch", json!({"workspace_id": "{victim_workspace}"})),
        (Method::GET, "/agent/workspace", Value::Null),
        (Method::PUT, "/agent/settings/time-zone", json!({"time_zone": "Europe/Paris"})),
        (
            Method::PUT,
            "/agent/settings/office-hours",
            json!({"enabled": true, "days": [{"open": 540, "close": 1020}, null, null, null, null, null, null]}),
        ),
        (
            Method::PUT,
            "/agent/settings/closing-notes",
            json!({"mode": "optional", "categories": ["A"]}),
        ),
        (
            Method::PUT,
            "/agent/settings/auto-close",
            json!({"settings": {"enabled": true, "period_minutes": 30}, "apply_to_open": true}),
        ),
        (
            Method::PUT,
            "/agent/settings/lead-options",
            json!({"hide_closed": false, "disable_input_on_close": false, "close_notice": null}),
        ),
        (
            Method::PUT,
            "/agent/settings/bot",
            json!({"enabled": false, "greeting": "Hi", "quick_answers": []}),
        ),
        (Method::PUT, "/agent/settings/widget", json!({"color": "#1d4ed8", "lead_may_end": true})),
        (
            Method::PUT,
            "/agent/settings/canned-replies",
            json!([{"shortcut": "mine", "text": "Taken over"}]),
        ),
        (Method::PUT, "/agent/settings/reports", json!({"missed_after_minutes": 60})),
        (Method::PUT, "/agent/settings/ask-email", json!({"ask_email": "optional"})),
        (Method::PUT, "/agent/settings/name", json!({"name": "Renamed"})),
        (
            Method::POST,
            "/agent/settings/auto-close/preview",
            json!({"enabled": true, "period_minutes": 30}),
        ),
        (Method::GET, "/agent/ws", Value::Null),
        (Method::GET, "/agent/install", Value::Null),
        (Method::PUT, "/agent/install/allowed-origins", json!({"allowed_origins": []})),
        (Method::POST, "/agent/install/rotate-key", json!({})),
        (Method::GET, "/agent/team", Value::Null),
        (
            Method::POST,
            "/agent/team/invitations",
            json!({"email": "new@example.com", "role": "agent"}),
        ),
        (Method::POST, "/agent/team/invitations/{invitation}/resend", json!({})),
        (Method::DELETE, "/agent/team/invitations/{invitation}", Value::Null),
        (Method::PUT, "/agent/team/members/{member}/role", json!({"role": "agent"})),
        (Method::POST, "/agent/team/members/{member}/deactivate", json!({})),
        (Method::POST, "/agent/invitations/peek", json!({"token": "t"})),
        (Method::GET, "/agent/tokens", Value::Null),
        (Method::POST, "/agent/tokens", json!({"name": "Mine now", "scope": "write"})),
        (Method::DELETE, "/agent/tokens/{token}", Value::Null),
        (Method::GET, "/agent/webhooks", Value::Null),
        (
            Method::POST,
            "/agent/webhooks",
            json!({"url": "http://127.0.0.1:9/mine", "event_types": ["message.created"]}),
        ),
        (
            Method::PUT,
            "/agent/webhooks/{webhook}",
            json!({"url": "http://127.0.0.1:9/mine", "event_types": ["message.created"]}),
        ),
        (Method::DELETE, "/agent/webhooks/{webhook}", Value::Null),
        (Method::POST, "/agent/webhooks/{webhook}/rotate-secret", json!({})),
        (Method::POST, "/agent/webhooks/{webhook}/ping", json!({})),
        (Method::GET, "/agent/webhooks/{webhook}/deliveries", Value::Null),
        (Method::POST, "/agent/webhooks/{webhook}/deliveries/{delivery}/resend", json!({})),
        (Method::GET, "/agent/signup", Value::Null),
        (
            Method::POST,
            "/agent/signup",
            json!({"workspace_name": "W", "name": "N", "email": "x@example.com", "password": "long enough pw"}),
        ),
        (
            Method::POST,
            "/agent/invitations/accept",
            json!({"token": "t", "name": "N", "password": "long enough pw"}),
        ),
        (Method::POST, "/widget/session", json!({"workspace_key": "none"})),
        (Method::GET, "/widget/keys/{key}", Value::Null),
        (Method::POST, "/widget/session/end", json!({})),
        (Method::POST, "/widget/email", json!({"email": "lead@example.com"})),
        (Method::POST, "/widget/conversations", json!({"body": "hi"})),
        (Method::GET, "/widget/conversations/{id}", Value::Null),
        (Method::POST, "/widget/conversations/{id}/messages", json!({"body": "hi"})),
        (Method::GET, "/widget/ws", Value::Null),
        (Method::POST, "/widget/identify", json!({"id": "u1", "hash": "00"})),
        (Method::POST, "/widget/conversations/{id}/bot", json!({"person": null})),
        (Method::POST, "/widget/conversations/{id}/end", Value::Null),
        (Method::POST, "/widget/conversations/{id}/typing", Value::Null),
        (Method::GET, "/agent/conversations", Value::Null),
        (Method::GET, "/agent/contacts/{contact}", Value::Null),
        (Method::GET, "/agent/conversations/{id}", Value::Null),
        (Method::POST, "/agent/conversations/{id}/messages", json!({"body": "hi"})),
        (Method::POST, "/agent/conversations/{id}/notes", json!({"body": "hi"})),
        (Method::GET, "/agent/unread", Value::Null),
        (Method::POST, "/agent/conversations/{id}/read", json!({"seq": 1})),
        (Method::POST, "/agent/conversations/{id}/typing", Value::Null),
        (Method::POST, "/agent/conversations/{id}/close", json!({"outcome": "resolved"})),
        (
            Method::POST,
            "/agent/conversations/close",
            json!({"ids": ["{id}"], "outcome": "resolved"}),
        ),
        (Method::POST, "/agent/conversations/{id}/reopen", json!({})),
        (Method::POST, "/agent/conversations/{id}/outcome", json!({"outcome": "unresolved"})),
        (Method::POST, "/agent/conversations/{id}/assign", json!({"agent_id": null})),
        (Method::POST, "/agent/conversations/{id}/snooze", json!({"until": 9_999_999_999_999_i64})),
        (Method::POST, "/agent/conversations/{id}/unsnooze", json!({})),
        (Method::POST, "/agent/conversations/{id}/block", json!({})),
        (Method::POST, "/agent/conversations/{id}/unblock", json!({})),
        (Method::POST, "/agent/conversations/{id}/hand-to-bot", json!({})),
        (Method::POST, "/agent/conversations/{id}/summarize", json!({})),
        (Method::GET, "/agent/reports/conversations", Value::Null),
        (Method::GET, "/agent/reports/conversations.csv", Value::Null),
        (Method::GET, "/agent/reports/closing", Value::Null),
        (Method::GET, "/agent/reports/contact-centre", Value::Null),
        (Method::GET, "/agent/reports/activity", Value::Null),
        (Method::GET, "/agent/reports/chatbot", Value::Null),
        (Method::GET, "/agent/reports/charts/{name}", Value::Null),
        (Method::PUT, "/operator/workspaces/{workspace}/plan", json!({"plan": "enterprise"})),
        (Method::GET, "/dev/clock", Value::Null),
        (Method::GET, "/openapi.json", Value::Null),
        (Method::POST, "/dev/clock/advance", json!({"millis": 1})),
    ]
}

#[test]
fn every_route_has_a_case() {
    let covered: BTreeSet<String> = cases().iter().map(|(_, path, _)| (*path).to_owned()).collect();
    let missing: Vec<_> = routes_in_source().difference(&covered).cloned().collect();
    assert!(missing.is_empty(), "routes without an isolation case: {missing:?}");
    assert!(routes_in_source().len() >= 40, "the route reader found the routes");
}

/// Agent routes that need no session: signing in and out, password links.
const PUBLIC: [&str; 7] = [
    "/agent/signup",
    "/agent/login",
    "/agent/logout",
    "/agent/password/link",
    "/agent/password/forgot",
    "/agent/invitations/peek",
    "/agent/invitations/accept",
];

/// Who calls, and what they may get for the victim's data.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Caller {
    ForeignAgent,
    /// A write API token of another workspace.
    ForeignToken,
    ForeignLead,
    Anonymous,
    EndedSession,
}

/// The victim's ids a path may name.
struct Victim {
    conversation: String,
    contact: String,
    member: String,
    invitation: String,
    token: String,
    webhook: String,
}

fn request_path(path: &str, victim: &Victim) -> String {
    let path = path
        .replace("{id}", &victim.conversation)
        .replace("{name}", "messages")
        .replace("{workspace}", porch_server::demo::WIDGET_KEY)
        .replace("{key}", porch_server::demo::WIDGET_KEY)
        .replace("{member}", &victim.member)
        .replace("{contact}", &victim.contact)
        .replace("{invitation}", &victim.invitation)
        .replace("{token}", &victim.token)
        .replace("{webhook}", &victim.webhook)
        .replace("{delivery}", "del_0");
    let query = if path.starts_with("/agent/reports/") { "?from=0&to=86400000" } else { "" };
    format!("/api/v1{path}{query}")
}

#[tokio::test]
async fn no_route_reaches_another_workspace() {
    let server = TestServer::start().await;
    server.state.limits.set_unlimited();
    let victim = server.demo_workspace().await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("victim's secret").await;
    let (key, email) = server.workspace(porch_protocol::Plan::Enterprise, Default::default()).await;
    let foreign_agent = AgentClient::login(&server, &email, PASSWORD).await;
    let foreign_lead = LeadClient::open(&server, &key).await;
    let ended = AgentClient::owner(&server).await;
    let invite = json!({"email": "invited@example.com", "role": "agent"});
    let invited = ended.http.post("/api/v1/agent/team/invitations", invite).await;
    let token = json!({"name": "Victim's CRM", "scope": "write"});
    let token = ended.http.post("/api/v1/agent/tokens", token).await;
    let hook = json!({"url": "http://127.0.0.1:9/hook", "event_types": ["conversation.closed"]});
    let hook = ended.http.post("/api/v1/agent/webhooks", hook).await;
    let foreign_owner = AgentClient::login(&server, &email, PASSWORD).await;
    let foreign_token = foreign_owner
        .http
        .post("/api/v1/agent/tokens", json!({"name": "Foreign", "scope": "write"}))
        .await;
    let foreign_token =
        Http::new(&server).with_bearer(foreign_token.body["secret"].as_str().unwrap());
    let ids = Victim {
        conversation: conversation.id.0.clone(),
        contact: lead.session.contact_id.0.clone(),
        member: ended.me.agent.id.0.clone(),
        invitation: invited.body["invitation"]["id"].as_str().unwrap().to_owned(),
        token: token.body["token"]["id"].as_str().unwrap().to_owned(),
        webhook: hook.body["endpoint"]["id"].as_str().unwrap().to_owned(),
    };
    assert_eq!(ended.http.post("/api/v1/agent/logout", json!({})).await.status, 204);
    let anonymous = Http::new(&server);
    let before = server.state.store.last_seq(&victim).await.unwrap();

    let mut checked = 0;
    for (method, path, body) in cases() {
        if path.starts_with("/dev/") {
            continue; // only with --dev-clock on a loopback address, for tests and demos
        }
        let url = request_path(path, &ids);
        let body_names_victim = body.to_string().contains("{victim_workspace}");
        let body = body.to_string().replace("{victim_workspace}", victim.as_str());
        let body: Value = serde_json::from_str(&body).unwrap();
        let body = (!body.is_null()).then_some(body);
        for caller in [
            Caller::ForeignAgent,
            Caller::ForeignToken,
            Caller::ForeignLead,
            Caller::Anonymous,
            Caller::EndedSession,
        ] {
            let http = match caller {
                Caller::ForeignAgent => &foreign_agent.http,
                Caller::ForeignToken => &foreign_token,
                Caller::ForeignLead => &foreign_lead.http,
                Caller::Anonymous => &anonymous,
                Caller::EndedSession => &ended.http,
            };
            let answer = http.send(method.clone(), &url, body.clone()).await;
            let status = answer.status.as_u16();
            let case = format!("{method} {path} as {caller:?}: {status} {}", answer.text);
            assert!(status < 500, "{case}");
            if status >= 400 {
                assert!(
                    answer.body["code"].is_string() && answer.body["message"].is_string(),
                    "{case}"
                );
            }
            let names_victim = body_names_victim
                || ["{id}", "{workspace}", "{member}", "{invitation}", "{token}", "{webhook}"]
                    .iter()
                    .any(|p| path.contains(p));
            let agents_only = path.starts_with("/agent/") && !PUBLIC.contains(&path);
            // Public: opening a session, and whether a (public) widget key is live.
            let leads_only = path.starts_with("/widget/")
                && !["/widget/session", "/widget/keys/{key}"].contains(&path);
            let refused = matches!(status, 401 | 403 | 404);
            if names_victim
                || (agents_only && !matches!(caller, Caller::ForeignAgent | Caller::ForeignToken))
                || (leads_only && caller != Caller::ForeignLead)
            {
                assert!(refused, "{case}");
            }
            assert_eq!(server.state.store.last_seq(&victim).await.unwrap(), before, "{case}");
            checked += 1;
        }
    }
    assert!(checked >= 200, "{checked} requests checked");
    // The victim's conversation is as it was.
    let detail: porch_protocol::LeadConversationDetail =
        lead.http.get(&format!("/api/v1/widget/conversations/{}", conversation.id)).await.json();
    assert_eq!(detail.messages.len(), 1);
}

//! Settings → Install (issue 14): the snippet, the origins allowed to embed the widget (framing
//! and sessions), the installation check, rotating the key.

use porch_protocol::{self as wire, Plan};
use porch_tests::*;
use serde_json::json;

async fn session(server: &TestServer, key: &str, host: Option<&str>) -> Answer {
    let body = json!({"workspace_key": key, "host_origin": host});
    Http::new(server).post("/api/v1/widget/session", body).await
}

async fn allow(owner: &AgentClient, origins: &[&str]) -> Answer {
    let body = json!({"allowed_origins": origins});
    let path = "/api/v1/agent/install/allowed-origins";
    owner.http.send(reqwest::Method::PUT, path, Some(body)).await
}

/// The `frame-ancestors` of the widget page for `key`.
async fn frame_ancestors(server: &TestServer, key: &str) -> String {
    let page = reqwest::get(server.url(&format!("/widget/?key={key}"))).await.unwrap();
    let policy = page.headers()["content-security-policy"].to_str().unwrap().to_owned();
    policy.split("; ").find_map(|d| d.strip_prefix("frame-ancestors ")).unwrap().to_owned()
}

#[tokio::test]
async fn allowed_origins_frame_the_widget_and_open_its_sessions() {
    let server = TestServer::start().await;
    server.state.limits.set_unlimited();
    let team = server.team_workspace(Plan::Free, Default::default(), Default::default()).await;
    let owner = AgentClient::login(&server, &team.agents[0].1, PASSWORD).await;
    let agent = AgentClient::login(&server, &team.agents[1].1, PASSWORD).await;

    let install: wire::InstallView = owner.http.get("/api/v1/agent/install").await.json();
    assert_eq!(install.widget_key, team.key);
    let snippet = format!(
        r#"<script src="{}/widget.js" data-workspace="{}" async></script>"#,
        server.base, team.key
    );
    assert_eq!(install.snippet, snippet);
    assert!(install.allowed_origins.is_empty() && install.seen.is_empty());
    agent.http.get("/api/v1/agent/install").await.assert_error(403, "forbidden");
    allow(&agent, &["https://shop.example"]).await.assert_error(403, "forbidden");

    // No list: any page may embed it, and where it booted is remembered.
    assert_eq!(frame_ancestors(&server, &team.key).await, "*");
    assert_eq!(session(&server, &team.key, Some("https://a.example")).await.status, 200);

    allow(&owner, &["shop.example"]).await.assert_error(422, "invalid_origin");
    let saved: wire::InstallView =
        allow(&owner, &["https://Shop.example/", "http://localhost:3000"]).await.json();
    assert_eq!(saved.allowed_origins, ["https://shop.example", "http://localhost:3000"]);
    assert_eq!(
        frame_ancestors(&server, &team.key).await,
        "https://shop.example http://localhost:3000"
    );
    assert_eq!(frame_ancestors(&server, "demo").await, "*", "other workspaces are unaffected");
    session(&server, &team.key, Some("https://evil.example"))
        .await
        .assert_error(403, "origin_not_allowed");
    session(&server, &team.key, None).await.assert_error(403, "origin_not_allowed");
    assert_eq!(session(&server, &team.key, Some("https://shop.example")).await.status, 200);

    server.advance(60_000);
    assert_eq!(session(&server, &team.key, Some("https://shop.example")).await.status, 200);
    let seen: wire::InstallView = owner.http.get("/api/v1/agent/install").await.json();
    let shown: Vec<_> = seen.seen.iter().map(|s| (s.origin.as_str(), s.last_seen_at)).collect();
    assert_eq!(
        shown,
        [
            ("https://shop.example", server.clock_now()),
            ("https://a.example", server.clock_now() - 60_000)
        ],
        "the installation check, most recent first; refused origins are not listed"
    );
}

#[tokio::test]
async fn a_rotated_key_replaces_the_old_one() {
    let server = TestServer::start().await;
    let team = server.team_workspace(Plan::Free, Default::default(), Default::default()).await;
    let owner = AgentClient::login(&server, &team.agents[0].1, PASSWORD).await;
    let rotated: wire::InstallView =
        owner.http.post("/api/v1/agent/install/rotate-key", json!({})).await.json();
    assert_ne!(rotated.widget_key, team.key);
    assert!(rotated.snippet.contains(&rotated.widget_key));
    session(&server, &team.key, None).await.assert_error(404, "not_found");
    assert_eq!(session(&server, &rotated.widget_key, None).await.status, 200);
}

/// The loader asks whether its key is live before it shows a launcher: any site may ask, the
/// answer is the launcher's look or 404 and may be kept a while; nothing private is said.
#[tokio::test]
async fn any_site_may_ask_whether_a_widget_key_is_live() {
    use porch_protocol::api::widget;
    use porch_server::demo;
    let server = TestServer::start().await;
    let http = Http::new(&server);
    let live = http.call(widget::CHECK_KEY.at(&[demo::WIDGET_KEY]), &()).await;
    assert_eq!(live.status.as_u16(), 200, "{}", live.text);
    let look: porch_protocol::WidgetSettings = serde_json::from_str(&live.text).unwrap();
    assert_eq!(look.color, porch_protocol::DEFAULT_COLOR);
    let fields: Vec<&String> = live.body.as_object().unwrap().keys().collect();
    let public =
        ["color", "greeting", "language", "launcher_text", "lead_may_end", "position", "team_name"];
    assert_eq!(fields, public, "the widget's public look, nothing else");
    assert_eq!(live.headers["access-control-allow-origin"], "*");
    assert_eq!(live.headers["cache-control"], "public, max-age=300");
    let long = "k".repeat(101);
    for key in ["no-such-key", long.as_str(), "%00"] {
        let unknown = http.call(widget::CHECK_KEY.at(&[key]), &()).await;
        let status = unknown.status.as_u16();
        assert!((400..500).contains(&status), "{key}: {status} {}", unknown.text);
        assert!(unknown.body["code"].is_string(), "{key}: {}", unknown.text);
    }
    let unknown = http.call(widget::CHECK_KEY.at(&["no-such-key"]), &()).await;
    unknown.assert_error(404, "not_found");
    assert_eq!(unknown.headers["access-control-allow-origin"], "*", "the loader reads it");
}

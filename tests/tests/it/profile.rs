//! The workspace's profile (issue 14): its time zone, whose days the reports count, and its
//! office hours, outside which the widget says when the team is back.

use porch_protocol as wire;
use porch_tests::*;
use serde_json::{json, Value};

const DAY: i64 = 86_400_000;
const HOUR: i64 = 3_600_000;

async fn put(who: &AgentClient, setting: &str, body: Value) -> Answer {
    let path = format!("/api/v1/agent/settings/{setting}");
    who.http.send(reqwest::Method::PUT, &path, Some(body)).await
}

#[tokio::test]
async fn the_reports_count_the_days_of_the_workspaces_time_zone() {
    let server = TestServer::start().await;
    let owner = AgentClient::owner(&server).await;
    let agent = AgentClient::demo(&server).await;
    put(&owner, "time-zone", json!({"time_zone": "Mars/Olympus_Mons"}))
        .await
        .assert_error(422, "invalid_settings");
    put(&agent, "time-zone", json!({"time_zone": "Asia/Tokyo"}))
        .await
        .assert_error(403, "forbidden");
    let saved: wire::WorkspaceSettings =
        put(&owner, "time-zone", json!({"time_zone": " Asia/Tokyo "})).await.json();
    assert_eq!(saved.time_zone.0, "Asia/Tokyo");

    // Tokyo's days start at 15:00 UTC (UTC+9, no clock changes).
    let lead = LeadClient::open(&server, porch_server::demo::WIDGET_KEY).await;
    lead.start("a question from Tokyo").await;
    let now = server.clock_now();
    let path = format!("/api/v1/agent/reports/activity?from={}&to={}", now - 3 * DAY, now + DAY);
    let report: wire::ActivityReport = owner.http.get(&path).await.json();
    assert!(report.daily.len() >= 4, "{:?}", report.daily);
    for day in &report.daily {
        assert_eq!(day.day.rem_euclid(DAY), 15 * 3_600_000, "{day:?}");
    }
    let today = report.daily.iter().find(|d| d.day <= now && now < d.day + DAY).unwrap();
    assert!(today.conversations >= 1, "{today:?}");
}

#[tokio::test]
async fn outside_office_hours_the_widget_says_when_the_team_is_back() {
    let server = TestServer::start().await;
    // 10:30 UTC, whenever the test runs: two hours from the next whole hour stay within the day.
    let now = server.clock_now();
    server.advance((10 * HOUR + HOUR / 2 - now.rem_euclid(DAY)).rem_euclid(DAY));
    let owner = AgentClient::owner(&server).await;
    let agent = AgentClient::demo(&server).await;
    let now = server.clock_now();
    // Open every day from the next whole hour (UTC) for two hours: closed now.
    let next_hour = (now.rem_euclid(DAY) / HOUR + 1) % 24;
    let opening = json!({"open": next_hour * 60, "close": next_hour * 60 + 120});
    let hours = json!({"enabled": true, "days": vec![opening.clone(); 7]});
    put(&agent, "office-hours", hours.clone()).await.assert_error(403, "forbidden");
    for bad in [
        json!({"enabled": true, "days": [opening]}),
        json!({"enabled": true, "days": vec![json!({"open": 600, "close": 500}); 7]}),
        json!({"enabled": true, "days": vec![Value::Null; 7]}),
    ] {
        put(&owner, "office-hours", bad).await.assert_error(422, "invalid_settings");
    }
    let saved: wire::WorkspaceSettings = put(&owner, "office-hours", hours).await.json();
    assert!(saved.office_hours.enabled);

    let lead = LeadClient::open(&server, porch_server::demo::WIDGET_KEY).await;
    let away = lead.reopen(porch_server::demo::WIDGET_KEY).await.away.expect("closed now");
    let back_at = away.back_at.expect("a day with hours");
    assert_eq!(back_at, now - now.rem_euclid(HOUR) + HOUR, "the next whole hour");
    assert!(away.back.unwrap().ends_with(&format!("at {next_hour:02}:00 UTC")));
    // Within the hours: nothing to say. Leads can write either way.
    server.advance(back_at - now);
    assert_eq!(lead.reopen(porch_server::demo::WIDGET_KEY).await.away, None);
    lead.start("hello outside or inside hours").await;
    // Off again: no message.
    let off = json!({"enabled": false, "days": vec![Value::Null; 7]});
    assert_eq!(put(&owner, "office-hours", off).await.status, 200);
    server.advance(3 * HOUR);
    assert_eq!(lead.reopen(porch_server::demo::WIDGET_KEY).await.away, None);
}

//! Group commit (issue 15): concurrent commands are decided and committed together, each on
//! the state the ones before it left, and published in commit order.

use std::collections::HashMap;

use futures_util::future::join_all;
use porch_protocol::{self as wire, Event};
use porch_server::demo;
use porch_store::testing::TestDatabase;
use porch_tests::*;
use serde_json::json;

async fn put(who: &AgentClient, what: &str, body: serde_json::Value) -> Answer {
    let path = format!("/api/v1/agent/settings/{what}");
    who.http.send(reqwest::Method::PUT, &path, Some(body)).await
}

/// Two owners save different settings at the same moment, round after round: both keep what
/// they saved. (Reading the settings before the lock, as Porch once did, loses one of the two
/// in most rounds.)
async fn no_saved_setting_is_lost(first: &AgentClient, second: &AgentClient) {
    let zones = ["Asia/Tokyo", "Europe/Paris", "America/New_York"];
    for round in 0..20 {
        let zone = zones[round % zones.len()];
        let category = format!("Category {round}");
        let notes = json!({"mode": "optional", "categories": [category]});
        let (a, b) = tokio::join!(
            put(first, "time-zone", json!({"time_zone": zone})),
            put(second, "closing-notes", notes)
        );
        assert_eq!((a.status.as_u16(), b.status.as_u16()), (200, 200), "{} {}", a.body, b.body);
        let view: wire::WorkspaceView = first.http.get("/api/v1/agent/workspace").await.json();
        assert_eq!(view.settings.time_zone.0, zone, "round {round}");
        assert_eq!(view.settings.closing_notes.categories, [category], "round {round}");
    }
}

#[tokio::test]
async fn concurrent_settings_saves_lose_no_update() {
    let server = TestServer::start().await;
    let (one, two) = tokio::join!(AgentClient::owner(&server), AgentClient::owner(&server));
    no_saved_setting_is_lost(&one, &two).await;
}

#[tokio::test]
async fn concurrent_settings_saves_on_two_servers_lose_no_update() {
    let Some(db) = TestDatabase::postgres().await else { return };
    let a = TestServer::start_on(db).await;
    let b = TestServer::start_at(&a.database_url, a.clock_now()).await;
    let on_a = AgentClient::owner(&a).await;
    let on_b = AgentClient::login(&b, demo::OWNER.1, demo::OWNER.2).await;
    no_saved_setting_is_lost(&on_a, &on_b).await;
    b.state.shutdown.cancel();
    a.stop_and_drop_database().await;
}

/// Many leads write at once: every message is answered and stored, and an agent's socket
/// receives the workspace's events once each, in seq order, with no gap, each lead's
/// messages in the order that lead sent them.
#[tokio::test]
async fn concurrent_messages_are_all_committed_and_pushed_in_order() {
    let server = TestServer::start().await;
    server.state.limits.set_unlimited();
    let agent = AgentClient::demo(&server).await;
    let mut socket = agent.socket(&server, agent.me.last_seq).await;
    let (_, ready) = socket.until_ready().await;
    const LEADS: usize = 40;
    const EACH: usize = 10;
    let leads = join_all((0..LEADS).map(|_| LeadClient::open(&server, demo::WIDGET_KEY))).await;
    let started = join_all(leads.iter().map(|l| l.start("hello"))).await;
    let sends = leads.iter().zip(&started).enumerate().map(|(n, (lead, c))| async move {
        for i in 0..EACH {
            let sent = lead.say(&c.id, &format!("lead {n} #{i}")).await;
            assert_eq!(sent.status, 201, "{}", sent.body);
        }
    });
    join_all(sends).await;

    let last = server.state.store.last_seq(&server.demo_workspace().await).await.unwrap();
    let mut seqs = Vec::new();
    let mut heard: HashMap<String, Vec<usize>> = HashMap::new();
    while seqs.last() != Some(&last) {
        let frame = socket.event().await;
        if let Event::MessagePosted { message } = &frame.event {
            if let Some((lead, i)) = message.body.split_once(" #") {
                heard.entry(lead.to_owned()).or_default().push(i.parse().unwrap());
            }
        }
        seqs.push(frame.seq);
    }
    assert_eq!(seqs, (ready + 1..=last).collect::<Vec<_>>(), "in seq order, once each");
    assert_eq!(heard.len(), LEADS);
    for (lead, order) in &heard {
        assert_eq!(order, &(0..EACH).collect::<Vec<_>>(), "{lead}");
    }
    for c in &started {
        assert_eq!(server.demo_messages(&c.id).await.len(), EACH + 1);
    }
}

//! Webhooks checked by an independent receiver: `tests/webhook_receiver.py` verifies every
//! request with the `standardwebhooks` package (PyPI). Every event type arrives verified; a
//! receiver down for a while, with a Porch restart in between, gets every event once, in order.

use porch_protocol::WEBHOOK_EVENT_TYPES;
use porch_server::demo;
use porch_tests::receiver::StandardReceiver;
use porch_tests::*;
use serde_json::json;

use crate::webhooks::add_endpoint;

#[tokio::test]
async fn every_event_type_verifies_with_the_standard_webhooks_library() {
    let Some(receiver) = StandardReceiver::start() else { return };
    let server = TestServer::start().await;
    let owner = AgentClient::owner(&server).await;
    let hook = add_endpoint(&owner, &receiver.url(), &WEBHOOK_EVENT_TYPES).await;
    receiver.set_secret(&hook.secret);
    let path = format!("/api/v1/agent/webhooks/{}/ping", hook.endpoint.id);
    owner.http.post(&path, json!({})).await;

    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("Hello").await.id;
    owner.reply(&conversation, "Hi!").await;
    owner.act(&conversation, "assign", json!({"agent_id": owner.me.agent.id})).await;
    owner.close(&conversation).await;
    owner.act(&conversation, "outcome", json!({"outcome": "unresolved"})).await;
    owner.act(&conversation, "reopen", json!({})).await;
    owner.act(&conversation, "block", json!({})).await;
    owner.act(&conversation, "unblock", json!({})).await;
    lead.http.post("/api/v1/widget/email", json!({"email": "ann@shop.example"})).await;

    let log = receiver.until_logged(11).await;
    assert!(log.iter().all(|e| e["verified"] == true), "{log:#?}");
    let mut types: Vec<&str> = log.iter().map(|e| e["type"].as_str().unwrap()).collect();
    assert_eq!(types.remove(0), "webhook.ping");
    types.sort_unstable();
    types.dedup();
    let mut every = WEBHOOK_EVENT_TYPES.to_vec();
    every.sort_unstable();
    assert_eq!(types, every, "every event type, verified");

    // A wrong secret on the receiver's side: refused, and Porch sees it refused.
    receiver.set_secret("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");
    let refused = owner.http.post(&path, json!({})).await;
    assert_eq!(refused.body["response_code"], 400, "{}", refused.body);
    let last = receiver.until_logged(12).await.pop().unwrap();
    assert_eq!(last["verified"], false);
}

#[tokio::test]
async fn a_receiver_down_for_a_while_gets_each_event_once_in_order_across_a_restart() {
    let Some(mut receiver) = StandardReceiver::start() else { return };
    let server = TestServer::start().await;
    let owner = AgentClient::owner(&server).await;
    let hook = add_endpoint(&owner, &receiver.url(), &["message.created"]).await;
    receiver.set_secret(&hook.secret);
    receiver.stop();

    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("one").await.id;
    for body in ["two", "three", "four"] {
        lead.say(&conversation, body).await;
    }
    // Refused connections: the first event is retried later and holds the others.
    let deliveries = format!("/api/v1/agent/webhooks/{}/deliveries", hook.endpoint.id);
    let failed = eventually_logged(&owner, &deliveries, 1).await;
    assert!(failed[0]["error"].as_str().unwrap().contains("connect"), "{failed:?}");
    server.advance(5_000);
    eventually_logged(&owner, &deliveries, 2).await;

    let server = server.restart().await;
    receiver.resume();
    server.advance(10_000);
    receiver.until_logged(4).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let log = receiver.log();
    assert!(log.iter().all(|e| e["verified"] == true), "{log:#?}");
    let ids: Vec<&str> = log.iter().map(|e| e["id"].as_str().unwrap()).collect();
    let mut unique = ids.clone();
    unique.dedup();
    assert_eq!(unique.len(), 4, "each event once: {ids:?}");
    let seqs: Vec<u64> = log.iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in order: {seqs:?}");
}

/// The endpoint's delivery log once it holds `n` attempts.
async fn eventually_logged(owner: &AgentClient, path: &str, n: usize) -> Vec<serde_json::Value> {
    for _ in 0..400 {
        let log: Vec<serde_json::Value> = owner.http.get(path).await.json();
        if log.len() >= n {
            return log;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{n} attempts expected");
}

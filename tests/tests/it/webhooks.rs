//! Webhooks (issue 16): endpoints get the events they chose, signed, in log order, at least
//! once with a stable id; failures are retried with backoff across restarts and turn the
//! endpoint off after a day; pings, "send again" and the delivery log; refused endpoints.

use std::collections::HashSet;

use porch_protocol::api::agent;
use porch_protocol::{self as wire, DeliveryStatus, WEBHOOK_EVENT_TYPES};
use porch_server::demo;
use porch_server::webhooks::payload::signature;
use porch_tests::browser::eventually;
use porch_tests::receiver::{Received, Receiver};
use porch_tests::*;
use serde_json::{json, Value};

pub async fn add_endpoint(
    owner: &AgentClient,
    url: &str,
    types: &[&str],
) -> wire::WebhookWithSecret {
    let answer =
        owner.http.post("/api/v1/agent/webhooks", json!({"url": url, "event_types": types})).await;
    assert_eq!(answer.status.as_u16(), 201, "{}", answer.body);
    answer.json()
}

/// Whether one of the `webhook-signature` entries is `secret`'s over the request.
pub fn signed_by(received: &Received, secret: &str) -> bool {
    let timestamp: i64 = received.timestamp.parse().expect("a timestamp");
    let expected = signature(&[secret], &received.id, timestamp, &received.body);
    received.signature.split(' ').any(|s| s == expected)
}

fn types(received: &[Received]) -> Vec<String> {
    received.iter().map(|r| r.json()["type"].as_str().unwrap().to_owned()).collect()
}

async fn endpoint(owner: &AgentClient, id: &str) -> wire::WebhookEndpoint {
    let all: Vec<wire::WebhookEndpoint> = owner.http.get("/api/v1/agent/webhooks").await.json();
    all.into_iter().find(|e| e.id == id).expect("the endpoint")
}

/// The endpoint's delivery log once it holds `attempts`: a receiver hears of an attempt just
/// before the server records its outcome.
async fn log(owner: &AgentClient, id: &str, attempts: usize) -> Vec<wire::WebhookDelivery> {
    let deliveries = agent::WEBHOOK_DELIVERIES;
    eventually("the delivery log", || async {
        let logged = owner.http.expect(deliveries.at(&[id]), &()).await;
        (logged.len() >= attempts).then_some(logged)
    })
    .await
}

#[tokio::test]
async fn every_event_type_is_delivered_signed_and_in_order() {
    let server = TestServer::start().await;
    let receiver = Receiver::start().await;
    let owner = AgentClient::owner(&server).await;
    let hook = add_endpoint(&owner, &receiver.url, &WEBHOOK_EVENT_TYPES).await;
    assert!(hook.secret.starts_with("whsec_"));

    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("Do you ship to Oslo?").await.id;
    owner.reply(&conversation, "We do.").await;
    let me = owner.me.agent.id.clone();
    owner.act(&conversation, "assign", json!({"agent_id": me})).await;
    owner.act(&conversation, "assign", json!({"agent_id": null})).await;
    let note = json!({"category": null, "summary": "Shipping question", "generated": false});
    let closed =
        owner.act(&conversation, "close", json!({"outcome": "resolved", "note": note})).await;
    assert_eq!(closed.status.as_u16(), 200, "{}", closed.body);
    owner.act(&conversation, "outcome", json!({"outcome": "unresolved"})).await;
    owner.act(&conversation, "reopen", json!({})).await;
    owner.act(&conversation, "block", json!({})).await;
    owner.act(&conversation, "unblock", json!({})).await;
    let email = lead.http.post("/api/v1/widget/email", json!({"email": "ann@shop.example"})).await;
    assert!(email.status.is_success(), "{}", email.body);

    let expected = [
        "conversation.started",
        "message.created",
        "message.created",
        "conversation.assigned",
        "conversation.assigned",
        "conversation.closed",
        "conversation.outcome_changed",
        "conversation.reopened",
        "contact.blocked",
        "contact.unblocked",
        "contact.identified",
    ];
    let got = receiver.until_accepted(expected.len()).await;
    assert_eq!(types(&got), expected);
    assert!(got.iter().all(|r| signed_by(r, &hook.secret)), "{got:?}");
    let seqs: Vec<u64> = got.iter().map(|r| r.json()["data"]["seq"].as_u64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "log order: {seqs:?}");
    let ids: HashSet<&str> = got.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), got.len(), "one id per event");
    let close = got[5].json();
    let data = &close["data"];
    assert_eq!(data["conversation_id"], json!(conversation));
    assert_eq!(
        (data["outcome"].as_str(), data["source"].as_str()),
        (Some("resolved"), Some("manual"))
    );
    assert_eq!(data["note"]["summary"], "Shipping question");
    assert_eq!(data["actor"], json!({"kind": "agent", "id": me}));
    assert!(close["timestamp"].as_str().unwrap().ends_with('Z'));
    assert_eq!(got[4].json()["data"]["agent_id"], Value::Null, "unassigned");
    assert_eq!(got[10].json()["data"]["email"], "ann@shop.example");
    let logged = log(&owner, &hook.endpoint.id, expected.len()).await;
    assert_eq!(logged.len(), expected.len());
    assert!(logged
        .iter()
        .all(|d| d.status == DeliveryStatus::Delivered && d.response_code == Some(204)));
}

#[tokio::test]
async fn an_endpoint_gets_only_what_it_chose() {
    let server = TestServer::start().await;
    let receiver = Receiver::start().await;
    let owner = AgentClient::owner(&server).await;
    add_endpoint(&owner, &receiver.url, &["conversation.closed"]).await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    for n in 0..3 {
        let conversation = lead.start(&format!("Question {n}")).await.id;
        owner.reply(&conversation, "Answer").await;
        owner.close(&conversation).await;
    }
    let got = receiver.until_accepted(3).await;
    assert_eq!(types(&got), ["conversation.closed"; 3]);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 3, "nothing else");
}

#[tokio::test]
async fn a_failing_receiver_gets_each_event_once_in_order_after_retries_and_a_restart() {
    let server = TestServer::start().await;
    let receiver = Receiver::start().await;
    receiver.answer(503);
    let owner = AgentClient::owner(&server).await;
    let hook = add_endpoint(&owner, &receiver.url, &["message.created"]).await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("first").await.id;
    lead.say(&conversation, "second").await;
    lead.say(&conversation, "third").await;

    // The head event fails and holds the others; its retries wait 5 s, then 10 s.
    receiver.until_received(1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), 1, "no retry before its time");
    let shown = eventually("the failure recorded", || async {
        Some(endpoint(&owner, &hook.endpoint.id).await).filter(|e| e.failing_since.is_some())
    })
    .await;
    let first_failure = server.clock_now();
    assert_eq!(shown.failing_since, Some(first_failure));
    assert_eq!(shown.next_attempt_at, Some(first_failure + 5_000));
    server.advance(5_000);
    receiver.until_received(2).await;
    let logged = log(&owner, &hook.endpoint.id, 2).await;
    assert_eq!(logged[0].attempt, 2);
    assert_eq!((logged[0].status, logged[0].response_code), (DeliveryStatus::Failed, Some(503)));
    assert_eq!(logged[0].next_attempt_at, Some(server.clock_now() + 10_000));

    // A restart in between: the next server resumes where the log says.
    let server = server.restart().await;
    receiver.answer(200);
    server.advance(10_000);
    let got = receiver.until_accepted(3).await;
    let bodies: Vec<_> = got.iter().map(|r| r.json()["data"]["message"]["body"].clone()).collect();
    assert_eq!(bodies, [json!("first"), json!("second"), json!("third")]);
    let tried: Vec<_> = receiver.received().iter().map(|r| r.id.clone()).collect();
    assert_eq!(tried[0], tried[1], "a retry carries the same id");
    assert_eq!(tried[1], tried[2]);
    let owner = AgentClient::owner(&server).await;
    let shown = endpoint(&owner, &hook.endpoint.id).await;
    assert_eq!((shown.failing_since, shown.next_attempt_at), (None, None));
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(receiver.accepted().len(), 3, "each once");
}

#[tokio::test]
async fn an_endpoint_failing_for_a_day_is_turned_off_and_on_again() {
    let server = TestServer::start().await;
    let receiver = Receiver::start().await;
    receiver.answer(500);
    let owner = AgentClient::owner(&server).await;
    let hook = add_endpoint(&owner, &receiver.url, &["conversation.started"]).await;
    let id = hook.endpoint.id.clone();
    LeadClient::open(&server, demo::WIDGET_KEY).await.start("hello?").await;
    receiver.until_received(1).await;
    let mut attempts = 1;
    loop {
        let shown = endpoint(&owner, &id).await;
        if !shown.enabled {
            let reason = shown.disabled_reason.expect("why it was turned off");
            assert!(reason.contains("24 hours") && reason.contains("HTTP 500"), "{reason}");
            break;
        }
        assert!(attempts < 60, "still on after {attempts} attempts");
        let wait = shown.next_attempt_at.expect("a retry") - server.clock_now();
        server.advance(wait);
        attempts += 1;
        receiver.until_received(attempts).await;
        // Until the failure is recorded, the endpoint shows the previous retry time.
        for _ in 0..100 {
            let now = endpoint(&owner, &id).await;
            if !now.enabled || now.next_attempt_at > shown.next_attempt_at {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
    assert!((30..40).contains(&attempts), "{attempts} attempts over a day");
    server.advance(24 * 60 * 60_000);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(receiver.received().len(), attempts, "off: no more attempts");

    // Fixed and turned on: the waiting event is delivered.
    receiver.answer(200);
    let on = json!({"url": receiver.url, "event_types": ["conversation.started"], "enabled": true});
    let saved: wire::WebhookEndpoint = owner
        .http
        .send(reqwest::Method::PUT, &format!("/api/v1/agent/webhooks/{id}"), Some(on))
        .await
        .json();
    assert!(saved.enabled && saved.disabled_reason.is_none());
    assert_eq!(receiver.until_accepted(1).await.len(), 1);
}

#[tokio::test]
async fn a_ping_a_resend_and_a_rotated_secret() {
    let server = TestServer::start().await;
    let receiver = Receiver::start().await;
    let owner = AgentClient::owner(&server).await;
    let hook = add_endpoint(&owner, &receiver.url, &["conversation.started"]).await;
    let path = format!("/api/v1/agent/webhooks/{}", hook.endpoint.id);
    let ping: wire::WebhookDelivery =
        owner.http.post(&format!("{path}/ping"), json!({})).await.json();
    assert_eq!(
        (ping.event_type.as_str(), ping.status, ping.response_code),
        ("webhook.ping", DeliveryStatus::Delivered, Some(204))
    );
    let got = receiver.until_accepted(1).await;
    assert_eq!(got[0].json()["type"], "webhook.ping");
    assert!(signed_by(&got[0], &hook.secret));

    LeadClient::open(&server, demo::WIDGET_KEY).await.start("hello").await;
    let first = receiver.until_accepted(2).await[1].clone();
    let logged = log(&owner, &hook.endpoint.id, 2).await;
    let resend = format!("{path}/deliveries/{}/resend", logged[0].id);
    let again: wire::WebhookDelivery = owner.http.post(&resend, json!({})).await.json();
    assert_eq!((again.message_id.as_str(), again.attempt), (first.id.as_str(), 2));
    let resent = receiver.until_accepted(3).await[2].clone();
    assert_eq!(
        (resent.id.as_str(), resent.body.as_str()),
        (first.id.as_str(), first.body.as_str())
    );

    // Rotated: both secrets sign during the overlap, then only the new one.
    let rotated: wire::WebhookWithSecret =
        owner.http.post(&format!("{path}/rotate-secret"), json!({})).await.json();
    assert_ne!(rotated.secret, hook.secret);
    owner.http.post(&format!("{path}/ping"), json!({})).await;
    let during = receiver.until_accepted(4).await[3].clone();
    assert!(signed_by(&during, &hook.secret) && signed_by(&during, &rotated.secret));
    server.advance(24 * 60 * 60_000);
    owner.http.post(&format!("{path}/ping"), json!({})).await;
    let after = receiver.until_accepted(5).await[4].clone();
    assert!(signed_by(&after, &rotated.secret) && !signed_by(&after, &hook.secret));
}

#[tokio::test]
async fn a_slow_or_huge_receiver_is_bounded() {
    let server = TestServer::start().await;
    let receiver = Receiver::start().await;
    let owner = AgentClient::owner(&server).await;
    let hook = add_endpoint(&owner, &receiver.url, &["conversation.started"]).await;
    let ping = format!("/api/v1/agent/webhooks/{}/ping", hook.endpoint.id);
    receiver.delay(std::time::Duration::from_secs(4));
    let slow: wire::WebhookDelivery = owner.http.post(&ping, json!({})).await.json();
    assert_eq!((slow.status, slow.response_code), (DeliveryStatus::Failed, None));
    assert!(slow.error.as_deref().is_some_and(|e| e.contains("timed out")), "{slow:?}");
    assert!(slow.latency_ms < 3_500, "the 2 s timeout held: {slow:?}");
    receiver.delay(std::time::Duration::ZERO);
    receiver.body_of(20 * 1024 * 1024);
    let huge: wire::WebhookDelivery = owner.http.post(&ping, json!({})).await.json();
    assert_eq!((huge.status, huge.response_code), (DeliveryStatus::Delivered, Some(204)));
}

#[tokio::test]
async fn bad_endpoints_are_refused_and_others_unreachable() {
    let server = TestServer::start_with(|state| {
        state.webhooks = std::sync::Arc::default(); // private targets refused, as by default
    })
    .await;
    let owner = AgentClient::owner(&server).await;
    let long = format!("https://crm.example/{}", "a".repeat(2_000));
    let refused = [
        ("http://127.0.0.1:9/hook", vec!["conversation.closed"], "invalid_url"),
        ("https://127.0.0.1/hook", vec!["conversation.closed"], "private_address"),
        ("https://[::1]/hook", vec!["conversation.closed"], "private_address"),
        ("https://169.254.169.254/latest", vec!["conversation.closed"], "private_address"),
        ("https://localhost/hook", vec!["conversation.closed"], "private_address"),
        ("http://93.184.216.34/hook", vec!["conversation.closed"], "invalid_url"),
        ("ftp://93.184.216.34/hook", vec!["conversation.closed"], "invalid_url"),
        ("not a url", vec!["conversation.closed"], "invalid_url"),
        ("https://user:pw@93.184.216.34/hook", vec!["conversation.closed"], "invalid_url"),
        (long.as_str(), vec!["conversation.closed"], "invalid_url"),
        ("https://93.184.216.34/hook", vec!["conversation.deleted"], "unknown_event_type"),
        ("https://93.184.216.34/hook", vec![], "unknown_event_type"),
    ];
    for (url, types, code) in refused {
        let body = json!({"url": url, "event_types": types});
        owner.http.post("/api/v1/agent/webhooks", body).await.assert_error(422, code);
    }
    owner
        .http
        .post_raw("/api/v1/agent/webhooks", "application/json", "{")
        .await
        .assert_error(400, "malformed_json");
    let ok = add_endpoint(&owner, "https://93.184.216.34/hook", &["conversation.closed"]).await;
    for _ in 1..wire::MAX_WEBHOOKS {
        add_endpoint(&owner, "https://93.184.216.34/hook", &["conversation.closed"]).await;
    }
    let body = json!({"url": "https://93.184.216.34/x", "event_types": ["conversation.closed"]});
    owner.http.post("/api/v1/agent/webhooks", body).await.assert_error(409, "too_many_webhooks");

    // An agent, a token and another workspace's owner reach none of it.
    let path = format!("/api/v1/agent/webhooks/{}", ok.endpoint.id);
    let agent = AgentClient::demo(&server).await;
    agent.http.get("/api/v1/agent/webhooks").await.assert_error(403, "forbidden");
    let token =
        owner.http.post("/api/v1/agent/tokens", json!({"name": "t", "scope": "write"})).await;
    let api = Http::new(&server).with_bearer(token.body["secret"].as_str().unwrap());
    api.get("/api/v1/agent/webhooks").await.assert_error(403, "token_not_allowed");
    let team =
        server.team_workspace(wire::Plan::Free, Default::default(), Default::default()).await;
    let stranger = AgentClient::login(&server, &team.agents[0].1, PASSWORD).await;
    let save = json!({"url": "https://93.184.216.34/x", "event_types": ["conversation.closed"]});
    stranger
        .http
        .send(reqwest::Method::PUT, &path, Some(save))
        .await
        .assert_error(404, "not_found");
    stranger.http.post(&format!("{path}/ping"), json!({})).await.assert_error(404, "not_found");
    stranger.http.get(&format!("{path}/deliveries")).await.assert_error(404, "not_found");
    stranger.http.send(reqwest::Method::DELETE, &path, None).await.assert_error(404, "not_found");
    assert_eq!(endpoint(&owner, &ok.endpoint.id).await, ok.endpoint, "untouched");
}

#[tokio::test]
async fn two_servers_on_one_database_deliver_each_event_once_in_order() {
    let Some(db) = porch_store::testing::TestDatabase::postgres().await else { return };
    let a = TestServer::start_on(db).await;
    let b = TestServer::start_at(&a.database_url, a.clock_now()).await;
    let receiver = Receiver::start().await;
    let owner = AgentClient::owner(&a).await;
    let hook = add_endpoint(&owner, &receiver.url, &["message.created"]).await;
    let lead = LeadClient::open(&a, demo::WIDGET_KEY).await;
    let conversation = lead.start("message 0").await.id;
    let on_b = Http::new(&b).with_cookie(owner.cookie());
    for n in 1..40 {
        let body = json!({"body": format!("message {n}")});
        let path = format!("/api/v1/agent/conversations/{conversation}/messages");
        let http = if n % 2 == 0 { &owner.http } else { &on_b };
        assert_eq!(http.post(&path, body).await.status.as_u16(), 201);
    }
    let got = receiver.until_accepted(40).await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let got_all = receiver.received();
    assert_eq!(got_all.len(), 40, "each attempt made once: {got_all:?}");
    let bodies: Vec<String> = got
        .iter()
        .map(|r| r.json()["data"]["message"]["body"].as_str().unwrap().to_owned())
        .collect();
    let expected: Vec<String> = (0..40).map(|n| format!("message {n}")).collect();
    assert_eq!(bodies, expected);
    assert!(got.iter().all(|r| signed_by(r, &hook.secret)));
    drop(b);
    a.stop_and_drop_database().await;
}

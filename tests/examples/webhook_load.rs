//! Webhook delivery (run by `cargo xtask bench`; prints figures, asserts nothing), a server
//! and its receivers in this process on SQLite, the real HTTP client and loopback sockets:
//! 1. latency at 100 events/s to 10 endpoints: from just before the POST that commits a
//!    message to its arrival at each receiver, p50 and p99;
//! 2. throughput to one fast receiver: 2,000 events waiting, the endpoint turned on, until
//!    the last one arrived.

use std::time::{Duration, Instant};

use porch_server::demo;
use porch_tests::receiver::Receiver;
use porch_tests::*;
use serde_json::json;

const ENDPOINTS: usize = 10;
const RATE: u64 = 100;
const SECONDS: u64 = 5;
const BACKLOG: usize = 2_000;

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn endpoint(owner: &AgentClient, url: &str, enabled: bool) -> String {
    let body = json!({"url": url, "event_types": ["message.created"], "enabled": enabled});
    let answer = owner.http.post("/api/v1/agent/webhooks", body).await;
    assert_eq!(answer.status.as_u16(), 201, "{}", answer.body);
    answer.body["endpoint"]["id"].as_str().unwrap().to_owned()
}

#[tokio::main]
async fn main() {
    let server = TestServer::start().await;
    server.state.limits.set_unlimited();
    let owner = AgentClient::owner(&server).await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("warm-up").await.id;

    // 1. Latency: 10 endpoints, one message every 10 ms for 5 s.
    let mut receivers = Vec::new();
    for _ in 0..ENDPOINTS {
        let receiver = Receiver::start().await;
        endpoint(&owner, &receiver.url, true).await;
        receivers.push(receiver);
    }
    let events = (RATE * SECONDS) as usize;
    let mut sent = Vec::with_capacity(events);
    let started = Instant::now();
    for n in 0..events {
        let due = started + Duration::from_millis(n as u64 * 1000 / RATE);
        tokio::time::sleep_until(due.into()).await;
        sent.push(Instant::now());
        let answer = lead.say(&conversation, &format!("event {n}")).await;
        assert_eq!(answer.status.as_u16(), 201, "{}", answer.body);
    }
    let mut latencies = Vec::with_capacity(events * ENDPOINTS);
    for receiver in &receivers {
        for got in receiver.until_accepted(events).await {
            let body =
                got.json()["data"]["message"]["body"].as_str().unwrap_or_default().to_owned();
            if let Some(n) = body.strip_prefix("event ").and_then(|n| n.parse::<usize>().ok()) {
                latencies.push(got.at.duration_since(sent[n]).as_secs_f64() * 1000.0);
            }
        }
    }
    latencies.sort_by(f64::total_cmp);
    println!(
        "webhooks: {events} events at {RATE}/s to {ENDPOINTS} endpoints: {} deliveries, POST → receiver p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        latencies.len(),
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.9),
        percentile(&latencies, 0.99),
        percentile(&latencies, 1.0)
    );
    for receiver in &receivers {
        receiver.answer(410); // the latency endpoints are done: they would only slow the rest
    }
    let hooks: Vec<serde_json::Value> = owner.http.get("/api/v1/agent/webhooks").await.json();
    for hook in hooks {
        let path = format!("/api/v1/agent/webhooks/{}", hook["id"].as_str().unwrap());
        owner.http.send(reqwest::Method::DELETE, &path, None).await;
    }

    // 2. Throughput: a backlog sent as fast as one receiver takes it.
    let fast = Receiver::start().await;
    let id = endpoint(&owner, &fast.url, false).await;
    for n in 0..BACKLOG {
        lead.say(&conversation, &format!("backlog {n}")).await;
    }
    let on = json!({"url": fast.url, "event_types": ["message.created"], "enabled": true});
    let started = Instant::now();
    owner.http.send(reqwest::Method::PUT, &format!("/api/v1/agent/webhooks/{id}"), Some(on)).await;
    let got = fast.until_accepted(BACKLOG).await;
    let took = got.last().unwrap().at.duration_since(started).as_secs_f64();
    println!(
        "webhooks: a backlog of {BACKLOG} events to one receiver in {took:.2} s: {:.0} deliveries/s (in order, one at a time)",
        BACKLOG as f64 / took
    );
}

//! Live push across servers (run by `cargo xtask bench` when `PORCH_TEST_POSTGRES_URL` is set;
//! prints figures, asserts nothing): two servers in this process on one PostgreSQL database, a
//! lead posting on A, an agent's socket on B (and, for comparison, one on A). Each latency is
//! from just before the lead's POST on A to the frame arriving on the socket.

use std::time::{Duration, Instant};

use porch_protocol::Event;
use porch_server::demo;
use porch_store::testing::TestDatabase;
use porch_tests::*;

const MESSAGES: usize = 300;

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i].as_secs_f64() * 1000.0
}

#[tokio::main]
async fn main() {
    let Some(db) = TestDatabase::postgres().await else {
        println!("skipped: set PORCH_TEST_POSTGRES_URL to measure push across servers");
        return;
    };
    let a = TestServer::start_on(db).await;
    let b = TestServer::start_at(&a.database_url, a.clock_now()).await;
    for server in [&a, &b] {
        server.state.limits.set_unlimited();
    }
    let on_a = AgentClient::demo(&a).await;
    let on_b = AgentClient::owner(&b).await;
    let lead = LeadClient::open(&a, demo::WIDGET_KEY).await;
    let conversation = lead.start("latency probe").await;
    for (label, agent, server) in [("A -> socket on A", &on_a, &a), ("A -> socket on B", &on_b, &b)]
    {
        let mut socket = agent.socket(server, agent.me.last_seq).await;
        socket.until_ready().await;
        let mut took = Vec::with_capacity(MESSAGES);
        for i in 0..MESSAGES {
            let body = format!("probe {label} {i}");
            let started = Instant::now();
            lead.say(&conversation.id, &body).await;
            loop {
                if let Event::MessagePosted { message } = socket.event().await.event {
                    if message.body == body {
                        break;
                    }
                }
            }
            took.push(started.elapsed());
        }
        took.sort();
        println!(
            "{label}: {MESSAGES} messages, p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            percentile(&took, 0.5),
            percentile(&took, 0.99),
            percentile(&took, 1.0)
        );
    }
    b.state.shutdown.cancel();
    a.stop_and_drop_database().await;
}

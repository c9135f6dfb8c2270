//! Load under abuse (run by `cargo xtask bench`; prints figures, asserts nothing), against the
//! real server binary in its own process, so its RSS is the server's alone:
//! 1. server RSS with 1,000 lead sockets open, then after each sent the largest message a
//!    client may send (4 KiB; the server answers an error frame and keeps the socket);
//! 2. a normal lead's message latency (p50, p99), alone and while 8 flooding leads are refused
//!    with 429.
//!
//! Usage: `abuse_load PATH_TO_PORCH_SERVER`.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use porch_tests::bench::{self, percentile, start_conversation, Server};
use serde_json::json;
use tokio_tungstenite::tungstenite::{client::IntoClientRequest, Message};

const SOCKETS: usize = 1_000;
const MAX_CLIENT_MESSAGE: usize = 4 * 1024;

/// A new lead's visitor token; each from its own (forwarded) address, as real visitors are.
async fn lead(client: &reqwest::Client, base: &str, n: usize) -> String {
    let address = format!("10.{}.{}.{}", n / 65_536 % 256, n / 256 % 256, n % 256);
    bench::lead_from(client, base, "demo", Some(address)).await
}

/// 25 messages of a normal lead, one every 50 ms (within their limits): p50 and p99 in ms.
async fn normal_lead(client: &reqwest::Client, base: &str, n: usize) -> (f64, f64) {
    let token = lead(client, base, n).await;
    let id = start_conversation(client, base, &token).await;
    let mut took = Vec::new();
    for i in 0..25 {
        let at = Instant::now();
        let answer = client
            .post(format!("{base}/api/v1/widget/conversations/{id}/messages"))
            .bearer_auth(&token)
            .json(&json!({"body": format!("question {i}")}))
            .send()
            .await
            .unwrap();
        assert_eq!(answer.status(), 201);
        took.push(at.elapsed().as_secs_f64() * 1000.0);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    took.sort_by(f64::total_cmp);
    (percentile(&took, 0.5), percentile(&took, 0.99))
}

#[tokio::main]
async fn main() {
    let binary = std::env::args().nth(1).expect("usage: abuse_load PATH_TO_PORCH_SERVER");
    let dir = std::env::temp_dir().join(format!("porch-abuse-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}/porch.db", dir.display());
    let server = Server::start(&binary, &url, &dir, &["--trust-forwarded"]).await;
    let base = server.base.clone();
    let client = reqwest::Client::new();
    let at_start = server.rss_mib();
    println!("server RSS at start: {at_start:.1} MiB");

    let ws = format!("ws{}/api/v1/widget/ws", base.trim_start_matches("http"));
    let mut sockets = Vec::with_capacity(SOCKETS);
    for n in 0..SOCKETS {
        let token = lead(&client, &base, n).await;
        let mut request = ws.as_str().into_client_request().unwrap();
        let protocols = format!("porch, porch.token.{token}");
        request.headers_mut().insert("sec-websocket-protocol", protocols.parse().unwrap());
        let (mut socket, _) = tokio_tungstenite::connect_async(request).await.unwrap();
        let _ready = socket.next().await;
        sockets.push(socket);
    }
    let idle = server.rss_mib();
    println!(
        "server RSS with {SOCKETS} idle lead sockets: {idle:.1} MiB ({:.1} KiB a socket, its \
         lead and session included)",
        (idle - at_start) * 1024.0 / SOCKETS as f64
    );
    let largest = "x".repeat(MAX_CLIENT_MESSAGE);
    for socket in &mut sockets {
        socket.send(Message::Text(largest.clone().into())).await.unwrap();
    }
    for socket in &mut sockets {
        let _error_frame = socket.next().await;
    }
    let after = server.rss_mib();
    println!(
        "server RSS after each sent a {MAX_CLIENT_MESSAGE}-byte message: {after:.1} MiB \
         ({:.1} KiB a socket over idle)",
        (after - idle) * 1024.0 / SOCKETS as f64
    );
    drop(sockets);

    let (p50, p99) = normal_lead(&client, &base, 100_000).await;
    println!("a normal lead's message, alone: p50 {p50:.1} ms, p99 {p99:.1} ms");
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut flooders = Vec::new();
    for f in 0..8 {
        let (client, base, stop) = (client.clone(), base.clone(), stop.clone());
        flooders.push(tokio::spawn(async move {
            let token = lead(&client, &base, 200_000 + f).await;
            let id = start_conversation(&client, &base, &token).await;
            let (mut sent, mut refused) = (0u64, 0u64);
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let answer = client
                    .post(format!("{base}/api/v1/widget/conversations/{id}/messages"))
                    .bearer_auth(&token)
                    .json(&json!({"body": "spam"}))
                    .send()
                    .await
                    .unwrap();
                sent += 1;
                refused += u64::from(answer.status() == 429);
            }
            (sent, refused)
        }));
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (p50, p99) = normal_lead(&client, &base, 100_001).await;
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let (mut sent, mut refused) = (0, 0);
    for f in flooders {
        let (s, r) = f.await.unwrap();
        (sent, refused) = (sent + s, refused + r);
    }
    println!(
        "a normal lead's message during a flood ({sent} flood requests, {refused} refused 429): \
         p50 {p50:.1} ms, p99 {p99:.1} ms"
    );
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

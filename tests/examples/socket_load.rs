//! Idle widget sockets and close latency (run by `cargo xtask bench`; prints figures, asserts
//! nothing), against the release server binary in its own process, started with
//! `--lift-lead-limits` (10,000 leads come from one address):
//! 1. server RSS per idle lead socket with [`SOCKETS`] open (the lead and its session included);
//! 2. with them open, a seller closes conversations one after another: close request sent →
//!    the lead's frame received, p50 and p99 over [`CLOSES`] closes;
//! 3. the same with nats-server in the same run: [`SOCKETS`] idle WebSocket subscribers, one
//!    subject each; publish → delivered, and JetStream (file store) publish → acknowledged and
//!    delivered.
//!
//! 4. With `PORCH_TEST_POSTGRES_URL`: [`SPREAD`] idle lead sockets over [`SERVERS`] servers on
//!    one PostgreSQL database (a process may hold 20,000 descriptors here), each server's
//!    sockets held by a client process of its own: the servers' RSS a socket, and how many
//!    opened.
//!
//! Usage: `socket_load PATH_TO_PORCH_SERVER`; PostgreSQL too with `PORCH_TEST_POSTGRES_URL`.
//! (`socket_load hold BASE COUNT` is the client process of step 4.)

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use porch_store::testing::TestDatabase;
use porch_tests::bench::{self, percentile, Server};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::Message;

const SOCKETS: usize = 10_000;
const CLOSES: usize = 300;
const SPREAD: usize = 100_000;
const SERVERS: usize = 7;
/// Sockets a client process of step 4 opens at once.
const AT_ONCE: usize = 8;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// A client socket with small buffers: this process holds as many as the server.
async fn connect(request: impl IntoClientRequest + Unpin) -> Socket {
    try_connect(request).await.unwrap()
}

async fn try_connect(request: impl IntoClientRequest + Unpin) -> Result<Socket, String> {
    let config = WebSocketConfig::default().read_buffer_size(4096).write_buffer_size(0);
    let connected =
        tokio_tungstenite::connect_async_with_config(request, Some(config), false).await;
    connected.map(|(socket, _)| socket).map_err(|e| format!("socket: {e}"))
}

/// The next text frame, or `None` after `within`.
async fn next_text(socket: &mut Socket, within: Duration) -> Option<String> {
    loop {
        match tokio::time::timeout(within, socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => return Some(text.to_string()),
            Ok(Some(Ok(_))) => {}
            _ => return None,
        }
    }
}

/// A lead's socket, read up to its `ready` frame.
async fn lead_socket(base: &str, token: &str) -> Socket {
    socket(base, token).await.unwrap()
}

/// A lead's socket, read up to its `ready` frame (past any backlog), or why not.
async fn socket(base: &str, token: &str) -> Result<Socket, String> {
    let url = format!("ws{}/api/v1/widget/ws", base.trim_start_matches("http"));
    let mut request = url.into_client_request().map_err(|e| e.to_string())?;
    let protocols = format!("porch, porch.token.{token}").parse().map_err(|_| "token")?;
    request.headers_mut().insert("sec-websocket-protocol", protocols);
    let mut socket = try_connect(request).await?;
    loop {
        match next_text(&mut socket, Duration::from_secs(30)).await {
            Some(text) if text.starts_with("{\"ready\"") => return Ok(socket),
            Some(_) => {}
            None => return Err("socket: no ready frame".into()),
        }
    }
}

async fn porch(binary: &str, backend: &str, database_url: &str, dir: &std::path::Path) {
    let server = Server::start(binary, database_url, dir, &["--lift-lead-limits"]).await;
    let client = reqwest::Client::new();
    let base = server.base.clone();
    // The leads whose conversations get closed, then idle ones up to SOCKETS.
    let mut active = Vec::with_capacity(CLOSES);
    for _ in 0..CLOSES {
        let token = bench::lead(&client, &base, porch_server::demo::WIDGET_KEY).await;
        let conversation = bench::start_conversation(&client, &base, &token).await;
        active.push((token, conversation));
    }
    let tokens: Vec<String> = {
        let mut tokens = Vec::with_capacity(SOCKETS - CLOSES);
        for _ in CLOSES..SOCKETS {
            tokens.push(bench::lead(&client, &base, porch_server::demo::WIDGET_KEY).await);
        }
        tokens
    };
    let at_start = server.rss_mib();
    let mut sockets = Vec::with_capacity(SOCKETS);
    for (token, _) in &active {
        sockets.push(lead_socket(&base, token).await);
    }
    for token in &tokens {
        sockets.push(lead_socket(&base, token).await);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle = server.rss_mib();
    println!(
        "{backend}: {SOCKETS} idle lead sockets: server RSS {at_start:.0} → {idle:.0} MiB, \
         {:.1} KiB a socket",
        (idle - at_start) * 1024.0 / SOCKETS as f64
    );

    let login: serde_json::Value = json!({
        "email": porch_server::demo::AGENT.1, "password": porch_server::demo::AGENT.2
    });
    let answer = client.post(format!("{base}/api/v1/agent/login")).json(&login).send().await;
    let cookie = answer
        .unwrap()
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .find(|c| c.starts_with("porch_session="))
        .expect("a session cookie");
    let mut took = Vec::with_capacity(CLOSES);
    for (i, (_, conversation)) in active.iter().enumerate() {
        let socket = &mut sockets[i];
        let started = Instant::now();
        let close = client
            .post(format!("{base}/api/v1/agent/conversations/{conversation}/close"))
            .header("cookie", &cookie)
            .json(&json!({"outcome": "resolved"}))
            .send();
        let (answer, frame) = tokio::join!(close, next_text(socket, Duration::from_secs(10)));
        let heard = started.elapsed().as_secs_f64() * 1000.0;
        match (answer.map(|a| a.status().as_u16()), frame) {
            (Ok(200), Some(_)) => took.push(heard),
            (status, frame) => println!("  a close failed: {status:?} {frame:?}"),
        }
    }
    took.sort_by(f64::total_cmp);
    println!(
        "{backend}: close → the lead's frame with {SOCKETS} sockets open: p50 {:.1} ms, p99 \
         {:.1} ms ({} closes)",
        percentile(&took, 0.5),
        percentile(&took, 0.99),
        took.len()
    );
}

/// A NATS client connection over TCP: sends, and reads its lines.
struct Nats {
    reader: BufReader<tokio::net::tcp::OwnedReadHalf>,
    writer: tokio::net::tcp::OwnedWriteHalf,
}

impl Nats {
    async fn connect(port: u16) -> Nats {
        let stream = tokio::net::TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        let (read, writer) = stream.into_split();
        let mut nats = Nats { reader: BufReader::new(read), writer };
        nats.line().await; // INFO
        nats.send("CONNECT {\"verbose\":false,\"protocol\":1}\r\nSUB _INBOX.> 1\r\n").await;
        nats
    }

    async fn send(&mut self, text: &str) {
        self.writer.write_all(text.as_bytes()).await.unwrap();
    }

    async fn line(&mut self) -> String {
        let mut line = String::new();
        self.reader.read_line(&mut line).await.unwrap();
        line
    }

    /// Waits for a message on `subject`, answering pings; returns its payload.
    async fn reply(&mut self, subject: &str) -> String {
        loop {
            let line = self.line().await;
            if line.starts_with("PING") {
                self.send("PONG\r\n").await;
            } else if line.starts_with("MSG ") {
                let payload = self.line().await;
                if line.split(' ').nth(1) == Some(subject) {
                    return payload;
                }
            }
        }
    }
}

async fn nats() {
    let dir = std::env::temp_dir().join(format!("porch-nats-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let free = || std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (port, ws_port) = (free(), free());
    let config = format!(
        "listen: 127.0.0.1:{port}\nwebsocket {{ listen: \"127.0.0.1:{ws_port}\", no_tls: true }}\n\
         jetstream {{ store_dir: \"{}\" }}\n",
        dir.display()
    );
    std::fs::write(dir.join("nats.conf"), config).unwrap();
    let mut child = std::process::Command::new("nats-server")
        .arg("-c")
        .arg(dir.join("nats.conf"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("nats-server");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", ws_port)).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let at_start = bench::rss_mib(child.id());
    let mut sockets = Vec::with_capacity(SOCKETS);
    for i in 0..SOCKETS {
        let mut socket = connect(format!("ws://127.0.0.1:{ws_port}")).await;
        next_text_or_binary(&mut socket).await; // INFO
        let hello =
            format!("CONNECT {{\"verbose\":false,\"protocol\":1}}\r\nSUB lead.{i} 1\r\nPING\r\n");
        socket.send(Message::Text(hello.into())).await.unwrap();
        while !next_text_or_binary(&mut socket).await.contains("PONG") {}
        sockets.push(socket);
    }
    let idle = bench::rss_mib(child.id());
    println!(
        "nats-server: {SOCKETS} idle WebSocket subscribers: RSS {at_start:.0} → {idle:.0} MiB, \
         {:.1} KiB a socket",
        (idle - at_start) * 1024.0 / SOCKETS as f64
    );
    let mut publisher = Nats::connect(port).await;
    let stream = r#"{"name":"LEADS","subjects":["lead.>"],"storage":"file"}"#;
    let create =
        format!("PUB $JS.API.STREAM.CREATE.LEADS _INBOX.create {}\r\n{stream}\r\n", stream.len());
    publisher.send(&create).await;
    publisher.reply("_INBOX.create").await;
    for durable in [false, true] {
        let mut took = Vec::with_capacity(CLOSES);
        for (i, socket) in sockets.iter_mut().enumerate().take(CLOSES) {
            let started = Instant::now();
            let reply = if durable { format!(" _INBOX.ack.{i}") } else { String::new() };
            publisher.send(&format!("PUB lead.{i}{reply} 5\r\nclose\r\n")).await;
            if durable {
                publisher.reply(&format!("_INBOX.ack.{i}")).await;
            }
            while !next_text_or_binary(socket).await.contains("MSG") {}
            took.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        took.sort_by(f64::total_cmp);
        let what = if durable {
            "JetStream publish → acknowledged and delivered"
        } else {
            "publish → delivered"
        };
        println!(
            "nats-server: {what}, {SOCKETS} sockets: p50 {:.2} ms, p99 {:.2} ms",
            percentile(&took, 0.5),
            percentile(&took, 0.99)
        );
    }
    let _ = child.kill();
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}

/// NATS speaks in binary WebSocket frames: the next one as text.
async fn next_text_or_binary(socket: &mut Socket) -> String {
    loop {
        match tokio::time::timeout(Duration::from_secs(10), socket.next()).await {
            Ok(Some(Ok(Message::Text(text)))) => return text.to_string(),
            Ok(Some(Ok(Message::Binary(bytes)))) => return String::from_utf8_lossy(&bytes).into(),
            Ok(Some(Ok(_))) => {}
            other => panic!("nats socket: {other:?}"),
        }
    }
}

/// Step 4's client process: opens `count` lead sockets on the server at `base` ([`AT_ONCE`]
/// at a time), says how many opened (and the first failure), and holds them until its input
/// closes.
async fn hold(base: String, count: usize) {
    let held = std::sync::Arc::new(tokio::sync::Mutex::new(Vec::with_capacity(count)));
    let failed = std::sync::Arc::new(std::sync::Mutex::new((0usize, None::<String>)));
    let client = reqwest::Client::new();
    let tasks: Vec<_> = (0..AT_ONCE)
        .map(|t| {
            let (base, client, held, failed) =
                (base.clone(), client.clone(), held.clone(), failed.clone());
            tokio::spawn(async move {
                for _ in (t..count).step_by(AT_ONCE) {
                    match try_lead_socket(&client, &base).await {
                        Ok(socket) => held.lock().await.push(socket),
                        Err(e) => {
                            let mut failed = failed.lock().unwrap();
                            failed.0 += 1;
                            failed.1.get_or_insert(e);
                        }
                    }
                }
            })
        })
        .collect();
    for task in tasks {
        let _ = task.await;
    }
    let (failures, first) = failed.lock().unwrap().clone();
    println!("held {} failed {failures} {}", held.lock().await.len(), first.unwrap_or_default());
    let _ = tokio::task::spawn_blocking(|| std::io::stdin().read_line(&mut String::new())).await;
}

/// A new lead's socket, read up to its `ready` frame, or why not.
async fn try_lead_socket(client: &reqwest::Client, base: &str) -> Result<Socket, String> {
    let session = client
        .post(format!("{base}/api/v1/widget/session"))
        .json(&json!({"workspace_key": porch_server::demo::WIDGET_KEY}))
        .send()
        .await
        .map_err(|e| format!("session: {e}"))?;
    let status = session.status();
    let body: serde_json::Value = session.json().await.map_err(|e| format!("session: {e}"))?;
    let token = body["visitor_token"].as_str().ok_or(format!("session: {status} {body}"))?;
    socket(base, token).await
}

/// Step 4: [`SPREAD`] sockets over [`SERVERS`] servers on one PostgreSQL database.
async fn spread(binary: &str, database_url: &str, dir: &std::path::Path) {
    let mut servers = Vec::with_capacity(SERVERS);
    for _ in 0..SERVERS {
        // 7 × (12 + 1 listening) connections stay under PostgreSQL's default 100.
        servers.push(
            Server::start(
                binary,
                database_url,
                dir,
                &["--lift-lead-limits", "--database-pool", "12"],
            )
            .await,
        );
    }
    let at_start: f64 = servers.iter().map(Server::rss_mib).sum();
    let started = Instant::now();
    let me = std::env::current_exe().unwrap();
    let mut clients: Vec<_> = servers
        .iter()
        .map(|server| {
            std::process::Command::new(&me)
                .args(["hold", &server.base, &(SPREAD / SERVERS).to_string()])
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let (mut held, mut failed) = (0, 0);
    for client in &mut clients {
        let mut out = std::io::BufReader::new(client.stdout.take().unwrap());
        let mut line = String::new();
        std::io::BufRead::read_line(&mut out, &mut line).unwrap();
        let words: Vec<&str> = line.split_whitespace().collect();
        held += words.get(1).and_then(|n| n.parse::<usize>().ok()).unwrap_or(0);
        let failures = words.get(3).and_then(|n| n.parse::<usize>().ok()).unwrap_or(0);
        if failures > 0 {
            println!("  {failures} failed, the first: {}", words[4..].join(" "));
        }
        failed += failures;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let idle: f64 = servers.iter().map(Server::rss_mib).sum();
    println!(
        "PostgreSQL, {SERVERS} servers: {held} of {SPREAD} idle lead sockets open ({failed} \
         failed) in {:.0} s; servers' RSS {at_start:.0} → {idle:.0} MiB, {:.1} KiB a socket",
        started.elapsed().as_secs_f64(),
        (idle - at_start) * 1024.0 / held.max(1) as f64
    );
    for mut client in clients {
        let _ = client.kill();
        let _ = client.wait();
    }
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let binary = args.next().expect("usage: socket_load PATH_TO_PORCH_SERVER");
    if binary == "hold" {
        let (base, count) = (args.next().unwrap(), args.next().unwrap().parse().unwrap());
        return hold(base, count).await;
    }
    let dir = std::env::temp_dir().join(format!("porch-socket-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    porch(&binary, "SQLite", &format!("sqlite://{}/porch.db", dir.display()), &dir).await;
    match TestDatabase::postgres().await {
        Some(db) => {
            porch(&binary, "PostgreSQL", &db.url, &dir).await;
            spread(&binary, &db.url, &dir).await;
            db.drop_database().await;
        }
        None => println!("PostgreSQL: skipped (set PORCH_TEST_POSTGRES_URL)"),
    }
    nats().await;
    let _ = std::fs::remove_dir_all(&dir);
}

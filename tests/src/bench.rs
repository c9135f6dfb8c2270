//! What the benchmarks (`examples/`, run by `cargo xtask bench`) share: the release server in a
//! process of its own, its memory, leads, and percentiles.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

/// A `porch-server serve` process, killed on drop.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Server {
    /// Starts `binary serve --demo` on a free port with `args` added, and waits until it is
    /// ready.
    pub async fn start(
        binary: &str,
        database_url: &str,
        dir: &std::path::Path,
        args: &[&str],
    ) -> Server {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(binary)
            .args(["serve", "--demo", "--listen"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["--database-url", database_url, "--assets-dir"])
            .arg(dir)
            .args(args)
            .stdout(Stdio::null())
            .env("RUST_LOG", "error")
            .spawn()
            .expect("start porch-server");
        let base = format!("http://127.0.0.1:{port}");
        let client = reqwest::Client::new();
        for _ in 0..600 {
            let ready = client.get(format!("{base}/readyz")).send().await;
            if ready.is_ok_and(|r| r.status() == 200) {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        Server { child, base }
    }

    /// Resident memory in MiB.
    pub fn rss_mib(&self) -> f64 {
        rss_mib(self.child.id())
    }
}

/// Resident memory of a process in MiB.
pub fn rss_mib(pid: u32) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

/// A new lead of the workspace `key`: their visitor token.
pub async fn lead(client: &reqwest::Client, base: &str, key: &str) -> String {
    lead_from(client, base, key, None).await
}

/// [`lead`], coming from `address` (as `X-Forwarded-For`, for a server that trusts it).
pub async fn lead_from(
    client: &reqwest::Client,
    base: &str,
    key: &str,
    address: Option<String>,
) -> String {
    let mut request = client.post(format!("{base}/api/v1/widget/session"));
    if let Some(address) = address {
        request = request.header("x-forwarded-for", address);
    }
    let session = answer(request.json(&json!({"workspace_key": key}))).await;
    session["visitor_token"].as_str().unwrap().to_owned()
}

/// A conversation the lead starts: its id.
pub async fn start_conversation(client: &reqwest::Client, base: &str, token: &str) -> String {
    let request = client.post(format!("{base}/api/v1/widget/conversations")).bearer_auth(token);
    let started = answer(request.json(&json!({"body": "hello"}))).await;
    started["id"].as_str().unwrap().to_owned()
}

/// A request's JSON answer.
async fn answer(request: reqwest::RequestBuilder) -> Value {
    request.send().await.unwrap().json().await.unwrap()
}

/// The `p` quantile of sorted figures (NaN for none).
pub fn percentile(sorted: &[f64], p: f64) -> f64 {
    match sorted.len() {
        0 => f64::NAN,
        n => sorted[((n as f64 - 1.0) * p).round() as usize],
    }
}

//! A webhook receiver for tests: a real HTTP server on an ephemeral port that records what it
//! is sent and answers as told (a status, after a delay, with a body of some size).

use std::sync::atomic::{AtomicU16, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::IntoResponse;
use serde_json::Value;

/// One request as received.
#[derive(Clone, Debug)]
pub struct Received {
    pub id: String,
    pub timestamp: String,
    pub signature: String,
    pub body: String,
    /// The status it was answered with.
    pub answered: u16,
    /// When it arrived (for latency benchmarks).
    pub at: std::time::Instant,
}

impl Received {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("a JSON body")
    }
}

#[derive(Default)]
struct Behaviour {
    status: AtomicU16,
    delay_ms: AtomicU64,
    body_bytes: AtomicUsize,
    received: Mutex<Vec<Received>>,
}

pub struct Receiver {
    pub url: String,
    behaviour: Arc<Behaviour>,
}

impl Receiver {
    /// Listening on 127.0.0.1, answering 204 at once.
    pub async fn start() -> Receiver {
        let behaviour = Arc::new(Behaviour::default());
        behaviour.status.store(204, Ordering::Relaxed);
        let app = axum::Router::new()
            .route("/hook", axum::routing::post(receive))
            .with_state(behaviour.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await });
        Receiver { url, behaviour }
    }

    /// Answers `status` from now on.
    pub fn answer(&self, status: u16) {
        self.behaviour.status.store(status, Ordering::Relaxed);
    }

    pub fn delay(&self, delay: Duration) {
        let millis = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
        self.behaviour.delay_ms.store(millis, Ordering::Relaxed);
    }

    /// Answers with a body of `bytes` bytes.
    pub fn body_of(&self, bytes: usize) {
        self.behaviour.body_bytes.store(bytes, Ordering::Relaxed);
    }

    pub fn received(&self) -> Vec<Received> {
        self.behaviour.received.lock().unwrap().clone()
    }

    /// What was answered 2xx, in arrival order.
    pub fn accepted(&self) -> Vec<Received> {
        self.received().into_iter().filter(|r| (200..300).contains(&r.answered)).collect()
    }

    /// Waits (up to 20 s) until `n` requests were accepted; answers them.
    pub async fn until_accepted(&self, n: usize) -> Vec<Received> {
        for _ in 0..400 {
            let accepted = self.accepted();
            if accepted.len() >= n {
                return accepted;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{n} accepted deliveries expected, got {:?}", self.accepted());
    }

    /// Waits (up to 20 s) until `n` requests arrived at all.
    pub async fn until_received(&self, n: usize) -> Vec<Received> {
        for _ in 0..400 {
            let received = self.received();
            if received.len() >= n {
                return received;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{n} requests expected, got {:?}", self.received());
    }
}

async fn receive(
    State(behaviour): State<Arc<Behaviour>>,
    headers: HeaderMap,
    body: Bytes,
) -> impl IntoResponse {
    let header =
        |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned();
    let delay = behaviour.delay_ms.load(Ordering::Relaxed);
    if delay > 0 {
        tokio::time::sleep(Duration::from_millis(delay)).await;
    }
    let status = behaviour.status.load(Ordering::Relaxed);
    behaviour.received.lock().unwrap().push(Received {
        id: header("webhook-id"),
        timestamp: header("webhook-timestamp"),
        signature: header("webhook-signature"),
        body: String::from_utf8_lossy(&body).into_owned(),
        answered: status,
        at: std::time::Instant::now(),
    });
    let size = behaviour.body_bytes.load(Ordering::Relaxed);
    (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), "x".repeat(size))
}

/// `tests/webhook_receiver.py`: a receiver in its own process that verifies signatures with
/// the `standardwebhooks` package (PyPI, installed by `cargo xtask test`), logging each request.
pub struct StandardReceiver {
    child: Option<std::process::Child>,
    pub port: u16,
    dir: porch_store::testing::TempDir,
}

impl StandardReceiver {
    /// Started on a free port; `None` (the test skipped) where the package is not installed,
    /// which CI never allows.
    pub fn start() -> Option<StandardReceiver> {
        if !crate::python::installed("standardwebhooks") {
            return None;
        }
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let mut receiver =
            StandardReceiver { child: None, port, dir: porch_store::testing::TempDir::new() };
        receiver.set_secret("whsec_AAAA");
        receiver.resume();
        Some(receiver)
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/hook", self.port)
    }

    pub fn set_secret(&self, secret: &str) {
        std::fs::write(self.dir.0.join("secret"), secret).unwrap();
    }

    /// Stops the process: the port refuses connections.
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the process again, on the same port and log.
    pub fn resume(&mut self) {
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/webhook_receiver.py");
        let child = std::process::Command::new("python3")
            .arg(script)
            .arg(self.port.to_string())
            .arg(self.dir.0.join("secret"))
            .arg(self.dir.0.join("log"))
            .env("PYTHONPATH", crate::python::path())
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("python3 runs");
        self.child = Some(child);
        let started = std::time::Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", self.port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(15), "the receiver did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// One entry per request: `{"id", "type", "seq", "verified", "error"}`.
    pub fn log(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(self.dir.0.join("log")).unwrap_or_default();
        text.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect()
    }

    /// Waits (up to 20 s) for `n` entries.
    pub async fn until_logged(&self, n: usize) -> Vec<Value> {
        for _ in 0..400 {
            let log = self.log();
            if log.len() >= n {
                return log;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("{n} requests expected, got {:?}", self.log());
    }
}

impl Drop for StandardReceiver {
    fn drop(&mut self) {
        self.stop();
    }
}

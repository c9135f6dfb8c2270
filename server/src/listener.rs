//! The listening socket, guarded against running out of file descriptors. When the process
//! has none left, `accept` fails and the connection would wait in the kernel's queue until
//! its client gave up. Instead this listener keeps one descriptor in reserve: it lets it go,
//! takes the waiting connection, answers it 503 with `Retry-After` (a refusal a client or a
//! load balancer acts on at once), closes it and takes the reserve back. Each refusal is
//! counted for `/metrics` and logged, at most once every few seconds.

use std::io;
use std::net::SocketAddr;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::net::{TcpListener, TcpStream};

use crate::metrics::Metrics;

/// How often at most the refusals are logged.
const LOG_EVERY: Duration = Duration::from_secs(10);

const REFUSAL: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\n\
Content-Type: application/json\r\nContent-Length: 73\r\nConnection: close\r\n\r\n\
{\"code\":\"overloaded\",\"message\":\"this server is full; retry in 5 seconds\"}";

pub struct Guarded {
    listener: TcpListener,
    reserve: Option<std::fs::File>,
    metrics: Arc<Metrics>,
    logged: Option<Instant>,
    unlogged: u64,
}

impl Guarded {
    pub fn new(listener: TcpListener, metrics: Arc<Metrics>) -> Guarded {
        Guarded { listener, reserve: spare(), metrics, logged: None, unlogged: 0 }
    }

    /// Refuses the connection waiting for a descriptor, with the reserve one.
    async fn refuse(&mut self, error: &io::Error) {
        self.metrics.descriptors_exhausted.fetch_add(1, Ordering::Relaxed);
        self.unlogged += 1;
        if self.logged.is_none_or(|at| at.elapsed() >= LOG_EVERY) {
            tracing::error!(
                error = %error,
                refused = self.unlogged,
                "out of file descriptors: refusing new connections (503)"
            );
            (self.logged, self.unlogged) = (Some(Instant::now()), 0);
        }
        self.reserve = None;
        let waiting = tokio::time::timeout(Duration::from_millis(10), self.listener.accept());
        if let Ok(Ok((stream, _))) = waiting.await {
            // The answer fits in the socket's send buffer; closing right after is fine.
            let _ = stream.try_write(REFUSAL);
        }
        self.reserve = spare();
        if self.reserve.is_none() {
            // Someone else took it: wait for descriptors to come back rather than spin.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

fn spare() -> Option<std::fs::File> {
    std::fs::File::open("/dev/null").ok()
}

/// EMFILE (this process) or ENFILE (the whole system).
fn out_of_descriptors(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(23 | 24))
}

impl axum::serve::Listener for Guarded {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (TcpStream, SocketAddr) {
        loop {
            match self.listener.accept().await {
                Ok(accepted) => return accepted,
                Err(e) if out_of_descriptors(&e) => self.refuse(&e).await,
                Err(e)
                    if matches!(
                        e.kind(),
                        io::ErrorKind::ConnectionAborted | io::ErrorKind::ConnectionReset
                    ) => {}
                Err(e) => {
                    tracing::warn!(error = %e, "accepting a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_refusal_is_a_whole_http_answer() {
        let text = std::str::from_utf8(super::REFUSAL).unwrap();
        let (head, body) = text.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 503 "));
        assert!(head.contains(&format!("Content-Length: {}\r\n", body.len())), "{head}");
        let json: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(json["code"], "overloaded");
    }
}

//! The access log: one line per request (target `access`), naming the route rather than the
//! URL, so that no token, e-mail or search text in a path or query string reaches the log.

use std::net::SocketAddr;
use std::time::Instant;

use axum::extract::{ConnectInfo, MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;

/// Segments of an unmatched path logged: the rest is a stranger's to fill.
const SEGMENTS: usize = 3;

pub async fn log(request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let route = match request.extensions().get::<MatchedPath>() {
        Some(route) => route.as_str().to_owned(),
        None => unmatched(request.uri().path()),
    };
    let peer = request.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
    let response = next.run(request).await;
    tracing::info!(
        target: "access",
        %method,
        route,
        status = response.status().as_u16(),
        ms = format!("{:.1}", started.elapsed().as_secs_f64() * 1000.0),
        peer = peer.map(|p| p.to_string()).unwrap_or_default(),
    );
    response
}

/// The first [`SEGMENTS`] segments of a path no route matched, the rest elided.
fn unmatched(path: &str) -> String {
    let mut kept: String = path.split_inclusive('/').take(SEGMENTS + 1).collect();
    if kept.len() < path.len() {
        kept.push('…');
    }
    kept.chars().take(100).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn unmatched_paths_keep_their_first_segments() {
        assert_eq!(super::unmatched("/api/v1/nothing/SECRET/x"), "/api/v1/nothing/…");
        assert_eq!(super::unmatched("/favicon.ico"), "/favicon.ico");
        assert_eq!(super::unmatched("/a/b"), "/a/b");
    }
}

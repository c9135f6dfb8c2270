//! `GET /metrics` in Prometheus' text format: what an operator graphs and alerts on. Counters
//! are plain atomics bumped where things happen; gauges are read when scraped.

use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};

use crate::auth::bearer_is;
use crate::{ApiError, AppState};

/// Upper bounds of the command latency buckets, in seconds.
const BOUNDS: [f64; 12] =
    [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5];

#[derive(Default)]
pub struct Metrics {
    /// Commands recorded (each a transaction), with how long each took.
    commands: Histogram,
    /// Events another server committed, read from the store and pushed to sockets here.
    pub relayed_events: AtomicU64,
    /// Report e-mails that SMTP refused or that could not be sent.
    pub smtp_failures: AtomicU64,
}

#[derive(Default)]
struct Histogram {
    buckets: [AtomicU64; BOUNDS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Metrics {
    pub fn command(&self, took: Duration) {
        let h = &self.commands;
        let seconds = took.as_secs_f64();
        if let Some(i) = BOUNDS.iter().position(|b| seconds <= *b) {
            h.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        h.count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        h.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }
}

fn metric(out: &mut String, name: &str, kind: &str, help: &str, samples: &[(&str, f64)]) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}");
    for (labels, value) in samples {
        let _ = writeln!(out, "{name}{labels} {value}");
    }
}

/// The scrape, with `Authorization: Bearer <--metrics-token>` when one is configured.
pub async fn scrape(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    if let Some(token) = &state.metrics_token {
        if !bearer_is(&headers, token) {
            return Err(ApiError::Unauthorized);
        }
    }
    let m = &state.metrics;
    let (agents, leads) = state.hub.sockets();
    let mut out = String::new();
    let sockets =
        [(r#"{audience="agents"}"#, agents as f64), (r#"{audience="leads"}"#, leads as f64)];
    metric(&mut out, "porch_sockets_open", "gauge", "Open sockets on this server.", &sockets);
    let h = &m.commands;
    let mut cumulative = 0;
    let buckets: Vec<(String, f64)> = BOUNDS
        .iter()
        .zip(&h.buckets)
        .map(|(bound, n)| {
            cumulative += n.load(Ordering::Relaxed);
            (format!("{{le=\"{bound}\"}}"), cumulative as f64)
        })
        .chain([("{le=\"+Inf\"}".to_owned(), h.count.load(Ordering::Relaxed) as f64)])
        .collect();
    let _ = writeln!(
        out,
        "# HELP porch_command_seconds Commands recorded (one transaction each) and their time.\n\
         # TYPE porch_command_seconds histogram"
    );
    for (labels, value) in &buckets {
        let _ = writeln!(out, "porch_command_seconds_bucket{labels} {value}");
    }
    let sum = h.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
    let _ = writeln!(out, "porch_command_seconds_sum {sum}");
    let _ = writeln!(out, "porch_command_seconds_count {}", h.count.load(Ordering::Relaxed));
    let counters: [(&str, &str, u64); 4] = [
        (
            "porch_rate_limited_total",
            "Requests refused by a rate limit (429).",
            state.limits.refused(),
        ),
        (
            "porch_relayed_events_total",
            "Events committed by other servers and pushed to sockets here.",
            m.relayed_events.load(Ordering::Relaxed),
        ),
        (
            "porch_report_fold_events_total",
            "Events folded into the report tables since start.",
            state.folded.load(Ordering::Relaxed),
        ),
        (
            "porch_smtp_failures_total",
            "Report e-mails that could not be sent.",
            m.smtp_failures.load(Ordering::Relaxed),
        ),
    ];
    for (name, help, value) in counters {
        metric(&mut out, name, "counter", help, &[("", value as f64)]);
    }
    let pending = state.scheduler.pending.load(Ordering::Relaxed) as f64;
    metric(
        &mut out,
        "porch_deadlines_pending",
        "gauge",
        "Deadlines the scheduler holds.",
        &[("", pending)],
    );
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out).into_response())
}

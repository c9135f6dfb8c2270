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
    /// Commands answered, with how long each waited from submission to its answer.
    commands: Histogram,
    /// Batches committed (one transaction each), with how long each took.
    batches: Histogram,
    /// Commands in all batches: with `batches`' count, the mean batch size.
    pub batched_commands: AtomicU64,
    /// From a batch's commit until its frames were handed to the sockets here.
    publishing: Histogram,
    /// From another server's commit notification until its frames were handed to the sockets
    /// here.
    relaying: Histogram,
    /// Events another server committed, read from the store and pushed to sockets here.
    pub relayed_events: AtomicU64,
    /// Report e-mails that SMTP refused or that could not be sent.
    pub smtp_failures: AtomicU64,
    /// Deadlines fired, with how late each fired.
    lateness: Histogram,
    /// Connections refused because the process ran out of file descriptors.
    pub descriptors_exhausted: AtomicU64,
    /// Webhook attempts answered 2xx, and the others.
    pub webhooks_delivered: AtomicU64,
    pub webhooks_failed: AtomicU64,
}

#[derive(Default)]
struct Histogram {
    buckets: [AtomicU64; BOUNDS.len()],
    count: AtomicU64,
    sum_micros: AtomicU64,
}

impl Histogram {
    fn observe(&self, took: Duration) {
        let seconds = took.as_secs_f64();
        if let Some(i) = BOUNDS.iter().position(|b| seconds <= *b) {
            self.buckets[i].fetch_add(1, Ordering::Relaxed);
        }
        self.count.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(took.as_micros()).unwrap_or(u64::MAX);
        self.sum_micros.fetch_add(micros, Ordering::Relaxed);
    }

    fn write(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        let mut cumulative = 0;
        for (bound, n) in BOUNDS.iter().zip(&self.buckets) {
            cumulative += n.load(Ordering::Relaxed);
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {cumulative}");
        }
        let count = self.count.load(Ordering::Relaxed);
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {count}");
        let sum = self.sum_micros.load(Ordering::Relaxed) as f64 / 1e6;
        let _ = writeln!(out, "{name}_sum {sum}\n{name}_count {count}");
    }
}

impl Metrics {
    pub fn command(&self, took: Duration) {
        self.commands.observe(took);
    }

    pub fn batch(&self, took: Duration, commands: usize) {
        self.batches.observe(took);
        let commands = u64::try_from(commands).unwrap_or(u64::MAX);
        self.batched_commands.fetch_add(commands, Ordering::Relaxed);
    }

    pub fn published(&self, took: Duration) {
        self.publishing.observe(took);
    }

    pub fn relayed(&self, took: Duration) {
        self.relaying.observe(took);
    }

    pub fn fired(&self, late: Duration) {
        self.lateness.observe(late);
    }

    pub fn webhook_attempt(&self, delivered: bool) {
        let counter = if delivered { &self.webhooks_delivered } else { &self.webhooks_failed };
        counter.fetch_add(1, Ordering::Relaxed);
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
    let histograms = [
        (&m.commands, "porch_command_seconds", "Commands, from submission to their answer."),
        (&m.batches, "porch_batch_seconds", "Batches of commands, one transaction each."),
        (&m.publishing, "porch_publish_seconds", "From a commit to its frames at the sockets."),
        (
            &m.relaying,
            "porch_relay_seconds",
            "From another server's commit notice to its frames at the sockets here.",
        ),
        (&m.lateness, "porch_deadline_lateness_seconds", "How late deadlines fired."),
    ];
    for (histogram, name, help) in histograms {
        histogram.write(&mut out, name, help);
    }
    let counters: [(&str, &str, u64); 8] = [
        (
            "porch_batched_commands_total",
            "Commands committed in batches (divide by porch_batch_seconds_count).",
            m.batched_commands.load(Ordering::Relaxed),
        ),
        (
            "porch_descriptors_exhausted_total",
            "Connections refused because the process had no file descriptor left.",
            m.descriptors_exhausted.load(Ordering::Relaxed),
        ),
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
        (
            "porch_webhook_deliveries_total",
            "Webhook attempts the receiver answered with 2xx.",
            m.webhooks_delivered.load(Ordering::Relaxed),
        ),
        (
            "porch_webhook_failures_total",
            "Webhook attempts that failed (an error status, a timeout, no connection).",
            m.webhooks_failed.load(Ordering::Relaxed),
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

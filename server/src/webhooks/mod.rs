//! Webhooks: each endpoint is sent the events it asked for from its workspace's log, in
//! sequence order, at least once, signed per Standard Webhooks. A failed event is tried again
//! with exponential backoff (5 s doubling to an hour) and holds the ones after it; an endpoint
//! failing for a day is turned off and its owner sees why. The state lives in the store, so
//! deliveries survive restarts; a lease makes one server at a time deliver to an endpoint.
//!
//! The loop wakes on this server's commits and on other servers' (the relay), and every
//! `tick` in any case (retries, and commits it was not told of).

mod deliver;
pub mod payload;

use std::collections::HashSet;
use std::sync::Mutex;
use std::time::Duration;

use porch_protocol::{DeliveryStatus, Millis, WebhookDelivery};
use porch_store::{StoredWebhook, WebhookFailure};
use tokio::sync::{Notify, Semaphore};

pub use deliver::{Attempt, Deliverer};
use payload::{webhook_type, Message};

use crate::AppState;

/// A lease outlives the longest attempt (the timeout) by far.
const LEASE: Millis = 60_000;
/// First retry after this; each next one waits twice as long, at most [`MAX_BACKOFF`].
const FIRST_BACKOFF: Millis = 5_000;
const MAX_BACKOFF: Millis = 60 * 60_000;
/// An endpoint whose head event fails for this long is turned off.
pub const GIVE_UP_AFTER: Millis = 24 * 60 * 60_000;
/// Events read at once when looking for the next one an endpoint wants.
const PAGE: u32 = 200;
/// Messages sent to one endpoint before its lease is given up for others to be served.
const BURST: usize = 500;
/// Endpoints delivered to at once by this server.
const PARALLEL: usize = 32;
/// How long an endpoint with nothing left waits for the next commit before its lease is
/// given up: under a steady flow of events it is not leased again for each one.
const LINGER: Duration = Duration::from_millis(500);

pub struct Webhooks {
    /// `--webhooks-allow-private`: endpoints may be on loopback, private and link-local
    /// addresses (and use plain HTTP).
    pub allow_private: bool,
    pub deliverer: Deliverer,
    /// How often the loop looks for due endpoints without being woken.
    pub tick: Duration,
    wake: Notify,
    /// Bumped at every commit heard of: endpoints lingering for more wait on it.
    commits: tokio::sync::watch::Sender<u64>,
    /// This server, as the holder of leases.
    owner: String,
    running: Mutex<HashSet<String>>,
    parallel: Semaphore,
}

impl Webhooks {
    pub fn new(allow_private: bool, timeout: Duration, tick: Duration) -> Webhooks {
        Webhooks {
            allow_private,
            deliverer: Deliverer::new(allow_private, timeout),
            tick,
            wake: Notify::new(),
            commits: tokio::sync::watch::Sender::new(0),
            owner: uuid::Uuid::new_v4().to_string(),
            running: Mutex::default(),
            parallel: Semaphore::new(PARALLEL),
        }
    }
}

impl Webhooks {
    /// Something was committed (here or on another server), or an endpoint changed.
    pub fn wake(&self) {
        self.wake.notify_one();
        self.commits.send_modify(|n| *n = n.wrapping_add(1));
    }
}

impl Default for Webhooks {
    fn default() -> Webhooks {
        Webhooks::new(false, Duration::from_secs(10), Duration::from_secs(1))
    }
}

/// The wait before attempt `attempts + 1` of a message that failed `attempts` times.
pub fn backoff(attempts: u32) -> Millis {
    let doublings = attempts.saturating_sub(1).min(20);
    (FIRST_BACKOFF << doublings).min(MAX_BACKOFF)
}

/// Delivers until shutdown.
pub async fn run(state: AppState) {
    let hooks = state.webhooks.clone();
    loop {
        tokio::select! {
            _ = state.shutdown.cancelled() => return,
            _ = hooks.wake.notified() => {}
            _ = tokio::time::sleep(hooks.tick) => {}
        }
        let due = match state.store.due_webhooks(state.clock.now(), PARALLEL as u32).await {
            Ok(due) => due,
            Err(e) => {
                tracing::warn!(error = %e, "reading due webhook endpoints");
                continue;
            }
        };
        for id in due {
            let fresh = hooks.running.lock().unwrap_or_else(|e| e.into_inner()).insert(id.clone());
            if fresh {
                tokio::spawn(serve(state.clone(), id));
            }
        }
    }
}

/// Sends an endpoint what waits for it, while this server holds its lease. Then looks again
/// for due endpoints: a commit that woke the loop while this one was busy is not missed.
async fn serve(state: AppState, id: String) {
    let hooks = state.webhooks.clone();
    let permit = hooks.parallel.acquire().await;
    let delivered = match permit {
        Ok(_) => deliver_some(&state, &id).await,
        Err(_) => Ok(()),
    };
    let _ = state.store.release_webhook(&id, &hooks.owner).await;
    hooks.running.lock().unwrap_or_else(|e| e.into_inner()).remove(&id);
    match delivered {
        Ok(()) => hooks.wake.notify_one(),
        Err(e) => tracing::warn!(endpoint = %id, error = %e, "delivering webhooks"),
    }
}

/// Delivers what waits for endpoint `id`, in log order, while this server holds its lease:
/// a page of the log at a time, the lease renewed well before it runs out, each attempt
/// logged with its effect on the endpoint in one transaction.
async fn deliver_some(state: &AppState, id: &str) -> Result<(), porch_store::StoreError> {
    let owner = &state.webhooks.owner;
    let now = state.clock.now();
    let Some(mut hook) = state.store.lease_webhook(id, owner, now, now + LEASE).await? else {
        return Ok(());
    };
    if hook.endpoint.next_attempt_at.is_some_and(|at| at > now) {
        return Ok(());
    }
    let mut leased_at = now;
    let mut sent = 0;
    let mut commits = state.webhooks.commits.subscribe();
    while sent < BURST {
        commits.mark_unchanged();
        let frames =
            state.store.events_after(&hook.workspace_id, hook.after_seq, None, PAGE).await?;
        let Some(last) = frames.last().map(|f| f.seq) else {
            // Nothing more now: linger for the next commit, then look again.
            let more = tokio::select! {
                changed = tokio::time::timeout(LINGER, commits.changed()) => {
                    matches!(changed, Ok(Ok(())))
                }
                _ = state.shutdown.cancelled() => false,
            };
            if !more || state.clock.now() - leased_at > LEASE / 3 {
                return Ok(());
            }
            continue;
        };
        for frame in &frames {
            let Some(kind) = webhook_type(&frame.event)
                .filter(|kind| hook.endpoint.event_types.iter().any(|t| t == kind))
            else {
                continue;
            };
            let now = state.clock.now();
            if state.shutdown.is_cancelled() || sent >= BURST {
                return Ok(());
            }
            if now - leased_at > LEASE / 3 {
                let renewed = state.store.lease_webhook(id, owner, now, now + LEASE).await?;
                if renewed.is_none() {
                    return Ok(());
                }
                leased_at = now;
            }
            let message = payload::of_event(&hook.workspace_id, frame, kind);
            let (attempt, failure) = send(state, &hook, &message, hook.attempts + 1, true).await;
            sent += 1;
            if let Some(failure) = failure {
                state.store.webhook_failed(id, owner, &failure, &attempt).await?;
                return Ok(());
            }
            if !state.store.webhook_advanced(id, owner, frame.seq, Some(&attempt)).await? {
                return Ok(());
            }
            hook.after_seq = frame.seq;
            hook.attempts = 0;
            hook.endpoint.failing_since = None;
        }
        // The rest of the page is nothing it wants: past it.
        if last > hook.after_seq {
            if !state.store.webhook_advanced(id, owner, last, None).await? {
                return Ok(());
            }
            hook.after_seq = last;
        }
    }
    Ok(())
}

/// One attempt of `message` (the `number`th), for the caller to log. When it is the
/// endpoint's `scheduled` delivery and fails, what that leaves on the endpoint (a ping or a
/// "send again" leaves nothing).
pub async fn send(
    state: &AppState,
    hook: &StoredWebhook,
    message: &Message,
    number: u32,
    scheduled: bool,
) -> (WebhookDelivery, Option<WebhookFailure>) {
    let mut secrets = vec![hook.secret.as_str()];
    let now = state.clock.now();
    if hook.endpoint.previous_secret_until.is_some_and(|until| until > now) {
        secrets.extend(hook.previous_secret.as_deref());
    }
    let attempt = state.webhooks.deliverer.send(&hook.endpoint.url, &secrets, message).await;
    let failure = (!attempt.delivered() && scheduled).then(|| {
        let failing_since = hook.endpoint.failing_since.unwrap_or(now);
        let given_up = now - failing_since >= GIVE_UP_AFTER;
        WebhookFailure {
            attempts: number,
            failing_since,
            next_attempt_at: now + backoff(number),
            disable: given_up.then(|| {
                format!(
                    "Turned off by Porch: deliveries failed for 24 hours (last: {}). Fix the \
                     receiver, then turn the endpoint on to resume where it stopped.",
                    what_happened(&attempt)
                )
            }),
        }
    });
    let delivery = WebhookDelivery {
        id: delivery_id(now),
        message_id: message.id.clone(),
        event_type: message.event_type.clone(),
        seq: message.seq,
        attempt: number,
        at: now,
        status: if attempt.delivered() {
            DeliveryStatus::Delivered
        } else {
            DeliveryStatus::Failed
        },
        response_code: attempt.status,
        latency_ms: attempt.latency_ms,
        error: attempt.error.clone(),
        next_attempt_at: failure
            .as_ref()
            .filter(|f| f.disable.is_none())
            .map(|f| f.next_attempt_at),
    };
    state.metrics.webhook_attempt(attempt.delivered());
    (delivery, failure)
}

/// Ids that sort as the attempts were made (the log lists newest first): the time, then a
/// count within this process, then randomness for uniqueness across servers.
fn delivery_id(now: Millis) -> String {
    static COUNT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let random = uuid::Uuid::new_v4().simple().to_string();
    format!("del_{:012x}{:010x}{}", now.max(0), n & 0xff_ffff_ffff, &random[..8])
}

fn what_happened(attempt: &Attempt) -> String {
    match (&attempt.status, &attempt.error) {
        (Some(status), _) => format!("HTTP {status}"),
        (None, Some(error)) => error.clone(),
        (None, None) => "no answer".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_to_an_hour_and_span_a_day() {
        assert_eq!((backoff(1), backoff(2), backoff(3)), (5_000, 10_000, 20_000));
        assert_eq!(backoff(20), MAX_BACKOFF);
        assert_eq!(backoff(u32::MAX), MAX_BACKOFF);
        let mut waited = 0;
        let mut attempts = 0;
        while waited < GIVE_UP_AFTER {
            attempts += 1;
            waited += backoff(attempts);
        }
        assert!((30..40).contains(&attempts), "{attempts} attempts over a day");
    }
}

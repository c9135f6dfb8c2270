//! Request rate limits: a token bucket per (kind, key) on the server's clock, so a flood from
//! one lead or one address is answered 429 `rate_limited` with `Retry-After` while everyone else
//! carries on. The buckets are shared by every server through the store (`Store::take`, or a
//! command's `takes` inside its batch), so a lead spreading a flood over several servers gets
//! no more than from one. This process keeps its own buckets too, in front of the store's: a
//! flood this process alone already refuses costs no database write (what one process lets
//! through never exceeds what all of them may). Sign-in attempts, which guard passwords, are
//! slowed in the store by `throttle`.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use porch_protocol::Millis;
use porch_store::{StoreError, Take};

use crate::{ApiError, AppState};

impl AppState {
    /// Takes one token of `limit` for `key`, from this process's bucket and then the one every
    /// server shares, or answers 429 with how long until one is back.
    pub async fn limit(&self, limit: &Limit, key: &str) -> Result<(), ApiError> {
        let now = self.clock.now();
        let Some(take) = self.limits.take(limit, key, now)? else { return Ok(()) };
        match self.store.take(&take, now).await {
            Err(e @ StoreError::Limited { .. }) => {
                self.limits.refused_in_store();
                Err(e.into())
            }
            other => Ok(other?),
        }
    }
}

/// What is limited, and how: `burst` at once, then one more every `every` milliseconds.
pub type Limit = porch_store::RateLimit;

/// New widget sessions (each makes a contact) per client address: 20, then 1 every 3 s.
pub const SESSIONS_PER_ADDRESS: Limit = Limit { what: "widget sessions", burst: 20, every: 3_000 };
// Starts and messages (a lead's, a conversation's) are taken in the command's batch
// (`Command::takes`), the others with `AppState::limit`: a bucket is only ever taken one way.

/// Conversations a lead starts: 10, then 1 every 30 s.
pub const STARTS_PER_LEAD: Limit = Limit { what: "new conversations", burst: 10, every: 30_000 };
/// Messages a lead sends, over all their conversations: 30, then 1 a second.
pub const MESSAGES_PER_LEAD: Limit = Limit { what: "messages", burst: 30, every: 1_000 };
/// Messages into one conversation, from anyone: 60, then 2 a second.
pub const MESSAGES_PER_CONVERSATION: Limit =
    Limit { what: "messages in this conversation", burst: 60, every: 500 };
/// "Typing" signals from a lead or a member: 5, then 1 a second (clients send one every 3 s
/// while someone types). This process's alone: the signal is not kept.
pub const TYPING: Limit = Limit { what: "typing signals", burst: 5, every: 1_000 };
/// What leads do, lifted by `--lift-lead-limits`.
const LEAD_LIMITS: [Limit; 4] =
    [SESSIONS_PER_ADDRESS, STARTS_PER_LEAD, MESSAGES_PER_LEAD, MESSAGES_PER_CONVERSATION];
/// Sign-in requests per client address, right or wrong: 20, then 1 every 3 s.
pub const SIGN_INS_PER_ADDRESS: Limit = Limit { what: "sign-in requests", burst: 20, every: 3_000 };

/// Password reset e-mails to one address: 3, then 1 every 20 minutes (no mail-bombing).
pub const RESETS_PER_EMAIL: Limit = Limit { what: "reset e-mails", burst: 3, every: 20 * 60_000 };
/// Invitations a workspace sends: 50, then 1 a minute (our SMTP is no spam relay).
pub const INVITATIONS_PER_WORKSPACE: Limit =
    Limit { what: "invitations", burst: 50, every: 60_000 };

/// Buckets kept before idle full ones are forgotten.
const MAX_BUCKETS: usize = 100_000;

/// (limit, key) → its bucket
type Buckets = HashMap<(&'static str, String), Bucket>;

/// Tokens left (in thousandths) as of `at`, and the limit they refill by.
#[derive(Clone, Copy)]
struct Bucket {
    tokens: i64,
    at: Millis,
    every: Millis,
    full: i64,
}

#[derive(Default)]
pub struct Limits {
    buckets: Mutex<Buckets>,
    off: AtomicBool,
    /// `--lift-lead-limits`: the limits on leads are off, the others kept.
    leads_off: AtomicBool,
    /// Requests refused since start (`/metrics`).
    refused: AtomicU64,
}

impl Limits {
    /// Takes one token of `limit` for `key` at `now` from this process's bucket, or says how
    /// long until one is back; answers the token the store's shared bucket must grant too
    /// (`None` when the limit is lifted).
    pub fn take(&self, limit: &Limit, key: &str, now: Millis) -> Result<Option<Take>, ApiError> {
        if self.off.load(Ordering::Relaxed)
            || (self.leads_off.load(Ordering::Relaxed) && LEAD_LIMITS.contains(limit))
        {
            return Ok(None);
        }
        let full = i64::from(limit.burst) * 1000;
        let mut buckets = self.buckets.lock().unwrap_or_else(|e| e.into_inner());
        if buckets.len() >= MAX_BUCKETS {
            // Forget what carries no information: buckets refilled, each by its own limit.
            buckets.retain(|_, b| refill(b.tokens, b.at, now, b.every, b.full) < b.full);
            if buckets.len() >= MAX_BUCKETS {
                buckets.clear();
            }
        }
        let fresh = Bucket { tokens: full, at: now, every: limit.every, full };
        let bucket = buckets.entry((limit.what, key.to_owned())).or_insert(fresh);
        let available = refill(bucket.tokens, bucket.at, now, limit.every, full);
        bucket.at = now;
        if available < 1000 {
            let missing = 1000 - available;
            let wait = missing.saturating_mul(limit.every.max(1)) / 1000;
            bucket.tokens = available;
            self.refused.fetch_add(1, Ordering::Relaxed);
            return Err(ApiError::RateLimited {
                what: limit.what,
                retry_after: crate::throttle::seconds_until(now.saturating_add(wait), now),
            });
        }
        bucket.tokens = available - 1000;
        // The store keeps no addresses or e-mails: the key is hashed.
        let key = crate::auth::token_hash(key);
        Ok(Some(Take { limit: *limit, key }))
    }

    /// A request the store's shared bucket refused.
    pub fn refused_in_store(&self) {
        self.refused.fetch_add(1, Ordering::Relaxed);
    }

    /// Requests refused since start.
    pub fn refused(&self) -> u64 {
        self.refused.load(Ordering::Relaxed)
    }

    /// No limits on what leads do (sessions, starts, messages), for measuring the write path
    /// (`--lift-lead-limits`); sign-ins, resets and invitations stay limited.
    pub fn lift_lead_limits(&self) {
        self.leads_off.store(true, Ordering::Relaxed);
    }

    /// No limits at all (for tests that make many leads or messages on purpose).
    pub fn set_unlimited(&self) {
        self.off.store(true, Ordering::Relaxed);
    }
}

/// Tokens (in thousandths) after the time from `at` to `now`, at most `full`.
fn refill(tokens: i64, at: Millis, now: Millis, every: Millis, full: i64) -> i64 {
    let elapsed = now.saturating_sub(at).max(0);
    let gained = elapsed.saturating_mul(1000) / every.max(1);
    tokens.saturating_add(gained).min(full)
}

/// The caller's address: the peer's, or with `--trust-forwarded` the last address of
/// `X-Forwarded-For` (the one the operator's proxy added).
pub struct ClientIp(pub IpAddr);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if state.trust_forwarded {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse::<IpAddr>().ok())
                .next_back();
            if let Some(ip) = forwarded {
                return Ok(ClientIp(ip));
            }
        }
        let peer = parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip());
        Ok(ClientIp(peer.unwrap_or(IpAddr::from([0, 0, 0, 0]))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: Limit = Limit { what: "things", burst: 3, every: 1_000 };

    #[test]
    fn a_burst_then_one_per_period_per_key() {
        let limits = Limits::default();
        for _ in 0..3 {
            limits.take(&LIMIT, "ann", 0).unwrap();
        }
        match limits.take(&LIMIT, "ann", 0) {
            Err(ApiError::RateLimited { retry_after, .. }) => assert_eq!(retry_after, 1),
            other => panic!("{other:?}"),
        }
        limits.take(&LIMIT, "bob", 0).expect("another key has its own bucket");
        limits.take(&LIMIT, "ann", 999).expect_err("not quite a period later");
        limits.take(&LIMIT, "ann", 1_000).expect("a period later, one more");
        limits.take(&LIMIT, "ann", 1_000).expect_err("and only one");
        for _ in 0..3 {
            limits.take(&LIMIT, "ann", 1_000_000).expect("refilled to the burst, not beyond");
        }
        limits.take(&LIMIT, "ann", 1_000_000).expect_err("the burst is the most");
    }

    #[test]
    fn lifting_lead_limits_keeps_the_others() {
        let limits = Limits::default();
        limits.lift_lead_limits();
        for _ in 0..1_000 {
            limits.take(&MESSAGES_PER_LEAD, "lead", 0).expect("leads are not limited");
            limits.take(&SESSIONS_PER_ADDRESS, "10.0.0.1", 0).expect("nor their sessions");
        }
        let burst = SIGN_INS_PER_ADDRESS.burst;
        for _ in 0..burst {
            limits.take(&SIGN_INS_PER_ADDRESS, "10.0.0.1", 0).unwrap();
        }
        limits.take(&SIGN_INS_PER_ADDRESS, "10.0.0.1", 0).expect_err("sign-ins still are");
    }

    #[test]
    fn forgetting_idle_buckets_keeps_each_limit_by_its_own_period() {
        let limits = Limits::default();
        let slow = Limit { what: "slow", burst: 1, every: 3_600_000 };
        let fast = Limit { what: "fast", burst: 1, every: 1 };
        limits.take(&slow, "flooder", 0).unwrap();
        for i in 0..MAX_BUCKETS - 1 {
            limits.take(&fast, &i.to_string(), 0).unwrap();
        }
        // Full: the next take forgets the refilled fast buckets, not the slow one still empty.
        limits.take(&fast, "one more", 10).unwrap();
        limits.take(&slow, "flooder", 10).expect_err("still waiting its hour");
    }

    #[test]
    fn hostile_clocks_and_periods_do_not_overflow() {
        let limits = Limits::default();
        let odd = Limit { what: "odd", burst: u32::MAX, every: 0 };
        limits.take(&odd, "k", Millis::MIN).unwrap();
        limits.take(&odd, "k", Millis::MAX).unwrap();
        limits.take(&LIMIT, "k", Millis::MAX).unwrap();
        limits.take(&LIMIT, "k", Millis::MIN).unwrap();
    }
}

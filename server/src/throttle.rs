//! Slows password guessing without letting a stranger lock a user out: attempts are counted in
//! the store (so every server shares them) under two keys — the e-mail *from one client
//! address*, and the address alone — and reserved before the slow hash, so a burst of
//! concurrent guesses is counted exactly. After a few failures each further attempt under a key
//! must wait, doubling up to 15 minutes; a guesser elsewhere slows only themselves.

use std::net::IpAddr;

use porch_protocol::Millis;
use porch_store::SignInPolicy;

use crate::{ApiError, AppState};

/// One e-mail from one address: 5 attempts at once, then 1 s, 2 s, … up to 15 minutes apart.
pub const PER_EMAIL: SignInPolicy =
    SignInPolicy { free: 5, first_wait: 1_000, max_wait: 15 * 60_000, window: 60 * 60_000 };
/// One address, whatever the e-mail: 30 attempts at once (an office behind one address), then
/// the same growing waits.
pub const PER_ADDRESS: SignInPolicy = SignInPolicy { free: 30, ..PER_EMAIL };

/// The keys of one sign-in: hashed, so the table holds no e-mail addresses.
pub struct Attempt {
    /// (key, its policy, whether a success forgets its failures)
    keys: [(String, &'static SignInPolicy, bool); 2],
}

impl Attempt {
    pub fn new(email: &str, address: IpAddr) -> Attempt {
        let email = email.trim().to_lowercase();
        let pair = crate::auth::token_hash(&format!("{email}\n{address}"));
        let address_key = crate::auth::token_hash(&address.to_string());
        Attempt {
            keys: [
                (format!("e:{pair}"), &PER_EMAIL, true),
                (format!("a:{address_key}"), &PER_ADDRESS, false),
            ],
        }
    }

    /// Reserves the attempt under both keys, or answers 429 with when to come back.
    pub async fn reserve(&self, state: &AppState) -> Result<(), ApiError> {
        let now = state.clock.now();
        for (key, policy, _) in &self.keys {
            if let Err(until) = state.store.reserve_sign_in(key, policy, now).await? {
                return Err(ApiError::RateLimited {
                    what: "sign-in attempts",
                    retry_after: seconds_until(until, now),
                });
            }
        }
        Ok(())
    }

    /// The password was right: the e-mail's failures from this address are forgotten, and the
    /// attempt does not count against the address.
    pub async fn succeeded(&self, state: &AppState) -> Result<(), ApiError> {
        for (key, _, forget) in &self.keys {
            state.store.sign_in_succeeded(key, *forget).await?;
        }
        Ok(())
    }
}

/// Whether `password` is the person `email`'s (`stored`: their hash, if they exist), checked
/// like a sign-in from `address`: reserved against the guessing limits before the slow hash,
/// and a right one forgets the pair's failures.
pub async fn verify(
    state: &AppState,
    email: &str,
    address: IpAddr,
    password: String,
    stored: Option<String>,
) -> Result<bool, ApiError> {
    let attempt = Attempt::new(email, address);
    attempt.reserve(state).await?;
    let right = state.passwords.verify(password, stored).await?;
    if right {
        attempt.succeeded(state).await?;
    }
    Ok(right)
}

/// Whole seconds from `now` to `until`, at least 1.
pub fn seconds_until(until: Millis, now: Millis) -> u64 {
    u64::try_from(until.saturating_sub(now).saturating_add(999) / 1000).unwrap_or(0).max(1)
}

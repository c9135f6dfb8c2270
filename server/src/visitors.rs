//! Visitor tokens verified lately. A lead writing sends a burst of requests (a message, the
//! typing signals before it, the next message); each of them looking its token up in the store
//! cost about a quarter of the server's CPU under load (a reader connection's thread woken for
//! one indexed read). Here a token verified in the last few seconds is taken at its word.
//!
//! Only what a token can never change is kept: whose it is and their workspace. What can
//! change (a block, a name, an e-mail) is read where it matters, from the store. What this
//! costs: a token deleted (`Porch.shutdown()`) on another server, or expired, still works here
//! for up to [`FRESH`]; on this server its deletion takes effect at once.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use porch_protocol::{ContactId, Millis, WorkspaceId};

/// How long a verified token is believed without asking the store again (real time, and the
/// server's clock, whichever is shorter: a manual clock moved a month on expires tokens). A
/// token that would expire sooner is not kept.
pub const FRESH_MILLIS: Millis = 5_000;
const FRESH: Duration = Duration::from_millis(FRESH_MILLIS as u64);
/// Tokens kept at most; a full table starts over (each is verified again on its next use).
const KEPT: usize = 100_000;

/// A lead known by their visitor token: who and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Visitor {
    pub id: ContactId,
    pub workspace_id: WorkspaceId,
}

#[derive(Default)]
pub struct Visitors {
    /// By token hash: the lead, and when the token was verified (clock, real time).
    known: Mutex<HashMap<String, (Visitor, Millis, Instant)>>,
}

impl Visitors {
    /// The lead whose token hashes to `hash`, if it was verified in the last [`FRESH`].
    pub fn get(&self, hash: &str, now: Millis) -> Option<Visitor> {
        let known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        let (visitor, at, verified) = known.get(hash)?;
        let fresh = verified.elapsed() < FRESH && now.saturating_sub(*at) < FRESH_MILLIS;
        fresh.then(|| visitor.clone())
    }

    /// The store has just verified the token hashing to `hash`.
    pub fn verified(&self, hash: String, visitor: Visitor, now: Millis) {
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        if known.len() >= KEPT {
            known.clear();
        }
        known.insert(hash, (visitor, now, Instant::now()));
    }

    /// The token hashing to `hash` was deleted.
    pub fn forget(&self, hash: &str) {
        self.known.lock().unwrap_or_else(|e| e.into_inner()).remove(hash);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ann() -> Visitor {
        Visitor { id: ContactId("ann".into()), workspace_id: WorkspaceId("w".into()) }
    }

    #[test]
    fn a_verified_token_is_believed_until_the_clock_moves_on_or_it_is_forgotten() {
        let visitors = Visitors::default();
        assert_eq!(visitors.get("h", 1_000), None, "never verified");
        visitors.verified("h".into(), ann(), 1_000);
        assert_eq!(visitors.get("h", 5_999), Some(ann()));
        assert_eq!(visitors.get("h", 6_000), None, "five seconds on by the server's clock");
        visitors.verified("h".into(), ann(), 6_000);
        visitors.forget("h");
        assert_eq!(visitors.get("h", 6_000), None, "deleted here");
    }

    #[test]
    fn a_full_table_starts_over() {
        let visitors = Visitors::default();
        for n in 0..KEPT {
            visitors.verified(n.to_string(), ann(), 0);
        }
        assert!(visitors.get("0", 0).is_some());
        visitors.verified("one more".into(), ann(), 0);
        assert!(visitors.get("0", 0).is_none(), "the table was cleared");
        assert!(visitors.get("one more", 0).is_some());
    }
}

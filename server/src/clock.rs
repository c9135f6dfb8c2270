//! The server's only source of time. Rules take `now` from here; tests and `--dev-clock`
//! servers use a [`ManualClock`] they move forward by hand.

use std::sync::atomic::{AtomicI64, Ordering};

use porch_protocol::Millis;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Millis;
    /// Moves a manual clock forward; `false` for the real clock, which cannot be moved.
    fn advance(&self, _by: Millis) -> bool {
        false
    }
}

pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Millis {
        let since_epoch =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default();
        Millis::try_from(since_epoch.as_millis()).unwrap_or(Millis::MAX)
    }
}

/// Starts at the real time and moves only when told to.
pub struct ManualClock(AtomicI64);

impl ManualClock {
    pub fn new(start: Millis) -> ManualClock {
        ManualClock(AtomicI64::new(start))
    }

    pub fn starting_now() -> ManualClock {
        ManualClock::new(SystemClock.now())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Millis {
        self.0.load(Ordering::SeqCst)
    }

    fn advance(&self, by: Millis) -> bool {
        self.0.fetch_add(by.max(0), Ordering::SeqCst);
        true
    }
}

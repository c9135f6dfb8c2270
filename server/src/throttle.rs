//! Slows password guessing: after [`MAX_FAILURES`] failed logins for one e-mail within
//! [`WINDOW_MILLIS`], that e-mail is refused (429) until the window has passed. Per process,
//! in memory: a restart forgets, which only ever errs on the side of letting people in.

use std::collections::HashMap;
use std::sync::Mutex;

use porch_protocol::Millis;

pub const MAX_FAILURES: u32 = 10;
pub const WINDOW_MILLIS: Millis = 15 * 60_000;

#[derive(Default)]
pub struct LoginThrottle {
    /// e-mail → (failures, when the first of them happened)
    failures: Mutex<HashMap<String, (u32, Millis)>>,
}

impl LoginThrottle {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (u32, Millis)>> {
        self.failures.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether `email` may try now.
    pub fn allows(&self, email: &str, now: Millis) -> bool {
        let mut failures = self.lock();
        failures.retain(|_, (_, since)| now - *since < WINDOW_MILLIS);
        failures.get(&key(email)).is_none_or(|(count, _)| *count < MAX_FAILURES)
    }

    pub fn failed(&self, email: &str, now: Millis) {
        let mut failures = self.lock();
        let entry = failures.entry(key(email)).or_insert((0, now));
        entry.0 += 1;
    }

    pub fn succeeded(&self, email: &str) {
        self.lock().remove(&key(email));
    }
}

fn key(email: &str) -> String {
    email.trim().to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ten_failures_lock_the_email_for_the_window() {
        let t = LoginThrottle::default();
        for i in 0..MAX_FAILURES {
            assert!(t.allows("Ann@x.io", 1_000 + i64::from(i)));
            t.failed("ann@x.io ", 1_000 + i64::from(i));
        }
        assert!(!t.allows("ann@x.io", 2_000));
        assert!(t.allows("bob@x.io", 2_000), "other e-mails are unaffected");
        assert!(t.allows("ann@x.io", 1_000 + WINDOW_MILLIS), "the window passed");
    }

    #[test]
    fn a_success_clears_the_count() {
        let t = LoginThrottle::default();
        for _ in 0..MAX_FAILURES - 1 {
            t.failed("ann@x.io", 0);
        }
        t.succeeded("ann@x.io");
        t.failed("ann@x.io", 1);
        assert!(t.allows("ann@x.io", 2));
    }
}

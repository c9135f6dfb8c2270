//! The server's only source of time. Rules take `now` from here; tests and `--dev-clock`
//! servers use a [`ManualClock`] they move forward by hand, and whatever waits on the clock
//! (the scheduler) wakes when it moves.

use std::future::Future;
use std::pin::Pin;

use porch_protocol::Millis;
use tokio::sync::watch;

pub type Sleep = Pin<Box<dyn Future<Output = ()> + Send>>;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> Millis;
    /// Resolves once `now() >= at`.
    fn sleep_until(&self, at: Millis) -> Sleep;
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

    fn sleep_until(&self, at: Millis) -> Sleep {
        let wait = u64::try_from(at.saturating_sub(self.now())).unwrap_or(0);
        Box::pin(tokio::time::sleep(std::time::Duration::from_millis(wait)))
    }
}

/// Starts where it is told and moves only when advanced.
pub struct ManualClock(watch::Sender<Millis>);

impl ManualClock {
    pub fn new(start: Millis) -> ManualClock {
        ManualClock(watch::Sender::new(start))
    }

    pub fn starting_now() -> ManualClock {
        ManualClock::new(SystemClock.now())
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Millis {
        *self.0.borrow()
    }

    fn sleep_until(&self, at: Millis) -> Sleep {
        let mut moved = self.0.subscribe();
        Box::pin(async move {
            while *moved.borrow_and_update() < at {
                if moved.changed().await.is_err() {
                    return std::future::pending().await;
                }
            }
        })
    }

    fn advance(&self, by: Millis) -> bool {
        self.0.send_modify(|now| *now += by.max(0));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_manual_sleep_ends_when_the_clock_is_moved_past_it() {
        let clock = std::sync::Arc::new(ManualClock::new(1_000));
        let sleeping = tokio::spawn(clock.sleep_until(1_500));
        clock.advance(400);
        tokio::task::yield_now().await;
        assert!(!sleeping.is_finished());
        clock.advance(100);
        sleeping.await.unwrap();
        assert_eq!(clock.now(), 1_500);
        clock.sleep_until(1_200).await; // already past: at once
    }
}

//! Folds the event log into the report tables in the background, every [`EVERY`] on the
//! server's clock, so a report page folds at most that long's events before it reads (an owner
//! who opens the reports once a day would otherwise wait for a day of events to fold), and a
//! log refolded after an upgrade catches up without a page waiting on it. Folding is safe from
//! several servers at once (`Store::catch_up_reports` locks the workspace's cursor).

use std::sync::atomic::Ordering;

use porch_protocol::Millis;

use crate::AppState;

/// How often the log is folded.
pub const EVERY: Millis = 10_000;

/// Folds at start, then every [`EVERY`], until shutdown (a batch cut short is rolled back).
pub async fn run(state: AppState) {
    loop {
        let next = state.clock.now() + EVERY;
        tokio::select! {
            _ = fold_all(&state) => {}
            _ = state.shutdown.cancelled() => return,
        }
        tokio::select! {
            _ = state.clock.sleep_until(next) => {}
            _ = state.shutdown.cancelled() => return,
        }
    }
}

/// Folds every workspace's new events; returns how many.
pub async fn fold_all(state: &AppState) -> u64 {
    let workspaces = match state.store.workspaces().await {
        Ok(workspaces) => workspaces,
        Err(e) => {
            tracing::warn!(error = %e, "report fold: could not list the workspaces");
            return 0;
        }
    };
    let mut folded = 0;
    for workspace in workspaces {
        match state.store.catch_up_reports(&workspace.id).await {
            Ok(n) => folded += n,
            Err(e) => {
                tracing::warn!(workspace = %workspace.id.as_str(), error = %e, "report fold failed")
            }
        }
    }
    state.folded.fetch_add(folded, Ordering::Relaxed);
    folded
}

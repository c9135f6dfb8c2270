//! Live push across servers on one PostgreSQL database. Each server follows the workspaces
//! that have sockets on it: it hears of every commit (the store's commit notifications), reads
//! what its sockets have not had from the store, and hands it over in seq order, its own
//! commits included, so a reply or a close made on one server reaches sockets on all of them.

use porch_protocol::{EventFrame, WorkspaceId};
use porch_store::{Commit, StoreError};

use crate::AppState;

/// Events read from the store at once when catching up.
const PAGE: u32 = 500;

impl AppState {
    /// Before a socket of `workspace` reads its backlog: from here on this server hands the
    /// workspace's sockets every commit after the last one now, whichever server made it.
    pub async fn follow(&self, workspace: &WorkspaceId) -> Result<(), StoreError> {
        if self.hub.published(workspace) != Some(None) {
            return Ok(());
        }
        let order = self.order(workspace);
        let _ordered = order.lock().await;
        let last = self.store.last_seq(workspace).await?;
        self.hub.track(workspace, last);
        Ok(())
    }

    /// A commit of this server: first what other servers committed before it and the sockets
    /// here have not had, then its own frames. Called in commit order (the order lock).
    pub(crate) async fn hand_over(&self, workspace: &WorkspaceId, frames: &[EventFrame]) {
        let Some(first) = frames.first().map(|f| f.seq) else { return };
        if let Some(Some(published)) = self.hub.published(workspace) {
            if first > published + 1 {
                if let Err(e) = self.catch_up_to(workspace, first - 1).await {
                    tracing::warn!(error = %e, "reading other servers' commits");
                }
            }
        }
        self.hub.publish(workspace, frames);
    }

    /// Another server (or this one) committed the workspace's events up to `seq`; whether the
    /// sockets here had not had them all.
    pub async fn relay(&self, workspace: &WorkspaceId, seq: u64) -> bool {
        match self.hub.published(workspace) {
            Some(Some(published)) if published < seq => {}
            _ => return false,
        }
        let order = self.order(workspace);
        let _ordered = order.lock().await;
        if let Err(e) = self.catch_up_to(workspace, seq).await {
            tracing::warn!(error = %e, "reading other servers' commits");
        }
        true
    }

    /// Hands the sockets here the stored events after the last they had, up to `seq` (or all
    /// of them). Under the order lock.
    async fn catch_up_to(&self, workspace: &WorkspaceId, seq: u64) -> Result<(), StoreError> {
        while let Some(Some(published)) = self.hub.published(workspace) {
            if published >= seq {
                break;
            }
            let page = self.store.events_after(workspace, published, None, PAGE).await?;
            self.hub.publish(workspace, &page);
            let read = u64::try_from(page.len()).unwrap_or(u64::MAX);
            self.metrics.relayed_events.fetch_add(read, std::sync::atomic::Ordering::Relaxed);
            if page.len() < PAGE as usize {
                break;
            }
        }
        Ok(())
    }
}

impl AppState {
    /// Another server's commit armed, moved or ended deadlines: the scheduler here learns
    /// them from the log, so it fires them if the server that armed them is gone. (This
    /// server's own commits, heard back, are skipped: its scheduler had them at commit.)
    async fn learn_deadlines(&self, workspace: &WorkspaceId, from: u64, seq: u64) {
        let mut after = from;
        while after < seq {
            let limit = u32::try_from(seq - after).unwrap_or(PAGE).min(PAGE);
            let page = match self.store.events_after(workspace, after, None, limit).await {
                Ok(page) => page,
                Err(e) => {
                    // The periodic sweep of overdue deadlines covers what is missed here.
                    tracing::warn!(error = %e, "reading other servers' deadlines");
                    return;
                }
            };
            let Some(last) = page.last().map(|f| f.seq) else { return };
            for frame in page.iter().filter(|f| f.seq <= seq) {
                for change in crate::scheduler::changes(workspace, frame) {
                    let change = match change {
                        crate::scheduler::Change::Set(timer) => {
                            crate::scheduler::Change::Learned(timer)
                        }
                        clear => clear,
                    };
                    let _ = self.scheduler.tx.send(change);
                }
            }
            after = last;
        }
    }
}

/// Follows the commits of every server until shutdown (PostgreSQL; nothing to do on SQLite).
pub async fn run(state: AppState) {
    let mut commits = match state.store.listen_commits().await {
        Ok(Some(commits)) => {
            state.writer.hear_commits();
            commits
        }
        Ok(None) => return,
        Err(e) => {
            tracing::error!(error = %e, "cannot listen to other servers' commits");
            return;
        }
    };
    loop {
        let commit = tokio::select! {
            commit = commits.recv() => commit,
            _ = state.shutdown.cancelled() => return,
        };
        match commit {
            Some(Commit::Committed { workspace, seq, from, deadlines }) => {
                let heard = std::time::Instant::now();
                state.webhooks.wake();
                if state.relay(&workspace, seq).await {
                    state.metrics.relayed(heard.elapsed());
                }
                if let (Some(from), true) = (from, deadlines) {
                    if !state.writer.was_own(&workspace, seq) {
                        state.learn_deadlines(&workspace, from, seq).await;
                    }
                }
            }
            Some(Commit::Signal(payload)) => state.heard(&payload),
            Some(Commit::Resync) => {
                for workspace in state.hub.followed() {
                    let _ = state.relay(&workspace, u64::MAX).await;
                }
            }
            None => return,
        }
    }
}

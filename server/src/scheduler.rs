//! Fires stored deadlines on time: auto-close and the end of snoozes.
//!
//! The deadlines live on the conversations; this is a cache of them, rebuilt from the store at
//! start and kept current from every committed event. It is one ordered queue per process
//! (earliest first) and one loop sleeping on the [`Clock`](crate::Clock) until the next one, not
//! a task per conversation. With several servers on PostgreSQL, each also learns the deadlines
//! the others arm, move or end (their commit notices say which commits did; it reads those from
//! the log) and fires them [`LEARNED_GRACE_MILLIS`] late, so that a deadline whose server
//! stopped still fires about on time; a sweep every [`SWEEP_MILLIS`] picks up what was missed
//! (a notice lost with a connection). Firing is a decision taken inside the store's transaction
//! that checks the deadline is still the one stored, so a late, repeated or concurrent (another
//! process) firing does nothing.

use std::collections::{BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use porch_protocol::{Actor, ConversationId, Event, EventFrame, Millis, WorkspaceId};
use porch_store::{Decision, Timer, TimerKind};
use tokio::sync::mpsc;

use crate::AppState;

/// After a failed firing (the store unreachable), try again this much later.
pub const RETRY_MILLIS: Millis = 5_000;
/// How often the store is asked for deadlines still pending this long after they were due:
/// those armed by a server that stopped before firing them (several servers on PostgreSQL).
pub const SWEEP_MILLIS: Millis = 30_000;
pub const OVERDUE_MILLIS: Millis = 10_000;
/// Overdue deadlines taken per sweep; the rest come with the next ones.
const SWEEP_LIMIT: u32 = 5_000;

/// Pending deadlines by time. Conversation ids are UUIDs kept as `u128` and workspaces as
/// indexes, so a deadline costs a few dozen bytes.
#[derive(Default)]
pub struct TimerQueue {
    /// (when to fire, conversation, kind)
    by_time: BTreeSet<(Millis, u128, TimerKind)>,
    /// (conversation, kind) → (the stored deadline, when to fire, workspace index)
    by_key: HashMap<(u128, TimerKind), (Millis, Millis, u32)>,
    workspaces: Vec<WorkspaceId>,
    workspace_index: HashMap<WorkspaceId, u32>,
}

impl TimerQueue {
    /// Sets (or replaces) the deadline of one kind for a conversation.
    pub fn set(&mut self, timer: &Timer) {
        self.set_due(timer, timer.at);
    }

    fn set_due(&mut self, timer: &Timer, due: Millis) {
        let Some(key) = uuid_of(&timer.conversation) else {
            tracing::warn!(conversation = %timer.conversation, "not a UUID; deadline ignored");
            return;
        };
        self.clear_key(key, timer.kind);
        let workspace = match self.workspace_index.get(&timer.workspace) {
            Some(&i) => i,
            None => {
                let i = u32::try_from(self.workspaces.len()).unwrap_or(u32::MAX);
                self.workspaces.push(timer.workspace.clone());
                self.workspace_index.insert(timer.workspace.clone(), i);
                i
            }
        };
        self.by_time.insert((due, key, timer.kind));
        self.by_key.insert((key, timer.kind), (timer.at, due, workspace));
    }

    /// Sets a deadline armed elsewhere, [`LEARNED_GRACE_MILLIS`] late, unless this very
    /// deadline is held already.
    pub fn learn(&mut self, timer: &Timer) {
        let held = uuid_of(&timer.conversation)
            .and_then(|key| self.by_key.get(&(key, timer.kind)))
            .is_some_and(|(at, _, _)| *at == timer.at);
        if !held {
            self.set_due(timer, timer.at.saturating_add(LEARNED_GRACE_MILLIS));
        }
    }

    pub fn clear(&mut self, conversation: &ConversationId, kind: TimerKind) {
        if let Some(key) = uuid_of(conversation) {
            self.clear_key(key, kind);
        }
    }

    fn clear_key(&mut self, key: u128, kind: TimerKind) {
        if let Some((_, due, _)) = self.by_key.remove(&(key, kind)) {
            self.by_time.remove(&(due, key, kind));
        }
    }

    /// When the earliest deadline is due.
    pub fn next(&self) -> Option<Millis> {
        self.by_time.first().map(|(due, _, _)| *due)
    }

    /// Removes and returns every deadline due at `now`, earliest first.
    pub fn pop_due(&mut self, now: Millis) -> Vec<Timer> {
        let mut due = Vec::new();
        while let Some(&(at, key, kind)) = self.by_time.first() {
            if at > now {
                break;
            }
            self.by_time.pop_first();
            if let Some((deadline, _, workspace)) = self.by_key.remove(&(key, kind)) {
                due.push(Timer {
                    workspace: self.workspaces[workspace as usize].clone(),
                    conversation: ConversationId(uuid::Uuid::from_u128(key).to_string()),
                    kind,
                    at: deadline,
                });
            }
        }
        due
    }

    pub fn len(&self) -> usize {
        self.by_key.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_key.is_empty()
    }
}

fn uuid_of(id: &ConversationId) -> Option<u128> {
    uuid::Uuid::parse_str(id.as_str()).ok().map(|u| u.as_u128())
}

/// What the scheduler is told after each commit.
#[derive(Debug)]
pub enum Change {
    /// Armed by this server.
    Set(Timer),
    /// Armed by a commit heard of from the store (another server's, or this one's heard
    /// again): fired [`LEARNED_GRACE_MILLIS`] late, so that the server that armed it, when
    /// alive, fires it first; the same deadline already held stays as it is.
    Learned(Timer),
    Clear(ConversationId, TimerKind),
}

/// How long after its deadline a server fires a deadline armed elsewhere.
pub const LEARNED_GRACE_MILLIS: Millis = 2_000;

/// The deadline changes committed events make.
pub fn changes(workspace: &WorkspaceId, frame: &EventFrame) -> Vec<Change> {
    let timer = |conversation: &ConversationId, kind, at| {
        Change::Set(Timer {
            workspace: workspace.clone(),
            conversation: conversation.clone(),
            kind,
            at,
        })
    };
    let changes = match &frame.event {
        Event::AutoCloseArmed { conversation_id, deadline, .. } => {
            vec![timer(conversation_id, TimerKind::AutoClose, *deadline)]
        }
        Event::AutoCloseCancelled { conversation_id, .. } => {
            vec![Change::Clear(conversation_id.clone(), TimerKind::AutoClose)]
        }
        Event::Snoozed { conversation_id, until } => {
            vec![timer(conversation_id, TimerKind::SnoozeEnd, *until)]
        }
        Event::Unsnoozed { conversation_id } => {
            vec![Change::Clear(conversation_id.clone(), TimerKind::SnoozeEnd)]
        }
        Event::ConversationClosed { conversation_id, .. } => vec![
            Change::Clear(conversation_id.clone(), TimerKind::AutoClose),
            Change::Clear(conversation_id.clone(), TimerKind::SnoozeEnd),
        ],
        _ => Vec::new(),
    };
    // The store tells other servers of a commit's deadlines by `moves_deadline`: both say
    // the same of every event the tests make.
    debug_assert_eq!(frame.event.moves_deadline(), !changes.is_empty(), "{:?}", frame.event);
    changes
}

/// The sending half kept in [`AppState`]; the loop takes the receiving half when it starts.
pub struct Channel {
    pub tx: mpsc::UnboundedSender<Change>,
    pub rx: Mutex<Option<mpsc::UnboundedReceiver<Change>>>,
    /// Deadlines the loop holds, as of its last turn (for health checks and tests).
    pub pending: AtomicUsize,
    /// The stored deadlines are loaded (`/readyz`).
    pub loaded: std::sync::atomic::AtomicBool,
}

impl Default for Channel {
    fn default() -> Self {
        let (tx, rx) = mpsc::unbounded_channel();
        Channel {
            tx,
            rx: Mutex::new(Some(rx)),
            pending: AtomicUsize::new(0),
            loaded: Default::default(),
        }
    }
}

/// Rate-limit buckets forgotten per statement, each a short write.
const PURGE_CHUNK: u32 = 1_000;
/// Statements per sweep at most.
const PURGE_CHUNKS: usize = 100;

/// Forgets the rate-limit buckets full again and webhook attempts older than
/// [`DELIVERY_LOG_MILLIS`] (housekeeping riding on the sweep), a chunk at a time so no
/// statement holds the write path long.
async fn forget_expired(state: &AppState, now: Millis) {
    let store = &state.store;
    purge("full rate-limit buckets", || store.purge_rate_limits(now, PURGE_CHUNK)).await;
    let before = now - DELIVERY_LOG_MILLIS;
    purge("old webhook attempts", || store.purge_webhook_deliveries(before, PURGE_CHUNK)).await;
}

/// How long the webhook delivery log keeps an attempt.
pub const DELIVERY_LOG_MILLIS: Millis = 30 * 24 * 60 * 60_000;

async fn purge<F, Fut>(what: &str, mut chunk: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = porch_store::Result<u64>>,
{
    for _ in 0..PURGE_CHUNKS {
        match chunk().await {
            Ok(n) if n < u64::from(PURGE_CHUNK) => return,
            Ok(_) => tokio::task::yield_now().await,
            Err(e) => return tracing::warn!(error = %e, "forgetting {what}"),
        }
    }
}

/// Rebuilds the queue from the store and runs until shutdown.
pub async fn run(state: AppState) {
    let Some(mut changes) = state.scheduler.rx.lock().unwrap_or_else(|e| e.into_inner()).take()
    else {
        return;
    };
    let mut queue = TimerQueue::default();
    match state.store.timers().await {
        Ok(timers) => timers.iter().for_each(|t| queue.set(t)),
        Err(e) => tracing::error!(error = %e, "could not load deadlines; only new ones will fire"),
    }
    state.scheduler.loaded.store(true, Ordering::Relaxed);
    tracing::info!(deadlines = queue.len(), "scheduler started");
    let mut next_sweep = state.clock.now() + SWEEP_MILLIS;
    loop {
        let now = state.clock.now();
        if now >= next_sweep {
            next_sweep = now + SWEEP_MILLIS;
            match state.store.overdue_timers(now - OVERDUE_MILLIS, SWEEP_LIMIT).await {
                Ok(overdue) => overdue.iter().for_each(|t| queue.set(t)),
                Err(e) => tracing::warn!(error = %e, "sweeping overdue deadlines"),
            }
            forget_expired(&state, now).await;
        }
        for (workspace, timers) in by_workspace(queue.pop_due(now)) {
            for batch in timers.chunks(BATCH) {
                if let Err(e) = fire(&state, &workspace, batch).await {
                    tracing::warn!(error = %e, %workspace, due = batch.len(), "deadlines will be retried");
                    batch.iter().for_each(|t| queue.set_due(t, now + RETRY_MILLIS));
                }
            }
        }
        state.scheduler.pending.store(queue.len(), Ordering::Relaxed);
        let wake = queue.next().map_or(next_sweep, |at| at.min(next_sweep));
        let sleep = state.clock.sleep_until(wake);
        tokio::select! {
            _ = sleep => {}
            change = changes.recv() => match change {
                Some(Change::Set(timer)) => queue.set(&timer),
                Some(Change::Learned(timer)) => queue.learn(&timer),
                Some(Change::Clear(conversation, kind)) => queue.clear(&conversation, kind),
                None => return,
            },
            _ = state.shutdown.cancelled() => return,
        }
    }
}

/// Deadlines due together in one workspace are fired in one transaction, this many at most.
pub const BATCH: usize = 500;

/// Due timers grouped by workspace, each group in due order.
fn by_workspace(due: Vec<Timer>) -> Vec<(WorkspaceId, Vec<Timer>)> {
    let mut groups: Vec<(WorkspaceId, Vec<Timer>)> = Vec::new();
    for timer in due {
        match groups.iter_mut().find(|(w, _)| *w == timer.workspace) {
            Some((_, timers)) => timers.push(timer),
            None => groups.push((timer.workspace.clone(), vec![timer])),
        }
    }
    groups
}

/// Takes the decisions due deadlines call for, in one transaction; the store checks each
/// deadline is still the one stored.
async fn fire(
    state: &AppState,
    workspace: &WorkspaceId,
    timers: &[Timer],
) -> Result<(), porch_store::StoreError> {
    let settings = match state.store.workspace(workspace).await? {
        Some(w) => w.settings,
        None => return Ok(()), // the workspace is gone, and its deadlines with it
    };
    let mut items = Vec::with_capacity(timers.len());
    let now = state.clock.now();
    for timer in timers {
        let deadline = timer.at;
        let late = u64::try_from(now.saturating_sub(deadline)).unwrap_or(0);
        state.metrics.fired(std::time::Duration::from_millis(late));
        let decide: Decision = match timer.kind {
            TimerKind::AutoClose => {
                let note = state.auto_close_note(workspace, &settings, &timer.conversation).await;
                Box::new(move |c, s| {
                    Ok(s.map(|s| porch_domain::fire(s, deadline, c.now, note)).unwrap_or_default())
                })
            }
            TimerKind::SnoozeEnd => Box::new(move |c, s| {
                Ok(s.map(|s| porch_domain::end_snooze(s, deadline, c.now)).unwrap_or_default())
            }),
        };
        items.push((timer.conversation.clone(), decide));
    }
    state.record_each(workspace, Actor::System, items).await.map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn timer(n: u128, kind: TimerKind, at: Millis) -> Timer {
        Timer {
            workspace: WorkspaceId(format!("w{}", n % 2)),
            conversation: ConversationId(uuid::Uuid::from_u128(n).to_string()),
            kind,
            at,
        }
    }

    #[test]
    fn pops_due_deadlines_in_order_and_replaces_moved_ones() {
        let mut q = TimerQueue::default();
        q.set(&timer(1, TimerKind::AutoClose, 300));
        q.set(&timer(2, TimerKind::AutoClose, 100));
        q.set(&timer(3, TimerKind::SnoozeEnd, 200));
        q.set(&timer(1, TimerKind::AutoClose, 150)); // pushed earlier: replaces 300
        assert_eq!((q.len(), q.next()), (3, Some(100)));
        let due = q.pop_due(200);
        assert_eq!(
            due,
            [
                timer(2, TimerKind::AutoClose, 100),
                timer(1, TimerKind::AutoClose, 150),
                timer(3, TimerKind::SnoozeEnd, 200)
            ]
        );
        assert!(q.is_empty() && q.next().is_none());
    }

    #[test]
    fn kinds_are_independent_and_clearing_removes_one() {
        let mut q = TimerQueue::default();
        q.set(&timer(7, TimerKind::AutoClose, 100));
        q.set(&timer(7, TimerKind::SnoozeEnd, 50));
        q.clear(&timer(7, TimerKind::SnoozeEnd, 0).conversation, TimerKind::SnoozeEnd);
        assert_eq!(q.pop_due(1_000), [timer(7, TimerKind::AutoClose, 100)]);
    }

    #[test]
    fn a_deadline_armed_elsewhere_fires_after_the_grace_unless_held_already() {
        let mut q = TimerQueue::default();
        q.set(&timer(1, TimerKind::AutoClose, 100));
        q.learn(&timer(1, TimerKind::AutoClose, 100)); // this server's own, heard again
        q.learn(&timer(2, TimerKind::AutoClose, 100)); // another server's
        assert_eq!(q.pop_due(100), [timer(1, TimerKind::AutoClose, 100)]);
        assert!(q.pop_due(100 + LEARNED_GRACE_MILLIS - 1).is_empty());
        let late = q.pop_due(100 + LEARNED_GRACE_MILLIS);
        assert_eq!(late, [timer(2, TimerKind::AutoClose, 100)], "the stored deadline, late");
        // A moved deadline heard from elsewhere replaces the one held.
        q.set(&timer(3, TimerKind::AutoClose, 100));
        q.learn(&timer(3, TimerKind::AutoClose, 900));
        assert!(q.pop_due(900).is_empty());
        assert_eq!(q.pop_due(900 + LEARNED_GRACE_MILLIS).len(), 1);
    }

    #[test]
    fn a_retry_keeps_the_stored_deadline() {
        let mut q = TimerQueue::default();
        q.set_due(&timer(9, TimerKind::AutoClose, 100), 5_100);
        assert!(q.pop_due(5_000).is_empty());
        assert_eq!(q.pop_due(5_100)[0].at, 100, "fire() compares against the stored deadline");
    }
}

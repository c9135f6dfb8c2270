//! Auto-close benchmark (run by `cargo xtask bench`; prints figures, asserts nothing):
//! 1. memory per armed deadline, 1,000,000 deadlines in the scheduler's queue;
//! 2. how late the queue and clock loop fire those 1,000,000 deadlines, all due within 10 s;
//! 3. how late real auto-closes land in SQLite, conversations due together, end to end.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use porch_protocol::{
    Actor, ContactId, ConversationId, ConversationKind, Event, LeadOptions, Millis, Plan,
    TimerReason, WorkspaceId, WorkspaceSettings,
};
use porch_server::scheduler::TimerQueue;
use porch_server::{AppState, Clock, SystemClock};
use porch_store::{NewContact, NewWorkspace, Timer, TimerKind};

const DEADLINES: usize = 1_000_000;
const CLOSES: usize = 2_000;

fn rss_bytes() -> usize {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<usize>().ok())
        .map_or(0, |kb| kb * 1024)
}

fn percentiles(mut late: Vec<Millis>) -> String {
    late.sort_unstable();
    let at = |q: f64| late[((late.len() - 1) as f64 * q) as usize];
    format!("median {} ms, p99 {} ms, max {} ms", at(0.5), at(0.99), late[late.len() - 1])
}

fn timer(workspace: &WorkspaceId, at: Millis) -> Timer {
    Timer {
        workspace: workspace.clone(),
        conversation: ConversationId(uuid::Uuid::new_v4().to_string()),
        kind: TimerKind::AutoClose,
        at,
    }
}

async fn queue_lateness() {
    let clock = SystemClock;
    let workspaces: Vec<WorkspaceId> = (0..100).map(|i| WorkspaceId(format!("ws-{i}"))).collect();
    let before = rss_bytes();
    let mut queue = TimerQueue::default();
    let start = clock.now() + 1_000;
    for i in 0..DEADLINES {
        let at = start + (i as Millis * 10_000 / DEADLINES as Millis);
        queue.set(&timer(&workspaces[i % workspaces.len()], at));
    }
    let grown = rss_bytes().saturating_sub(before);
    println!(
        "queue: {DEADLINES} deadlines armed; resident memory grew {:.1} MB = {} bytes per deadline",
        grown as f64 / 1e6,
        grown / DEADLINES
    );

    let mut late = Vec::with_capacity(DEADLINES);
    while let Some(next) = queue.next() {
        clock.sleep_until(next).await;
        let now = clock.now();
        late.extend(queue.pop_due(now).iter().map(|t| now - t.at));
    }
    println!("queue: fired {} deadlines due over 10 s; lateness {}", late.len(), percentiles(late));
}

/// `CLOSES` conversations of one workspace, due from 8 s after arming over `spread` ms.
async fn closes_in_sqlite(spread: Millis) {
    let dir = std::env::temp_dir().join(format!("porch-bench-{}", uuid::Uuid::new_v4().simple()));
    let url = format!("sqlite://{}/bench.db", dir.display());
    let store = porch_store::connect(&url).await.expect("store");
    let state = AppState::new(store, Arc::new(SystemClock), dir.clone());
    let workspace = WorkspaceId("bench".into());
    let mut settings = WorkspaceSettings::default();
    settings.auto_close.enabled = true;
    state
        .store
        .create_workspace(&NewWorkspace {
            id: workspace.clone(),
            name: "Bench".into(),
            widget_key: "bench".into(),
            plan: Plan::Professional,
            lead_options: LeadOptions::default(),
            settings,
            created_at: state.clock.now(),
        })
        .await
        .expect("workspace");
    let first_due = state.clock.now() + 8_000;
    let due_of = |i: usize| first_due + spread * i as Millis / CLOSES as Millis;
    for i in 0..CLOSES {
        let due = due_of(i);
        let contact = ContactId(format!("lead-{i}"));
        let new = NewContact {
            id: contact.clone(),
            workspace_id: workspace.clone(),
            token_hash: format!("token-{i}"),
            created_at: state.clock.now(),
        };
        state.store.create_contact(&new).await.expect("contact");
        let id = ConversationId(uuid::Uuid::new_v4().to_string());
        let now = state.clock.now();
        let decide: porch_store::Decide = Box::new(move |_| {
            let mut events =
                porch_domain::start(id.clone(), contact, false, ConversationKind::Live, None, now)?;
            events.push(Event::AutoCloseArmed {
                conversation_id: id,
                deadline: due,
                previous: None,
                reason: TimerReason::AgentReplied,
            });
            Ok(events)
        });
        state.store.record(&workspace, None, Actor::System, now, decide).await.expect("arm");
    }
    assert!(state.clock.now() < first_due, "arming took too long for the chosen deadlines");
    let started = Instant::now();
    tokio::spawn(porch_server::scheduler::run(state.clone()));
    let open = porch_store::ConversationFilter {
        status: Some(porch_protocol::ConversationStatus::Open),
        ..Default::default()
    };
    while !state.store.conversations(&workspace, &open).await.expect("list").is_empty() {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut late = Vec::new();
    // The log holds every closing with its time.
    let frames = state.store.events_after(&workspace, 0, None, u32::MAX).await.expect("log");
    let mut deadlines = HashMap::new();
    for frame in &frames {
        if let Event::AutoCloseArmed { conversation_id, deadline, .. } = &frame.event {
            deadlines.insert(conversation_id.clone(), *deadline);
        }
    }
    for frame in frames {
        if let Event::ConversationClosed { conversation_id, .. } = &frame.event {
            late.push(frame.at - deadlines[conversation_id]);
        }
    }
    println!(
        "sqlite: {} conversations of one workspace due {}, closed by auto-close (all done {:.1} s \
         after the scheduler started); lateness {}",
        late.len(),
        if spread == 0 {
            "at the same instant".to_owned()
        } else {
            format!("over {} s", spread / 1000)
        },
        started.elapsed().as_secs_f64(),
        percentiles(late)
    );
    state.shutdown.cancel();
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::main]
async fn main() {
    queue_lateness().await;
    closes_in_sqlite(10_000).await;
    closes_in_sqlite(0).await;
}

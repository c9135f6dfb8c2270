//! Auto-close through the public API on the manual clock: each rule as an owner sees it.

use porch_protocol::{
    self as wire, AutoCloseMode, ClosingSource, ConversationStatus, Event, Millis,
};
use porch_server::demo;
use porch_tests::browser::eventually;
use porch_tests::*;
use serde_json::json;

const MIN: Millis = 60_000;

fn policy(mode: AutoCloseMode, generate_notes: bool) -> serde_json::Value {
    json!({"settings": {"enabled": true, "period_minutes": 30, "mode": mode, "generate_notes": generate_notes}})
}

async fn set_policy(server: &TestServer, body: serde_json::Value) -> Answer {
    let owner = AgentClient::owner(server).await;
    owner.http.send(reqwest::Method::PUT, "/api/v1/agent/settings/auto-close", Some(body)).await
}

/// A lead's conversation in the demo workspace with a 30-minute after-reply auto-close.
async fn setup(server: &TestServer) -> (LeadClient, AgentClient, wire::LeadConversation) {
    assert_eq!(set_policy(server, policy(AutoCloseMode::AfterAgentReply, false)).await.status, 200);
    let lead = LeadClient::open(server, demo::WIDGET_KEY).await;
    let agent = AgentClient::demo(server).await;
    let conversation = lead.start("Where is my order?").await;
    (lead, agent, conversation)
}

async fn deadline(agent: &AgentClient, c: &wire::LeadConversation) -> Option<Millis> {
    agent.detail(&c.id).await.conversation.auto_close_at
}

async fn wait_closed(agent: &AgentClient, c: &wire::LeadConversation) -> wire::Conversation {
    eventually("auto-close to fire", || async {
        let now = agent.detail(&c.id).await.conversation;
        (now.status == ConversationStatus::Closed).then_some(now)
    })
    .await
}

#[tokio::test]
async fn the_setting_is_checked_and_reserved_to_owners() {
    let server = TestServer::start().await;
    let bad = json!({"settings": {"enabled": true, "period_minutes": 29}});
    set_policy(&server, bad).await.assert_error(422, "invalid_settings");
    let too_long = json!({"settings": {"enabled": true, "period_minutes": 14 * 24 * 60 + 1}});
    set_policy(&server, too_long).await.assert_error(422, "invalid_settings");
    let agent = AgentClient::demo(&server).await;
    let path = "/api/v1/agent/settings/auto-close";
    let answer = agent
        .http
        .send(reqwest::Method::PUT, path, Some(policy(AutoCloseMode::Inactivity, false)))
        .await;
    answer.assert_error(403, "forbidden");
}

#[tokio::test]
async fn a_human_reply_arms_and_pushes_a_lead_reply_cancels() {
    let server = TestServer::start().await;
    let (lead, agent, c) = setup(&server).await;
    assert_eq!(deadline(&agent, &c).await, None, "the lead wrote: nothing runs");
    agent.reply(&c.id, "Let me check.").await;
    let first = server.clock_now() + 30 * MIN;
    assert_eq!(deadline(&agent, &c).await, Some(first));
    server.advance(10 * MIN);
    agent.reply(&c.id, "It ships tomorrow.").await;
    assert_eq!(deadline(&agent, &c).await, Some(first + 10 * MIN), "pushed by the second reply");
    lead.say(&c.id, "Thanks!").await;
    assert_eq!(deadline(&agent, &c).await, None, "cancelled until the next human reply");
    let reasons: Vec<_> = agent
        .detail(&c.id)
        .await
        .events
        .iter()
        .filter_map(|f| match &f.event {
            Event::AutoCloseArmed { reason, previous, .. } => {
                Some(format!("armed {reason:?} {}", previous.is_some()))
            }
            Event::AutoCloseCancelled { reason, .. } => Some(format!("cancelled {reason:?}")),
            _ => None,
        })
        .collect();
    assert_eq!(
        reasons,
        ["armed AgentReplied false", "armed AgentReplied true", "cancelled ContactReplied"]
    );
}

#[tokio::test]
async fn it_fires_at_the_deadline_as_auto_close_and_the_lead_is_told() {
    let server = TestServer::start().await;
    assert_eq!(set_policy(&server, policy(AutoCloseMode::AfterAgentReply, true)).await.status, 200);
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let agent = AgentClient::demo(&server).await;
    let c = lead.start("My payment was charged twice.").await;
    agent.reply(&c.id, "I refunded the duplicate payment.").await;
    let mut widget = lead.socket(&server, lead.session.last_seq).await;
    widget.until_ready().await;

    server.advance(30 * MIN - 1);
    // One millisecond early: still open (the lead's next frame will be the closure, nothing else).
    assert_eq!(agent.detail(&c.id).await.conversation.status, ConversationStatus::Open);
    server.advance(1);
    let closed = wait_closed(&agent, &c).await;
    assert_eq!(closed.closing_source, Some(ClosingSource::AutoClose));
    assert_eq!(
        (closed.outcome, closed.closed_by.clone(), closed.auto_close_at),
        (None, None, None)
    );
    let note = closed.closing_note.expect("generated note");
    assert!(note.generated);
    assert_eq!(note.category.as_deref(), Some("Payment issue"));
    assert!(note.summary.unwrap().contains("charged twice"));
    let frame = widget.event().await;
    assert!(
        matches!(
            frame.event,
            Event::ConversationClosed { source: ClosingSource::AutoClose, note: None, .. }
        ),
        "{frame:?}"
    );
    // The demo disables input on close: the lead is refused, as after a manual close.
    lead.say(&c.id, "Hello?").await.assert_error(409, "input_disabled");
}

#[tokio::test]
async fn a_lead_message_after_an_auto_close_reopens_when_input_stays_enabled() {
    let server = TestServer::start().await;
    let team = server
        .team_workspace(
            wire::Plan::Professional,
            Default::default(),
            wire::WorkspaceSettings {
                auto_close: wire::AutoCloseSettings {
                    enabled: true,
                    period_minutes: 30,
                    ..Default::default()
                },
                ..Default::default()
            },
        )
        .await;
    let lead = LeadClient::open(&server, &team.key).await;
    let agent = AgentClient::login(&server, &team.agents[1].1, PASSWORD).await;
    let c = lead.start("Hi").await;
    agent.reply(&c.id, "Hello!").await;
    server.advance(31 * MIN);
    wait_closed(&agent, &c).await;
    assert_eq!(lead.say(&c.id, "One more thing").await.status, 201);
    let back = agent.detail(&c.id).await.conversation;
    assert_eq!((back.status, back.cycle, back.auto_close_at), (ConversationStatus::Open, 2, None));
}

#[tokio::test]
async fn a_snooze_suspends_the_deadline_until_it_ends() {
    let server = TestServer::start().await;
    let (_, agent, c) = setup(&server).await;
    agent.reply(&c.id, "Let me check.").await;
    let until = server.clock_now() + 60 * MIN;
    agent.act(&c.id, "snooze", json!({"until": until})).await;
    assert_eq!(deadline(&agent, &c).await, None, "no running deadline while snoozed");
    server.advance(45 * MIN);
    assert_eq!(
        agent.detail(&c.id).await.conversation.status,
        ConversationStatus::Open,
        "not closed during the snooze"
    );
    server.advance(15 * MIN);
    let resumed = eventually("the snooze to end", || async {
        let now = agent.detail(&c.id).await.conversation;
        (now.snoozed_until.is_none()).then_some(now)
    })
    .await;
    assert_eq!(
        resumed.auto_close_at,
        Some(until + 30 * MIN),
        "the deadline starts when the snooze ends"
    );
    server.advance(30 * MIN);
    assert_eq!(wait_closed(&agent, &c).await.closing_source, Some(ClosingSource::AutoClose));
}

#[tokio::test]
async fn handing_to_the_bot_cancels_and_reassigning_restarts() {
    let server = TestServer::start().await;
    let (_, agent, c) = setup(&server).await;
    agent.reply(&c.id, "Let me check.").await;
    server.advance(20 * MIN);
    agent.act(&c.id, "assign", json!({"agent_id": agent.me.agent.id})).await;
    assert_eq!(deadline(&agent, &c).await, Some(server.clock_now() + 30 * MIN));
    agent.act(&c.id, "hand-to-bot", json!({})).await;
    assert_eq!(deadline(&agent, &c).await, None);
}

#[tokio::test]
async fn inactivity_mode_counts_from_anyones_last_message() {
    let server = TestServer::start().await;
    assert_eq!(set_policy(&server, policy(AutoCloseMode::Inactivity, false)).await.status, 200);
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let agent = AgentClient::demo(&server).await;
    let c = lead.start("Hello?").await;
    assert_eq!(
        deadline(&agent, &c).await,
        Some(server.clock_now() + 30 * MIN),
        "regardless of a reply"
    );
}

#[tokio::test]
async fn a_restart_between_arm_and_fire_loses_nothing() {
    let server = TestServer::start().await;
    let (_, agent, c) = setup(&server).await;
    agent.reply(&c.id, "Let me check.").await;
    let server = server.restart().await;
    let agent = AgentClient::demo(&server).await;
    server.advance(31 * MIN);
    assert_eq!(wait_closed(&agent, &c).await.closing_source, Some(ClosingSource::AutoClose));
}

#[tokio::test]
async fn preview_then_apply_to_open_conversations() {
    let server = TestServer::start().await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let agent = AgentClient::demo(&server).await;
    let owner = AgentClient::owner(&server).await;
    // Auto-close off while history accumulates.
    let off = json!({"settings": {"enabled": false, "period_minutes": 30}});
    assert_eq!(set_policy(&server, off).await.status, 200);
    let old = lead.start("old").await;
    agent.reply(&old.id, "answered long ago").await;
    server.advance(2 * 60 * MIN);
    let recent = lead.start("recent").await;
    agent.reply(&recent.id, "answered just now").await;
    let waiting = lead.start("waiting for us").await;
    assert_eq!(deadline(&agent, &old).await, None, "nothing armed while off");

    let proposal = json!({"enabled": true, "period_minutes": 60, "mode": "after_agent_reply"});
    let preview: wire::AutoClosePreview =
        owner.http.post("/api/v1/agent/settings/auto-close/preview", proposal.clone()).await.json();
    assert_eq!(preview, wire::AutoClosePreview { close_now: 1, close_within_24h: 1 });

    let apply = json!({"settings": proposal, "apply_to_open": true});
    assert_eq!(set_policy(&server, apply).await.status, 200);
    assert_eq!(wait_closed(&agent, &old).await.closing_source, Some(ClosingSource::AutoClose));
    assert_eq!(deadline(&agent, &recent).await, Some(server.clock_now() + 60 * MIN));
    assert_eq!(deadline(&agent, &waiting).await, None);
}

#[tokio::test]
async fn the_dev_clock_moves_only_on_dev_servers() {
    let server = TestServer::start().await;
    let http = Http::new(&server);
    let before = server.clock_now();
    let moved = http.post("/api/v1/dev/clock/advance", json!({"millis": 31 * MIN})).await;
    assert_eq!(moved.body["now"], before + 31 * MIN);
    http.post("/api/v1/dev/clock/advance", json!({"millis": -1}))
        .await
        .assert_error(400, "invalid_advance");
    let mut real = server.state.clone();
    real.dev_clock = false;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, porch_server::app(real)).await });
    let refused = reqwest::Client::new()
        .post(format!("{base}/api/v1/dev/clock/advance"))
        .json(&json!({"millis": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 404);
}

/// Two server processes on one PostgreSQL database, both holding the deadline, both reaching
/// it: the conversation is closed exactly once.
#[tokio::test]
async fn two_servers_on_postgres_close_once() {
    let Some(db) = porch_store::testing::TestDatabase::postgres().await else { return };
    let a = TestServer::start_on(db).await;
    let (lead, agent, c) = setup(&a).await;
    agent.reply(&c.id, "Let me check.").await;
    // B starts after the deadline was armed and rebuilds it from the store.
    let b = TestServer::start_at(&a.database_url, a.clock_now()).await;
    for _ in 0..3 {
        a.advance(11 * MIN);
        b.advance(11 * MIN);
    }
    wait_closed(&agent, &c).await;
    let agent_b = AgentClient::demo(&b).await;
    // Both schedulers have tried (neither holds the deadline any more)...
    eventually("both servers to have fired", || async {
        let idle = |s: &TestServer| {
            s.state.scheduler.pending.load(std::sync::atomic::Ordering::Relaxed) == 0
        };
        (idle(&a) && idle(&b)).then_some(())
    })
    .await;
    // ...and the log holds one closing.
    lead.say(&c.id, "ping").await.assert_error(409, "input_disabled");
    let closes = agent_b
        .detail(&c.id)
        .await
        .events
        .iter()
        .filter(|f| matches!(f.event, Event::ConversationClosed { .. }))
        .count();
    assert_eq!(closes, 1);
    b.state.shutdown.cancel();
    drop(b);
    a.stop_and_drop_database().await;
}

/// A deadline armed on server A is heard of by server B (the commit notice says it moved
/// deadlines; B reads it from the log): when A stops before it is due, B fires it on time,
/// give or take the grace it leaves A.
#[tokio::test]
async fn a_deadline_armed_on_a_server_that_stopped_is_learned_and_fired_by_another() {
    use porch_server::scheduler::LEARNED_GRACE_MILLIS;
    let Some(db) = porch_store::testing::TestDatabase::postgres().await else { return };
    let a = TestServer::start_on(db).await;
    let b = TestServer::start_at(&a.database_url, a.clock_now()).await;
    let (_lead, agent, c) = setup(&a).await;
    let pending =
        |s: &TestServer| s.state.scheduler.pending.load(std::sync::atomic::Ordering::Relaxed);
    let before = pending(&b);
    agent.reply(&c.id, "Let me check.").await;
    let due = deadline(&agent, &c).await.expect("armed on A");
    let started = std::time::Instant::now();
    while pending(&b) == before {
        assert!(started.elapsed() < std::time::Duration::from_secs(10), "B learns the deadline");
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    a.state.shutdown.cancel();
    b.advance(due - b.clock_now() + LEARNED_GRACE_MILLIS - 1);
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let agent_b = AgentClient::demo(&b).await;
    assert_eq!(
        agent_b.detail(&c.id).await.conversation.status,
        ConversationStatus::Open,
        "A's turn"
    );
    b.advance(1);
    let closed = wait_closed(&agent_b, &c).await;
    assert_eq!(closed.closing_source, Some(ClosingSource::AutoClose));
    b.state.shutdown.cancel();
    a.stop_and_drop_database().await;
}

/// A deadline armed on server A, which then stops before it is due, is fired by server B, which
/// started before it was armed and never heard of it: B's sweep finds it overdue in the store.
#[tokio::test]
async fn a_deadline_armed_on_a_server_that_stopped_is_fired_by_another() {
    use porch_server::scheduler::{OVERDUE_MILLIS, SWEEP_MILLIS};
    let Some(db) = porch_store::testing::TestDatabase::postgres().await else { return };
    let a = TestServer::start_on(db).await;
    let b = TestServer::start_at(&a.database_url, a.clock_now()).await;
    let (_lead, agent, c) = setup(&a).await;
    agent.reply(&c.id, "Let me check.").await;
    let due = deadline(&agent, &c).await.expect("armed on A");
    a.state.shutdown.cancel();
    b.advance(due - b.clock_now() + OVERDUE_MILLIS + SWEEP_MILLIS);
    let closed = wait_closed(&AgentClient::demo(&b).await, &c).await;
    assert_eq!(closed.closing_source, Some(ClosingSource::AutoClose));
    b.state.shutdown.cancel();
    a.stop_and_drop_database().await;
}

//! Live push across servers (issue 15): two servers on one PostgreSQL database. What either
//! commits reaches the sockets on both, in seq order, nothing missing and nothing twice.

use porch_protocol::{self as wire, Event};
use porch_server::demo;
use porch_store::testing::TestDatabase;
use porch_tests::*;

#[tokio::test]
async fn commits_on_either_server_reach_the_sockets_on_both() {
    let Some(db) = TestDatabase::postgres().await else { return };
    let a = TestServer::start_on(db).await;
    let b = TestServer::start_at(&a.database_url, a.clock_now()).await;
    let on_a = AgentClient::login(&a, demo::AGENT.1, demo::AGENT.2).await;
    let on_b = AgentClient::login(&b, demo::OWNER.1, demo::OWNER.2).await;
    let mut agents_b = on_b.socket(&b, on_b.me.last_seq).await;
    let (_, ready) = agents_b.until_ready().await;

    // A lead writes through A; their own socket is on B.
    let lead = LeadClient::open(&a, demo::WIDGET_KEY).await;
    let mut lead_b = lead.socket(&b, 0).await;
    lead_b.until_ready().await;
    let started = lead.start("hello from server A").await;
    // Replies alternate between the servers, then A closes.
    for i in 0..10 {
        let (agent, body) = if i % 2 == 0 { (&on_a, "from A") } else { (&on_b, "from B") };
        let sent = agent.reply(&started.id, &format!("{body} #{i}")).await;
        assert_eq!(sent.status, 201, "{}", sent.body);
    }
    assert_eq!(on_a.close(&started.id).await.status, 200);

    // B's agent socket: every event of the workspace since it was ready, in order, no gaps.
    let last = a.state.store.last_seq(&a.demo_workspace().await).await.unwrap();
    let mut seqs = Vec::new();
    let mut replies = Vec::new();
    while seqs.last() != Some(&last) {
        let frame = agents_b.event().await;
        if let Event::MessagePosted { message } = &frame.event {
            replies.push(message.body.clone());
        }
        seqs.push(frame.seq);
    }
    assert_eq!(seqs, (ready + 1..=last).collect::<Vec<_>>(), "in seq order, once each");
    assert_eq!(replies[0], "hello from server A");
    assert_eq!(replies.len(), 11);
    // The lead's socket on B hears the replies of both servers and the close.
    let mut heard = Vec::new();
    loop {
        match lead_b.event().await.event {
            Event::MessagePosted { message } => heard.push(message.body),
            Event::ConversationClosed { .. } => break,
            _ => {}
        }
    }
    assert_eq!(heard.len(), 11, "{heard:?}");
    assert!(
        heard.iter().any(|b| b.starts_with("from B"))
            && heard.iter().any(|b| b.starts_with("from A"))
    );

    // Both servers hand out nothing twice: a ping answers with the last seq, no stray event.
    agents_b.send_text(&serde_json::to_string(&wire::ClientFrame::Ping).unwrap()).await;
    assert!(matches!(agents_b.next().await, wire::ServerFrame::Ready { seq } if seq == last));
    b.state.shutdown.cancel();
    a.stop_and_drop_database().await;
}

/// A lead spreading a flood over two servers gets no more than from one: the rate limits'
/// buckets are shared through the store. New sessions per address likewise.
#[tokio::test]
async fn rate_limits_are_shared_by_the_servers() {
    let Some(db) = TestDatabase::postgres().await else { return };
    let a = TestServer::start_on(db).await;
    let b = TestServer::start_at(&a.database_url, a.clock_now()).await;
    let lead = LeadClient::open(&a, demo::WIDGET_KEY).await;
    let conversation = lead.start("hi").await;
    let on_b = LeadClient { http: lead.http.on(&b), session: lead.session.clone() };
    let (senders, id) = ([&lead, &on_b], &conversation.id);
    let (at, answer) =
        until_refused(
            40,
            201,
            |i| async move { senders[i % 2].say(id, &format!("spam {i}")).await },
        )
        .await;
    assert_eq!(at, 30, "a burst of 30 messages over both servers together, then the limit");
    answer.assert_error(429, "rate_limited");
    assert_eq!(answer.headers["retry-after"], "1");
    let stored = a.state.store.messages(&a.demo_workspace().await, &conversation.id).await;
    assert_eq!(stored.unwrap().len(), 31, "the first message and the 30 of the burst");
    a.advance(1_000);
    b.advance(1_000);
    assert_eq!(on_b.say(&conversation.id, "a second later").await.status, 201, "refilled");
    assert_eq!(lead.say(&conversation.id, "and no more").await.status, 429);

    // Widget sessions per address: 20 over both servers (one was opened above).
    let session = serde_json::json!({"workspace_key": demo::WIDGET_KEY});
    let (more, _) = until_refused(40, 200, |i| {
        let server = if i % 2 == 0 { &b } else { &a };
        let session = session.clone();
        async move { Http::new(server).post("/api/v1/widget/session", session).await }
    })
    .await;
    assert_eq!(1 + more, 20, "20 sessions from one address over both servers");
    b.state.shutdown.cancel();
    a.stop_and_drop_database().await;
}

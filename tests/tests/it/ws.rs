use porch_protocol::{self as wire, Event, ServerFrame};
use porch_server::demo;
use porch_tests::*;

#[tokio::test]
async fn agents_see_a_lead_write_live_and_the_lead_sees_reply_and_closure() {
    let server = TestServer::start().await;
    let agent = AgentClient::demo(&server).await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let mut inbox = agent.socket(&server, agent.me.last_seq).await;
    assert_eq!(inbox.until_ready().await, (vec![], agent.me.last_seq));
    let mut widget = lead.socket(&server, lead.session.last_seq).await;
    widget.until_ready().await;

    let conversation = lead.start("Hello").await;
    let started = inbox.event().await;
    assert!(
        matches!(&started.event, Event::ConversationStarted { conversation: c } if c.id == conversation.id)
    );
    let posted = inbox.event().await;
    assert!(matches!(&posted.event, Event::MessagePosted { message } if message.body == "Hello"));
    assert_eq!(posted.seq, started.seq + 1);
    // The lead's own tab hears of its own writes too (another tab stays in step).
    assert_eq!(widget.event().await.event, started.event);
    assert_eq!(widget.event().await.event, posted.event);

    agent.reply(&conversation.id, "Hi there").await;
    let reply = widget.event().await;
    assert!(matches!(&reply.event, Event::MessagePosted { message } if message.body == "Hi there"));
    agent.close(&conversation.id).await;
    let closed = widget.event().await;
    assert!(
        matches!(&closed.event, Event::ConversationClosed { conversation_id, .. } if *conversation_id == conversation.id)
    );
    assert!(closed.seq > reply.seq);
    // The same reply, as each side sees it: the team also learns which agent wrote it.
    match (inbox.event().await.event, &reply.event) {
        (Event::MessagePosted { message: team }, Event::MessagePosted { message: lead }) => {
            assert!(team.author_id.is_some() && lead.author_id.is_none());
            assert_eq!(team.for_lead(), *lead);
        }
        other => panic!("{other:?}"),
    }
    // The team also sees the demo's auto-close deadline start with the reply; the lead does not.
    let armed = inbox.event().await;
    assert!(matches!(armed.event, Event::AutoCloseArmed { .. }), "{armed:?}");
    // The same closure, as each side may see it: the team also learns the outcome.
    let inbox_closed = inbox.event().await;
    assert_eq!(inbox_closed.seq, closed.seq);
    assert!(matches!(
        inbox_closed.event,
        Event::ConversationClosed { outcome: Some(wire::Outcome::Resolved), .. }
    ));
    assert!(matches!(closed.event, Event::ConversationClosed { outcome: None, .. }));
}

#[tokio::test]
async fn a_lead_never_receives_another_leads_events() {
    let server = TestServer::start().await;
    let ann = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let bob = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let mut anns_widget = ann.socket(&server, 0).await;
    anns_widget.until_ready().await;
    bob.start("Bob's secret").await;
    ann.start("Ann's question").await;
    // Bob's two events came first; the next frames Ann gets must be her own.
    let first = anns_widget.event().await;
    assert!(
        matches!(&first.event, Event::ConversationStarted { conversation } if conversation.contact_id == ann.session.contact_id),
        "{first:?}"
    );
    assert_eq!(first.seq, 3);
    // And a resume from zero replays only hers.
    let mut replay = ann.socket(&server, 0).await;
    let (events, ready) = replay.until_ready().await;
    assert_eq!(events.iter().map(|e| e.seq).collect::<Vec<_>>(), [3, 4]);
    assert_eq!(ready, 4);
}

#[tokio::test]
async fn resuming_after_a_seq_returns_exactly_the_missed_events_then_live_ones() {
    let server = TestServer::start().await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let agent = AgentClient::demo(&server).await;
    let conversation = lead.start("Hello").await; // seq 1, 2
    let mut widget = lead.socket(&server, 0).await;
    let (_, seen) = widget.until_ready().await;
    drop(widget); // the laptop sleeps

    agent.reply(&conversation.id, "Answer").await; // seq 3 (and the team's deadline, 4)
    agent.close(&conversation.id).await; // seq 5

    let mut widget = lead.socket(&server, seen).await;
    let (missed, ready) = widget.until_ready().await;
    let kinds: Vec<_> = missed.iter().map(|e| (e.seq, e.event.kind())).collect();
    assert_eq!(kinds, [(3, "message_posted"), (5, "conversation_closed")]);
    assert_eq!(ready, 5);

    // Live frames continue after the replay, without repeats.
    lead.start("New topic").await;
    assert_eq!(widget.event().await.seq, 6);
}

#[tokio::test]
async fn malformed_frames_get_an_error_frame_and_the_socket_stays_usable() {
    let server = TestServer::start().await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let mut widget = lead.socket(&server, 0).await;
    widget.until_ready().await;
    widget.send_text("{nope").await;
    match widget.next().await {
        ServerFrame::Error(wire::ApiError { code, .. }) => assert_eq!(code, "malformed_frame"),
        other => panic!("expected an error frame, got {other:?}"),
    }
    widget.send_text(r#"{"frame":"ping"}"#).await;
    assert_eq!(widget.next().await, ServerFrame::Ready { seq: 0 });
}

#[tokio::test]
async fn sockets_refuse_unknown_callers() {
    let server = TestServer::start().await;
    let refused = |url: String| async move {
        match tokio_tungstenite::connect_async(url).await {
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                response.status().as_u16()
            }
            other => panic!("expected an HTTP refusal, got {:?}", other.map(|_| ())),
        }
    };
    assert_eq!(refused(server.ws_url("/api/v1/widget/ws?token=forged")).await, 401);
    assert_eq!(refused(server.ws_url("/api/v1/widget/ws")).await, 401);
    assert_eq!(refused(server.ws_url("/api/v1/agent/ws")).await, 401);
}

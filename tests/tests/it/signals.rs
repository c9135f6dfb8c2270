//! Typing and "seen": fleeting signals, pushed to the sockets that may hear them. A lead's
//! typing reaches the team, never another lead; a member's typing and reads reach that
//! conversation's lead alone; on PostgreSQL, sockets on another server hear them. What was
//! seen is also answered when the lead opens the conversation again (a reload).

use porch_protocol::api::{agent, widget};
use porch_protocol::{self as wire, ConversationId, LeadServerFrame, ServerFrame};
use porch_server::demo;
use porch_store::testing::TestDatabase;
use porch_tests::*;

/// The next frame that is not an event (events of the setup may come first).
async fn agents_signal(socket: &mut Socket) -> ServerFrame {
    loop {
        match socket.next().await {
            ServerFrame::Event(_) => continue,
            other => return other,
        }
    }
}

async fn lead_signal(socket: &mut Socket) -> LeadServerFrame {
    loop {
        match socket.lead_frame().await {
            LeadServerFrame::Event(_) | LeadServerFrame::Ready { .. } => continue,
            other => return other,
        }
    }
}

async fn typing(lead: &LeadClient, id: &ConversationId) -> Answer {
    lead.http.call(widget::TYPING.at(&[id.as_str()]), &()).await
}

#[tokio::test]
async fn typing_reaches_the_other_side_and_no_one_else() {
    let server = TestServer::start().await;
    let agent = AgentClient::demo(&server).await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let other = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("Hello").await;
    let theirs = other.start("Me too").await;
    let mut team = agent.socket(&server, agent.me.last_seq).await;
    let mut lead_socket = lead.socket(&server, 0).await;
    let mut other_socket = other.socket(&server, 0).await;
    team.until_ready().await;
    lead_socket.until_ready().await;
    other_socket.until_ready().await;

    assert_eq!(typing(&lead, &conversation.id).await.status, 204);
    let heard = agents_signal(&mut team).await;
    assert_eq!(heard, ServerFrame::Typing { conversation_id: conversation.id.clone() });

    let answer = agent.http.call(agent::TYPING.at(&[conversation.id.as_str()]), &()).await;
    assert_eq!(answer.status, 204, "{}", answer.text);
    let heard = lead_signal(&mut lead_socket).await;
    let name = demo::AGENT.0.to_owned();
    assert_eq!(heard, LeadServerFrame::Typing { conversation_id: conversation.id.clone(), name });

    // The other lead heard nothing of either; their own typing in their conversation is next.
    assert_eq!(typing(&other, &theirs.id).await.status, 204);
    let heard = agents_signal(&mut team).await;
    assert_eq!(heard, ServerFrame::Typing { conversation_id: theirs.id.clone() });
    other.say(&theirs.id, "still here").await;
    match other_socket.lead_frame().await {
        LeadServerFrame::Event(frame) => {
            assert!(matches!(frame.event, wire::LeadEvent::MessagePosted { .. }), "{frame:?}")
        }
        signal => panic!("the other lead heard {signal:?}"),
    }

    // Nothing of it is kept: the log has no trace.
    let detail = agent.detail(&conversation.id).await;
    let raw = serde_json::to_string(&detail).unwrap();
    assert!(!raw.contains("typing"), "{raw}");
}

#[tokio::test]
async fn typing_is_refused_for_strangers_and_floods() {
    let server = TestServer::start().await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("Hello").await;
    let stranger = LeadClient::open(&server, demo::WIDGET_KEY).await;
    typing(&stranger, &conversation.id).await.assert_error(404, "not_found");
    typing(&lead, &ConversationId("nope".into())).await.assert_error(404, "not_found");
    let anonymous = Http::new(&server);
    let answer = anonymous.call(widget::TYPING.at(&[conversation.id.as_str()]), &()).await;
    answer.assert_error(401, "unauthorized");
    // A flood: five at once (the unknown id above took one), then one a second (the clock
    // stands still here).
    let mut statuses = Vec::new();
    for _ in 0..8 {
        statuses.push(typing(&lead, &conversation.id).await.status.as_u16());
    }
    assert_eq!(statuses, [204, 204, 204, 204, 429, 429, 429, 429], "{statuses:?}");
    server.advance(1_000);
    assert_eq!(typing(&lead, &conversation.id).await.status, 204);
}

#[tokio::test]
async fn a_members_read_tells_the_lead_their_messages_are_seen() {
    let server = TestServer::start().await;
    let agent = AgentClient::demo(&server).await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("Is my order on its way?").await;
    let mut lead_socket = lead.socket(&server, 0).await;
    lead_socket.until_ready().await;
    server.advance(5_000);
    let read = wire::MarkRead { seq: u64::MAX };
    let answer = agent.http.call(agent::MARK_READ.at(&[conversation.id.as_str()]), &read).await;
    assert_eq!(answer.status, 204, "{}", answer.text);
    let heard = lead_signal(&mut lead_socket).await;
    let at = server.clock_now();
    let id = conversation.id.clone();
    assert_eq!(heard, LeadServerFrame::Seen { conversation_id: id.clone(), at });
}

#[tokio::test]
async fn a_reopened_conversation_says_until_when_the_team_has_seen_it() {
    let server = TestServer::start().await;
    let agent = AgentClient::demo(&server).await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("Is my order on its way?").await;
    let read = || lead.http.expect(widget::CONVERSATION.at(&[conversation.id.as_str()]), &());
    let detail: wire::LeadConversationDetail = read().await;
    assert_eq!(detail.seen_until, None, "nobody has read it");
    let first_at = detail.messages[0].created_at;

    // Read up to the first message; the lead's next one is not seen yet.
    let seq = agent.detail(&conversation.id).await.events.last().unwrap().seq;
    let answer = agent
        .http
        .call(agent::MARK_READ.at(&[conversation.id.as_str()]), &wire::MarkRead { seq })
        .await;
    assert_eq!(answer.status, 204, "{}", answer.text);
    server.advance(5_000);
    lead.say(&conversation.id, "Hello?").await;
    let detail: wire::LeadConversationDetail = read().await;
    assert_eq!(detail.seen_until, Some(first_at));

    // Another lead of the workspace cannot read it at all.
    let stranger = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let call = widget::CONVERSATION.at(&[conversation.id.as_str()]);
    stranger.http.call(call, &()).await.assert_error(404, "not_found");
}

#[tokio::test]
async fn signals_reach_sockets_on_another_server() {
    let Some(db) = TestDatabase::postgres().await else { return };
    let a = TestServer::start_on(db).await;
    let b = TestServer::start_at(&a.database_url, a.clock_now()).await;
    let on_b = AgentClient::login(&b, demo::AGENT.1, demo::AGENT.2).await;
    let mut team_b = on_b.socket(&b, on_b.me.last_seq).await;
    team_b.until_ready().await;
    let lead = LeadClient::open(&a, demo::WIDGET_KEY).await;
    let conversation = lead.start("Hello from A").await;
    let mut lead_a = lead.socket(&a, 0).await;
    lead_a.until_ready().await;

    // The lead types through A; the team's socket on B hears it.
    assert_eq!(typing(&lead, &conversation.id).await.status, 204);
    let heard = agents_signal(&mut team_b).await;
    assert_eq!(heard, ServerFrame::Typing { conversation_id: conversation.id.clone() });
    // The member types and reads through B; the lead's socket on A hears both.
    let answer = on_b.http.call(agent::TYPING.at(&[conversation.id.as_str()]), &()).await;
    assert_eq!(answer.status, 204);
    assert!(matches!(lead_signal(&mut lead_a).await, LeadServerFrame::Typing { .. }));
    let read = wire::MarkRead { seq: u64::MAX };
    on_b.http.call(agent::MARK_READ.at(&[conversation.id.as_str()]), &read).await;
    assert!(matches!(lead_signal(&mut lead_a).await, LeadServerFrame::Seen { .. }));
}

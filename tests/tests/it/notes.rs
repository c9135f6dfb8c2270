//! Private notes: the team's words on a conversation, in its timeline and on the team's
//! sockets; never on the lead's socket or in the widget's answers; no reply, so no timer moves.

use porch_protocol::api::{agent, widget};
use porch_protocol::{self as wire, Event};
use porch_server::demo;
use porch_tests::*;

const MIN: i64 = 60_000;

fn note(body: &str) -> wire::PostNote {
    wire::PostNote { body: body.into() }
}

#[tokio::test]
async fn a_note_reaches_the_team_and_never_the_lead() {
    let server = TestServer::start().await;
    let agent = AgentClient::demo(&server).await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("Where is my parcel?").await;
    let id = conversation.id.as_str();
    agent.reply(&conversation.id, "Let me look").await;
    let mut inbox = agent.socket(&server, agent.me.last_seq).await;
    inbox.until_ready().await;
    let mut widget = lead.socket(&server, 0).await;
    widget.until_ready().await;
    let deadline = agent.detail(&conversation.id).await.conversation.auto_close_at;
    assert!(deadline.is_some(), "the reply armed the demo's auto-close");

    server.advance(MIN);
    let secret = "Called the courier: it left on Monday";
    let stored = agent.http.expect(agent::NOTE.at(&[id]), &note(secret)).await;
    assert_eq!((stored.body.as_str(), stored.author_name.as_str()), (secret, demo::AGENT.0));
    assert_eq!(stored.conversation_id, conversation.id);
    // The team's socket hears it at once.
    match inbox.event().await.event {
        Event::NotePosted { note } => assert_eq!(note, stored),
        other => panic!("expected the note, got {other:?}"),
    }
    // No reply: the timer stays where the reply set it.
    assert_eq!(agent.detail(&conversation.id).await.conversation.auto_close_at, deadline);

    // The lead's socket skips it: the next frame the lead gets is the reply written after it.
    agent.reply(&conversation.id, "It is on its way").await;
    let next = widget.event().await;
    assert!(
        matches!(&next.event, Event::MessagePosted { message } if message.body == "It is on its way"),
        "{next:?}"
    );
    let (replayed, _) = lead.socket(&server, 0).await.until_ready().await;
    assert!(replayed.iter().all(|f| !matches!(f.event, Event::NotePosted { .. })));
    let read = lead.http.expect(widget::CONVERSATION.at(&[id]), &()).await;
    let raw = serde_json::to_string(&read).unwrap();
    assert!(!raw.contains(secret) && read.messages.len() == 3, "{raw}");

    // The team's timeline has it, apart from the messages.
    let detail = agent.detail(&conversation.id).await;
    assert!(detail
        .events
        .iter()
        .any(|f| matches!(&f.event, Event::NotePosted { note } if note.body == secret)));
    assert!(detail.messages.iter().all(|m| m.body != secret));
}

#[tokio::test]
async fn notes_are_refused_when_empty_foreign_or_from_a_lead() {
    let server = TestServer::start().await;
    let agent = AgentClient::demo(&server).await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("Hello").await;
    let id = conversation.id.as_str();
    let before = agent.detail(&conversation.id).await.events.len();

    agent.http.call(agent::NOTE.at(&[id]), &note("   ")).await.assert_error(422, "empty_message");
    let long = "x".repeat(wire::MAX_MESSAGE_CHARS + 1);
    agent
        .http
        .call(agent::NOTE.at(&[id]), &note(&long))
        .await
        .assert_error(422, "message_too_long");
    agent.http.call(agent::NOTE.at(&["nope"]), &note("hi")).await.assert_error(404, "not_found");
    let from_lead = lead.http.call(agent::NOTE.at(&[id]), &note("hi")).await;
    assert_eq!(from_lead.status, 401);
    assert_eq!(agent.detail(&conversation.id).await.events.len(), before, "nothing stored");

    // A closed conversation still takes notes (what happened after, for the team).
    agent.close(&conversation.id).await;
    let stored = agent.http.expect(agent::NOTE.at(&[id]), &note("They called to say thanks")).await;
    assert_eq!(stored.conversation_id, conversation.id);
    let detail = agent.detail(&conversation.id).await;
    assert_eq!(detail.conversation.status, wire::ConversationStatus::Closed);
}

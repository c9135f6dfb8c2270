//! Closing several conversations at once: each is decided as a single close would be, in one
//! transaction; the answer says which closed and why each other one did not.

use porch_protocol::api::agent;
use porch_protocol::{self as wire, ConversationId, Event, Outcome};
use porch_server::demo;
use porch_tests::*;

fn bulk(ids: &[&ConversationId], outcome: Option<Outcome>) -> wire::BulkClose {
    let note =
        wire::ClosingNote { category: None, summary: Some("Spam wave".into()), generated: false };
    wire::BulkClose { ids: ids.iter().map(|&id| id.clone()).collect(), outcome, note: Some(note) }
}

#[tokio::test]
async fn a_bulk_close_closes_what_it_may_and_says_why_not_the_rest() {
    let server = TestServer::start().await;
    let agent = AgentClient::demo(&server).await;
    let mut inbox = agent.socket(&server, agent.me.last_seq).await;
    inbox.until_ready().await;
    let mut opened = Vec::new();
    for text in ["Buy cheap watches", "Cheap watches here", "Real question"] {
        let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
        opened.push((lead.start(text).await.id, lead));
    }
    let (a, b, c) = (&opened[0].0, &opened[1].0, &opened[2].0);
    agent.close(c).await;
    let unknown = ConversationId("no-such-conversation".into());

    let answer = agent.http.call(agent::CLOSE_MANY.at(&[]), &bulk(&[a, b, a], None)).await;
    answer.assert_error(422, "outcome_required");
    let asked = bulk(&[a, b, c, &unknown], Some(Outcome::Unresolved));
    let done = agent.http.expect(agent::CLOSE_MANY.at(&[]), &asked).await;
    assert_eq!(done.closed, [a.clone(), b.clone()]);
    let refused: Vec<_> = done.refused.iter().map(|r| (&r.id, r.error.code.as_str())).collect();
    assert_eq!(refused, [(c, "already_closed"), (&unknown, "not_found")]);
    for id in [a, b] {
        let detail = agent.detail(id).await.conversation;
        assert_eq!(detail.status, wire::ConversationStatus::Closed);
        assert_eq!(detail.outcome, Some(Outcome::Unresolved));
    }
    // Every closure reaches the team's socket, with its note.
    let mut heard = Vec::new();
    while heard.len() < 3 {
        if let Event::ConversationClosed { conversation_id, note, .. } = inbox.event().await.event {
            assert_eq!(
                note.and_then(|n| n.summary).as_deref(),
                Some("Spam wave").filter(|_| conversation_id != *c)
            );
            heard.push(conversation_id);
        }
    }
    assert_eq!(heard, [c.clone(), a.clone(), b.clone()]);
}

#[tokio::test]
async fn a_bulk_close_names_one_to_a_hundred_of_the_callers_conversations() {
    let server = TestServer::start().await;
    let agent = AgentClient::demo(&server).await;
    let empty = bulk(&[], Some(Outcome::Resolved));
    agent.http.call(agent::CLOSE_MANY.at(&[]), &empty).await.assert_error(422, "invalid_ids");
    let many: Vec<ConversationId> =
        (0..=wire::MAX_BULK_CLOSE).map(|n| ConversationId(format!("c{n}"))).collect();
    let too_many = bulk(&many.iter().collect::<Vec<_>>(), Some(Outcome::Resolved));
    agent.http.call(agent::CLOSE_MANY.at(&[]), &too_many).await.assert_error(422, "invalid_ids");
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let id = lead.start("Hello").await.id;
    let from_lead = lead.http.call(agent::CLOSE_MANY.at(&[]), &bulk(&[&id], None)).await;
    assert_eq!(from_lead.status, 401);
    let still = agent.detail(&id).await.conversation.status;
    assert_eq!(still, wire::ConversationStatus::Open);
}

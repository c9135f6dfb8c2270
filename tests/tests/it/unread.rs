//! Unread messages per member: the lead's messages after the member's read mark, per open
//! conversation; a mark moves forward only, never past the log, and only in one's workspace.

use porch_protocol::api::agent;
use porch_protocol::{self as wire, UnreadCount};
use porch_server::demo;
use porch_tests::*;

async fn unread(member: &AgentClient) -> Vec<UnreadCount> {
    member.http.expect(agent::UNREAD.at(&[]), &()).await
}

async fn mark(member: &AgentClient, id: &wire::ConversationId, seq: u64) -> Answer {
    member.http.call(agent::MARK_READ.at(&[id.as_str()]), &wire::MarkRead { seq }).await
}

fn count(id: &wire::ConversationId, count: u32) -> UnreadCount {
    UnreadCount { conversation_id: id.clone(), count }
}

#[tokio::test]
async fn each_member_counts_the_leads_messages_they_have_not_read() {
    let server = TestServer::start().await;
    let (agent, owner) = (AgentClient::demo(&server).await, AgentClient::owner(&server).await);
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let first = lead.start("Hello").await;
    lead.say(&first.id, "Anyone there?").await;
    let other = LeadClient::open(&server, demo::WIDGET_KEY).await.start("Prices?").await;
    let mut expected = vec![count(&first.id, 2), count(&other.id, 1)];
    expected.sort_by(|a, b| a.conversation_id.0.cmp(&b.conversation_id.0));
    assert_eq!(unread(&agent).await, expected);

    // The agent reads the first conversation up to its newest event; the owner has not.
    let seen = agent.detail(&first.id).await.events.last().unwrap().seq;
    assert_eq!(mark(&agent, &first.id, seen).await.status, 204);
    assert_eq!(unread(&agent).await, vec![count(&other.id, 1)]);
    assert!(unread(&owner).await.contains(&count(&first.id, 2)));

    // Replies are not unread; the lead's next message is. An older mark does not move it back.
    assert_eq!(agent.reply(&first.id, "Yes, hi!").await.status, 201);
    lead.say(&first.id, "Great").await;
    assert!(unread(&agent).await.contains(&count(&first.id, 1)));
    assert_eq!(mark(&agent, &first.id, 1).await.status, 204);
    assert!(unread(&agent).await.contains(&count(&first.id, 1)));

    // A mark past the end of the log stops at it: later messages are still unread.
    assert_eq!(mark(&agent, &other.id, u64::MAX).await.status, 204);
    assert!(!unread(&agent).await.iter().any(|u| u.conversation_id == other.id));
    let lead_of_other = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let third = lead_of_other.start("Still there?").await;
    assert!(unread(&agent).await.contains(&count(&third.id, 1)));

    // Closed conversations are not counted.
    assert_eq!(agent.close(&first.id).await.status, 200);
    assert!(!unread(&agent).await.iter().any(|u| u.conversation_id == first.id));
}

#[tokio::test]
async fn marks_are_refused_for_unknown_conversations_and_bad_bodies() {
    let server = TestServer::start().await;
    let agent = AgentClient::demo(&server).await;
    let unknown = wire::ConversationId("c_nope".into());
    mark(&agent, &unknown, 1).await.assert_error(404, "not_found");
    let path = "/api/v1/agent/conversations/c_nope/read";
    agent.http.post(path, serde_json::json!({"seq": -1})).await.assert_error(422, "invalid_fields");
    agent.http.post(path, serde_json::json!({})).await.assert_error(422, "invalid_fields");
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("Hi").await;
    let by_lead = lead.http.call(agent::UNREAD.at(&[]), &()).await;
    by_lead.assert_error(401, "unauthorized");
    assert_eq!(unread(&agent).await, vec![count(&conversation.id, 1)]);
}

//! The built-in bot: greeting, quick answers, and the hand-over to the team.

use porch_protocol::{self as wire, AuthorKind, ConversationKind, Event, Plan};
use porch_tests::*;
use serde_json::json;

async fn with_bot(server: &TestServer) -> (TestWorkspace, AgentClient) {
    let team =
        server.team_workspace(Plan::Professional, Default::default(), Default::default()).await;
    let owner = AgentClient::login(server, &team.agents[0].1, PASSWORD).await;
    let bot = json!({"enabled": true, "greeting": "Hi! How can we help?", "quick_answers": [
        {"question": "Opening hours?", "answer": "We answer from 9 to 5."},
        {"question": "Shipping costs?", "answer": "Shipping is free over €50."}]});
    let saved =
        owner.http.send(reqwest::Method::PUT, "/api/v1/agent/settings/bot", Some(bot)).await;
    assert_eq!(saved.status, 200, "{}", saved.body);
    (team, owner)
}

fn said(detail: &wire::ConversationDetail) -> Vec<(AuthorKind, String)> {
    detail.messages.iter().map(|m| (m.author_kind, m.body.clone())).collect()
}

#[tokio::test]
async fn the_bot_greets_answers_and_hands_over_on_request() {
    let server = TestServer::start().await;
    let (team, owner) = with_bot(&server).await;
    let lead = LeadClient::open(&server, &team.key).await;
    assert_eq!(lead.session.bot.as_ref().unwrap().questions, ["Opening hours?", "Shipping costs?"]);
    let c: wire::LeadConversation =
        lead.http.post("/api/v1/widget/conversations", json!({})).await.json();
    assert_eq!(c.kind, ConversationKind::Bot);
    let open: Vec<wire::Conversation> =
        owner.http.get("/api/v1/agent/conversations?status=open").await.json();
    assert_eq!(open[0].kind, ConversationKind::Bot, "the team sees it, with the bot");

    let path = format!("/api/v1/widget/conversations/{}/bot", c.id);
    lead.http.post(&path, json!({"kind": "quick_answer", "index": 1})).await;
    lead.http
        .post(&path, json!({"kind": "quick_answer", "index": 9}))
        .await
        .assert_error(422, "unknown_quick_answer");
    let detail = owner.detail(&c.id).await;
    assert_eq!(
        said(&detail),
        [
            (AuthorKind::Bot, "Hi! How can we help?".into()),
            (AuthorKind::Contact, "Shipping costs?".into()),
            (AuthorKind::Bot, "Shipping is free over €50.".into()),
        ]
    );
    let handed: wire::LeadConversation =
        lead.http.post(&path, json!({"kind": "person"})).await.json();
    assert_eq!(handed.kind, ConversationKind::Live);
    assert!(owner
        .detail(&c.id)
        .await
        .events
        .iter()
        .any(|f| matches!(f.event, Event::HandedToHuman { .. })));
    lead.http.post(&path, json!({"kind": "person"})).await.assert_error(409, "not_with_the_bot");
}

#[tokio::test]
async fn writing_freely_to_the_bot_reaches_the_team() {
    let server = TestServer::start().await;
    let (team, owner) = with_bot(&server).await;
    let lead = LeadClient::open(&server, &team.key).await;
    let c: wire::LeadConversation =
        lead.http.post("/api/v1/widget/conversations", json!({})).await.json();
    lead.say(&c.id, "My parcel is broken").await;
    assert_eq!(owner.detail(&c.id).await.conversation.kind, ConversationKind::Live);
    // A first message is free text already: such a conversation starts with the team.
    let direct = lead.start("Hello, a person please").await;
    assert_eq!(direct.kind, ConversationKind::Live);
}

#[tokio::test]
async fn bot_settings_are_checked_and_reserved_to_owners() {
    let server = TestServer::start().await;
    let team =
        server.team_workspace(Plan::Professional, Default::default(), Default::default()).await;
    let (owner, agent) = (
        AgentClient::login(&server, &team.agents[0].1, PASSWORD).await,
        AgentClient::login(&server, &team.agents[1].1, PASSWORD).await,
    );
    let path = "/api/v1/agent/settings/bot";
    let ok = json!({"enabled": true, "greeting": "Hi", "quick_answers": []});
    agent.http.send(reqwest::Method::PUT, path, Some(ok)).await.assert_error(403, "forbidden");
    let bad = json!({"enabled": true, "greeting": "Hi", "quick_answers": [{"question": "x", "answer": " "}]});
    owner
        .http
        .send(reqwest::Method::PUT, path, Some(bad))
        .await
        .assert_error(422, "invalid_settings");
    let lead = LeadClient::open(&server, &team.key).await;
    assert_eq!(lead.session.bot, None, "off by default");
}

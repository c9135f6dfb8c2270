//! Finding conversations (issue 16, "list, read, search"): `q` finds text in messages and in
//! the lead's name or e-mail, `cursor` pages past any number of conversations, and both work
//! with a read-only API token; bad parameters are refused with `invalid_query`.

use porch_protocol::api::{agent, widget};
use porch_protocol::{self as wire, ConversationId, TokenScope};
use porch_server::demo;
use porch_tests::*;

async fn search(http: &Http, query: &str) -> Vec<ConversationId> {
    let found = http.expect(agent::CONVERSATIONS.at(&[]).query(query), &()).await;
    found.into_iter().map(|c| c.id).collect()
}

#[tokio::test]
async fn a_read_token_finds_conversations_by_text_name_and_email() {
    let server = TestServer::start().await;
    let owner = AgentClient::owner(&server).await;
    let request = wire::CreateToken { name: "CRM".into(), scope: TokenScope::Read };
    let token = owner.http.expect(agent::CREATE_TOKEN.at(&[]), &request).await;
    let crm = Http::new(&server).with_bearer(&token.secret);

    let ann = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let oslo = ann.start("Do you ship parcels to Tromsø?").await.id;
    let email = wire::LeadEmail { email: "ann.quist@shop.example".into() };
    ann.http.expect(widget::GIVE_EMAIL.at(&[]), &email).await;
    let bob = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let other = bob.start("Is the zebra jumper 100% wool?").await.id;

    let just_oslo = vec![oslo.clone()];
    assert_eq!(search(&crm, "q=PARCELS").await, just_oslo, "any case");
    assert_eq!(search(&crm, "q=ann.quist").await, just_oslo, "the lead's e-mail");
    assert_eq!(search(&crm, "q=100%25%20wool").await, vec![other.clone()], "% is literal");
    assert_eq!(search(&crm, "q=%20%20zebra%20").await, [other], "trimmed");
    assert!(search(&crm, "q=nowhere-to-be-found").await.is_empty());
    let closed = search(&crm, "q=parcels&status=closed").await;
    assert!(closed.is_empty(), "filters combine");

    // The agent replies; the reply's text finds the conversation too.
    owner.reply(&oslo, "Yes, with Posten, in four days.").await;
    assert_eq!(search(&owner.http, "q=posten").await, [oslo]);
}

#[tokio::test]
async fn pages_follow_one_another_without_gap_or_overlap() {
    let server = TestServer::start().await;
    let owner = AgentClient::owner(&server).await;
    for i in 0..5 {
        let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
        lead.start(&format!("question {i}")).await;
    }
    let all: Vec<wire::Conversation> = owner.http.expect(agent::CONVERSATIONS.at(&[]), &()).await;
    assert!(all.len() >= 5, "{} conversations", all.len());
    let mut paged = Vec::new();
    let mut query = "limit=3".to_owned();
    loop {
        let page: Vec<wire::Conversation> =
            owner.http.expect(agent::CONVERSATIONS.at(&[]).query(&query), &()).await;
        assert!(page.len() <= 3);
        let Some(last) = page.last() else { break };
        query = format!("limit=3&cursor={}:{}", last.last_activity_at, last.id);
        paged.extend(page.into_iter().map(|c| c.id));
    }
    assert_eq!(paged, all.into_iter().map(|c| c.id).collect::<Vec<_>>());
}

#[tokio::test]
async fn bad_search_parameters_are_refused() {
    let server = TestServer::start().await;
    let owner = AgentClient::owner(&server).await;
    let long = "x".repeat(201);
    for query in [
        format!("q={long}"),
        "limit=0".into(),
        "limit=501".into(),
        "limit=ten".into(),
        "cursor=yesterday".into(),
        "cursor=12:".into(),
        format!("cursor=1:{}", "a".repeat(65)),
    ] {
        let answer = owner.http.call(agent::CONVERSATIONS.at(&[]).query(&query), &()).await;
        answer.assert_error(400, "invalid_query");
    }
    // At the edges: accepted.
    let edge = format!("q={}&limit=500", "x".repeat(200));
    assert!(search(&owner.http, &edge).await.is_empty());
}

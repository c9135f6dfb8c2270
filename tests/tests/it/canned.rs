//! Canned replies: the owner saves the team's list; every member reads it with the workspace;
//! a bad list is refused whole and the saved one stays; leads never see it.

use porch_protocol::api::{agent, widget};
use porch_protocol::{self as wire, CannedReply};
use porch_server::demo;
use porch_tests::*;
use serde_json::json;

fn reply(shortcut: &str, text: &str) -> CannedReply {
    CannedReply { shortcut: shortcut.into(), text: text.into() }
}

async fn saved(member: &AgentClient) -> Vec<CannedReply> {
    member.http.expect(agent::WORKSPACE.at(&[]), &()).await.settings.canned_replies
}

#[tokio::test]
async fn the_owner_saves_replies_the_team_reads_them_and_leads_never_do() {
    let server = TestServer::start().await;
    let owner = AgentClient::owner(&server).await;
    let agent = AgentClient::demo(&server).await;
    let list = vec![
        reply("/refund", "  Refunds reach your card within five working days.  "),
        reply("hours", "We answer from 9:00 to 17:00, Monday to Friday."),
    ];
    let settings: wire::WorkspaceSettings =
        owner.http.expect(agent::SET_CANNED_REPLIES.at(&[]), &list).await;
    let expected = vec![
        reply("refund", "Refunds reach your card within five working days."),
        reply("hours", "We answer from 9:00 to 17:00, Monday to Friday."),
    ];
    assert_eq!(settings.canned_replies, expected);
    assert_eq!(saved(&agent).await, expected, "every member reads the list");

    // An agent may use them but not change them.
    agent
        .http
        .call(agent::SET_CANNED_REPLIES.at(&[]), &vec![reply("mine", "Mine")])
        .await
        .assert_error(403, "forbidden");

    // Nothing a lead reads carries them.
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("Hello").await;
    let read = lead.http.expect(widget::CONVERSATION.at(&[conversation.id.as_str()]), &()).await;
    let session = lead.reopen(demo::WIDGET_KEY).await;
    for raw in [serde_json::to_string(&read).unwrap(), serde_json::to_string(&session).unwrap()] {
        assert!(!raw.contains("five working days"), "{raw}");
    }

    // An empty list clears them.
    owner.http.expect(agent::SET_CANNED_REPLIES.at(&[]), &Vec::<CannedReply>::new()).await;
    assert!(saved(&agent).await.is_empty());
}

#[tokio::test]
async fn a_bad_list_is_refused_whole_and_the_saved_one_stays() {
    let server = TestServer::start().await;
    let owner = AgentClient::owner(&server).await;
    let good = vec![reply("thanks", "Thank you for your patience.")];
    owner.http.expect(agent::SET_CANNED_REPLIES.at(&[]), &good).await;

    let long = "x".repeat(wire::MAX_MESSAGE_CHARS + 1);
    let too_many: Vec<_> = (0..=100).map(|i| reply(&format!("r{i}"), "text")).collect();
    for bad in [
        vec![reply("ok", "fine"), reply("Not OK", "text")],
        vec![reply("twice", "one"), reply("twice", "two")],
        vec![reply("empty", "   ")],
        vec![reply("long", &long)],
        too_many,
    ] {
        owner
            .http
            .call(agent::SET_CANNED_REPLIES.at(&[]), &bad)
            .await
            .assert_error(422, "invalid_settings");
    }
    let path = "/api/v1/agent/settings/canned-replies";
    let wrong_shape = owner.http.send(reqwest::Method::PUT, path, Some(json!({"x": 1}))).await;
    wrong_shape.assert_error(422, "invalid_fields");
    assert_eq!(saved(&owner).await, good, "nothing of a refused list was saved");
}

use porch_protocol::{
    ClosingNotesMode, ClosingNotesSettings, LeadOptions, Plan, WorkspaceSettings,
};
use porch_tests::browser::{eventually, Browser};
use porch_tests::{AgentClient, TestServer, PASSWORD};
use serde_json::json;

/// The seller's closing workflow in the live chat app, with a lead writing from the widget
/// and two sellers watching each other's changes live.
#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn closing_workflow_in_the_live_chat_app() {
    let server = TestServer::start().await;
    let settings = WorkspaceSettings {
        closing_notes: ClosingNotesSettings {
            mode: ClosingNotesMode::CategoryRequired,
            categories: vec![
                "Order issue".into(),
                "Payment issue".into(),
                "Product inquiry".into(),
            ],
        },
        ..Default::default()
    };
    // All lead options off: a lead writing again reopens the conversation for the seller.
    let team = server.team_workspace(Plan::Professional, LeadOptions::default(), settings).await;
    let [(_, ann_email), (_, bob_email)] = [team.agents[0].clone(), team.agents[1].clone()];
    let (lead, ann, bob) = tokio::join!(Browser::start(), Browser::start(), Browser::start());
    tokio::join!(
        ann.sign_in(&server.base, &ann_email, PASSWORD),
        bob.sign_in(&server.base, &bob_email, PASSWORD),
    );

    lead.open_widget(&server.base, &team.key).await;
    lead.click("start-conversation").await;
    lead.type_into("composer-input", "My order 1042 never arrived.").await;
    lead.click("send").await;
    lead.wait_for_text("message", "never arrived").await;

    ann.wait_for_text("conversation-item", "never arrived").await;
    ann.click("conversation-item").await;
    ann.type_into("reply-input", "Sorry! The parcel was lost; I have sent a refund.").await;
    ann.click("reply-send").await;
    ann.wait_for_text("message", "parcel was lost").await;

    // Assign to Bob; Bob sees it in Mine without reloading. Bob unassigns; Ann sees that live.
    ann.click("assignee").await;
    ann.type_into("assignee-search", "Bob").await;
    assert_eq!(ann.texts("assignee-option").await.len(), 1, "the search box filters the team");
    ann.click("assignee-option").await;
    bob.wait_for_text("folder-mine", "1").await;
    ann.wait_for_text("assignee", "Bob Agent").await;
    // A fresh page names the assignee in the list (it said "Someone" until the team loaded),
    // and the lead by their stable visitor label.
    ann.open_inbox(&server.base).await;
    ann.wait_for_text("conversation-item", "Bob Agent").await;
    let listed: Vec<porch_protocol::Conversation> =
        AgentClient::login(&server, &ann_email, PASSWORD)
            .await
            .http
            .get("/api/v1/agent/conversations")
            .await
            .json();
    let label = porch_protocol::visitor_label(&listed[0].contact_id);
    ann.wait_for_text("item-lead", &label).await;
    ann.click("conversation-item").await;
    ann.wait_for_text("conversation-lead", &label).await;
    bob.click("folder-mine").await;
    bob.click("conversation-item").await;
    bob.click("assignee").await;
    bob.click("unassign").await;
    ann.wait_for_text("assignee", "Unassigned").await;
    ann.wait_for_text("folder-unassigned", "1").await;
    ann.wait_for_text("system-note", "Bob Agent unassigned the conversation (it was Bob Agent)")
        .await;

    // Close as Unresolved with a category and a summarized note.
    ann.click("close-conversation").await;
    ann.find("close-dialog").await;
    ann.click("outcome-unresolved").await;
    ann.click("confirm-close").await;
    ann.wait_for_text("close-error", "requires a closing note with a category").await;
    ann.select("closing-category", "Order issue").await;
    ann.click("summarize").await;
    let summary = eventually("a drafted summary", || async {
        Some(ann.value("closing-summary").await).filter(|s| !s.is_empty())
    })
    .await;
    assert!(summary.contains("never arrived"), "{summary}");
    ann.click("confirm-close").await;
    ann.wait_gone("close-dialog").await;
    ann.wait_for_text("folder-closed", "1").await;
    ann.click("folder-closed").await;
    ann.wait_for_text("item-outcome", "Unresolved").await;
    ann.wait_for_text(
        "system-note",
        "Ann Agent closed the conversation · Unresolved · Order issue",
    )
    .await;

    // Change the outcome to Resolved: the change is kept in the timeline.
    ann.select("change-outcome", "resolved").await;
    ann.wait_for_text("item-outcome", "Resolved").await;
    ann.wait_for_text("system-note", "changed the outcome from Unresolved to Resolved").await;

    // The lead writes again: the same conversation is back in Open, as cycle 2.
    lead.type_into("composer-input", "Actually, one more question.").await;
    lead.click("send").await;
    ann.wait_for_text("folder-open", "1").await;
    ann.click("folder-open").await;
    ann.click("conversation-item").await;
    ann.wait_for_text("conversation-cycle", "Cycle 2").await;
    ann.wait_for_text("system-note", "The visitor wrote again: reopened as cycle 2").await;

    // Block, once confirmed: the Close and Reopen buttons are gone, and the API refuses too.
    ann.run("window.confirm = q => { window.asked = q; return false; }; return true").await;
    ann.click("block-contact").await;
    let asked = ann.run("return window.asked").await;
    assert!(asked.as_str().is_some_and(|q| q.starts_with("Block this contact?")), "{asked}");
    let api = AgentClient::login(&server, &bob_email, PASSWORD).await;
    let list: Vec<porch_protocol::Conversation> =
        api.http.get("/api/v1/agent/conversations").await.json();
    let contact = porch_protocol::api::agent::CONTACT.at(&[list[0].contact_id.as_str()]);
    let view: porch_protocol::ContactView = api.http.expect(contact, &()).await;
    assert!(!view.blocked, "not blocked when not confirmed");
    ann.run("window.confirm = () => true; return true").await;
    ann.click("block-contact").await;
    ann.find("blocked-badge").await;
    assert!(ann.all("close-conversation").await.is_empty());
    assert!(ann.all("reopen-conversation").await.is_empty());
    let refused = api.act(&list[0].id, "close", json!({"outcome": "resolved"})).await;
    refused.assert_error(409, "contact_blocked");
    ann.click("unblock-contact").await;
    ann.find("close-conversation").await;

    lead.close().await;
    ann.close().await;
    bob.close().await;
}

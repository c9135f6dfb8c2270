//! The owner's widget on a customer's page: the launcher's colour, side and text; the header,
//! greeting, team and language inside; message times; and a lead ending a conversation from
//! the chat and from Home, seen by the team as closed by the lead.

use porch_protocol::api::agent;
use porch_protocol::{
    self as wire, ClosingSource, ConversationStatus, Event, Language, WidgetPosition,
    WidgetSettings,
};
use porch_server::demo;
use porch_tests::browser::{eventually, Browser};
use porch_tests::{AgentClient, TestServer};

async fn save(owner: &AgentClient, look: &WidgetSettings) {
    owner.http.expect::<_, wire::WorkspaceSettings>(agent::SET_WIDGET.at(&[]), look).await;
}

/// How the team sees the conversation's closing: its source and who did it.
async fn closing(
    owner: &AgentClient,
    id: &wire::ConversationId,
) -> Option<(ClosingSource, wire::Actor)> {
    owner.detail(id).await.events.into_iter().find_map(|f| match f.event {
        Event::ConversationClosed { source, .. } => Some((source, f.actor)),
        _ => None,
    })
}

#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn the_owners_look_and_language_reach_the_lead_who_ends_the_chat() {
    let server = TestServer::start().await;
    let owner = AgentClient::owner(&server).await;
    save(
        &owner,
        &WidgetSettings {
            color: "#1d4ed8".into(),
            position: WidgetPosition::Left,
            launcher_text: "Chat with us".into(),
            greeting: "Hello from Acme!".into(),
            team_name: "Acme support".into(),
            language: Language::De,
            lead_may_end: true,
        },
    )
    .await;
    let lead = Browser::start().await;
    lead.client.set_window_size(1280, 800).await.unwrap();
    lead.goto(&format!("{}/demo?key={}", server.base, demo::WIDGET_KEY)).await;
    lead.wait_for_text("porch-launcher", "Chat with us").await;
    let launcher = lead
        .run(
            "const b = document.querySelector('[data-testid=porch-launcher]'); \
             return [getComputedStyle(b).backgroundColor, b.getBoundingClientRect().left]",
        )
        .await;
    assert_eq!(launcher[0], "rgb(29, 78, 216)", "{launcher}");
    assert!(launcher[1].as_f64().unwrap() < 100.0, "on the left: {launcher}");
    lead.open_widget_here().await;

    lead.wait_for_text("title", "Acme support").await;
    lead.wait_for_text("greeting", "Hello from Acme!").await;
    lead.wait_for_text("start-conversation", "Neue Unterhaltung beginnen").await;
    let lang = lead.run("return document.querySelector('[data-testid=widget]').lang").await;
    assert_eq!(lang, "de");
    assert!(!lead.all("team").await.is_empty());
    crate::screenshot(&lead, "widget-home-1280-de").await;

    lead.click("start-conversation").await;
    lead.type_into("composer-input", "Hallo!").await;
    lead.click("send").await;
    lead.wait_for_text("message", "Hallo!").await;
    let time = lead.find("message-time").await.text().await.unwrap();
    assert!(time.contains(':'), "the message's time: {time:?}");

    // Ending asks once more; cancelling leaves the chat as it was.
    lead.click("end-conversation").await;
    lead.click("cancel-end").await;
    let list: Vec<wire::Conversation> = owner.http.get("/api/v1/agent/conversations").await.json();
    let first = list[0].id.clone();
    assert_eq!(owner.detail(&first).await.conversation.status, ConversationStatus::Open);
    lead.click("end-conversation").await;
    crate::screenshot(&lead, "widget-end-confirm-1280-de").await;
    lead.click("confirm-end").await;
    lead.find("home").await;
    let ended =
        eventually("the team to see it closed", || async { closing(&owner, &first).await }).await;
    assert_eq!(ended.0, ClosingSource::Lead);
    assert!(matches!(ended.1, wire::Actor::Contact(_)), "{:?}", ended.1);

    // From Home: a second conversation, ended by its row's button.
    lead.click("start-conversation").await;
    lead.type_into("composer-input", "Noch eine Frage").await;
    lead.click("send").await;
    lead.wait_for_text("message", "Noch eine Frage").await;
    lead.click("back").await;
    let second = eventually("the second conversation", || async {
        let list: Vec<wire::Conversation> =
            owner.http.get("/api/v1/agent/conversations").await.json();
        list.into_iter().find(|c| c.id != first).map(|c| c.id)
    })
    .await;
    assert_eq!(lead.all("end-from-home").await.len(), 1, "only the open one can be ended");
    // It asks first, in the conversation, as ending from there does.
    lead.click("end-from-home").await;
    lead.find("confirm-end").await;
    lead.wait_for_text("message", "Noch eine Frage").await;
    assert!(closing(&owner, &second).await.is_none(), "nothing ended before the lead confirms");
    lead.click("confirm-end").await;
    lead.find("home").await;
    let ended =
        eventually("the second to close", || async { closing(&owner, &second).await }).await;
    assert_eq!(ended.0, ClosingSource::Lead);
    lead.wait_gone("end-from-home").await;
    lead.close().await;
}

/// Without the owner's leave, the lead has no way to end a conversation.
#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn leads_cannot_end_conversations_unless_the_owner_allows_it() {
    let server = TestServer::start().await;
    let lead = Browser::lead_who_wrote(&server.base, demo::WIDGET_KEY, "Hello").await;
    assert!(lead.all("end-conversation").await.is_empty());
    lead.click("back").await;
    lead.find("conversation-item").await;
    assert!(lead.all("end-from-home").await.is_empty());
    // English, the demo's defaults.
    lead.wait_for_text("start-conversation", "Start a new conversation").await;
    lead.close().await;
}

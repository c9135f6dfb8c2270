use porch_protocol::Plan;
use porch_tests::browser::{eventually, Browser};
use porch_tests::{TestServer, PASSWORD};

/// A team workspace whose owner switched the bot on in Settings (one quick answer), and a lead
/// the bot has greeted in a new conversation: (server, owner, lead).
async fn greeted_by_the_bot() -> (TestServer, Browser, Browser) {
    let server = TestServer::start().await;
    let team =
        server.team_workspace(Plan::Professional, Default::default(), Default::default()).await;
    let (owner, lead) = tokio::join!(Browser::start(), Browser::start());
    owner.sign_in(&server.base, &team.agents[0].1, PASSWORD).await;
    owner.click("open-settings").await;
    owner.click("bot-enabled").await;
    owner.type_into("bot-answers", "Opening hours? | We answer from 9 to 5.").await;
    owner.click("bot-save").await;
    owner.wait_for_text("bot-status", "Saved").await;
    owner.click("open-settings").await; // back to the conversations
    lead.open_widget(&server.base, &team.key).await;
    lead.click("start-conversation").await;
    lead.wait_for_text("message", "How can we help").await;
    (server, owner, lead)
}

/// The owner switches the bot on in Settings; a lead gets its greeting, a quick answer, then
/// asks for a person, and the conversation lands in the team's Open folder.
#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn the_bot_answers_then_hands_the_lead_to_a_person() {
    let (_server, owner, lead) = greeted_by_the_bot().await;
    lead.wait_for_text("quick-answer", "Opening hours?").await;
    lead.click("quick-answer").await;
    lead.wait_for_text("message", "We answer from 9 to 5.").await;
    assert_eq!(owner.texts("folder-open").await, ["Open 0"], "still with the bot");
    owner.wait_for_text("folder-bot", "Bot 1").await;
    lead.click("talk-to-person").await;
    eventually("the bot menu to go", || async {
        lead.all("talk-to-person").await.is_empty().then_some(())
    })
    .await;

    owner.wait_for_text("folder-open", "1").await;
    owner.wait_for_text("folder-bot", "Bot 0").await;
    owner.click("conversation-item").await;
    owner.wait_for_text("message", "We answer from 9 to 5.").await;
    owner.wait_for_text("system-note", "asked for a person").await;
    owner.close().await;
    lead.close().await;
}

/// The team watches the bot's conversations in the Bot folder, and a member takes one over by
/// writing into it: the lead reads them in a live chat, and it moves to the Open folder.
#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn a_member_takes_a_conversation_over_from_the_bot() {
    let (_server, owner, lead) = greeted_by_the_bot().await;
    owner.wait_for_text("folder-bot", "Bot 1").await;
    owner.click("folder-bot").await;
    owner.click("conversation-item").await;
    owner.wait_for_text("message", "How can we help").await;
    owner.type_into("reply-input", "Hi, I can help you myself").await;
    owner.click("reply-send").await;

    lead.wait_for_text("message", "Hi, I can help you myself").await;
    eventually("the bot's menu to go", || async {
        lead.all("talk-to-person").await.is_empty().then_some(())
    })
    .await;
    owner.wait_for_text("folder-open", "Open 1").await;
    owner.wait_for_text("folder-bot", "Bot 0").await;
    owner.close().await;
    lead.close().await;
}

//! The agent's tools in the inbox (issue 17). A search finds conversations in any folder by
//! a message's text or the lead's e-mail, opens one, and clearing it brings the folder back;
//! "Send and close" replies, then asks how the conversation ended.

use porch_protocol::api::widget;
use porch_protocol::LeadEmail;
use porch_server::demo;
use porch_tests::browser::{eventually, Browser};
use porch_tests::{LeadClient, TestServer};

use crate::accessibility::{axe_source, violations};

#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn a_search_finds_conversations_by_text_and_email() {
    let server = TestServer::start().await;
    let ann = LeadClient::open(&server, demo::WIDGET_KEY).await;
    ann.start("Do you ship parcels to Tromsø?").await;
    let email = LeadEmail { email: "ann.quist@shop.example".into() };
    ann.http.expect(widget::GIVE_EMAIL.at(&[]), &email).await;
    let bob = LeadClient::open(&server, demo::WIDGET_KEY).await;
    bob.start("Is the zebra jumper wool?").await;

    let agent = Browser::start().await;
    agent.sign_in(&server.base, demo::AGENT.1, demo::AGENT.2).await;
    agent.wait_for_text("conversation-item", "zebra").await;
    let everything = agent.all("conversation-item").await.len();
    assert!(everything >= 2, "{everything}");

    agent.type_into("search-input", "PARCELS").await;
    agent.click("search-submit").await;
    agent.wait_for_text("search-results", "1 found").await;
    assert_eq!(agent.texts("item-lead").await.len(), 1);
    agent.wait_for_text("conversation-item", "Tromsø").await;
    assert_eq!(violations(&agent, &axe_source()).await, Vec::<String>::new(), "search results");

    agent.find("search-input").await.clear().await.unwrap();
    agent.type_into("search-input", "ann.quist").await;
    agent.click("search-submit").await;
    eventually("the search by e-mail", || async {
        let found = agent.texts("conversation-item").await;
        (found.len() == 1 && found[0].contains("Tromsø")).then_some(())
    })
    .await;
    agent.click("conversation-item").await;
    agent.wait_for_text("message", "Tromsø").await;

    agent.click("search-clear").await;
    agent.wait_gone("search-results").await;
    eventually("the folder again", || async {
        (agent.all("conversation-item").await.len() == everything).then_some(())
    })
    .await;
    agent.close().await;
}

/// "Send and close": the reply is stored and reaches the lead, then the close dialog asks how
/// the conversation ended; confirming closes it.
#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn send_and_close_replies_then_closes() {
    let server = TestServer::start().await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let id = lead.start("Where is my order 1234?").await.id;
    let agent = Browser::start().await;
    agent.sign_in(&server.base, demo::AGENT.1, demo::AGENT.2).await;
    agent.wait_for_text("conversation-item", "1234").await;
    agent.click("conversation-item").await;
    agent.type_into("reply-input", "It left our warehouse today.").await;
    agent.click("reply-send-close").await;
    agent.find("confirm-close").await;
    let read = lead.http.expect(widget::CONVERSATION.at(&[id.as_str()]), &()).await;
    let bodies: Vec<_> = read.messages.iter().map(|m| m.body.as_str()).collect();
    assert_eq!(bodies, ["Where is my order 1234?", "It left our warehouse today."]);
    assert_eq!(read.conversation.status, porch_protocol::ConversationStatus::Open, "not yet");
    agent.click("outcome-resolved").await;
    agent.click("confirm-close").await;
    eventually("the conversation closed", || async {
        let read = lead.http.expect(widget::CONVERSATION.at(&[id.as_str()]), &()).await;
        (read.conversation.status == porch_protocol::ConversationStatus::Closed).then_some(())
    })
    .await;
    agent.close().await;
}

/// Keyboard shortcuts on the selected conversation: `j` opens the next one, `a` assigns it to
/// me, `s` snoozes it for an hour, `?` lists the shortcuts (Escape hides them), `c` asks how it
/// ended.
#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn keyboard_shortcuts_act_on_the_selected_conversation() {
    let server = TestServer::start().await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let id = lead.start("A question for the keyboard").await.id;
    let api = porch_tests::AgentClient::demo(&server).await;
    let agent = Browser::start().await;
    agent.sign_in(&server.base, demo::AGENT.1, demo::AGENT.2).await;
    agent.wait_for_text("conversation-item", "keyboard").await;
    let press = |key: &'static str| {
        let script = format!(
            "document.body.dispatchEvent(new KeyboardEvent('keydown', {{key: '{key}', bubbles: true}})); return true"
        );
        let agent = &agent;
        async move { agent.run(&script).await }
    };

    press("j").await;
    agent.wait_for_text("message", "A question for the keyboard").await;
    press("a").await;
    let me = api.me.agent.id.clone();
    eventually("assigned to me", || async {
        (api.detail(&id).await.conversation.assignee.as_ref() == Some(&me)).then_some(())
    })
    .await;
    press("s").await;
    let now = server.clock_now();
    eventually("snoozed for an hour", || async {
        let until = api.detail(&id).await.conversation.snoozed_until;
        until.is_some_and(|u| u >= now + 3_600_000 - 60_000).then_some(())
    })
    .await;

    press("?").await;
    agent.wait_for_text("shortcuts", "Keyboard shortcuts").await;
    assert_eq!(violations(&agent, &axe_source()).await, Vec::<String>::new(), "shortcuts");
    press("Escape").await;
    agent.wait_gone("shortcuts").await;
    press("c").await;
    agent.find("close-dialog").await;
    agent.close().await;
}

/// A new chat nobody has taken shows in the tab's title, so it is seen from another tab; once
/// someone takes it the count goes down again.
#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn the_tab_title_counts_new_chats_nobody_has_taken() {
    let server = TestServer::start().await;
    let api = porch_tests::AgentClient::demo(&server).await;
    let agent = Browser::start().await;
    agent.sign_in(&server.base, demo::AGENT.1, demo::AGENT.2).await;
    agent.wait_live().await;
    let title = || async { agent.run("return document.title").await.as_str().unwrap().to_owned() };
    let waiting = |title: &str| -> usize {
        title
            .strip_prefix('(')
            .and_then(|t| t.split_once(')'))
            .map_or(0, |(n, _)| n.parse().unwrap())
    };
    let before = waiting(&title().await);

    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let id = lead.start("Anyone there?").await.id;
    let now = eventually("the title to count the new chat", || async {
        let now = title().await;
        (waiting(&now) == before + 1).then_some(now)
    })
    .await;
    assert_eq!(now, format!("({}) Porch — live chat", before + 1));

    let me = serde_json::json!({"agent_id": api.me.agent.id});
    assert_eq!(api.act(&id, "assign", me).await.status, 200);
    eventually("the count to go down", || async {
        (waiting(&title().await) == before).then_some(())
    })
    .await;
    agent.close().await;
}

/// A private note: written from the composer's Note mode, shown in the team's timeline (and
/// to another member live), never in the lead's widget; the reply after it reaches the lead.
#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn a_private_note_stays_with_the_team() {
    let server = TestServer::start().await;
    let lead = Browser::lead_who_wrote(&server.base, demo::WIDGET_KEY, "My order never came").await;

    let agent = Browser::start().await;
    agent.sign_in(&server.base, demo::AGENT.1, demo::AGENT.2).await;
    agent.wait_for_text("conversation-item", "never came").await;
    agent.click("conversation-item").await;
    agent.click("note-toggle").await;
    let secret = "Courier lost it; refund approved";
    agent.type_into("reply-input", secret).await;
    agent.click("reply-send").await;
    agent.wait_for_text("note", secret).await;
    assert_eq!(violations(&agent, &axe_source()).await, Vec::<String>::new(), "with a note");
    // Back to replying: the reply reaches the lead, the note never does.
    agent.click("note-toggle").await;
    agent.type_into("reply-input", "Sorry! A refund is on its way").await;
    agent.click("reply-send").await;
    lead.wait_for_text("message", "refund is on its way").await;
    let widget_text = lead.run("return document.body.innerText;").await;
    assert!(!widget_text.as_str().unwrap().contains("Courier"), "{widget_text}");
    // After a reload too.
    lead.open_widget(&server.base, demo::WIDGET_KEY).await;
    lead.click("conversation-item").await;
    lead.wait_for_text("message", "refund is on its way").await;
    let widget_text = lead.run("return document.body.innerText;").await;
    assert!(!widget_text.as_str().unwrap().contains("Courier"), "{widget_text}");
    for browser in [lead, agent] {
        browser.close().await;
    }
}

/// Bulk close: two conversations ticked in the list close together with one outcome and note.
#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn two_ticked_conversations_close_together() {
    let server = TestServer::start().await;
    for text in ["Spam one", "Spam two"] {
        LeadClient::open(&server, demo::WIDGET_KEY).await.start(text).await;
    }
    let agent = Browser::start().await;
    agent.sign_in(&server.base, demo::AGENT.1, demo::AGENT.2).await;
    agent.wait_for_text("conversation-item", "Spam two").await;
    let open = agent.all("conversation-item").await.len();
    for tick in agent.all("tick-conversation").await.into_iter().take(2) {
        tick.click().await.unwrap();
    }
    agent.wait_for_text("bulk-count", "2 selected").await;
    assert_eq!(violations(&agent, &axe_source()).await, Vec::<String>::new(), "bulk bar");
    agent.select("bulk-outcome", "unresolved").await;
    agent.type_into("bulk-summary", "Spam wave").await;
    agent.click("bulk-close").await;
    agent.wait_gone("bulk-bar").await;
    eventually("both closed", || async {
        (agent.all("conversation-item").await.len() == open - 2).then_some(())
    })
    .await;
    agent.close().await;
}

//! Component tests in a real browser (wasm-bindgen-test in headless Chromium): the chat view
//! reacts to a closure exactly as the owner's options say.

use porch_protocol::{
    Actor, AuthorKind, ClosingSource, ContactId, Conversation, ConversationKind,
    ConversationStatus, Event, EventFrame, LeadOptions, Message, MessageId,
};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

use super::*;
use crate::state::{close_notice, input_disabled};

wasm_bindgen_test_configure!(run_in_browser);

fn conversation() -> Conversation {
    let id = ConversationId("c1".into());
    let mut c = Conversation::opened(id, ContactId("lead".into()), ConversationKind::Live, 1);
    c.last_message = Some("Hello".into());
    c
}

fn hello() -> Message {
    Message {
        id: MessageId("m1".into()),
        conversation_id: ConversationId("c1".into()),
        author_kind: AuthorKind::Contact,
        author_id: None,
        author_name: None,
        body: "Hello".into(),
        client_id: None,
        created_at: 1,
    }
}

fn closed(seq: u64) -> EventFrame {
    EventFrame {
        seq,
        at: 5,
        actor: Actor::System,
        contact_id: Some(ContactId("lead".into())),
        event: Event::ConversationClosed {
            conversation_id: ConversationId("c1".into()),
            outcome: None,
            source: ClosingSource::Manual,
            closed_by: None,
            note: None,
        },
    }
}

/// Mounts the chat view of conversation c1 into a fresh element; returns the element and ctx.
fn mount_chat(options: LeadOptions) -> (web_sys::HtmlElement, Ctx) {
    let document = web_sys::window().unwrap().document().unwrap();
    let root: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    document.body().unwrap().append_child(&root).unwrap();
    let mut replica = Replica::new(vec![conversation()], options, 1);
    replica.load_messages(ConversationId("c1".into()), vec![hello()]);
    let ctx = Ctx::new(Screen::Conversation(ConversationId("c1".into())));
    ctx.replica.set(replica);
    ctx.token.set("token".into());
    ctx.ask_email.set(porch_protocol::AskEmail::Required);
    let id = Some(ConversationId("c1".into()));
    let handle =
        leptos::mount::mount_to(root.clone(), move || view! { <Chat ctx=ctx id=id.clone() /> });
    handle.forget();
    (root, ctx)
}

fn find(root: &web_sys::HtmlElement, test_id: &str) -> Option<web_sys::Element> {
    root.query_selector(&format!("[data-testid=\"{test_id}\"]")).unwrap()
}

fn input_disabled_in(root: &web_sys::HtmlElement) -> bool {
    find(root, "composer-input").unwrap().unchecked_into::<web_sys::HtmlInputElement>().disabled()
}

/// Lets Leptos run the effects a signal change scheduled.
async fn settle() {
    gloo_timers::future::TimeoutFuture::new(20).await;
}

#[wasm_bindgen_test]
async fn shows_the_history_with_an_enabled_composer() {
    let (root, _) = mount_chat(LeadOptions::default());
    settle().await;
    let messages = root.query_selector_all("[data-testid=\"message\"]").unwrap();
    assert_eq!(messages.length(), 1);
    let body = root.query_selector("[data-testid=\"message\"] .body").unwrap().unwrap();
    assert_eq!(body.text_content().unwrap(), "Hello");
    // With its time, as the lead's browser writes it.
    assert!(find(&root, "message-time").is_some_and(|t| !t.text_content().unwrap().is_empty()));
    assert!(!input_disabled_in(&root));
    assert!(find(&root, "close-notification").is_none());
}

#[wasm_bindgen_test]
async fn a_closure_disables_input_and_shows_the_notice_when_the_owner_says_so() {
    let options = LeadOptions {
        hide_closed: false,
        disable_input_on_close: true,
        notify_on_close: true,
        notification_text: "Thanks, we're done here.".into(),
    };
    let (root, ctx) = mount_chat(options);
    settle().await;
    assert!(!input_disabled_in(&root));
    ctx.replica.update(|r| {
        r.apply(&closed(2));
    });
    settle().await;
    assert!(input_disabled_in(&root));
    assert_eq!(
        find(&root, "close-notification").unwrap().text_content().unwrap(),
        "Thanks, we're done here."
    );
    assert!(find(&root, "start-new").is_some());
    // The notice sits inside a live region so screen readers announce it.
    let region = find(&root, "close-notification").unwrap().parent_element().unwrap();
    assert_eq!(region.get_attribute("aria-live").as_deref(), Some("polite"));
}

#[wasm_bindgen_test]
async fn with_every_option_off_the_lead_notices_nothing() {
    let (root, ctx) = mount_chat(LeadOptions::default());
    settle().await;
    let before = root.inner_html();
    ctx.replica.update(|r| {
        r.apply(&closed(2));
    });
    settle().await;
    assert!(!input_disabled_in(&root));
    assert!(find(&root, "close-notification").is_none());
    assert!(find(&root, "start-new").is_none());
    assert_eq!(root.inner_html(), before);
}

#[wasm_bindgen_test]
async fn the_owners_notification_text_is_inert() {
    let options = LeadOptions {
        notify_on_close: true,
        notification_text: "<img src=x onerror=alert(1)><b>bold</b>".into(),
        ..LeadOptions::default()
    };
    let (root, ctx) = mount_chat(options);
    ctx.replica.update(|r| {
        r.apply(&closed(2));
    });
    settle().await;
    let notice = find(&root, "close-notification").unwrap();
    assert_eq!(notice.text_content().unwrap(), "<img src=x onerror=alert(1)><b>bold</b>");
    assert_eq!(notice.child_element_count(), 0, "no HTML was parsed");
    assert!(root.query_selector("img").unwrap().is_none());
}

#[wasm_bindgen_test]
fn closing_rules() {
    let mut c = conversation();
    let all = LeadOptions {
        hide_closed: true,
        disable_input_on_close: true,
        notify_on_close: true,
        notification_text: "Bye".into(),
    };
    assert!(!input_disabled(&c, &all));
    assert_eq!(close_notice(&c, &all), None);
    c.status = ConversationStatus::Closed;
    assert!(input_disabled(&c, &all));
    assert_eq!(close_notice(&c, &all), Some("Bye"));
    assert!(!input_disabled(&c, &LeadOptions::default()));
    let blank = LeadOptions { notification_text: "  ".into(), ..all };
    assert_eq!(close_notice(&c, &blank), None, "an empty notice is not shown");
}

#[wasm_bindgen_test]
async fn outside_office_hours_the_lead_reads_when_the_team_is_back() {
    let (root, ctx) = mount_chat(LeadOptions::default());
    let home = web_sys::window().unwrap().document().unwrap().create_element("div").unwrap();
    root.append_child(&home).unwrap();
    let home: web_sys::HtmlElement = home.unchecked_into();
    leptos::mount::mount_to(home.clone(), move || view! { <Away ctx=ctx /> }).forget();
    settle().await;
    assert!(find(&home, "away").is_none(), "in office hours: nothing");
    // Monday 5 January 1970, noon UTC: a Monday in every time zone a browser may be in.
    let back = Some("Monday at 12:00 UTC".to_owned());
    ctx.away.set(Some(porch_protocol::Away { back_at: Some(388_800_000), back }));
    settle().await;
    let away = find(&home, "away").expect("the away notice").text_content().unwrap();
    assert!(away.contains("Back Monday"), "{away}");
    ctx.t.set(&crate::texts::DE);
    settle().await;
    let away = find(&home, "away").unwrap().text_content().unwrap();
    assert!(away.contains("Zurück Montag"), "{away}");
    ctx.t.set(&crate::texts::EN);
    ctx.away.set(Some(porch_protocol::Away { back_at: None, back: None }));
    settle().await;
    let away = find(&home, "away").unwrap().text_content().unwrap();
    assert!(away.contains("as soon as we can"), "{away}");
}

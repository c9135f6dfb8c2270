use super::*;
use proptest::prelude::*;

fn open() -> ConversationState {
    ConversationState {
        id: ConversationId("c1".into()),
        contact_id: ContactId("lead".into()),
        kind: ConversationKind::Live,
        status: ConversationStatus::Open,
        cycle: 1,
        contact_blocked: false,
    }
}

fn closed() -> ConversationState {
    ConversationState { status: ConversationStatus::Closed, ..open() }
}

fn message(author_kind: AuthorKind, body: &str) -> NewMessage {
    NewMessage {
        id: MessageId("m1".into()),
        author_kind,
        author_id: None,
        author_name: None,
        body: body.into(),
        client_id: None,
    }
}

fn disabling() -> LeadOptions {
    LeadOptions { disable_input_on_close: true, ..LeadOptions::default() }
}

#[test]
fn start_opens_cycle_one_and_posts_the_first_message() {
    let events = start(
        ConversationId("c1".into()),
        ContactId("lead".into()),
        ConversationKind::Live,
        Some(message(AuthorKind::Contact, "  Hello ")),
        42,
    )
    .unwrap();
    let [Event::ConversationStarted { conversation }, Event::MessagePosted { message }] =
        events.as_slice()
    else {
        panic!("unexpected events {events:?}");
    };
    assert_eq!((conversation.status, conversation.cycle), (ConversationStatus::Open, 1));
    assert_eq!((message.body.as_str(), message.created_at), ("Hello", 42));
}

#[test]
fn bodies_are_trimmed_and_bounded() {
    assert_eq!(validate_body("   "), Err(DomainError::EmptyMessage));
    let long = "é".repeat(MAX_MESSAGE_CHARS + 1);
    assert_eq!(
        validate_body(&long),
        Err(DomainError::MessageTooLong { len: MAX_MESSAGE_CHARS + 1, max: MAX_MESSAGE_CHARS })
    );
    assert!(validate_body(&"é".repeat(MAX_MESSAGE_CHARS)).is_ok());
}

#[test]
fn lead_message_into_a_closed_conversation_reopens_it_when_input_stays_enabled() {
    let events =
        post_message(&closed(), message(AuthorKind::Contact, "again"), &LeadOptions::default(), 5)
            .unwrap();
    assert!(matches!(events[0], Event::ConversationReopened { cycle: 2, .. }));
    assert!(matches!(events[1], Event::MessagePosted { .. }));
}

#[test]
fn lead_message_into_a_closed_conversation_is_refused_when_input_is_disabled() {
    let refused = post_message(&closed(), message(AuthorKind::Contact, "again"), &disabling(), 5);
    assert_eq!(refused, Err(DomainError::InputDisabled));
}

#[test]
fn disable_input_does_not_touch_open_conversations() {
    let events =
        post_message(&open(), message(AuthorKind::Contact, "hi"), &disabling(), 5).unwrap();
    assert_eq!(events.len(), 1);
}

#[test]
fn agents_cannot_write_into_a_closed_conversation() {
    let refused =
        post_message(&closed(), message(AuthorKind::Agent, "hi"), &LeadOptions::default(), 5);
    assert_eq!(refused, Err(DomainError::ConversationClosed));
}

#[test]
fn close_records_the_agent_and_outcome_once() {
    let agent = AgentId("a".into());
    let events = close(&open(), &agent, Some(Outcome::Resolved)).unwrap();
    assert_eq!(
        events,
        [Event::ConversationClosed {
            conversation_id: ConversationId("c1".into()),
            outcome: Some(Outcome::Resolved),
            source: ClosingSource::Manual,
            closed_by: Some(agent.clone()),
        }]
    );
    assert_eq!(close(&closed(), &agent, None), Err(DomainError::AlreadyClosed));
}

#[test]
fn blocked_contacts_conversations_cannot_be_closed_or_reopened() {
    let blocked = ConversationState { contact_blocked: true, ..open() };
    assert_eq!(close(&blocked, &AgentId("a".into()), None), Err(DomainError::ContactBlocked));
    let blocked_closed = ConversationState { contact_blocked: true, ..closed() };
    assert_eq!(
        post_message(
            &blocked_closed,
            message(AuthorKind::Contact, "x"),
            &LeadOptions::default(),
            1
        ),
        Err(DomainError::ContactBlocked)
    );
}

fn apply(state: &mut ConversationState, events: &[Event]) {
    for event in events {
        match event {
            Event::ConversationClosed { .. } => state.status = ConversationStatus::Closed,
            Event::ConversationReopened { cycle, .. } => {
                state.status = ConversationStatus::Open;
                state.cycle = *cycle;
            }
            _ => {}
        }
    }
}

#[derive(Clone, Debug)]
enum Step {
    Lead,
    Agent,
    Close,
}

proptest! {
    /// Over any sequence of messages and closings: the cycle grows by exactly one per reopen;
    /// with input disabled a closed conversation never reopens from the lead's side; exactly
    /// the commands the rules forbid are refused.
    #[test]
    fn cycles_count_reopens(steps in prop::collection::vec(
        prop_oneof![Just(Step::Lead), Just(Step::Agent), Just(Step::Close)], 0..40),
        disable in any::<bool>())
    {
        let options = LeadOptions { disable_input_on_close: disable, ..LeadOptions::default() };
        let mut state = open();
        let mut reopens = 0;
        for step in steps {
            let was_closed = state.status == ConversationStatus::Closed;
            let result = match step {
                Step::Lead => post_message(&state, message(AuthorKind::Contact, "x"), &options, 0),
                Step::Agent => post_message(&state, message(AuthorKind::Agent, "x"), &options, 0),
                Step::Close => close(&state, &AgentId("a".into()), None),
            };
            if let Ok(events) = &result {
                reopens += events.iter().filter(|e| matches!(e, Event::ConversationReopened { .. })).count();
                apply(&mut state, events);
            }
            if was_closed && disable {
                prop_assert_eq!(state.status, ConversationStatus::Closed);
            }
            let lead_may_reopen = matches!(step, Step::Lead) && !disable;
            prop_assert_eq!(result.is_err(), was_closed && !lead_may_reopen);
        }
        prop_assert_eq!(state.cycle as usize, 1 + reopens);
    }
}

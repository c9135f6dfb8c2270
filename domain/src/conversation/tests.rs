use super::*;
use crate::{change_outcome, check_note, close, reopen};
use porch_protocol::{ClosingNote, ClosingNotesMode, ClosingNotesSettings};
use proptest::prelude::*;

fn open() -> ConversationState {
    ConversationState::open_fixture()
}

fn closed() -> ConversationState {
    ConversationState {
        status: ConversationStatus::Closed,
        outcome: Some(Outcome::Resolved),
        ..open()
    }
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

fn notes(mode: ClosingNotesMode) -> ClosingNotesSettings {
    ClosingNotesSettings { mode, categories: vec!["Order issue".into(), "Payment issue".into()] }
}

fn note(category: Option<&str>, summary: Option<&str>) -> Option<ClosingNote> {
    Some(ClosingNote {
        category: category.map(str::to_owned),
        summary: summary.map(str::to_owned),
        generated: false,
    })
}

fn agent() -> AgentId {
    AgentId("a".into())
}

#[test]
fn start_opens_cycle_one_and_posts_the_first_message() {
    let first = Some(message(AuthorKind::Contact, "  Hello "));
    let events = start(
        ConversationId("c1".into()),
        ContactId("lead".into()),
        false,
        ConversationKind::Live,
        first,
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
fn blocked_leads_cannot_start_or_write() {
    let refused = start(
        ConversationId("c".into()),
        ContactId("l".into()),
        true,
        ConversationKind::Live,
        None,
        1,
    );
    assert_eq!(refused, Err(DomainError::ContactBlocked));
    let blocked = ConversationState { contact_blocked: true, ..open() };
    let post =
        post_message(&blocked, message(AuthorKind::Contact, "x"), &LeadOptions::default(), 1);
    assert_eq!(post, Err(DomainError::ContactBlocked));
    // The team can still write to them.
    assert!(
        post_message(&blocked, message(AuthorKind::Agent, "x"), &LeadOptions::default(), 1).is_ok()
    );
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
    let events =
        post_message(&open(), message(AuthorKind::Contact, "hi"), &disabling(), 5).unwrap();
    assert_eq!(events.len(), 1, "open conversations are not affected");
}

#[test]
fn agents_cannot_write_into_a_closed_conversation() {
    let refused =
        post_message(&closed(), message(AuthorKind::Agent, "hi"), &LeadOptions::default(), 5);
    assert_eq!(refused, Err(DomainError::ConversationClosed));
}

#[test]
fn a_lead_message_wakes_a_snoozed_conversation_but_an_agent_message_does_not() {
    let snoozed = ConversationState { snoozed_until: Some(100), ..open() };
    let lead =
        post_message(&snoozed, message(AuthorKind::Contact, "hi"), &LeadOptions::default(), 50)
            .unwrap();
    assert!(matches!(lead[0], Event::Unsnoozed { .. }));
    let agent =
        post_message(&snoozed, message(AuthorKind::Agent, "hi"), &LeadOptions::default(), 50)
            .unwrap();
    assert_eq!(agent.len(), 1);
    let expired =
        post_message(&snoozed, message(AuthorKind::Contact, "hi"), &LeadOptions::default(), 100)
            .unwrap();
    assert_eq!(expired.len(), 1, "a snooze that has ended needs no waking");
}

#[test]
fn close_needs_an_outcome_and_records_agent_outcome_and_note() {
    let off = notes(ClosingNotesMode::Off);
    assert_eq!(close(&open(), &agent(), None, None, &off), Err(DomainError::OutcomeRequired));
    let events = close(&open(), &agent(), Some(Outcome::Unresolved), None, &off).unwrap();
    assert_eq!(
        events,
        [Event::ConversationClosed {
            conversation_id: ConversationId("c1".into()),
            outcome: Some(Outcome::Unresolved),
            source: porch_protocol::ClosingSource::Manual,
            closed_by: Some(agent()),
            note: None,
        }]
    );
    assert_eq!(
        close(&closed(), &agent(), Some(Outcome::Resolved), None, &off),
        Err(DomainError::AlreadyClosed)
    );
    let blocked = ConversationState { contact_blocked: true, ..open() };
    assert_eq!(
        close(&blocked, &agent(), Some(Outcome::Resolved), None, &off),
        Err(DomainError::ContactBlocked)
    );
}

#[test]
fn closing_note_modes() {
    use ClosingNotesMode::*;
    let both = note(Some("Order issue"), Some("Parcel lost; refund sent"));
    let only_category = note(Some("Order issue"), None);
    let only_summary = note(None, Some("Parcel lost"));
    let blank = note(Some("  "), Some(" "));

    assert_eq!(check_note(None, &notes(Off)), Ok(None));
    assert_eq!(check_note(blank.clone(), &notes(Off)), Ok(None), "blank counts as none");
    assert_eq!(check_note(only_summary.clone(), &notes(Off)), Err(DomainError::ClosingNotesOff));
    assert_eq!(check_note(only_category.clone(), &notes(Off)), Err(DomainError::ClosingNotesOff));

    assert_eq!(check_note(None, &notes(Optional)), Ok(None));
    assert_eq!(check_note(only_summary.clone(), &notes(Optional)), Ok(only_summary.clone()));

    assert_eq!(
        check_note(None, &notes(CategoryRequired)),
        Err(DomainError::ClosingNoteRequired("category"))
    );
    assert_eq!(
        check_note(only_summary, &notes(CategoryRequired)),
        Err(DomainError::ClosingNoteRequired("category"))
    );
    assert_eq!(
        check_note(only_category.clone(), &notes(CategoryRequired)),
        Ok(only_category.clone())
    );

    let strict = notes(CategoryAndSummaryRequired);
    assert_eq!(
        check_note(only_category, &strict),
        Err(DomainError::ClosingNoteRequired("summary"))
    );
    assert_eq!(check_note(both.clone(), &strict), Ok(both));

    let unknown = note(Some("Weather"), None);
    assert_eq!(
        check_note(unknown, &notes(Optional)),
        Err(DomainError::UnknownCategory("Weather".into()))
    );
    let padded = note(Some(" Payment issue "), Some("  paid twice "));
    assert_eq!(
        check_note(padded, &notes(Optional)),
        Ok(note(Some("Payment issue"), Some("paid twice")))
    );
}

#[test]
fn outcome_changes_only_on_closed_conversations_and_records_from_and_to() {
    assert_eq!(change_outcome(&open(), Outcome::Resolved), Err(DomainError::NotClosed));
    assert_eq!(change_outcome(&closed(), Outcome::Resolved), Ok(vec![]), "unchanged");
    assert_eq!(
        change_outcome(&closed(), Outcome::Unresolved).unwrap(),
        [Event::OutcomeChanged {
            conversation_id: ConversationId("c1".into()),
            from: Some(Outcome::Resolved),
            to: Outcome::Unresolved,
        }]
    );
}

#[test]
fn reopen_starts_a_new_cycle_and_is_refused_when_open_or_blocked() {
    assert_eq!(reopen(&open()), Err(DomainError::AlreadyOpen));
    let blocked = ConversationState { contact_blocked: true, ..closed() };
    assert_eq!(reopen(&blocked), Err(DomainError::ContactBlocked));
    assert!(matches!(
        reopen(&closed()).unwrap()[..],
        [Event::ConversationReopened { cycle: 2, .. }]
    ));
}

#[test]
fn assignment_records_transfers_and_ignores_no_ops() {
    let (ann, bob) = (AgentId("ann".into()), AgentId("bob".into()));
    assert!(matches!(
        &assign(&open(), Some(ann.clone()))[..],
        [Event::Assigned { previous: None, .. }]
    ));
    let ann_has_it = ConversationState { assignee: Some(ann.clone()), ..open() };
    assert!(assign(&ann_has_it, Some(ann.clone())).is_empty());
    assert!(
        matches!(&assign(&ann_has_it, Some(bob))[..], [Event::Assigned { previous: Some(p), .. }] if *p == ann)
    );
    assert!(
        matches!(&assign(&ann_has_it, None)[..], [Event::Unassigned { previous, .. }] if *previous == ann)
    );
    assert!(assign(&open(), None).is_empty());
}

#[test]
fn snooze_rules() {
    assert_eq!(snooze(&open(), 10, 10), Err(DomainError::SnoozeInPast));
    assert_eq!(snooze(&closed(), 20, 10), Err(DomainError::ConversationClosed));
    assert!(matches!(snooze(&open(), 20, 10).unwrap()[..], [Event::Snoozed { until: 20, .. }]));
    assert_eq!(unsnooze(&open(), 10), Err(DomainError::NotSnoozed));
    let snoozed = ConversationState { snoozed_until: Some(20), ..open() };
    assert!(unsnooze(&snoozed, 10).is_ok());
    assert_eq!(unsnooze(&snoozed, 20), Err(DomainError::NotSnoozed), "already over");
}

#[test]
fn blocking_is_idempotent() {
    assert!(matches!(set_blocked(&open(), true)[..], [Event::ContactBlocked { .. }]));
    assert!(set_blocked(&open(), false).is_empty());
    let blocked = ConversationState { contact_blocked: true, ..open() };
    assert!(set_blocked(&blocked, true).is_empty());
    assert!(matches!(set_blocked(&blocked, false)[..], [Event::ContactUnblocked { .. }]));
}

#[test]
fn handing_to_the_bot_unassigns_and_needs_an_open_live_conversation() {
    let assigned = ConversationState { assignee: Some(agent()), ..open() };
    let events = hand_to_bot(&assigned).unwrap();
    assert!(matches!(events[..], [Event::Unassigned { .. }, Event::HandedToBot { .. }]));
    assert!(matches!(hand_to_bot(&open()).unwrap()[..], [Event::HandedToBot { .. }]));
    assert_eq!(hand_to_bot(&closed()), Err(DomainError::ConversationClosed));
    let bot = ConversationState { kind: ConversationKind::Bot, ..open() };
    assert_eq!(hand_to_bot(&bot), Err(DomainError::NotLive));
}

/// Applies events to the state the way the store's projection does.
fn apply(state: &mut ConversationState, events: &[Event]) {
    for event in events {
        match event {
            Event::ConversationClosed { outcome, .. } => {
                state.status = ConversationStatus::Closed;
                state.outcome = *outcome;
                state.snoozed_until = None;
            }
            Event::ConversationReopened { cycle, .. } => {
                state.status = ConversationStatus::Open;
                state.cycle = *cycle;
                state.outcome = None;
            }
            Event::OutcomeChanged { to, .. } => state.outcome = Some(*to),
            Event::Assigned { agent_id, .. } => state.assignee = Some(agent_id.clone()),
            Event::Unassigned { .. } => state.assignee = None,
            Event::Snoozed { until, .. } => state.snoozed_until = Some(*until),
            Event::Unsnoozed { .. } => state.snoozed_until = None,
            Event::ContactBlocked { .. } => state.contact_blocked = true,
            Event::ContactUnblocked { .. } => state.contact_blocked = false,
            Event::HandedToBot { .. } => state.kind = ConversationKind::Bot,
            _ => {}
        }
    }
}

#[derive(Clone, Debug)]
enum Step {
    Lead,
    Agent,
    Close(bool),
    Reopen,
    Outcome(bool),
    Assign(Option<u8>),
    Block(bool),
    Snooze,
    HandToBot,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        Just(Step::Lead),
        Just(Step::Agent),
        any::<bool>().prop_map(Step::Close),
        Just(Step::Reopen),
        any::<bool>().prop_map(Step::Outcome),
        proptest::option::of(0u8..3).prop_map(Step::Assign),
        any::<bool>().prop_map(Step::Block),
        Just(Step::Snooze),
        Just(Step::HandToBot),
    ]
}

fn outcome(resolved: bool) -> Outcome {
    if resolved {
        Outcome::Resolved
    } else {
        Outcome::Unresolved
    }
}

proptest! {
    /// Over any sequence of commands, against a reference model of the rules: exactly the
    /// forbidden commands are refused; the cycle grows by one per reopen; a blocked lead's
    /// conversation never changes status; with input disabled a lead never reopens.
    #[test]
    fn commands_follow_the_reference_model(
        steps in prop::collection::vec(step(), 0..60),
        disable in any::<bool>(),
    ) {
        let options = LeadOptions { disable_input_on_close: disable, ..LeadOptions::default() };
        let settings = ClosingNotesSettings::default();
        let mut state = open();
        let mut reopens = 0usize;
        let mut now = 1_000;
        for step in steps {
            now += 10;
            let before = state.clone();
            let is_closed = before.status == ConversationStatus::Closed;
            let (result, allowed) = match &step {
                Step::Lead => (
                    post_message(&state, message(AuthorKind::Contact, "x"), &options, now),
                    !(before.contact_blocked || (is_closed && disable)),
                ),
                Step::Agent => (post_message(&state, message(AuthorKind::Agent, "x"), &options, now), !is_closed),
                Step::Close(r) => (
                    close(&state, &agent(), Some(outcome(*r)), None, &settings),
                    !is_closed && !before.contact_blocked,
                ),
                Step::Reopen => (reopen(&state), is_closed && !before.contact_blocked),
                Step::Outcome(r) => (change_outcome(&state, outcome(*r)), is_closed),
                Step::Assign(to) => (Ok(assign(&state, to.map(|n| AgentId(format!("agent{n}"))))), true),
                Step::Block(b) => (Ok(set_blocked(&state, *b)), true),
                Step::Snooze => (snooze(&state, now + 5, now), !is_closed),
                Step::HandToBot => (hand_to_bot(&state), !is_closed && before.kind == ConversationKind::Live),
            };
            prop_assert_eq!(result.is_ok(), allowed, "{:?} on {:?}: {:?}", step, before, result);
            if let Ok(events) = &result {
                reopens += events.iter().filter(|e| matches!(e, Event::ConversationReopened { .. })).count();
                apply(&mut state, events);
            }
            if before.contact_blocked && !matches!(step, Step::Block(false)) {
                prop_assert_eq!(state.status, before.status);
            }
            if is_closed && disable && matches!(step, Step::Lead) {
                prop_assert_eq!(state.status, ConversationStatus::Closed);
            }
            if let Step::Outcome(r) = step {
                if is_closed {
                    prop_assert_eq!(state.outcome, Some(outcome(r)));
                }
            }
        }
        prop_assert_eq!(state.cycle as usize, 1 + reopens);
    }
}

#[test]
fn a_note_is_checked_like_a_message_and_taken_open_or_closed() {
    let by = (AgentId("a".into()), "Sam".into());
    let id = || MessageId("n".into());
    assert_eq!(post_note(&open(), id(), by.clone(), "  ", 5), Err(DomainError::EmptyMessage));
    let long = "x".repeat(MAX_MESSAGE_CHARS + 1);
    assert!(matches!(
        post_note(&open(), id(), by.clone(), &long, 5),
        Err(DomainError::MessageTooLong { .. })
    ));
    for state in [open(), closed()] {
        let events = post_note(&state, id(), by.clone(), " Called back ", 5).unwrap();
        let [Event::NotePosted { note }] = events.as_slice() else { panic!("{events:?}") };
        assert_eq!((note.body.as_str(), note.created_at), ("Called back", 5));
        assert_eq!((&note.author_id, &note.conversation_id), (&by.0, &state.id));
    }
}

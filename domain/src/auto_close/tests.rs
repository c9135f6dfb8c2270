use porch_protocol::{AgentId, ConversationId, Message, MessageId, Outcome};
use proptest::prelude::*;

use super::*;

const MIN: Millis = 60_000;

fn policy(mode: AutoCloseMode) -> AutoCloseSettings {
    AutoCloseSettings { enabled: true, period_minutes: 30, mode, generate_notes: false }
}

fn open() -> ConversationState {
    ConversationState { id: ConversationId("c".into()), ..ConversationState::open_fixture() }
}

fn posted(kind: AuthorKind) -> Event {
    Event::MessagePosted {
        message: Message {
            id: MessageId("m".into()),
            conversation_id: ConversationId("c".into()),
            author_kind: kind,
            author_id: None,
            author_name: None,
            body: "x".into(),
            client_id: None,
            created_at: 0,
        },
    }
}

fn armed(deadline: Millis, previous: Option<Millis>, reason: TimerReason) -> Option<Event> {
    Some(Event::AutoCloseArmed {
        conversation_id: ConversationId("c".into()),
        deadline,
        previous,
        reason,
    })
}

fn cancelled(previous: Millis, reason: TimerReason) -> Option<Event> {
    Some(Event::AutoCloseCancelled {
        conversation_id: ConversationId("c".into()),
        previous,
        reason,
    })
}

fn running(at: Millis) -> ConversationState {
    ConversationState {
        auto_close_at: Some(at),
        last_human_reply_at: Some(at - 30 * MIN),
        ..open()
    }
}

#[test]
fn the_period_is_thirty_minutes_to_fourteen_days() {
    let with = |period_minutes| AutoCloseSettings {
        period_minutes,
        ..policy(AutoCloseMode::AfterAgentReply)
    };
    assert!(validate_auto_close(with(29)).is_err());
    assert!(validate_auto_close(with(30)).is_ok());
    assert!(validate_auto_close(with(14 * 24 * 60)).is_ok());
    assert!(validate_auto_close(with(14 * 24 * 60 + 1)).is_err());
    assert_eq!(AutoCloseSettings::default().period_minutes, 24 * 60, "default 24 hours");
}

#[test]
fn a_human_reply_starts_and_pushes_the_deadline() {
    let p = policy(AutoCloseMode::AfterAgentReply);
    let started = follow(&p, Some(&open()), &[posted(AuthorKind::Agent)], 100);
    assert_eq!(started, armed(100 + 30 * MIN, None, TimerReason::AgentReplied));
    let pushed = follow(&p, Some(&running(500)), &[posted(AuthorKind::Agent)], 200);
    assert_eq!(pushed, armed(200 + 30 * MIN, Some(500), TimerReason::AgentReplied));
}

#[test]
fn a_lead_reply_cancels_until_the_next_human_reply() {
    let p = policy(AutoCloseMode::AfterAgentReply);
    let cancel = follow(&p, Some(&running(500)), &[posted(AuthorKind::Contact)], 200);
    assert_eq!(cancel, cancelled(500, TimerReason::ContactReplied));
    assert_eq!(follow(&p, Some(&open()), &[posted(AuthorKind::Contact)], 200), None);
}

#[test]
fn a_private_note_neither_starts_pushes_nor_cancels_it() {
    let note = crate::post_note(
        &running(500),
        MessageId("n".into()),
        (AgentId("a".into()), "Sam".into()),
        "Called them back",
        200,
    )
    .unwrap();
    for mode in [AutoCloseMode::AfterAgentReply, AutoCloseMode::Inactivity] {
        assert_eq!(follow(&policy(mode), Some(&running(500)), &note, 200), None, "{mode:?}");
        assert_eq!(follow(&policy(mode), Some(&open()), &note, 200), None, "{mode:?}");
    }
}

#[test]
fn bots_ai_broadcasts_and_workflows_neither_start_nor_push_it() {
    let p = policy(AutoCloseMode::AfterAgentReply);
    for kind in [AuthorKind::Bot, AuthorKind::AiAgent, AuthorKind::Broadcast, AuthorKind::Workflow]
    {
        assert_eq!(follow(&p, Some(&open()), &[posted(kind)], 100), None, "{kind:?}");
        assert_eq!(follow(&p, Some(&running(500)), &[posted(kind)], 100), None, "{kind:?}");
    }
}

#[test]
fn inactivity_mode_counts_from_anyones_last_message() {
    let p = policy(AutoCloseMode::Inactivity);
    for kind in [AuthorKind::Contact, AuthorKind::Agent, AuthorKind::Bot] {
        assert_eq!(
            follow(&p, Some(&open()), &[posted(kind)], 100),
            armed(100 + 30 * MIN, None, TimerReason::Message),
            "{kind:?}"
        );
    }
}

#[test]
fn a_snooze_suspends_the_deadline_and_its_end_restarts_it() {
    let p = policy(AutoCloseMode::AfterAgentReply);
    let snooze = Event::Snoozed { conversation_id: ConversationId("c".into()), until: 9_000 };
    assert_eq!(
        follow(&p, Some(&running(500)), &[snooze], 100),
        cancelled(500, TimerReason::Snoozed)
    );
    let snoozed =
        ConversationState { snoozed_until: Some(9_000), last_human_reply_at: Some(50), ..open() };
    // A human reply during the snooze starts nothing yet.
    assert_eq!(follow(&p, Some(&snoozed), &[posted(AuthorKind::Agent)], 100), None);
    let woke = Event::Unsnoozed { conversation_id: ConversationId("c".into()) };
    assert_eq!(
        follow(&p, Some(&snoozed), std::slice::from_ref(&woke), 9_000),
        armed(9_000 + 30 * MIN, None, TimerReason::SnoozeEnded)
    );
    // Waiting on the lead (they wrote last): the end of the snooze starts nothing.
    let lead_last = ConversationState { last_human_reply_at: None, ..snoozed.clone() };
    assert_eq!(follow(&p, Some(&lead_last), &[woke], 9_000), None);
    assert_eq!(end_snooze(&snoozed, 9_000, 8_999), vec![], "not yet");
    assert_eq!(end_snooze(&snoozed, 8_000, 9_000), vec![], "a snooze that was changed");
    assert_eq!(end_snooze(&snoozed, 9_000, 9_000).len(), 1);
}

#[test]
fn reassigning_restarts_and_handing_to_the_bot_cancels() {
    let p = policy(AutoCloseMode::AfterAgentReply);
    let assigned = Event::Assigned {
        conversation_id: ConversationId("c".into()),
        agent_id: AgentId("a".into()),
        previous: None,
    };
    assert_eq!(
        follow(&p, Some(&running(500)), std::slice::from_ref(&assigned), 100),
        armed(100 + 30 * MIN, Some(500), TimerReason::Assigned)
    );
    assert_eq!(follow(&p, Some(&open()), &[assigned], 100), None, "nothing running to restart");
    let bot = Event::HandedToBot { conversation_id: ConversationId("c".into()) };
    assert_eq!(
        follow(&p, Some(&running(500)), &[bot], 100),
        cancelled(500, TimerReason::HandedToBot)
    );
}

#[test]
fn closing_cancels_and_reopening_waits_for_the_next_human_reply() {
    let p = policy(AutoCloseMode::AfterAgentReply);
    let id = ConversationId("c".into());
    let closed = Event::ConversationClosed {
        conversation_id: id.clone(),
        outcome: Some(Outcome::Resolved),
        source: ClosingSource::Manual,
        closed_by: None,
        note: None,
    };
    assert_eq!(follow(&p, Some(&running(500)), &[closed], 100), None, "the close clears it");
    let was_closed = ConversationState {
        status: ConversationStatus::Closed,
        last_human_reply_at: Some(1),
        ..open()
    };
    let reopened = Event::ConversationReopened { conversation_id: id, cycle: 2 };
    assert_eq!(follow(&p, Some(&was_closed), &[reopened], 100), None);
}

#[test]
fn a_disabled_policy_arms_nothing_but_existing_deadlines_still_follow_the_rules() {
    let off = AutoCloseSettings { enabled: false, ..policy(AutoCloseMode::AfterAgentReply) };
    assert_eq!(follow(&off, Some(&open()), &[posted(AuthorKind::Agent)], 100), None);
    assert_eq!(
        follow(&off, Some(&running(500)), &[posted(AuthorKind::Contact)], 100),
        cancelled(500, TimerReason::ContactReplied)
    );
}

#[test]
fn firing_closes_once_and_only_the_same_reached_deadline() {
    let state = running(500);
    let closing = fire(&state, 500, 500, None);
    assert!(matches!(
        closing[..],
        [Event::ConversationClosed {
            source: ClosingSource::AutoClose,
            outcome: None,
            closed_by: None,
            ..
        }]
    ));
    assert!(fire(&state, 500, 499, None).is_empty(), "too early");
    assert!(fire(&state, 400, 500, None).is_empty(), "the deadline moved meanwhile");
    let closed = ConversationState { status: ConversationStatus::Closed, ..state };
    assert!(fire(&closed, 500, 600, None).is_empty(), "already closed: never twice");
}

#[test]
fn applying_a_new_setting_to_open_conversations() {
    let p = policy(AutoCloseMode::AfterAgentReply);
    let awaiting = ConversationState { last_human_reply_at: Some(1_000), ..open() };
    assert_eq!(
        reschedule(&p, &awaiting, 5_000),
        armed(1_000 + 30 * MIN, None, TimerReason::SettingsChanged)
    );
    assert_eq!(reschedule(&p, &open(), 5_000), None, "the lead wrote last");
    let inactive = ConversationState { last_message_at: 2_000, ..open() };
    assert_eq!(
        reschedule(&policy(AutoCloseMode::Inactivity), &inactive, 5_000),
        armed(2_000 + 30 * MIN, None, TimerReason::SettingsChanged)
    );
    let off = AutoCloseSettings { enabled: false, ..p };
    assert_eq!(reschedule(&off, &running(500), 100), cancelled(500, TimerReason::SettingsChanged));
}

#[test]
fn a_blocked_contacts_deadline_stops_and_resumes_on_unblock() {
    let p = policy(AutoCloseMode::AfterAgentReply);
    let contact_id = open().contact_id;
    let block = [Event::ContactBlocked { contact_id: contact_id.clone() }];
    assert_eq!(follow(&p, Some(&running(500)), &block, 100), cancelled(500, TimerReason::Blocked));
    let blocked = ConversationState { contact_blocked: true, ..running(500) };
    assert!(fire(&blocked, 500, 600, None).is_empty(), "a blocked contact's conversation stays");
    let paused = ConversationState { auto_close_at: None, ..blocked.clone() };
    assert_eq!(follow(&p, Some(&paused), &[posted(AuthorKind::Agent)], 200), None);
    let unblock = [Event::ContactUnblocked { contact_id }];
    assert_eq!(
        follow(&p, Some(&paused), &unblock, 1_000),
        armed(1_000 + 30 * MIN, None, TimerReason::Unblocked),
        "awaiting the lead: the deadline runs again from the unblock"
    );
    let lead_wrote_last = ConversationState { last_human_reply_at: None, ..paused };
    assert_eq!(follow(&p, Some(&lead_wrote_last), &unblock, 1_000), None);
    assert_eq!(deadline_under(&p, &blocked, 0), None, "nothing to apply while blocked");
}

#[test]
fn in_inactivity_mode_a_hand_over_to_a_person_starts_the_deadline() {
    let p = policy(AutoCloseMode::Inactivity);
    let with_bot = ConversationState { kind: ConversationKind::Bot, ..open() };
    let handed = [Event::HandedToHuman { conversation_id: with_bot.id.clone() }];
    assert_eq!(
        follow(&p, Some(&with_bot), &handed, 1_000),
        armed(1_000 + 30 * MIN, None, TimerReason::HandedToHuman)
    );
    let after_reply = policy(AutoCloseMode::AfterAgentReply);
    assert_eq!(follow(&after_reply, Some(&with_bot), &handed, 1_000), None, "no human reply yet");
}

#[derive(Clone, Debug)]
enum Step {
    Say(AuthorKind),
    Snooze,
    Wake,
    Assign,
    Bot,
    Close,
    Reopen,
    Block,
    Unblock,
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        prop_oneof![
            Just(AuthorKind::Contact),
            Just(AuthorKind::Agent),
            Just(AuthorKind::Bot),
            Just(AuthorKind::Broadcast),
        ]
        .prop_map(Step::Say),
        Just(Step::Snooze),
        Just(Step::Wake),
        Just(Step::Assign),
        Just(Step::Bot),
        Just(Step::Close),
        Just(Step::Reopen),
        Just(Step::Block),
        Just(Step::Unblock),
    ]
}

/// The store's projection of the timer-relevant parts.
fn project(state: &mut ConversationState, events: &[Event], now: Millis) {
    for event in events {
        match event {
            Event::MessagePosted { message } => {
                state.last_message_at = now;
                match message.author_kind {
                    AuthorKind::Agent => state.last_human_reply_at = Some(now),
                    AuthorKind::Contact => state.last_human_reply_at = None,
                    _ => {}
                }
            }
            Event::Snoozed { until, .. } => state.snoozed_until = Some(*until),
            Event::Unsnoozed { .. } => state.snoozed_until = None,
            Event::HandedToBot { .. } => state.kind = ConversationKind::Bot,
            Event::ConversationClosed { .. } => {
                state.status = ConversationStatus::Closed;
                state.auto_close_at = None;
            }
            Event::ConversationReopened { .. } => state.status = ConversationStatus::Open,
            Event::AutoCloseArmed { deadline, .. } => state.auto_close_at = Some(*deadline),
            Event::AutoCloseCancelled { .. } => state.auto_close_at = None,
            Event::ContactBlocked { .. } => state.contact_blocked = true,
            Event::ContactUnblocked { .. } => state.contact_blocked = false,
            _ => {}
        }
    }
}

proptest! {
    /// Over random histories in after-agent-reply mode: a deadline runs only on an open, live,
    /// unsnoozed conversation awaiting the lead; a human reply sets it to exactly now + period;
    /// a lead reply clears it; automated messages never move it; each command moves it at most
    /// once, and the event says from what.
    #[test]
    fn the_deadline_follows_the_rules(steps in prop::collection::vec(step(), 0..80)) {
        let p = policy(AutoCloseMode::AfterAgentReply);
        let mut state = open();
        let mut now = 1_000_000;
        for step in steps {
            now += 7 * MIN;
            let id = state.id.clone();
            let events = match &step {
                Step::Say(kind) if state.status == ConversationStatus::Open => vec![posted(*kind)],
                Step::Snooze if state.status == ConversationStatus::Open => {
                    vec![Event::Snoozed { conversation_id: id, until: now + 60 * MIN }]
                }
                Step::Wake if state.snoozed_until.is_some() => vec![Event::Unsnoozed { conversation_id: id }],
                Step::Assign => vec![Event::Assigned { conversation_id: id, agent_id: AgentId("a".into()), previous: None }],
                Step::Bot if state.status == ConversationStatus::Open && state.kind == ConversationKind::Live => {
                    vec![Event::HandedToBot { conversation_id: id }]
                }
                Step::Close if state.status == ConversationStatus::Open => vec![Event::ConversationClosed {
                    conversation_id: id, outcome: Some(Outcome::Resolved), source: ClosingSource::Manual, closed_by: None, note: None,
                }],
                Step::Reopen if state.status == ConversationStatus::Closed => {
                    vec![Event::ConversationReopened { conversation_id: id, cycle: state.cycle + 1 }]
                }
                Step::Block if !state.contact_blocked => {
                    vec![Event::ContactBlocked { contact_id: state.contact_id.clone() }]
                }
                Step::Unblock if state.contact_blocked => {
                    vec![Event::ContactUnblocked { contact_id: state.contact_id.clone() }]
                }
                _ => continue,
            };
            let before = state.auto_close_at;
            let timer = follow(&p, Some(&state), &events, now);
            match &timer {
                Some(Event::AutoCloseArmed { previous, .. }) => prop_assert_eq!(*previous, before),
                Some(Event::AutoCloseCancelled { previous, .. }) => prop_assert_eq!(Some(*previous), before),
                _ => {}
            }
            let mut all = events.clone();
            all.extend(timer);
            project(&mut state, &all, now);

            let awake = state.status == ConversationStatus::Open
                && state.kind == ConversationKind::Live
                && !state.contact_blocked
                && !state.is_snoozed(now);
            if state.auto_close_at.is_some() {
                prop_assert!(awake && state.last_human_reply_at.is_some(), "{:?} after {:?}", state, step);
            }
            match step {
                Step::Say(AuthorKind::Agent) if awake => prop_assert_eq!(state.auto_close_at, Some(now + 30 * MIN)),
                Step::Say(AuthorKind::Contact) => prop_assert_eq!(state.auto_close_at, None),
                Step::Say(_) => prop_assert_eq!(state.auto_close_at, before),
                _ => {}
            }
        }
    }
}

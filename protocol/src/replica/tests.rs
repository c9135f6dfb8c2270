use super::*;
use crate::{
    Actor, AuthorKind, ClosingSource, ContactId, ConversationKind, LeadEvent, LeadServerFrame,
    MessageId,
};

fn conversation(id: &str, at: i64) -> Conversation {
    Conversation::opened(
        ConversationId(id.into()),
        ContactId("lead".into()),
        ConversationKind::Live,
        at,
    )
}

fn frame(seq: u64, event: Event) -> EventFrame {
    EventFrame { seq, at: seq as i64 * 10, actor: Actor::System, contact_id: None, event }
}

fn message(id: &str, conversation: &str, at: i64) -> Message {
    Message {
        id: MessageId(id.into()),
        conversation_id: ConversationId(conversation.into()),
        author_kind: AuthorKind::Contact,
        author_id: None,
        author_name: None,
        body: format!("body {id}"),
        client_id: None,
        created_at: at,
    }
}

#[test]
fn a_contact_update_names_every_conversation_of_that_lead() {
    let mut other = conversation("x", 1);
    other.contact_id = ContactId("someone else".into());
    let conversations = vec![conversation("c", 1), conversation("d", 2), other];
    let mut r = Replica::new(conversations, LeadOptions::default(), 0);
    let email = Some("ada@example.com".to_owned());
    let contact_id = ContactId("lead".into());
    r.apply(&frame(1, Event::ContactUpdated { contact_id, name: None, email }));
    let named: Vec<_> = r.conversations().iter().map(|c| c.lead_label()).collect();
    assert_eq!(named[..2], ["ada@example.com", "ada@example.com"]);
    assert!(named[2].starts_with("Visitor "), "another lead is untouched");
    let name = Some("Ada".to_owned());
    let contact_id = ContactId("lead".into());
    r.apply(&frame(2, Event::ContactUpdated { contact_id, name, email: None }));
    let c = r.conversation(&ConversationId("c".into())).unwrap();
    assert_eq!(
        (c.lead_label(), c.contact_email.as_deref()),
        ("Ada".into(), Some("ada@example.com"))
    );
}

#[test]
fn a_replayed_seq_is_applied_once() {
    let mut r = Replica::new(vec![conversation("c", 1)], LeadOptions::default(), 0);
    let posted = frame(1, Event::MessagePosted { message: message("m", "c", 5) });
    assert!(r.apply(&posted));
    assert!(!r.apply(&posted));
    assert_eq!(r.messages(&ConversationId("c".into())).unwrap().len(), 1);
    assert_eq!(r.last_seq, 1);
}

#[test]
fn frames_at_or_below_the_starting_seq_are_ignored() {
    let mut r = Replica::new(vec![conversation("c", 1)], LeadOptions::default(), 7);
    let close = Event::ConversationClosed {
        conversation_id: ConversationId("c".into()),
        outcome: None,
        source: ClosingSource::Manual,
        closed_by: None,
        note: None,
    };
    assert!(!r.apply(&frame(7, close.clone())));
    assert_eq!(r.conversations()[0].status, ConversationStatus::Open);
    assert!(r.apply(&frame(8, close)));
    assert_eq!(r.conversations()[0].status, ConversationStatus::Closed);
    assert_eq!(r.conversations()[0].closed_at, Some(80));
}

#[test]
fn newest_activity_comes_first_and_preview_follows_the_last_message() {
    let mut r =
        Replica::new(vec![conversation("a", 1), conversation("b", 2)], LeadOptions::default(), 0);
    assert_eq!(r.conversations()[0].id.as_str(), "b");
    r.apply(&frame(1, Event::MessagePosted { message: message("m", "a", 9) }));
    assert_eq!(r.conversations()[0].id.as_str(), "a");
    assert_eq!(r.conversations()[0].last_message.as_deref(), Some("body m"));
}

#[test]
fn history_loaded_later_merges_with_live_messages() {
    let mut r = Replica::new(vec![conversation("c", 1)], LeadOptions::default(), 0);
    r.apply(&frame(1, Event::MessagePosted { message: message("live", "c", 20) }));
    r.load_messages(
        ConversationId("c".into()),
        vec![message("old", "c", 10), message("live", "c", 20)],
    );
    let ids: Vec<_> =
        r.messages(&ConversationId("c".into())).unwrap().iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["old", "live"]);
}

#[test]
fn reopen_clears_the_closing_and_sets_the_cycle() {
    let mut r = Replica::new(vec![conversation("c", 1)], LeadOptions::default(), 0);
    let id = ConversationId("c".into());
    r.apply(&frame(
        1,
        Event::ConversationClosed {
            conversation_id: id.clone(),
            outcome: Some(crate::Outcome::Resolved),
            source: ClosingSource::Manual,
            closed_by: None,
            note: None,
        },
    ));
    r.apply(&frame(2, Event::ConversationReopened { conversation_id: id.clone(), cycle: 2 }));
    let c = r.conversation(&id).unwrap();
    assert_eq!(
        (c.status, c.cycle, c.outcome, c.closed_at),
        (ConversationStatus::Open, 2, None, None)
    );
}

#[test]
fn team_events_update_the_list_and_loaded_timelines() {
    let mut r = Replica::new(vec![conversation("c", 1)], LeadOptions::default(), 0);
    let id = ConversationId("c".into());
    r.load_timeline(id.clone(), vec![]);
    let agent = crate::AgentId("agent-7f3".into());
    r.apply(&frame(
        1,
        Event::Assigned { conversation_id: id.clone(), agent_id: agent.clone(), previous: None },
    ));
    r.apply(&frame(2, Event::Snoozed { conversation_id: id.clone(), until: 99 }));
    r.apply(&frame(3, Event::ContactBlocked { contact_id: ContactId("lead".into()) }));
    let c = r.conversation(&id).unwrap();
    assert_eq!(
        (c.assignee.clone(), c.snoozed_until, c.contact_blocked),
        (Some(agent), Some(99), true)
    );
    assert!(c.is_snoozed(98) && !c.is_snoozed(99));
    r.apply(&frame(4, Event::HandedToBot { conversation_id: id.clone() }));
    let c = r.conversation(&id).unwrap();
    assert_eq!((c.kind, c.assignee.clone()), (ConversationKind::Bot, None));
    assert_eq!(r.timeline(&id).unwrap().iter().map(|f| f.seq).collect::<Vec<_>>(), [1, 2, 4]);
    // A log read later merges without duplicates.
    r.load_timeline(id.clone(), vec![frame(2, Event::Unsnoozed { conversation_id: id.clone() })]);
    assert_eq!(r.timeline(&id).unwrap().len(), 3);
}

#[test]
fn leads_never_see_the_teams_bookkeeping() {
    let id = ConversationId("c".into());
    let agent = crate::AgentId("agent-7f3".into());
    let mut closed = frame(
        1,
        Event::ConversationClosed {
            conversation_id: id.clone(),
            outcome: Some(crate::Outcome::Unresolved),
            source: ClosingSource::Manual,
            closed_by: Some(agent.clone()),
            note: Some(crate::ClosingNote {
                category: Some("Refund".into()),
                summary: Some("angry".into()),
                generated: false,
            }),
        },
    );
    closed.actor = Actor::Agent(agent.clone());
    let seen = closed.for_lead().unwrap();
    assert_eq!(
        seen.event,
        LeadEvent::ConversationClosed {
            conversation_id: id.clone(),
            source: ClosingSource::Manual
        }
    );
    let text = serde_json::to_string(&seen).unwrap();
    assert!(!text.contains("Refund") && !text.contains("angry") && !text.contains("resolved"));
    let private = [
        Event::OutcomeChanged {
            conversation_id: id.clone(),
            from: None,
            to: crate::Outcome::Resolved,
        },
        Event::Assigned { conversation_id: id.clone(), agent_id: agent.clone(), previous: None },
        Event::Snoozed { conversation_id: id.clone(), until: 5 },
        Event::ContactBlocked { contact_id: ContactId("lead".into()) },
        Event::HandedToBot { conversation_id: id.clone() },
        Event::SettingsChanged { settings: Default::default() },
    ];
    for event in private {
        assert_eq!(frame(2, event).for_lead(), None);
    }
    let mut started = conversation("c", 1);
    started.assignee = Some(agent.clone());
    let seen = frame(3, Event::ConversationStarted { conversation: started }).for_lead().unwrap();
    let text = serde_json::to_string(&seen).unwrap();
    assert!(!text.contains(agent.as_str()), "no assignee in {text}");
}

#[test]
fn kind_is_the_serde_tag() {
    let events = [
        Event::ConversationStarted { conversation: conversation("c", 1) },
        Event::MessagePosted { message: message("m", "c", 1) },
        Event::ConversationReopened { conversation_id: ConversationId("c".into()), cycle: 2 },
        Event::LeadOptionsChanged { options: LeadOptions::default(), saved: None },
    ];
    for event in events {
        let value = serde_json::to_value(&event).unwrap();
        assert_eq!(value["type"], event.kind());
    }
}

#[test]
fn as_str_is_the_serde_name() {
    use AuthorKind::*;
    for kind in [Contact, Agent, Bot, AiAgent, Broadcast, Workflow, System] {
        assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
    }
    for source in [ClosingSource::Manual, ClosingSource::AutoClose] {
        assert_eq!(serde_json::to_value(source).unwrap(), source.as_str());
    }
    for outcome in [crate::Outcome::Resolved, crate::Outcome::Unresolved] {
        assert_eq!(serde_json::to_value(outcome).unwrap(), outcome.as_str());
    }
    for flow in crate::StartFlow::ALL {
        assert_eq!(serde_json::to_value(flow).unwrap(), flow.as_str());
        assert_eq!(crate::StartFlow::parse(flow.as_str()), Some(flow));
    }
    assert_eq!(crate::StartFlow::parse("nonsense"), None);
}

#[test]
fn frames_round_trip_through_json() {
    let f = crate::ServerFrame::Event(Box::new(frame(
        3,
        Event::ConversationStarted { conversation: conversation("c", 1) },
    )));
    let text = serde_json::to_string(&f).unwrap();
    assert!(
        text.contains(r#""frame":"event""#) && text.contains(r#""type":"conversation_started""#)
    );
    assert_eq!(serde_json::from_str::<crate::ServerFrame>(&text).unwrap(), f);
}

#[test]
fn a_lead_frame_applies_like_the_event_it_shows() {
    let id = ConversationId("c".into());
    let mut r = Replica::new(vec![conversation("c", 1)], LeadOptions::default(), 0);
    let closed = frame(
        1,
        Event::ConversationClosed {
            conversation_id: id.clone(),
            outcome: Some(crate::Outcome::Resolved),
            source: ClosingSource::AutoClose,
            closed_by: None,
            note: None,
        },
    );
    let wire = LeadServerFrame::Event(closed.for_lead().unwrap());
    let text = serde_json::to_string(&wire).unwrap();
    assert!(text.starts_with(r#"{"event":{"seq":1,"#) && text.contains("conversation_closed"));
    let LeadServerFrame::Event(back) = serde_json::from_str(&text).unwrap() else {
        panic!("an event frame")
    };
    assert!(r.apply(&back.into()));
    let c = r.conversation(&id).unwrap();
    assert_eq!(
        (c.status, c.closing_source, c.outcome),
        (crate::ConversationStatus::Closed, Some(ClosingSource::AutoClose), None)
    );
}

#[test]
fn a_sent_message_goes_after_those_of_the_same_millisecond_and_once() {
    let mut r = Replica::new(vec![conversation("c", 1)], LeadOptions::default(), 0);
    let id = ConversationId("c".into());
    r.load_messages(id.clone(), vec![message("hello", "c", 10)]);
    // The send's frame and its answer both bring the second message, in either order.
    r.add_message(message("again", "c", 10));
    r.apply(&frame(1, Event::MessagePosted { message: message("again", "c", 10) }));
    r.add_message(message("early", "c", 5));
    let ids: Vec<_> = r.messages(&id).unwrap().iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["early", "hello", "again"]);
}

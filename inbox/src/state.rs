//! The inbox's rules, pure: which folder holds a conversation, and how the timeline words each
//! event.

use porch_protocol::{
    Actor, AgentId, ClosingSource, Conversation, ConversationKind, ConversationStatus, Event,
    EventFrame, Millis, Outcome, TimerReason,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Folder {
    Open,
    Mine,
    Unassigned,
    Snoozed,
    /// Open conversations still with the bot: the team watches them and may take one over.
    Bot,
    Closed,
}

impl Folder {
    pub const ALL: [Folder; 6] = [
        Folder::Open,
        Folder::Mine,
        Folder::Unassigned,
        Folder::Snoozed,
        Folder::Bot,
        Folder::Closed,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Folder::Open => "Open",
            Folder::Mine => "Mine",
            Folder::Unassigned => "Unassigned",
            Folder::Snoozed => "Snoozed",
            Folder::Bot => "Bot",
            Folder::Closed => "Closed",
        }
    }

    /// Open folders hold the team's live conversations (not the bot's), minus snoozed ones;
    /// the bot's open ones are in their own folder.
    pub fn holds(self, c: &Conversation, me: &AgentId, now: Millis) -> bool {
        let live = c.status == ConversationStatus::Open && c.kind == ConversationKind::Live;
        let awake = live && !c.is_snoozed(now);
        match self {
            Folder::Open => awake,
            Folder::Mine => awake && c.assignee.as_ref() == Some(me),
            Folder::Unassigned => awake && c.assignee.is_none(),
            Folder::Snoozed => live && c.is_snoozed(now),
            Folder::Bot => c.status == ConversationStatus::Open && c.kind == ConversationKind::Bot,
            Folder::Closed => c.status == ConversationStatus::Closed,
        }
    }
}

pub fn outcome_label(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Resolved => "Resolved",
        Outcome::Unresolved => "Unresolved",
    }
}

fn reason_text(reason: TimerReason) -> &'static str {
    match reason {
        TimerReason::AgentReplied => "an agent replied",
        TimerReason::ContactReplied => "the visitor replied",
        TimerReason::Message => "a new message",
        TimerReason::Assigned => "reassigned",
        TimerReason::Snoozed => "snoozed; it resumes when the snooze ends",
        TimerReason::SnoozeEnded => "the snooze ended",
        TimerReason::HandedToBot => "handed to the bot",
        TimerReason::Closed => "closed",
        TimerReason::SettingsChanged => "the auto-close setting changed",
        TimerReason::HandedToHuman => "handed to a person",
        TimerReason::Blocked => "the visitor was blocked; it resumes when they are unblocked",
        TimerReason::Unblocked => "the visitor was unblocked",
    }
}

/// "closes in 29:59": a countdown to `deadline`, or "closing…" once it is due.
pub fn countdown(deadline: Millis, now: Millis) -> String {
    let left = (deadline - now).max(0) / 1000;
    if left == 0 {
        return "closing…".into();
    }
    let (h, m, s) = (left / 3600, left % 3600 / 60, left % 60);
    match h {
        0 => format!("closes in {m}:{s:02}"),
        1..=47 => format!("closes in {h} h {m:02} min"),
        _ => format!("closes in {} days", h / 24),
    }
}

/// "Ann Lee" → "AL".
pub fn initials(name: &str) -> String {
    name.split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect::<String>()
        .to_uppercase()
}

/// The system note a timeline shows for an event; `None` for messages (shown as bubbles) and
/// events that need no note.
/// Whether a member may close the conversation now: open, live (not with the bot), and its lead
/// not blocked.
pub fn closable(c: &Conversation) -> bool {
    c.status == ConversationStatus::Open && c.kind == ConversationKind::Live && !c.contact_blocked
}

/// A conversation's log as its timeline shows it: of the auto-close timer's notes (armed,
/// moved, cancelled: one for nearly every message), only the latest, which says where the
/// timer stands; the earlier ones would bury the conversation.
pub fn timeline_entries(frames: &[EventFrame]) -> Vec<EventFrame> {
    let is_timer = |f: &EventFrame| {
        matches!(f.event, Event::AutoCloseArmed { .. } | Event::AutoCloseCancelled { .. })
    };
    let latest = frames.iter().rev().find(|f| is_timer(f)).map(|f| f.seq);
    frames.iter().filter(|f| !is_timer(f) || Some(f.seq) == latest).cloned().collect()
}

pub fn note(
    frame: &EventFrame,
    name: impl Fn(&AgentId) -> String,
    time: impl Fn(Millis) -> String,
) -> Option<String> {
    let who = match &frame.actor {
        Actor::Agent(id) => name(id),
        Actor::Contact(_) => "The visitor".to_owned(),
        Actor::System => "Porch".to_owned(),
        Actor::Token(_) => "An integration (API token)".to_owned(),
    };
    Some(match &frame.event {
        Event::ConversationStarted { .. } => "Conversation started".to_owned(),
        Event::MessagePosted { .. } | Event::NotePosted { .. } => return None,
        Event::ConversationClosed { outcome, source, note, .. } => {
            let mut text = match source {
                ClosingSource::Manual => format!("{who} closed the conversation"),
                ClosingSource::AutoClose => "Closed by auto-close".to_owned(),
                ClosingSource::Lead => "The lead ended the conversation".to_owned(),
            };
            if let Some(outcome) = outcome {
                text += &format!(" · {}", outcome_label(*outcome));
            }
            if let Some(note) = note {
                if let Some(category) = &note.category {
                    text += &format!(" · {category}");
                }
                if let Some(summary) = &note.summary {
                    text += &format!(" — {summary}");
                }
            }
            text
        }
        Event::ConversationReopened { cycle, .. } => match frame.actor {
            Actor::Contact(_) => format!("The visitor wrote again: reopened as cycle {cycle}"),
            _ => format!("{who} reopened the conversation (cycle {cycle})"),
        },
        Event::OutcomeChanged { from, to, .. } => match from {
            Some(from) => format!(
                "{who} changed the outcome from {} to {}",
                outcome_label(*from),
                outcome_label(*to)
            ),
            None => format!("{who} set the outcome to {}", outcome_label(*to)),
        },
        Event::Assigned { agent_id, previous, .. } => match previous {
            Some(previous) => {
                format!(
                    "{who} transferred the conversation from {} to {}",
                    name(previous),
                    name(agent_id)
                )
            }
            None => format!("{who} assigned the conversation to {}", name(agent_id)),
        },
        Event::Unassigned { previous, .. } => {
            format!("{who} unassigned the conversation (it was {})", name(previous))
        }
        Event::Snoozed { until, .. } => {
            format!("{who} snoozed the conversation until {}", time(*until))
        }
        Event::Unsnoozed { .. } => "The snooze ended".to_owned(),
        Event::ContactBlocked { .. } => format!("{who} blocked the contact"),
        Event::ContactUnblocked { .. } => format!("{who} unblocked the contact"),
        Event::ContactUpdated { name, email, .. } => {
            let given: Vec<&str> =
                [name, email].into_iter().flatten().map(String::as_str).collect();
            format!("The visitor is {}", given.join(", "))
        }
        Event::HandedToBot { .. } => format!("{who} handed the conversation back to the bot"),
        Event::HandedToHuman { .. } => {
            "The visitor asked for a person: over to the team".to_owned()
        }
        Event::AutoCloseArmed { deadline, previous, reason, .. } => {
            let verb = if previous.is_some() { "moved to" } else { "set for" };
            format!("Auto-close {verb} {} ({})", time(*deadline), reason_text(*reason))
        }
        Event::AutoCloseCancelled { reason, .. } => {
            format!("Auto-close cancelled ({})", reason_text(*reason))
        }
        // The lead's pick shows as their message already.
        Event::LeadOptionsChanged { .. }
        | Event::SettingsChanged { .. }
        | Event::QuickAnswerChosen { .. } => return None,
        Event::PlanChanged { plan } => format!("{who} moved the workspace to the {plan} plan"),
    })
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use porch_protocol::{ClosingNote, ContactId, ConversationId};
    use wasm_bindgen_test::*;

    use super::*;

    fn conversation() -> Conversation {
        let (id, lead) = (ConversationId("c".into()), ContactId("lead".into()));
        Conversation::opened(id, lead, ConversationKind::Live, 0)
    }

    fn folders_of(c: &Conversation, now: Millis) -> Vec<Folder> {
        let me = AgentId("me".into());
        Folder::ALL.into_iter().filter(|f| f.holds(c, &me, now)).collect()
    }

    #[wasm_bindgen_test]
    fn folders_follow_status_assignment_snooze_and_kind() {
        let mut c = conversation();
        assert_eq!(folders_of(&c, 0), [Folder::Open, Folder::Unassigned]);
        c.assignee = Some(AgentId("me".into()));
        assert_eq!(folders_of(&c, 0), [Folder::Open, Folder::Mine]);
        c.assignee = Some(AgentId("other".into()));
        assert_eq!(folders_of(&c, 0), [Folder::Open]);
        c.snoozed_until = Some(10);
        assert_eq!(folders_of(&c, 5), [Folder::Snoozed]);
        assert_eq!(folders_of(&c, 10), [Folder::Open], "back when the snooze ends");
        c.status = ConversationStatus::Closed;
        assert_eq!(folders_of(&c, 0), [Folder::Closed]);
        c.status = ConversationStatus::Open;
        c.kind = ConversationKind::Bot;
        assert_eq!(folders_of(&c, 20), [Folder::Bot], "with the bot: in its folder alone");
        c.status = ConversationStatus::Closed;
        assert_eq!(folders_of(&c, 20), [Folder::Closed]);
    }

    #[wasm_bindgen_test]
    fn server_messages_read_as_sentences() {
        use porch_client::sentence;
        assert_eq!(sentence("sign in first".into()), "Sign in first.");
        assert_eq!(sentence("Already a sentence.".into()), "Already a sentence.");
        assert_eq!(sentence("ask again (in 3 s)".into()), "Ask again (in 3 s)");
        assert_eq!(sentence("été".into()), "été.", "non-ASCII starts are left alone");
        assert_eq!(sentence(String::new()), "");
    }

    #[wasm_bindgen_test]
    fn the_timeline_keeps_only_the_latest_auto_close_note() {
        let id = ConversationId("c".into());
        let frame = |seq: u64, event: Event| EventFrame {
            seq,
            at: 0,
            actor: Actor::System,
            contact_id: None,
            event,
        };
        let armed = |deadline| Event::AutoCloseArmed {
            conversation_id: id.clone(),
            deadline,
            previous: None,
            reason: TimerReason::ContactReplied,
        };
        let unassigned =
            Event::Unassigned { conversation_id: id.clone(), previous: AgentId("ann".into()) };
        let log =
            [frame(1, armed(10)), frame(2, unassigned), frame(3, armed(20)), frame(4, armed(30))];
        let kept: Vec<u64> = timeline_entries(&log).iter().map(|f| f.seq).collect();
        assert_eq!(kept, [2, 4]);
        let cancelled = Event::AutoCloseCancelled {
            conversation_id: id.clone(),
            previous: 30,
            reason: TimerReason::AgentReplied,
        };
        let log = [frame(1, armed(10)), frame(2, cancelled)];
        let kept: Vec<u64> = timeline_entries(&log).iter().map(|f| f.seq).collect();
        assert_eq!(kept, [2], "a cancellation is where the timer stands");
        assert!(timeline_entries(&[]).is_empty());
    }

    #[wasm_bindgen_test]
    fn notes_say_who_did_what() {
        let name = |a: &AgentId| if a.0 == "ann" { "Ann".to_owned() } else { "Bob".to_owned() };
        let frame = |actor: Actor, event: Event| EventFrame {
            seq: 1,
            at: 0,
            actor,
            contact_id: None,
            event,
        };
        let ann = Actor::Agent(AgentId("ann".into()));
        let id = ConversationId("c".into());
        let closed = Event::ConversationClosed {
            conversation_id: id.clone(),
            outcome: Some(Outcome::Unresolved),
            source: ClosingSource::Manual,
            closed_by: None,
            note: Some(ClosingNote {
                category: Some("Order issue".into()),
                summary: Some("Lost".into()),
                generated: true,
            }),
        };
        assert_eq!(
            note(&frame(ann.clone(), closed), name, |_| String::new()).unwrap(),
            "Ann closed the conversation · Unresolved · Order issue — Lost"
        );
        let transfer = Event::Assigned {
            conversation_id: id.clone(),
            agent_id: AgentId("bob".into()),
            previous: Some(AgentId("ann".into())),
        };
        assert_eq!(
            note(&frame(ann.clone(), transfer), name, |_| String::new()).unwrap(),
            "Ann transferred the conversation from Ann to Bob"
        );
        let reopened = Event::ConversationReopened { conversation_id: id.clone(), cycle: 2 };
        let by_lead = frame(Actor::Contact(ContactId("l".into())), reopened);
        assert_eq!(
            note(&by_lead, name, |_| String::new()).unwrap(),
            "The visitor wrote again: reopened as cycle 2"
        );
        let auto = Event::ConversationClosed {
            conversation_id: id,
            outcome: None,
            source: ClosingSource::AutoClose,
            closed_by: None,
            note: None,
        };
        assert_eq!(
            note(&frame(Actor::System, auto), name, |_| String::new()).unwrap(),
            "Closed by auto-close"
        );
        assert_eq!(initials("Sam  Seller"), "SS");
    }

    #[wasm_bindgen_test]
    fn countdowns_read_naturally() {
        assert_eq!(countdown(30 * 60_000, 1_000), "closes in 29:59");
        assert_eq!(countdown(3 * 3_600_000 + 60_000, 0), "closes in 3 h 01 min");
        assert_eq!(countdown(5 * 86_400_000, 0), "closes in 5 days");
        assert_eq!(countdown(10, 20), "closing…");
    }
}

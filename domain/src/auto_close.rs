//! Auto-close: when a conversation's deadline is set, moved, cancelled and fired.
//!
//! The deadline is a fact of the conversation (stored, with an event each time it moves), so
//! timers elsewhere are only caches of it. [`follow`] derives what a command's events do to the
//! deadline; [`fire`] closes when the deadline is reached, only if it is still the same one.

use porch_protocol::{
    AuthorKind, AutoCloseMode, AutoCloseSettings, ClosingNote, ClosingSource, ConversationId,
    ConversationKind, ConversationStatus, Event, Millis, TimerReason,
};

use crate::{ConversationState, DomainError};

pub const MIN_PERIOD_MINUTES: u32 = 30;
pub const MAX_PERIOD_MINUTES: u32 = 14 * 24 * 60;

pub fn validate_auto_close(settings: AutoCloseSettings) -> Result<AutoCloseSettings, DomainError> {
    if !(MIN_PERIOD_MINUTES..=MAX_PERIOD_MINUTES).contains(&settings.period_minutes) {
        return Err(DomainError::InvalidSettings(format!(
            "the auto-close period must be from 30 minutes to 14 days ({MIN_PERIOD_MINUTES} to \
             {MAX_PERIOD_MINUTES} minutes); {} was given",
            settings.period_minutes
        )));
    }
    Ok(settings)
}

/// What the timer rules need, folded over a command's events.
#[derive(Clone, Debug)]
struct Timer {
    id: ConversationId,
    open: bool,
    live: bool,
    snoozed: bool,
    blocked: bool,
    awaiting_lead: bool,
    deadline: Option<Millis>,
    reason: TimerReason,
}

impl Timer {
    fn of(state: &ConversationState, now: Millis) -> Timer {
        Timer {
            id: state.id.clone(),
            open: state.status == ConversationStatus::Open,
            live: state.kind == ConversationKind::Live,
            snoozed: state.is_snoozed(now),
            blocked: state.contact_blocked,
            awaiting_lead: state.last_human_reply_at.is_some(),
            deadline: state.auto_close_at,
            reason: TimerReason::Message,
        }
    }

    fn set(&mut self, deadline: Option<Millis>, reason: TimerReason) {
        self.deadline = deadline;
        self.reason = reason;
    }

    /// Starts or pushes the deadline, unless the conversation cannot have one running now.
    fn arm(&mut self, policy: &AutoCloseSettings, now: Millis, reason: TimerReason) {
        if policy.enabled && self.open && self.live && !self.snoozed && !self.blocked {
            self.set(Some(now + policy.period_millis()), reason);
        }
    }

    /// After a pause (snooze, block): runs again if the rule has it running, from `now`.
    fn resume(&mut self, policy: &AutoCloseSettings, now: Millis, reason: TimerReason) {
        if policy.mode == AutoCloseMode::Inactivity || self.awaiting_lead {
            self.arm(policy, now, reason);
        }
    }

    fn cancel(&mut self, reason: TimerReason) {
        if self.deadline.is_some() {
            self.set(None, reason);
        }
    }
}

/// The timer event (at most one: the net change) that a command's `events` imply for the
/// conversation `before` them (`None` when the events start it).
pub fn follow(
    policy: &AutoCloseSettings,
    before: Option<&ConversationState>,
    events: &[Event],
    now: Millis,
) -> Option<Event> {
    let mut timer = before.map(|s| Timer::of(s, now));
    let initial = timer.as_ref().and_then(|t| t.deadline);
    for event in events {
        if let Event::ConversationStarted { conversation } = event {
            timer = Some(Timer {
                id: conversation.id.clone(),
                open: true,
                live: conversation.kind == ConversationKind::Live,
                snoozed: false,
                blocked: false,
                awaiting_lead: false,
                deadline: None,
                reason: TimerReason::Message,
            });
            continue;
        }
        let Some(t) = timer.as_mut() else { continue };
        match event {
            Event::MessagePosted { message } => {
                let human = message.author_kind == AuthorKind::Agent;
                let lead = message.author_kind == AuthorKind::Contact;
                if human {
                    t.awaiting_lead = true;
                } else if lead {
                    t.awaiting_lead = false;
                }
                match policy.mode {
                    AutoCloseMode::AfterAgentReply if human => {
                        t.arm(policy, now, TimerReason::AgentReplied)
                    }
                    AutoCloseMode::AfterAgentReply if lead => t.cancel(TimerReason::ContactReplied),
                    AutoCloseMode::AfterAgentReply => {}
                    AutoCloseMode::Inactivity if message.author_kind != AuthorKind::System => {
                        t.arm(policy, now, TimerReason::Message)
                    }
                    AutoCloseMode::Inactivity => {}
                }
            }
            Event::Snoozed { .. } => {
                t.snoozed = true;
                t.cancel(TimerReason::Snoozed);
            }
            Event::Unsnoozed { .. } => {
                t.snoozed = false;
                t.resume(policy, now, TimerReason::SnoozeEnded);
            }
            // A blocked contact's conversations can be neither opened nor closed, by a person
            // or by the timer, until unblocked; then the deadline runs again as after a snooze.
            Event::ContactBlocked { .. } => {
                t.blocked = true;
                t.cancel(TimerReason::Blocked);
            }
            Event::ContactUnblocked { .. } => {
                t.blocked = false;
                t.resume(policy, now, TimerReason::Unblocked);
            }
            Event::Assigned { .. } if t.deadline.is_some() => {
                t.arm(policy, now, TimerReason::Assigned)
            }
            Event::HandedToBot { .. } => {
                t.live = false;
                t.cancel(TimerReason::HandedToBot);
            }
            // A close clears the deadline by itself (the close event says why); no second event.
            Event::ConversationClosed { .. } => return None,
            Event::ConversationReopened { .. } => t.open = true,
            // In inactivity mode the hand-over is activity: without it a conversation handed
            // over with no further message never got a deadline.
            Event::HandedToHuman { .. } => {
                t.live = true;
                if policy.mode == AutoCloseMode::Inactivity {
                    t.arm(policy, now, TimerReason::HandedToHuman);
                }
            }
            _ => {}
        }
    }
    let timer = timer?;
    match (initial, timer.deadline) {
        (before, after) if before == after => None,
        (previous, Some(deadline)) => Some(Event::AutoCloseArmed {
            conversation_id: timer.id,
            deadline,
            previous,
            reason: timer.reason,
        }),
        (Some(previous), None) => Some(Event::AutoCloseCancelled {
            conversation_id: timer.id,
            previous,
            reason: timer.reason,
        }),
        (None, None) => None,
    }
}

/// The deadline an open conversation has under `policy` applied afresh: counted from its last
/// human reply (or last message, in inactivity mode). May lie in the past: it is then due.
pub fn deadline_under(
    policy: &AutoCloseSettings,
    state: &ConversationState,
    now: Millis,
) -> Option<Millis> {
    let eligible = policy.enabled
        && state.status == ConversationStatus::Open
        && state.kind == ConversationKind::Live
        && !state.contact_blocked
        && !state.is_snoozed(now);
    let anchor = match policy.mode {
        AutoCloseMode::AfterAgentReply => state.last_human_reply_at,
        AutoCloseMode::Inactivity => Some(state.last_message_at),
    };
    anchor.filter(|_| eligible).map(|at| at + policy.period_millis())
}

/// What the owner's "apply to conversations already open" does to one of them.
pub fn reschedule(
    policy: &AutoCloseSettings,
    state: &ConversationState,
    now: Millis,
) -> Option<Event> {
    let wanted = deadline_under(policy, state, now);
    let id = state.id.clone();
    let reason = TimerReason::SettingsChanged;
    match (state.auto_close_at, wanted) {
        (before, after) if before == after => None,
        (previous, Some(deadline)) => {
            Some(Event::AutoCloseArmed { conversation_id: id, deadline, previous, reason })
        }
        (Some(previous), None) => {
            Some(Event::AutoCloseCancelled { conversation_id: id, previous, reason })
        }
        (None, None) => None,
    }
}

/// Auto-close fires: closes only if the conversation is still open with exactly this deadline,
/// now reached. Anything else (closed meanwhile, deadline moved, another server was first) is
/// no event at all, so a retry, a restart or a second server never closes twice.
pub fn fire(
    state: &ConversationState,
    deadline: Millis,
    now: Millis,
    note: Option<ClosingNote>,
) -> Vec<Event> {
    if state.status != ConversationStatus::Open
        || state.contact_blocked
        || state.auto_close_at != Some(deadline)
        || deadline > now
    {
        return Vec::new();
    }
    vec![Event::ConversationClosed {
        conversation_id: state.id.clone(),
        outcome: None,
        source: ClosingSource::AutoClose,
        closed_by: None,
        note,
    }]
}

/// A snooze reaches its end: the conversation is back in Open (and its deadline resumes, by
/// [`follow`]). Nothing if the snooze was changed or ended meanwhile.
pub fn end_snooze(state: &ConversationState, until: Millis, now: Millis) -> Vec<Event> {
    if state.status != ConversationStatus::Open || state.snoozed_until != Some(until) || until > now
    {
        return Vec::new();
    }
    vec![Event::Unsnoozed { conversation_id: state.id.clone() }]
}

#[cfg(test)]
mod tests;

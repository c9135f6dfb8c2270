//! Porch's rules, pure: each takes the state it needs, the command's values and `now`, and
//! returns the events to record, or a typed refusal.
//!
//! No I/O, no async, no clock, no ids invented here (callers pass them in). Storage lives in
//! `porch-store`, transport in `porch-server`.

mod auto_close;
mod bot;
mod calendar;
mod canned;
mod closing;
mod conversation;
pub mod intents;
mod office_hours;
mod plan;
pub mod reports;
mod widget;

pub use auto_close::*;
pub use bot::*;
pub use calendar::Calendar;
pub use canned::*;
pub use closing::*;
pub use conversation::*;
pub use office_hours::*;
pub use plan::*;
pub use widget::*;

/// Why a command was refused. Every variant is the caller's mistake or a state conflict, never
/// an internal failure.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    #[error("a message needs some text")]
    EmptyMessage,
    #[error("a message may have at most {max} characters; this one has {len}")]
    MessageTooLong { len: usize, max: usize },
    #[error("this conversation is closed; start a new conversation to write again")]
    InputDisabled,
    #[error("this conversation is closed")]
    ConversationClosed,
    #[error("this conversation is already closed")]
    AlreadyClosed,
    #[error("this contact is blocked; unblock them first")]
    ContactBlocked,
    #[error("the {option} option needs the {needed} plan or higher")]
    PlanRequired { option: &'static str, needed: porch_protocol::Plan },
    #[error("choose an outcome: resolved or unresolved")]
    OutcomeRequired,
    #[error("this workspace requires a closing note with a {0}")]
    ClosingNoteRequired(&'static str),
    #[error("{0:?} is not one of this workspace's closing categories")]
    UnknownCategory(String),
    #[error("closing notes are turned off in this workspace")]
    ClosingNotesOff,
    #[error("this conversation is not closed")]
    NotClosed,
    #[error("this conversation is already open")]
    AlreadyOpen,
    #[error("a snooze must end in the future")]
    SnoozeInPast,
    #[error("this conversation is not snoozed")]
    NotSnoozed,
    #[error("only a live conversation can be handed to the bot")]
    NotLive,
    #[error("{0}")]
    InvalidSettings(String),
    #[error("this conversation is not with the bot")]
    NotWithTheBot,
    #[error("the bot has no quick answer number {0}")]
    UnknownQuickAnswer(usize),
    #[error("this chat's team has not let leads end conversations; they close them")]
    LeadMayNotEnd,
}

impl DomainError {
    /// The stable code clients match on.
    pub fn code(&self) -> &'static str {
        match self {
            DomainError::EmptyMessage => "empty_message",
            DomainError::MessageTooLong { .. } => "message_too_long",
            DomainError::InputDisabled => "input_disabled",
            DomainError::ConversationClosed => "conversation_closed",
            DomainError::AlreadyClosed => "already_closed",
            DomainError::ContactBlocked => "contact_blocked",
            DomainError::PlanRequired { .. } => "plan_required",
            DomainError::OutcomeRequired => "outcome_required",
            DomainError::ClosingNoteRequired(_) => "closing_note_required",
            DomainError::UnknownCategory(_) => "unknown_category",
            DomainError::ClosingNotesOff => "closing_notes_off",
            DomainError::NotClosed => "not_closed",
            DomainError::AlreadyOpen => "already_open",
            DomainError::SnoozeInPast => "snooze_in_past",
            DomainError::NotSnoozed => "not_snoozed",
            DomainError::NotLive => "not_live",
            DomainError::InvalidSettings(_) => "invalid_settings",
            DomainError::NotWithTheBot => "not_with_the_bot",
            DomainError::UnknownQuickAnswer(_) => "unknown_quick_answer",
            DomainError::LeadMayNotEnd => "lead_may_not_end",
        }
    }
}

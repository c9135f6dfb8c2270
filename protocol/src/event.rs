use serde::{Deserialize, Serialize};

use crate::{
    Actor, AgentId, ApiError, ClosingNote, ClosingSource, ContactId, Conversation, ConversationId,
    LeadConversation, LeadOptions, Message, Millis, Note, Outcome, Plan, WorkspaceSettings,
};

/// One entry of a workspace's append-only log; also what WebSockets push.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    ConversationStarted {
        conversation: Conversation,
    },
    MessagePosted {
        message: Message,
    },
    /// A private note of the team's (never to the lead).
    NotePosted {
        note: Note,
    },
    ConversationClosed {
        conversation_id: ConversationId,
        outcome: Option<Outcome>,
        source: ClosingSource,
        closed_by: Option<AgentId>,
        note: Option<ClosingNote>,
    },
    /// By an agent, or by the lead writing again (see the frame's actor).
    ConversationReopened {
        conversation_id: ConversationId,
        cycle: u32,
    },
    /// A closed conversation's outcome was changed; the new one counts in reports.
    OutcomeChanged {
        conversation_id: ConversationId,
        from: Option<Outcome>,
        to: Outcome,
    },
    /// Assigned or transferred; each one counts as an assignment in reports.
    Assigned {
        conversation_id: ConversationId,
        agent_id: AgentId,
        previous: Option<AgentId>,
    },
    Unassigned {
        conversation_id: ConversationId,
        previous: AgentId,
    },
    Snoozed {
        conversation_id: ConversationId,
        until: Millis,
    },
    Unsnoozed {
        conversation_id: ConversationId,
    },
    ContactBlocked {
        contact_id: ContactId,
    },
    ContactUnblocked {
        contact_id: ContactId,
    },
    /// Who the lead is changed (`Porch.identify`, or the lead gave an e-mail): the team's
    /// views name them anew.
    ContactUpdated {
        contact_id: ContactId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        name: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        email: Option<String>,
    },
    /// The team returned the conversation to the bot instead of closing it.
    HandedToBot {
        conversation_id: ConversationId,
    },
    /// The lead asked for a person (or wrote freely to the bot): now a live chat for the team.
    HandedToHuman {
        conversation_id: ConversationId,
    },
    /// The lead picked one of the bot's quick answers (the question and answer follow as
    /// messages); reports count these as the bot's intents.
    QuickAnswerChosen {
        conversation_id: ConversationId,
        question: String,
    },
    /// An auto-close deadline was set, or moved (`previous`), and why.
    AutoCloseArmed {
        conversation_id: ConversationId,
        deadline: Millis,
        previous: Option<Millis>,
        reason: TimerReason,
    },
    AutoCloseCancelled {
        conversation_id: ConversationId,
        previous: Millis,
        reason: TimerReason,
    },
    /// The lead-facing options in effect changed (settings or plan); widgets apply them at once.
    LeadOptionsChanged {
        /// What widgets obey: the saved options if the plan includes them, all off otherwise.
        options: LeadOptions,
        /// The owner's saved options, when they were saved; withheld from leads.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        saved: Option<LeadOptions>,
    },
    /// The workspace moved to another plan.
    PlanChanged {
        plan: Plan,
    },
    SettingsChanged {
        settings: WorkspaceSettings,
    },
}

impl Event {
    /// Whether it arms, moves or ends an auto-close deadline or a snooze.
    pub fn moves_deadline(&self) -> bool {
        matches!(
            self,
            Event::AutoCloseArmed { .. }
                | Event::AutoCloseCancelled { .. }
                | Event::Snoozed { .. }
                | Event::Unsnoozed { .. }
                | Event::ConversationClosed { .. }
        )
    }

    /// Every [`Event::kind`]: add the new one here with its golden sample
    /// (`protocol/tests/events/<kind>.json`), which `tests/stored_events.rs` then holds.
    pub const KINDS: [&'static str; 21] = [
        "conversation_started",
        "message_posted",
        "note_posted",
        "conversation_closed",
        "conversation_reopened",
        "outcome_changed",
        "assigned",
        "unassigned",
        "snoozed",
        "unsnoozed",
        "contact_blocked",
        "contact_unblocked",
        "contact_updated",
        "handed_to_bot",
        "handed_to_human",
        "quick_answer_chosen",
        "auto_close_armed",
        "auto_close_cancelled",
        "lead_options_changed",
        "plan_changed",
        "settings_changed",
    ];

    /// The `type` tag, as stored in the log's `kind` column.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::ConversationStarted { .. } => "conversation_started",
            Event::MessagePosted { .. } => "message_posted",
            Event::NotePosted { .. } => "note_posted",
            Event::ConversationClosed { .. } => "conversation_closed",
            Event::ConversationReopened { .. } => "conversation_reopened",
            Event::OutcomeChanged { .. } => "outcome_changed",
            Event::Assigned { .. } => "assigned",
            Event::Unassigned { .. } => "unassigned",
            Event::Snoozed { .. } => "snoozed",
            Event::Unsnoozed { .. } => "unsnoozed",
            Event::ContactBlocked { .. } => "contact_blocked",
            Event::ContactUnblocked { .. } => "contact_unblocked",
            Event::ContactUpdated { .. } => "contact_updated",
            Event::HandedToBot { .. } => "handed_to_bot",
            Event::HandedToHuman { .. } => "handed_to_human",
            Event::QuickAnswerChosen { .. } => "quick_answer_chosen",
            Event::AutoCloseArmed { .. } => "auto_close_armed",
            Event::AutoCloseCancelled { .. } => "auto_close_cancelled",
            Event::LeadOptionsChanged { .. } => "lead_options_changed",
            Event::PlanChanged { .. } => "plan_changed",
            Event::SettingsChanged { .. } => "settings_changed",
        }
    }

    pub fn conversation_id(&self) -> Option<&ConversationId> {
        match self {
            Event::ConversationStarted { conversation } => Some(&conversation.id),
            Event::MessagePosted { message } => Some(&message.conversation_id),
            Event::NotePosted { note } => Some(&note.conversation_id),
            Event::ConversationClosed { conversation_id, .. }
            | Event::ConversationReopened { conversation_id, .. }
            | Event::OutcomeChanged { conversation_id, .. }
            | Event::Assigned { conversation_id, .. }
            | Event::Unassigned { conversation_id, .. }
            | Event::Snoozed { conversation_id, .. }
            | Event::Unsnoozed { conversation_id }
            | Event::HandedToBot { conversation_id }
            | Event::HandedToHuman { conversation_id }
            | Event::QuickAnswerChosen { conversation_id, .. }
            | Event::AutoCloseArmed { conversation_id, .. }
            | Event::AutoCloseCancelled { conversation_id, .. } => Some(conversation_id),
            Event::ContactBlocked { .. }
            | Event::ContactUnblocked { .. }
            | Event::ContactUpdated { .. }
            | Event::LeadOptionsChanged { .. }
            | Event::PlanChanged { .. }
            | Event::SettingsChanged { .. } => None,
        }
    }
}

impl EventFrame {
    /// The frame as a lead's widget may see it: the team's own bookkeeping (outcomes, notes,
    /// assignment, snoozes, blocking, settings, who did what) is withheld; what shows closure
    /// stays.
    pub fn for_lead(&self) -> Option<LeadFrame> {
        let event = match &self.event {
            Event::ConversationStarted { conversation } => {
                LeadEvent::ConversationStarted { conversation: conversation.clone().for_lead() }
            }
            Event::MessagePosted { message } => {
                LeadEvent::MessagePosted { message: message.clone().for_lead() }
            }
            Event::ConversationClosed { conversation_id, source, .. } => {
                LeadEvent::ConversationClosed {
                    conversation_id: conversation_id.clone(),
                    source: *source,
                }
            }
            Event::ConversationReopened { conversation_id, cycle } => {
                LeadEvent::ConversationReopened {
                    conversation_id: conversation_id.clone(),
                    cycle: *cycle,
                }
            }
            Event::HandedToHuman { conversation_id } => {
                LeadEvent::HandedToHuman { conversation_id: conversation_id.clone() }
            }
            Event::LeadOptionsChanged { options, .. } => {
                LeadEvent::LeadOptionsChanged { options: options.clone() }
            }
            Event::NotePosted { .. }
            | Event::OutcomeChanged { .. }
            | Event::Assigned { .. }
            | Event::Unassigned { .. }
            | Event::Snoozed { .. }
            | Event::Unsnoozed { .. }
            | Event::ContactBlocked { .. }
            | Event::ContactUnblocked { .. }
            | Event::ContactUpdated { .. }
            | Event::HandedToBot { .. }
            | Event::QuickAnswerChosen { .. }
            | Event::AutoCloseArmed { .. }
            | Event::AutoCloseCancelled { .. }
            | Event::PlanChanged { .. }
            | Event::SettingsChanged { .. } => return None,
        };
        Some(LeadFrame { seq: self.seq, at: self.at, event })
    }
}

/// What a lead's widget receives of an event: only what leads may see, by construction (there
/// is no field for an outcome, a note, an assignee or the owner's saved options).
///
/// Externally tagged (`{"conversation_closed": {…}}`) on purpose: unlike the log's internally
/// tagged [`Event`], it decodes without buffering, which keeps the widget's WebAssembly small.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LeadEvent {
    ConversationStarted { conversation: LeadConversation },
    MessagePosted { message: Message },
    ConversationClosed { conversation_id: ConversationId, source: ClosingSource },
    ConversationReopened { conversation_id: ConversationId, cycle: u32 },
    HandedToHuman { conversation_id: ConversationId },
    LeadOptionsChanged { options: LeadOptions },
}

/// A lead's view of a stored event: its place in the log, when, and what.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadFrame {
    pub seq: u64,
    pub at: Millis,
    pub event: LeadEvent,
}

impl From<LeadFrame> for EventFrame {
    /// The event as the log's vocabulary has it, with what leads are not told left empty, so
    /// the widget applies it with the same [`crate::replica::Replica`] as the inbox.
    fn from(frame: LeadFrame) -> EventFrame {
        let event = match frame.event {
            LeadEvent::ConversationStarted { conversation } => {
                Event::ConversationStarted { conversation: conversation.into() }
            }
            LeadEvent::MessagePosted { message } => Event::MessagePosted { message },
            LeadEvent::ConversationClosed { conversation_id, source } => {
                Event::ConversationClosed {
                    conversation_id,
                    outcome: None,
                    source,
                    closed_by: None,
                    note: None,
                }
            }
            LeadEvent::ConversationReopened { conversation_id, cycle } => {
                Event::ConversationReopened { conversation_id, cycle }
            }
            LeadEvent::HandedToHuman { conversation_id } => {
                Event::HandedToHuman { conversation_id }
            }
            LeadEvent::LeadOptionsChanged { options } => {
                Event::LeadOptionsChanged { options, saved: None }
            }
        };
        EventFrame { seq: frame.seq, at: frame.at, actor: Actor::System, contact_id: None, event }
    }
}

/// What a server sends on a lead's WebSocket (externally tagged, like [`LeadEvent`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum LeadServerFrame {
    Event(LeadFrame),
    /// Everything up to `seq` has been sent; what follows is live.
    Ready {
        seq: u64,
    },
    Error(ApiError),
    /// A member is writing a reply (not kept: it shows for a few seconds).
    Typing {
        conversation_id: ConversationId,
        name: String,
    },
    /// The team has read the conversation: the lead's messages sent up to `at` are seen.
    Seen {
        conversation_id: ConversationId,
        at: crate::Millis,
    },
}

/// Why an auto-close deadline moved.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TimerReason {
    AgentReplied,
    ContactReplied,
    /// Any message, in inactivity mode.
    Message,
    Assigned,
    /// Snoozed: the deadline resumes when the snooze ends.
    Snoozed,
    SnoozeEnded,
    HandedToBot,
    Closed,
    /// The owner changed the setting and applied it to open conversations.
    SettingsChanged,
    /// The bot handed the conversation to a person (inactivity mode counts from then).
    HandedToHuman,
    /// The contact was blocked: no deadline runs until they are unblocked.
    Blocked,
    Unblocked,
}

/// A stored event: its place in the workspace's log, when, by whom, and for which lead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct EventFrame {
    /// Grows by one per event within a workspace; clients apply each seq at most once.
    pub seq: u64,
    pub at: Millis,
    pub actor: Actor,
    /// The lead the event concerns; none for workspace-wide events, which every widget receives.
    pub contact_id: Option<ContactId>,
    pub event: Event,
}

/// What a server sends on either WebSocket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "frame", rename_all = "snake_case")]
pub enum ServerFrame {
    Event(Box<EventFrame>),
    /// Everything up to `seq` has been sent; what follows is live.
    Ready {
        seq: u64,
    },
    Error(ApiError),
    /// The lead is writing (not kept: it shows for a few seconds).
    Typing {
        conversation_id: ConversationId,
    },
}

/// What a client may send on either WebSocket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "frame", rename_all = "snake_case")]
pub enum ClientFrame {
    Ping,
}

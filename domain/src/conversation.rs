//! Conversations: starting, writing, assignment, snoozing, blocking, handing to the bot.

use porch_protocol::{
    AgentId, AuthorKind, ContactId, Conversation, ConversationId, ConversationKind,
    ConversationStatus, Event, LeadOptions, Message, MessageId, Millis, Note, Outcome,
    MAX_MESSAGE_CHARS,
};

use crate::DomainError;

/// What the rules need to know about a conversation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversationState {
    pub id: ConversationId,
    pub contact_id: ContactId,
    pub kind: ConversationKind,
    pub status: ConversationStatus,
    pub cycle: u32,
    pub outcome: Option<Outcome>,
    pub assignee: Option<AgentId>,
    pub snoozed_until: Option<Millis>,
    pub contact_blocked: bool,
    /// The running auto-close deadline.
    pub auto_close_at: Option<Millis>,
    /// When the latest message of anyone was posted.
    pub last_message_at: Millis,
    /// When a human agent last wrote, if no lead message came after it: the conversation
    /// awaits the lead's reply.
    pub last_human_reply_at: Option<Millis>,
}

impl ConversationState {
    pub fn is_snoozed(&self, now: Millis) -> bool {
        self.snoozed_until.is_some_and(|until| until > now)
    }

    /// Test fixture: an open live conversation `c1` of lead `lead`, with nothing going on.
    #[cfg(test)]
    pub(crate) fn open_fixture() -> ConversationState {
        ConversationState {
            id: ConversationId("c1".into()),
            contact_id: ContactId("lead".into()),
            kind: ConversationKind::Live,
            status: ConversationStatus::Open,
            cycle: 1,
            outcome: None,
            assignee: None,
            snoozed_until: None,
            contact_blocked: false,
            auto_close_at: None,
            last_message_at: 0,
            last_human_reply_at: None,
        }
    }
}

/// A message about to be posted, with ids chosen by the caller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewMessage {
    pub id: MessageId,
    pub author_kind: AuthorKind,
    pub author_id: Option<String>,
    pub author_name: Option<String>,
    pub body: String,
    pub client_id: Option<String>,
}

/// Trims a body and checks it against the size limit.
pub fn validate_body(body: &str) -> Result<String, DomainError> {
    let body = body.trim();
    let len = body.chars().count();
    if len == 0 {
        return Err(DomainError::EmptyMessage);
    }
    if len > MAX_MESSAGE_CHARS {
        return Err(DomainError::MessageTooLong { len, max: MAX_MESSAGE_CHARS });
    }
    Ok(body.to_owned())
}

/// A lead starts a conversation, optionally with a first message. Blocked leads cannot.
pub fn start(
    id: ConversationId,
    contact_id: ContactId,
    contact_blocked: bool,
    kind: ConversationKind,
    first: Option<NewMessage>,
    now: Millis,
) -> Result<Vec<Event>, DomainError> {
    if contact_blocked {
        return Err(DomainError::ContactBlocked);
    }
    let conversation = Conversation::opened(id.clone(), contact_id, kind, now);
    let mut events = vec![Event::ConversationStarted { conversation }];
    if let Some(first) = first {
        events.push(posted(&id, first, now)?);
    }
    Ok(events)
}

/// Someone writes into a conversation.
///
/// A blocked lead cannot write. A lead writing into a closed conversation reopens it (new
/// cycle) unless the owner's *disable input on close* option is in effect, in which case the
/// message is refused; writing into a snoozed one wakes it. Agents and automations cannot write
/// into a closed conversation; they reopen it first.
pub fn post_message(
    conversation: &ConversationState,
    message: NewMessage,
    lead_options: &LeadOptions,
    now: Millis,
) -> Result<Vec<Event>, DomainError> {
    let mut events = Vec::with_capacity(2);
    let from_lead = message.author_kind == AuthorKind::Contact;
    if from_lead && conversation.contact_blocked {
        return Err(DomainError::ContactBlocked);
    }
    if conversation.status == ConversationStatus::Closed {
        if !from_lead {
            return Err(DomainError::ConversationClosed);
        }
        if lead_options.disable_input_on_close {
            return Err(DomainError::InputDisabled);
        }
        events.push(Event::ConversationReopened {
            conversation_id: conversation.id.clone(),
            cycle: conversation.cycle + 1,
        });
    } else if from_lead && conversation.is_snoozed(now) {
        events.push(Event::Unsnoozed { conversation_id: conversation.id.clone() });
    }
    let by_agent = message.author_kind == AuthorKind::Agent;
    let with_bot = conversation.kind == ConversationKind::Bot;
    // A member writing into the bot's conversation takes it over (from the Bot folder): it is
    // the team's before their message, so the message counts as a reply to the lead.
    if by_agent && with_bot {
        events.push(Event::HandedToHuman { conversation_id: conversation.id.clone() });
    }
    events.push(posted(&conversation.id, message, now)?);
    // Free text to the bot means the lead wants someone: the team takes over.
    if from_lead && with_bot {
        events.push(Event::HandedToHuman { conversation_id: conversation.id.clone() });
    }
    Ok(events)
}

/// A team member's private note on a conversation, open or closed: only the team sees it, and
/// it is no reply (no timer moves, the lead is not awaited).
pub fn post_note(
    conversation: &ConversationState,
    id: MessageId,
    (author_id, author_name): (AgentId, String),
    body: &str,
    now: Millis,
) -> Result<Vec<Event>, DomainError> {
    let note = Note {
        id,
        conversation_id: conversation.id.clone(),
        author_id,
        author_name,
        body: validate_body(body)?,
        created_at: now,
    };
    Ok(vec![Event::NotePosted { note }])
}

/// Assigns (or transfers) to an agent, or unassigns with `None`; a no-op when nothing changes.
/// The caller checks that the agent belongs to the workspace.
pub fn assign(conversation: &ConversationState, to: Option<AgentId>) -> Vec<Event> {
    let id = conversation.id.clone();
    match (to, conversation.assignee.clone()) {
        (Some(to), previous) if previous.as_ref() != Some(&to) => {
            vec![Event::Assigned { conversation_id: id, agent_id: to, previous }]
        }
        (None, Some(previous)) => vec![Event::Unassigned { conversation_id: id, previous }],
        _ => Vec::new(),
    }
}

/// Takes an open conversation out of the Open folder until `until`.
pub fn snooze(
    conversation: &ConversationState,
    until: Millis,
    now: Millis,
) -> Result<Vec<Event>, DomainError> {
    if conversation.status == ConversationStatus::Closed {
        return Err(DomainError::ConversationClosed);
    }
    if until <= now {
        return Err(DomainError::SnoozeInPast);
    }
    Ok(vec![Event::Snoozed { conversation_id: conversation.id.clone(), until }])
}

pub fn unsnooze(conversation: &ConversationState, now: Millis) -> Result<Vec<Event>, DomainError> {
    if !conversation.is_snoozed(now) {
        return Err(DomainError::NotSnoozed);
    }
    Ok(vec![Event::Unsnoozed { conversation_id: conversation.id.clone() }])
}

/// Blocks or unblocks the conversation's lead; a no-op when already so.
pub fn set_blocked(conversation: &ConversationState, blocked: bool) -> Vec<Event> {
    let contact_id = conversation.contact_id.clone();
    match (blocked, conversation.contact_blocked) {
        (true, false) => vec![Event::ContactBlocked { contact_id }],
        (false, true) => vec![Event::ContactUnblocked { contact_id }],
        _ => Vec::new(),
    }
}

/// The team gives an open live conversation back to the bot: it leaves the agents' folders.
pub fn hand_to_bot(conversation: &ConversationState) -> Result<Vec<Event>, DomainError> {
    if conversation.status == ConversationStatus::Closed {
        return Err(DomainError::ConversationClosed);
    }
    if conversation.kind != ConversationKind::Live {
        return Err(DomainError::NotLive);
    }
    let mut events = assign(conversation, None);
    events.push(Event::HandedToBot { conversation_id: conversation.id.clone() });
    Ok(events)
}

pub(crate) fn posted(
    conversation_id: &ConversationId,
    message: NewMessage,
    now: Millis,
) -> Result<Event, DomainError> {
    Ok(Event::MessagePosted {
        message: Message {
            id: message.id,
            conversation_id: conversation_id.clone(),
            author_kind: message.author_kind,
            author_id: message.author_id,
            author_name: message.author_name,
            body: validate_body(&message.body)?,
            client_id: message.client_id,
            created_at: now,
        },
    })
}

#[cfg(test)]
mod tests;

use porch_protocol::{
    AgentId, AuthorKind, ClosingSource, ContactId, Conversation, ConversationId, ConversationKind,
    ConversationStatus, Event, LeadOptions, Message, MessageId, Millis, Outcome, MAX_MESSAGE_CHARS,
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
    pub contact_blocked: bool,
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

/// A lead starts a conversation, optionally with a first message.
pub fn start(
    id: ConversationId,
    contact_id: ContactId,
    kind: ConversationKind,
    first: Option<NewMessage>,
    now: Millis,
) -> Result<Vec<Event>, DomainError> {
    let conversation = Conversation {
        id: id.clone(),
        contact_id: contact_id.clone(),
        kind,
        status: ConversationStatus::Open,
        cycle: 1,
        outcome: None,
        closing_source: None,
        closed_by: None,
        closed_at: None,
        created_at: now,
        last_activity_at: now,
        last_message: None,
    };
    let mut events = vec![Event::ConversationStarted { conversation }];
    if let Some(first) = first {
        events.push(posted(&id, first, now)?);
    }
    Ok(events)
}

/// Someone writes into a conversation.
///
/// A lead writing into a closed conversation reopens it (new cycle) unless the owner's
/// *disable input on close* option is in effect, in which case the message is refused. Agents
/// and automations cannot write into a closed conversation; they reopen it first.
pub fn post_message(
    conversation: &ConversationState,
    message: NewMessage,
    lead_options: &LeadOptions,
    now: Millis,
) -> Result<Vec<Event>, DomainError> {
    let mut events = Vec::with_capacity(2);
    if conversation.status == ConversationStatus::Closed {
        if message.author_kind != AuthorKind::Contact {
            return Err(DomainError::ConversationClosed);
        }
        if lead_options.disable_input_on_close {
            return Err(DomainError::InputDisabled);
        }
        if conversation.contact_blocked {
            return Err(DomainError::ContactBlocked);
        }
        events.push(Event::ConversationReopened {
            conversation_id: conversation.id.clone(),
            cycle: conversation.cycle + 1,
        });
    }
    events.push(posted(&conversation.id, message, now)?);
    Ok(events)
}

/// An agent closes a conversation.
pub fn close(
    conversation: &ConversationState,
    by: &AgentId,
    outcome: Option<Outcome>,
) -> Result<Vec<Event>, DomainError> {
    if conversation.status == ConversationStatus::Closed {
        return Err(DomainError::AlreadyClosed);
    }
    if conversation.contact_blocked {
        return Err(DomainError::ContactBlocked);
    }
    Ok(vec![Event::ConversationClosed {
        conversation_id: conversation.id.clone(),
        outcome,
        source: ClosingSource::Manual,
        closed_by: Some(by.clone()),
    }])
}

fn posted(
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

use serde::{Deserialize, Serialize};

use crate::{
    Actor, AgentId, ApiError, ClosingSource, ContactId, Conversation, ConversationId, LeadOptions,
    Message, Millis, Outcome,
};

/// One entry of a workspace's append-only log; also what WebSockets push.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    ConversationStarted {
        conversation: Conversation,
    },
    MessagePosted {
        message: Message,
    },
    ConversationClosed {
        conversation_id: ConversationId,
        outcome: Option<Outcome>,
        source: ClosingSource,
        closed_by: Option<AgentId>,
    },
    ConversationReopened {
        conversation_id: ConversationId,
        cycle: u32,
    },
    /// The lead-facing options in effect changed (settings or plan); widgets apply them at once.
    LeadOptionsChanged {
        options: LeadOptions,
    },
}

impl Event {
    /// The `type` tag, as stored in the log's `kind` column.
    pub fn kind(&self) -> &'static str {
        match self {
            Event::ConversationStarted { .. } => "conversation_started",
            Event::MessagePosted { .. } => "message_posted",
            Event::ConversationClosed { .. } => "conversation_closed",
            Event::ConversationReopened { .. } => "conversation_reopened",
            Event::LeadOptionsChanged { .. } => "lead_options_changed",
        }
    }

    pub fn conversation_id(&self) -> Option<&ConversationId> {
        match self {
            Event::ConversationStarted { conversation } => Some(&conversation.id),
            Event::MessagePosted { message } => Some(&message.conversation_id),
            Event::ConversationClosed { conversation_id, .. }
            | Event::ConversationReopened { conversation_id, .. } => Some(conversation_id),
            Event::LeadOptionsChanged { .. } => None,
        }
    }
}

/// A stored event: its place in the workspace's log, when, by whom, and for which lead.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
#[serde(tag = "frame", rename_all = "snake_case")]
pub enum ServerFrame {
    Event(EventFrame),
    /// Everything up to `seq` has been sent; what follows is live.
    Ready {
        seq: u64,
    },
    Error(ApiError),
}

/// What a client may send on either WebSocket.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "frame", rename_all = "snake_case")]
pub enum ClientFrame {
    Ping,
}

//! What the lead sees, as pure functions of the replica and the owner's options.

use porch_protocol::{Conversation, ConversationId, ConversationStatus, LeadOptions};

/// Which screen the widget shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Screen {
    Loading,
    /// The Home sidebar: history and "start a new conversation".
    Home,
    /// A new conversation not yet sent.
    Draft,
    Conversation(ConversationId),
}

/// *Disable chat input after close*: a closed conversation takes no more input.
pub fn input_disabled(conversation: &Conversation, options: &LeadOptions) -> bool {
    conversation.status == ConversationStatus::Closed && options.disable_input_on_close
}

/// *Show a notification after close*: the owner's text, once the conversation is closed.
pub fn close_notice<'a>(conversation: &Conversation, options: &'a LeadOptions) -> Option<&'a str> {
    (conversation.status == ConversationStatus::Closed && options.notify_on_close)
        .then_some(options.notification_text.as_str())
        .filter(|text| !text.trim().is_empty())
}

/// The visitor token is kept per workspace in the widget origin's local storage.
pub fn token_storage_key(workspace_key: &str) -> String {
    format!("porch.visitor.{workspace_key}")
}

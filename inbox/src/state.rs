//! Folder rules of the inbox, pure.

use porch_protocol::{Conversation, ConversationStatus};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Folder {
    Open,
    Closed,
}

impl Folder {
    pub const ALL: [Folder; 2] = [Folder::Open, Folder::Closed];

    pub fn label(self) -> &'static str {
        match self {
            Folder::Open => "Open",
            Folder::Closed => "Closed",
        }
    }

    pub fn holds(self, conversation: &Conversation) -> bool {
        match self {
            Folder::Open => conversation.status == ConversationStatus::Open,
            Folder::Closed => conversation.status == ConversationStatus::Closed,
        }
    }
}

//! A client's local copy of the conversations it can see, kept by applying [`EventFrame`]s.
//!
//! Shared by the widget and the inbox so both follow one rule: each `seq` is applied at most
//! once, so a replay after reconnecting never duplicates anything.

use std::collections::HashMap;

use crate::{
    Conversation, ConversationId, ConversationStatus, Event, EventFrame, LeadOptions, Message,
    PREVIEW_CHARS,
};

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Replica {
    /// The newest seq applied; frames at or below it are ignored.
    pub last_seq: u64,
    /// Newest activity first.
    conversations: Vec<Conversation>,
    /// Messages of the conversations whose history has been loaded, oldest first.
    messages: HashMap<ConversationId, Vec<Message>>,
    /// The log of conversations whose timeline has been loaded (the inbox's), by seq.
    timelines: HashMap<ConversationId, Vec<EventFrame>>,
    pub options: LeadOptions,
}

impl Replica {
    pub fn new(conversations: Vec<Conversation>, options: LeadOptions, last_seq: u64) -> Self {
        let mut replica = Replica { last_seq, options, ..Replica::default() };
        for conversation in conversations {
            replica.upsert(conversation);
        }
        replica
    }

    pub fn conversations(&self) -> &[Conversation] {
        &self.conversations
    }

    pub fn conversation(&self, id: &ConversationId) -> Option<&Conversation> {
        self.conversations.iter().find(|c| &c.id == id)
    }

    /// The loaded history of a conversation; `None` if it was never loaded.
    pub fn messages(&self, id: &ConversationId) -> Option<&[Message]> {
        self.messages.get(id).map(Vec::as_slice)
    }

    /// The loaded timeline of a conversation.
    pub fn timeline(&self, id: &ConversationId) -> Option<&[EventFrame]> {
        self.timelines.get(id).map(Vec::as_slice)
    }

    /// Records a conversation's log read over HTTP, merged with frames that arrived meanwhile.
    pub fn load_timeline(&mut self, id: ConversationId, log: Vec<EventFrame>) {
        let entry = self.timelines.entry(id).or_default();
        for frame in log {
            if !entry.iter().any(|f| f.seq == frame.seq) {
                entry.push(frame);
            }
        }
        entry.sort_by_key(|f| f.seq);
    }

    /// Adds a conversation read over HTTP unless a newer copy is already here (events may have
    /// arrived while the request was under way).
    pub fn insert(&mut self, conversation: Conversation) {
        if self.conversation(&conversation.id).is_none() {
            self.upsert(conversation);
        }
    }

    /// Adds or replaces a conversation read over HTTP.
    pub fn upsert(&mut self, conversation: Conversation) {
        self.conversations.retain(|c| c.id != conversation.id);
        self.conversations.push(conversation);
        self.sort();
    }

    /// Records a history read over HTTP, merged with messages that arrived live meanwhile.
    pub fn load_messages(&mut self, id: ConversationId, history: Vec<Message>) {
        let live = self.messages.remove(&id).unwrap_or_default();
        let mut all = history;
        for message in live {
            if !all.iter().any(|m| m.id == message.id) {
                all.push(message);
            }
        }
        all.sort_by_key(|m| m.created_at);
        self.messages.insert(id, all);
    }

    /// Adds one message (the answer to a send, or a frame) unless it is already here, after
    /// every message not newer than it: messages of the same millisecond keep arrival order.
    pub fn add_message(&mut self, message: Message) {
        let list = self.messages.entry(message.conversation_id.clone()).or_default();
        if !list.iter().any(|m| m.id == message.id) {
            let at = list.partition_point(|m| m.created_at <= message.created_at);
            list.insert(at, message);
        }
    }

    /// Applies one frame; returns false when its seq was already applied.
    pub fn apply(&mut self, frame: &EventFrame) -> bool {
        if frame.seq <= self.last_seq {
            return false;
        }
        self.last_seq = frame.seq;
        if let Some(timeline) =
            frame.event.conversation_id().and_then(|id| self.timelines.get_mut(id))
        {
            timeline.push(frame.clone());
        }
        match &frame.event {
            Event::ConversationStarted { conversation } => {
                if self.conversation(&conversation.id).is_none() {
                    self.upsert(conversation.clone());
                }
            }
            Event::MessagePosted { message } => {
                self.add_message(message.clone());
                if let Some(c) = self.conversation_mut(&message.conversation_id) {
                    c.last_activity_at = c.last_activity_at.max(message.created_at);
                    c.last_message = Some(preview(&message.body));
                }
                self.sort();
            }
            Event::ConversationClosed { conversation_id, outcome, source, closed_by, note } => {
                self.edit(conversation_id, |c| {
                    c.status = ConversationStatus::Closed;
                    c.outcome = *outcome;
                    c.closing_source = Some(*source);
                    c.closed_by = closed_by.clone();
                    c.closing_note = note.clone();
                    c.closed_at = Some(frame.at);
                    c.snoozed_until = None;
                    c.auto_close_at = None;
                });
            }
            Event::ConversationReopened { conversation_id, cycle } => {
                self.edit(conversation_id, |c| {
                    c.status = ConversationStatus::Open;
                    c.cycle = *cycle;
                    c.outcome = None;
                    c.closing_source = None;
                    c.closed_by = None;
                    c.closing_note = None;
                    c.closed_at = None;
                });
            }
            Event::OutcomeChanged { conversation_id, to, .. } => {
                self.edit(conversation_id, |c| c.outcome = Some(*to));
            }
            Event::Assigned { conversation_id, agent_id, .. } => {
                self.edit(conversation_id, |c| c.assignee = Some(agent_id.clone()));
            }
            Event::Unassigned { conversation_id, .. } => {
                self.edit(conversation_id, |c| c.assignee = None);
            }
            Event::Snoozed { conversation_id, until } => {
                self.edit(conversation_id, |c| c.snoozed_until = Some(*until));
            }
            Event::Unsnoozed { conversation_id } => {
                self.edit(conversation_id, |c| c.snoozed_until = None);
            }
            Event::ContactBlocked { contact_id } | Event::ContactUnblocked { contact_id } => {
                let blocked = matches!(frame.event, Event::ContactBlocked { .. });
                for c in self.conversations.iter_mut().filter(|c| &c.contact_id == contact_id) {
                    c.contact_blocked = blocked;
                }
            }
            Event::ContactUpdated { contact_id, name, email } => {
                for c in self.conversations.iter_mut().filter(|c| &c.contact_id == contact_id) {
                    c.contact_name = name.clone().or(c.contact_name.take());
                    c.contact_email = email.clone().or(c.contact_email.take());
                }
            }
            Event::HandedToBot { conversation_id } => {
                self.edit(conversation_id, |c| {
                    c.kind = crate::ConversationKind::Bot;
                    c.assignee = None;
                });
            }
            Event::HandedToHuman { conversation_id } => {
                self.edit(conversation_id, |c| c.kind = crate::ConversationKind::Live);
            }
            Event::AutoCloseArmed { conversation_id, deadline, .. } => {
                self.edit(conversation_id, |c| c.auto_close_at = Some(*deadline));
            }
            Event::AutoCloseCancelled { conversation_id, .. } => {
                self.edit(conversation_id, |c| c.auto_close_at = None);
            }
            // A note shows in the conversation's timeline only.
            Event::NotePosted { .. }
            | Event::SettingsChanged { .. }
            | Event::PlanChanged { .. }
            | Event::QuickAnswerChosen { .. } => {}
            Event::LeadOptionsChanged { options, .. } => self.options = options.clone(),
        }
        true
    }

    fn conversation_mut(&mut self, id: &ConversationId) -> Option<&mut Conversation> {
        self.conversations.iter_mut().find(|c| &c.id == id)
    }

    fn edit(&mut self, id: &ConversationId, change: impl FnOnce(&mut Conversation)) {
        if let Some(c) = self.conversation_mut(id) {
            change(c);
        }
    }

    fn sort(&mut self) {
        self.conversations.sort_by_key(|c| std::cmp::Reverse(c.last_activity_at));
    }
}

/// The start of a message body as lists show it.
pub fn preview(body: &str) -> String {
    body.chars().take(PREVIEW_CHARS).collect()
}

#[cfg(test)]
mod tests;

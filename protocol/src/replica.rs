//! A client's local copy of the conversations it can see, kept by applying [`EventFrame`]s.
//!
//! Shared by the widget and the inbox so both follow one rule: each `seq` is applied at most
//! once, so a replay after reconnecting never duplicates anything.

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
    /// Messages of the conversations whose history has been loaded, oldest first. (Lists, not
    /// maps: a page loads a few histories, and the widget's bundle carries no hashing.)
    messages: Vec<(ConversationId, Vec<Message>)>,
    /// The log of conversations whose timeline has been loaded (the inbox's), by seq.
    timelines: Vec<(ConversationId, Vec<EventFrame>)>,
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
        loaded(&self.messages, id).map(Vec::as_slice)
    }

    /// The loaded timeline of a conversation.
    pub fn timeline(&self, id: &ConversationId) -> Option<&[EventFrame]> {
        loaded(&self.timelines, id).map(Vec::as_slice)
    }

    /// Records a conversation's log read over HTTP, merged with frames that arrived meanwhile.
    pub fn load_timeline(&mut self, id: ConversationId, log: Vec<EventFrame>) {
        let timeline = entry_mut(&mut self.timelines, id);
        for frame in log {
            if let Err(at) = timeline.binary_search_by_key(&frame.seq, |f| f.seq) {
                timeline.insert(at, frame);
            }
        }
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
        self.place(conversation);
    }

    /// Puts a conversation in its place: after those with newer or the same activity.
    fn place(&mut self, conversation: Conversation) {
        let at = self
            .conversations
            .partition_point(|c| c.last_activity_at >= conversation.last_activity_at);
        self.conversations.insert(at, conversation);
    }

    /// Records a history read over HTTP, merged with messages that arrived live meanwhile.
    pub fn load_messages(&mut self, id: ConversationId, history: Vec<Message>) {
        let list = entry_mut(&mut self.messages, id);
        let live = std::mem::replace(list, history);
        for message in live {
            add_message(list, message);
        }
    }

    /// Adds one message (the answer to a send, or a frame) unless it is already here, after
    /// every message not newer than it: messages of the same millisecond keep arrival order.
    pub fn add_message(&mut self, message: Message) {
        add_message(entry_mut(&mut self.messages, message.conversation_id.clone()), message);
    }

    /// Applies one frame; returns false when its seq was already applied.
    pub fn apply(&mut self, frame: &EventFrame) -> bool {
        if frame.seq <= self.last_seq {
            return false;
        }
        self.last_seq = frame.seq;
        if let Some(timeline) =
            frame.event.conversation_id().and_then(|id| loaded_mut(&mut self.timelines, id))
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
                let id = &message.conversation_id;
                if let Some(at) = self.conversations.iter().position(|c| &c.id == id) {
                    let mut c = self.conversations.remove(at);
                    c.last_activity_at = c.last_activity_at.max(message.created_at);
                    c.last_message = Some(preview(&message.body));
                    self.place(c);
                }
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
}

/// Adds a message unless it is already there, after every message not newer than it.
fn add_message(list: &mut Vec<Message>, message: Message) {
    if !list.iter().any(|m| m.id == message.id) {
        let at = list.partition_point(|m| m.created_at <= message.created_at);
        list.insert(at, message);
    }
}

/// The list kept for conversation `id`, if it was loaded.
fn loaded<'a, T>(lists: &'a [(ConversationId, T)], id: &ConversationId) -> Option<&'a T> {
    lists.iter().find(|(of, _)| of == id).map(|(_, list)| list)
}

/// [`loaded`], to change.
fn loaded_mut<'a, T>(
    lists: &'a mut [(ConversationId, T)],
    id: &ConversationId,
) -> Option<&'a mut T> {
    lists.iter_mut().find(|(of, _)| of == id).map(|(_, list)| list)
}

/// The list kept for conversation `id`, made empty if there is none yet.
fn entry_mut<T: Default>(lists: &mut Vec<(ConversationId, T)>, id: ConversationId) -> &mut T {
    let at = match lists.iter().position(|(of, _)| *of == id) {
        Some(at) => at,
        None => {
            lists.push((id, T::default()));
            lists.len() - 1
        }
    };
    &mut lists[at].1
}

/// The start of a message body as lists show it.
pub fn preview(body: &str) -> String {
    body.chars().take(PREVIEW_CHARS).collect()
}

#[cfg(test)]
mod tests;

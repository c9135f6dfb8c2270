use serde::{Deserialize, Serialize};

use crate::{AgentId, ContactId, ConversationId, MessageId, Millis};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Plan {
    Free,
    Starter,
    Professional,
    Enterprise,
}

impl Plan {
    pub const ALL: [Plan; 4] = [Plan::Free, Plan::Starter, Plan::Professional, Plan::Enterprise];

    pub fn as_str(self) -> &'static str {
        match self {
            Plan::Free => "free",
            Plan::Starter => "starter",
            Plan::Professional => "professional",
            Plan::Enterprise => "enterprise",
        }
    }

    pub fn parse(s: &str) -> Option<Plan> {
        Plan::ALL.into_iter().find(|p| p.as_str() == s)
    }
}

impl std::fmt::Display for Plan {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConversationKind {
    Bot,
    Live,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConversationStatus {
    Open,
    Closed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Resolved,
    Unresolved,
}

impl Outcome {
    /// As serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Resolved => "resolved",
            Outcome::Unresolved => "unresolved",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClosingSource {
    Manual,
    AutoClose,
    /// The lead ended it from the widget (when the owner lets leads do so).
    Lead,
}

impl ClosingSource {
    /// As serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            ClosingSource::Manual => "manual",
            ClosingSource::AutoClose => "auto_close",
            ClosingSource::Lead => "lead",
        }
    }
}

/// Who wrote a message. Only `Agent` counts as a human reply for timers and reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuthorKind {
    Contact,
    Agent,
    Bot,
    AiAgent,
    Broadcast,
    Workflow,
    System,
}

impl AuthorKind {
    /// As serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            AuthorKind::Contact => "contact",
            AuthorKind::Agent => "agent",
            AuthorKind::Bot => "bot",
            AuthorKind::AiAgent => "ai_agent",
            AuthorKind::Broadcast => "broadcast",
            AuthorKind::Workflow => "workflow",
            AuthorKind::System => "system",
        }
    }
}

/// Who caused an event.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Actor {
    Contact(ContactId),
    Agent(AgentId),
    System,
    /// An API token of the workspace (an integration), by its id.
    Token(crate::TokenId),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Manager,
    Agent,
}

/// A conversation as both UIs list it. Leads receive it through [`Conversation::for_lead`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Conversation {
    pub id: ConversationId,
    pub contact_id: ContactId,
    pub kind: ConversationKind,
    pub status: ConversationStatus,
    /// 1, then +1 on every reopen.
    pub cycle: u32,
    pub outcome: Option<Outcome>,
    pub closing_source: Option<ClosingSource>,
    pub closed_by: Option<AgentId>,
    pub closed_at: Option<Millis>,
    pub closing_note: Option<ClosingNote>,
    pub assignee: Option<AgentId>,
    /// Out of the Open folder until then.
    pub snoozed_until: Option<Millis>,
    pub contact_blocked: bool,
    /// When auto-close will close it, if a deadline is running.
    pub auto_close_at: Option<Millis>,
    pub created_at: Millis,
    pub last_activity_at: Millis,
    /// The latest message body, cut to [`PREVIEW_CHARS`].
    pub last_message: Option<String>,
    /// Who the lead is, when known (`Porch.identify`): for the team, never sent to leads.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_email: Option<String>,
}

impl Conversation {
    /// How the team names the lead: their name, else their e-mail, else a stable visitor
    /// label ("Visitor 4821").
    pub fn lead_label(&self) -> String {
        self.contact_name
            .clone()
            .or_else(|| self.contact_email.clone())
            .unwrap_or_else(|| crate::visitor_label(&self.contact_id))
    }

    /// A conversation as it starts: open, cycle 1, nobody on it yet.
    pub fn opened(
        id: ConversationId,
        contact_id: ContactId,
        kind: ConversationKind,
        now: Millis,
    ) -> Self {
        Conversation {
            id,
            contact_id,
            kind,
            status: ConversationStatus::Open,
            cycle: 1,
            outcome: None,
            closing_source: None,
            closed_by: None,
            closed_at: None,
            closing_note: None,
            assignee: None,
            snoozed_until: None,
            contact_blocked: false,
            auto_close_at: None,
            created_at: now,
            last_activity_at: now,
            last_message: None,
            contact_name: None,
            contact_email: None,
        }
    }

    /// What a lead may know: nothing of the team's outcome, notes, assignment or blocking.
    pub fn for_lead(self) -> LeadConversation {
        LeadConversation {
            id: self.id,
            contact_id: self.contact_id,
            kind: self.kind,
            status: self.status,
            cycle: self.cycle,
            closing_source: self.closing_source,
            closed_at: self.closed_at,
            created_at: self.created_at,
            last_activity_at: self.last_activity_at,
            last_message: self.last_message,
        }
    }

    /// Snoozed at `now`.
    pub fn is_snoozed(&self, now: Millis) -> bool {
        self.snoozed_until.is_some_and(|until| until > now)
    }
}

/// A conversation as its lead sees it: there is no field for the team's outcome, notes,
/// assignment, snooze, blocking or timers.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadConversation {
    pub id: ConversationId,
    pub contact_id: ContactId,
    pub kind: ConversationKind,
    pub status: ConversationStatus,
    pub cycle: u32,
    pub closing_source: Option<ClosingSource>,
    pub closed_at: Option<Millis>,
    pub created_at: Millis,
    pub last_activity_at: Millis,
    pub last_message: Option<String>,
}

impl From<LeadConversation> for Conversation {
    /// With what the lead is not told left empty, for the shared [`crate::replica::Replica`].
    fn from(c: LeadConversation) -> Conversation {
        Conversation {
            closing_source: c.closing_source,
            closed_at: c.closed_at,
            last_activity_at: c.last_activity_at,
            last_message: c.last_message,
            cycle: c.cycle,
            status: c.status,
            ..Conversation::opened(c.id, c.contact_id, c.kind, c.created_at)
        }
    }
}

/// What an agent writes (or the Summarizer drafts) when closing.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClosingNote {
    pub category: Option<String>,
    pub summary: Option<String>,
    /// True when the summary came from the Summarizer unedited.
    #[serde(default)]
    pub generated: bool,
}

/// Length of [`Conversation::last_message`].
pub const PREVIEW_CHARS: usize = 120;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Message {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    pub author_kind: AuthorKind,
    /// The contact's or agent's id; none for bots and system notes.
    pub author_id: Option<String>,
    pub author_name: Option<String>,
    pub body: String,
    /// The sender's own id for the message, so a retried send is stored once.
    pub client_id: Option<String>,
    pub created_at: Millis,
}

/// A private note: the team's own words on a conversation, never shown to the lead (no lead
/// frame, widget answer or webhook carries it) and no reply (it moves no timer).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Note {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    pub author_id: AgentId,
    pub author_name: String,
    pub body: String,
    pub created_at: Millis,
}

impl Message {
    /// The message as a lead sees it: another sender's ids (which agent, their client id) are
    /// the team's; the name shows who wrote.
    pub fn for_lead(mut self) -> Message {
        if self.author_kind != AuthorKind::Contact {
            self.author_id = None;
            self.client_id = None;
        }
        self
    }
}

/// What a closing does to the lead's widget. Saved per workspace; effective only on plans that
/// include them (the server sends the effective values).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadOptions {
    pub hide_closed: bool,
    pub disable_input_on_close: bool,
    pub notify_on_close: bool,
    pub notification_text: String,
}

//! Report queries and answers. The figures' definitions live with their computation in
//! `porch-domain::reports`.

use serde::{Deserialize, Serialize};

use crate::{AgentId, ClosingSource, ContactId, ConversationId, Millis, Outcome};

/// How a conversation's cycle began.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StartFlow {
    /// A live conversation started by the lead's first message.
    LeadWrote,
    /// The bot greeted; the lead picked a quick answer first.
    BotQuickAnswer,
    /// The bot greeted; the lead asked for a person first.
    BotPerson,
    /// The bot greeted; the lead wrote freely first (which reaches the team).
    BotFreeText,
    /// The bot greeted; the lead has not answered.
    BotNoReply,
    ReopenedByLead,
    ReopenedByAgent,
}

impl StartFlow {
    pub const ALL: [StartFlow; 7] = [
        StartFlow::LeadWrote,
        StartFlow::BotQuickAnswer,
        StartFlow::BotPerson,
        StartFlow::BotFreeText,
        StartFlow::BotNoReply,
        StartFlow::ReopenedByLead,
        StartFlow::ReopenedByAgent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            StartFlow::LeadWrote => "lead_wrote",
            StartFlow::BotQuickAnswer => "bot_quick_answer",
            StartFlow::BotPerson => "bot_person",
            StartFlow::BotFreeText => "bot_free_text",
            StartFlow::BotNoReply => "bot_no_reply",
            StartFlow::ReopenedByLead => "reopened_by_lead",
            StartFlow::ReopenedByAgent => "reopened_by_agent",
        }
    }

    pub fn parse(s: &str) -> Option<StartFlow> {
        StartFlow::ALL.into_iter().find(|f| f.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            StartFlow::LeadWrote => "Lead wrote first",
            StartFlow::BotQuickAnswer => "Bot → quick answer",
            StartFlow::BotPerson => "Bot → talk to a person",
            StartFlow::BotFreeText => "Bot → lead wrote",
            StartFlow::BotNoReply => "Bot greeted, no reply",
            StartFlow::ReopenedByLead => "Reopened by the lead",
            StartFlow::ReopenedByAgent => "Reopened by an agent",
        }
    }
}

/// Columns the conversation list sorts by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportSort {
    #[default]
    StartedAt,
    Messages,
    FirstResponse,
    Resolution,
}

/// Every report's range and filters; the list's sort and page. Cycles count in a range when
/// they started in it (`from` inclusive, `to` exclusive, milliseconds UTC).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ReportQuery {
    pub from: Millis,
    pub to: Millis,
    pub agent: Option<AgentId>,
    pub category: Option<String>,
    pub source: Option<ClosingSource>,
    pub outcome: Option<Outcome>,
    /// Only missed cycles (`true`) or only handled ones (`false`).
    pub missed: Option<bool>,
    pub sort: ReportSort,
    pub desc: bool,
    /// From 1.
    pub page: u32,
    pub per_page: u32,
}

/// One cycle in the conversation list, with each figure's value for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportRow {
    pub conversation_id: ConversationId,
    pub cycle: u32,
    pub contact_id: ContactId,
    pub lead_name: Option<String>,
    pub agent_id: Option<AgentId>,
    pub agent_name: Option<String>,
    pub started_at: Millis,
    pub start_flow: StartFlow,
    pub messages: u32,
    pub first_response_ms: Option<Millis>,
    pub resolution_ms: Option<Millis>,
    pub active_resolution_ms: Option<Millis>,
    pub mean_wait_ms: Option<Millis>,
    pub missed: Option<bool>,
    pub closed_at: Option<Millis>,
    pub closing_source: Option<ClosingSource>,
    pub outcome: Option<Outcome>,
    pub category: Option<String>,
    pub summary: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportList {
    pub rows: Vec<ReportRow>,
    pub total: u64,
    pub page: u32,
    pub per_page: u32,
}

/// A labelled count (a category, a language, an intent…).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Count {
    pub label: String,
    pub count: u64,
}

/// Median and mean of some durations, and how many there were.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Durations {
    pub count: u64,
    pub median_ms: Option<Millis>,
    pub mean_ms: Option<Millis>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClosingReport {
    pub closed: u64,
    pub resolved: u64,
    pub unresolved: u64,
    pub by_source: Vec<Count>,
    pub by_category: Vec<Count>,
    /// Quick answers the lead picked in cycles closed as unresolved, most frequent first.
    pub unresolved_quick_answers: Vec<Count>,
}

/// One agent's figures in a range, with their daily evolution.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentFigures {
    pub agent_id: AgentId,
    pub name: String,
    /// Assignments to them (each transfer to them counts).
    pub conversations: u64,
    pub conversation_ms: Millis,
    pub connection_ms: Millis,
    pub daily: Vec<AgentDay>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AgentDay {
    /// Midnight UTC of the day.
    pub day: Millis,
    pub conversations: u64,
    pub conversation_ms: Millis,
    pub connection_ms: Millis,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactCentreReport {
    /// Every assignment counts, each transfer as a new one: agents' figures need not add up
    /// to it.
    pub total_conversations: u64,
    pub cycles: u64,
    pub handled: u64,
    pub missed: u64,
    pub missed_with_agent_online: u64,
    pub missed_with_nobody_online: u64,
    pub total_messages: u64,
    pub unique_users: u64,
    pub first_response: Durations,
    pub resolution: Durations,
    pub active_resolution: Durations,
    pub wait: Durations,
    pub missed_threshold_ms: Millis,
    pub agents: Vec<AgentFigures>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityDay {
    pub day: Millis,
    pub messages: u64,
    pub conversations: u64,
    pub max_per_minute: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ActivityReport {
    pub new_users: u64,
    pub active_users: u64,
    pub total_messages: u64,
    pub incoming_messages: u64,
    pub conversations: u64,
    /// The busiest minute (its start) and how many messages it had.
    pub peak_minute: Option<Millis>,
    pub peak_messages: u64,
    pub daily: Vec<ActivityDay>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChatbotReport {
    /// Quick answers picked and hand-offs to a person, most frequent first.
    pub intents: Vec<Count>,
    /// Lead messages by detected language (ISO 639-3), most frequent first.
    pub languages: Vec<Count>,
    pub start_flows: Vec<Count>,
}

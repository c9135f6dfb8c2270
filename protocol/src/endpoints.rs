//! The bodies the lead and agent endpoints take and answer.

use serde::{Deserialize, Serialize};

use crate::{
    AgentId, ApiError, AskEmail, BotMenu, ClosingNote, ContactId, Conversation, ConversationId,
    LeadConversation, LeadOptions, Message, Millis, Outcome, Plan, Role, WorkspaceSettings,
};

// ---- Lead (widget) endpoints -------------------------------------------------------------

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OpenSession {
    pub workspace_key: String,
    /// The token this browser got before, if any.
    pub visitor_token: Option<String>,
    /// The origin of the page embedding the widget, as the browser tells the iframe.
    #[serde(default)]
    pub host_origin: Option<String>,
    /// The page (origin and path, no query) the lead is on, for the team's contact panel.
    #[serde(default)]
    pub host_page: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WidgetSession {
    pub visitor_token: String,
    pub contact_id: ContactId,
    pub options: LeadOptions,
    /// Present when the workspace's bot is on: new conversations start with it.
    #[serde(default)]
    pub bot: Option<BotMenu>,
    pub conversations: Vec<LeadConversation>,
    /// The newest event sequence number when the session was read; resume the socket after it.
    pub last_seq: u64,
    /// Whether to ask for an e-mail before a first message, and whether one is known already.
    #[serde(default)]
    pub ask_email: AskEmail,
    #[serde(default)]
    pub email_known: bool,
    /// Present outside the team's office hours.
    #[serde(default)]
    pub away: Option<crate::Away>,
    /// The owner's widget, with the team's name filled in.
    #[serde(default)]
    pub look: crate::WidgetSettings,
    /// Up to five active members, those online first.
    #[serde(default)]
    pub team: Vec<crate::TeamFace>,
}

/// From `Porch.identify(...)`: who the lead is, signed by the owner's backend:
/// `hash` = hex(HMAC-SHA256(workspace identity secret, id)).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Identify {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub hash: String,
}

/// The lead after identification: the same token, or (when this identity was already known,
/// from another browser) a new token of that lead, whose history comes with it.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Identified {
    pub visitor_token: String,
    pub contact_id: ContactId,
    /// True when this browser now belongs to a lead other than before: reload the session.
    pub switched: bool,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StartConversation {
    /// An optional first message.
    pub body: Option<String>,
    pub client_id: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostMessage {
    pub body: String,
    pub client_id: Option<String>,
}

/// A private note's text (as long as a message may be).
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PostNote {
    pub body: String,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConversationDetail {
    pub conversation: Conversation,
    pub messages: Vec<Message>,
    /// The conversation's log, for the agents' timeline; empty for leads.
    #[serde(default)]
    pub events: Vec<crate::EventFrame>,
}

/// A conversation as its lead reads it: no log of the team's events.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadConversationDetail {
    pub conversation: LeadConversation,
    pub messages: Vec<Message>,
    /// The team has seen the lead's messages sent until then (absent: none yet).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen_until: Option<crate::Millis>,
}

// ---- Agent (inbox) endpoints -------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Agent {
    pub id: AgentId,
    pub name: String,
    pub email: String,
    pub role: Role,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Me {
    pub agent: Agent,
    /// Every workspace the person belongs to (this one included), by name.
    #[serde(default)]
    pub workspaces: Vec<crate::Membership>,
    /// Newest event sequence number of the workspace when read.
    pub last_seq: u64,
    /// The server's time, so countdowns follow the server's clock.
    pub now: Millis,
}

/// Conversations one bulk close names at most.
pub const MAX_BULK_CLOSE: usize = 100;

/// Closes several conversations at once, each as [`CloseConversation`] would, with the same
/// outcome and note; in one transaction.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkClose {
    /// 1 to [`MAX_BULK_CLOSE`] conversations of the workspace.
    pub ids: Vec<ConversationId>,
    pub outcome: Option<Outcome>,
    pub note: Option<ClosingNote>,
}

/// What a bulk close did: the conversations closed, and why each other one was not.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BulkClosed {
    pub closed: Vec<ConversationId>,
    pub refused: Vec<Refusal>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Refusal {
    pub id: ConversationId,
    pub error: ApiError,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CloseConversation {
    /// Required for a manual close.
    pub outcome: Option<Outcome>,
    pub note: Option<ClosingNote>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeOutcome {
    pub outcome: Outcome,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Assign {
    /// None unassigns.
    pub agent_id: Option<AgentId>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Snooze {
    pub until: Millis,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Summary {
    pub summary: String,
}

/// What the inbox needs to know of its workspace.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WorkspaceView {
    /// The workspace's name, as the team and e-mails show it.
    #[serde(default)]
    pub name: String,
    pub plan: Plan,
    pub settings: WorkspaceSettings,
    /// As saved by the owner (what applies depends on the plan).
    pub lead_options: LeadOptions,
    pub agents: Vec<Agent>,
    /// The secret that signs lead identities; shown to owners only.
    pub identity_secret: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangePlan {
    pub plan: Plan,
}

/// Longest closing notification a lead can be shown.
pub const MAX_NOTIFICATION_CHARS: usize = 500;

/// One open conversation's unread messages for the member asking: the lead's messages after
/// what the member last read in it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UnreadCount {
    pub conversation_id: ConversationId,
    pub count: u32,
}

/// The member has read a conversation up to `seq` (the last event they saw in it); a mark never
/// moves back, and never past the workspace's last event.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MarkRead {
    pub seq: u64,
}

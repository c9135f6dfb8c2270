use serde::{Deserialize, Serialize};

use crate::{AgentId, AskEmail, ContactId, ConversationId, InstallSettings, MessageId, Millis};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
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
#[serde(rename_all = "snake_case")]
pub enum ConversationKind {
    Bot,
    Live,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConversationStatus {
    Open,
    Closed,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[serde(rename_all = "snake_case")]
pub enum ClosingSource {
    Manual,
    AutoClose,
}

impl ClosingSource {
    /// As serialised.
    pub fn as_str(self) -> &'static str {
        match self {
            ClosingSource::Manual => "manual",
            ClosingSource::AutoClose => "auto_close",
        }
    }
}

/// Who wrote a message. Only `Agent` counts as a human reply for timers and reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Actor {
    Contact(ContactId),
    Agent(AgentId),
    System,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Owner,
    Manager,
    Agent,
}

/// A conversation as both UIs list it. Leads receive it through [`Conversation::for_lead`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
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
pub struct ClosingNote {
    pub category: Option<String>,
    pub summary: Option<String>,
    /// True when the summary came from the Summarizer unedited.
    #[serde(default)]
    pub generated: bool,
}

/// How closing notes are asked for, per workspace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClosingNotesMode {
    #[default]
    Off,
    Optional,
    CategoryRequired,
    CategoryAndSummaryRequired,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClosingNotesSettings {
    pub mode: ClosingNotesMode,
    /// The owner's list, e.g. "Order issue", "Payment issue", "Product inquiry".
    pub categories: Vec<String>,
}

/// What starts an auto-close deadline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AutoCloseMode {
    /// The last outgoing message of a human agent starts it; a lead reply cancels it.
    #[default]
    AfterAgentReply,
    /// The last message of anyone starts it.
    Inactivity,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AutoCloseSettings {
    pub enabled: bool,
    /// From 30 minutes to 14 days.
    pub period_minutes: u32,
    pub mode: AutoCloseMode,
    /// Fill the closing note's category and summary when auto-close fires.
    pub generate_notes: bool,
}

impl Default for AutoCloseSettings {
    fn default() -> Self {
        AutoCloseSettings {
            enabled: false,
            period_minutes: 24 * 60,
            mode: AutoCloseMode::AfterAgentReply,
            generate_notes: false,
        }
    }
}

impl AutoCloseSettings {
    pub fn period_millis(&self) -> Millis {
        Millis::from(self.period_minutes) * 60_000
    }
}

/// One of the bot's canned answers, offered to the lead as a button.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickAnswer {
    pub question: String,
    pub answer: String,
}

/// The built-in bot: it greets, offers the owner's quick answers and "Talk to a person".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct BotSettings {
    pub enabled: bool,
    pub greeting: String,
    pub quick_answers: Vec<QuickAnswer>,
}

impl Default for BotSettings {
    fn default() -> Self {
        BotSettings {
            enabled: false,
            greeting: "Hi! How can we help? Pick a question or talk to a person.".into(),
            quick_answers: Vec::new(),
        }
    }
}

/// What the widget offers in a bot conversation: the quick answers' questions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BotMenu {
    pub questions: Vec<String>,
}

/// A lead's pick in a bot conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BotChoice {
    QuickAnswer { index: usize },
    Person,
}

/// A workspace's settings other than the lead-facing options.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct WorkspaceSettings {
    pub closing_notes: ClosingNotesSettings,
    pub auto_close: AutoCloseSettings,
    pub bot: BotSettings,
    pub reports: ReportSettings,
    pub install: InstallSettings,
    /// Whether the widget asks a lead for an e-mail before their first message.
    pub ask_email: AskEmail,
    /// Whose days the reports count in, and whose clock office hours follow.
    pub time_zone: TimeZoneName,
    pub office_hours: crate::OfficeHours,
}

/// An IANA time zone name ("Europe/Paris"); UTC by default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TimeZoneName(pub String);

impl Default for TimeZoneName {
    fn default() -> TimeZoneName {
        TimeZoneName("UTC".into())
    }
}

/// An owner sets the workspace's time zone.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ChangeTimeZone {
    pub time_zone: String,
}

/// How reports count, and who gets the e-mailed performance report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportSettings {
    /// A cycle counts as missed when no human replies within this many minutes.
    pub missed_after_minutes: u32,
    pub email: ReportEmail,
}

impl Default for ReportSettings {
    fn default() -> Self {
        ReportSettings { missed_after_minutes: 180, email: ReportEmail::default() }
    }
}

/// The e-mailed performance report: how often, to whom.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportEmail {
    pub cadence: ReportCadence,
    pub recipients: Vec<String>,
}

/// Weekly reports cover Monday to Sunday; twice-monthly ones the 1st–15th and the 16th to the
/// month's end (UTC). Each is sent once its period is over.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportCadence {
    #[default]
    Off,
    Weekly,
    TwiceMonthly,
}

impl ReportSettings {
    pub fn missed_after_millis(&self) -> Millis {
        Millis::from(self.missed_after_minutes) * 60_000
    }
}

/// A proposed auto-close setting and whether it should also reschedule conversations already
/// open (otherwise it applies to deadlines armed from now on).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ChangeAutoClose {
    pub settings: AutoCloseSettings,
    #[serde(default)]
    pub apply_to_open: bool,
}

/// What a proposed auto-close setting would do to the conversations open now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AutoClosePreview {
    /// Would close at once.
    pub close_now: u64,
    /// Would close within the next 24 hours (not counting those above).
    pub close_within_24h: u64,
}

/// Moves a `--dev-clock` server's clock forward.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct AdvanceClock {
    pub millis: Millis,
}

/// Length of [`Conversation::last_message`].
pub const PREVIEW_CHARS: usize = 120;

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
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
pub struct LeadOptions {
    pub hide_closed: bool,
    pub disable_input_on_close: bool,
    pub notify_on_close: bool,
    pub notification_text: String,
}

// ---- Lead (widget) endpoints -------------------------------------------------------------

#[derive(Clone, Debug, Serialize, Deserialize)]
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
}

/// From `Porch.identify(...)`: who the lead is, signed by the owner's backend:
/// `hash` = hex(HMAC-SHA256(workspace identity secret, id)).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Identify {
    pub id: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub hash: String,
}

/// The lead after identification: the same token, or (when this identity was already known,
/// from another browser) a new token of that lead, whose history comes with it.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Identified {
    pub visitor_token: String,
    pub contact_id: ContactId,
    /// True when this browser now belongs to a lead other than before: reload the session.
    pub switched: bool,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct StartConversation {
    /// An optional first message.
    pub body: Option<String>,
    pub client_id: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct PostMessage {
    pub body: String,
    pub client_id: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ConversationDetail {
    pub conversation: Conversation,
    pub messages: Vec<Message>,
    /// The conversation's log, for the agents' timeline; empty for leads.
    #[serde(default)]
    pub events: Vec<crate::EventFrame>,
}

/// A conversation as its lead reads it: no log of the team's events.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LeadConversationDetail {
    pub conversation: LeadConversation,
    pub messages: Vec<Message>,
}

// ---- Agent (inbox) endpoints -------------------------------------------------------------

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Agent {
    pub id: AgentId,
    pub name: String,
    pub email: String,
    pub role: Role,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
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

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct CloseConversation {
    /// Required for a manual close.
    pub outcome: Option<Outcome>,
    pub note: Option<ClosingNote>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ChangeOutcome {
    pub outcome: Outcome,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Assign {
    /// None unassigns.
    pub agent_id: Option<AgentId>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Snooze {
    pub until: Millis,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Summary {
    pub summary: String,
}

/// What the inbox needs to know of its workspace.
#[derive(Clone, Debug, Serialize, Deserialize)]
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
pub struct ChangePlan {
    pub plan: Plan,
}

/// Longest closing notification a lead can be shown.
pub const MAX_NOTIFICATION_CHARS: usize = 500;

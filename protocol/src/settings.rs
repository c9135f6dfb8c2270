//! A workspace's settings, as the owner saves them and the rules read them.

use serde::{Deserialize, Serialize};

use crate::{AskEmail, InstallSettings, Millis};

/// How closing notes are asked for, per workspace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ClosingNotesMode {
    #[default]
    Off,
    Optional,
    CategoryRequired,
    CategoryAndSummaryRequired,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClosingNotesSettings {
    pub mode: ClosingNotesMode,
    /// The owner's list, e.g. "Order issue", "Payment issue", "Product inquiry".
    pub categories: Vec<String>,
}

/// What starts an auto-close deadline.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AutoCloseMode {
    /// The last outgoing message of a human agent starts it; a lead reply cancels it.
    #[default]
    AfterAgentReply,
    /// The last message of anyone starts it.
    Inactivity,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuickAnswer {
    pub question: String,
    pub answer: String,
}

/// The built-in bot: it greets, offers the owner's quick answers and "Talk to a person".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BotMenu {
    pub questions: Vec<String>,
}

/// A lead's pick in a bot conversation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum BotChoice {
    QuickAnswer { index: usize },
    Person,
}

/// A workspace's settings other than the lead-facing options.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    /// The team's saved replies, inserted in the inbox's composer with `/`. Left out when
    /// there are none, so settings stored before it existed are written back unchanged.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub canned_replies: Vec<CannedReply>,
    /// The widget's colour, place and texts; left out while untouched.
    #[serde(skip_serializing_if = "crate::WidgetSettings::is_default")]
    pub widget: crate::WidgetSettings,
}

/// A saved reply: typing `/` and its shortcut in the composer inserts its text.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CannedReply {
    /// Lower-case letters, digits and dashes, e.g. "refund-policy".
    pub shortcut: String,
    pub text: String,
}

/// An IANA time zone name ("Europe/Paris"); UTC by default.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct TimeZoneName(pub String);

impl Default for TimeZoneName {
    fn default() -> TimeZoneName {
        TimeZoneName("UTC".into())
    }
}

/// An owner sets the workspace's time zone.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeTimeZone {
    pub time_zone: String,
}

/// How reports count, and who gets the e-mailed performance report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct ReportEmail {
    pub cadence: ReportCadence,
    pub recipients: Vec<String>,
}

/// Weekly reports cover Monday to Sunday; twice-monthly ones the 1st–15th and the 16th to the
/// month's end (UTC). Each is sent once its period is over.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeAutoClose {
    pub settings: AutoCloseSettings,
    #[serde(default)]
    pub apply_to_open: bool,
}

/// What a proposed auto-close setting would do to the conversations open now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AutoClosePreview {
    /// Would close at once.
    pub close_now: u64,
    /// Would close within the next 24 hours (not counting those above).
    pub close_within_24h: u64,
}

/// Moves a `--dev-clock` server's clock forward.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdvanceClock {
    pub millis: Millis,
}

/// A `--dev-clock` server's time.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Clock {
    pub now: Millis,
}

//! The widget on the owner's site and the leads it meets: where it may run and was seen, the
//! e-mail question, the contact panel; the workspace's name and plan as the operator sets it.

use serde::{Deserialize, Serialize};

use crate::{ContactId, Conversation, Millis, Plan};

/// Where the widget may run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct InstallSettings {
    /// Origins (`https://shop.example`) allowed to embed the widget; empty: any.
    pub allowed_origins: Vec<String>,
}

/// Settings → Install.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstallView {
    pub widget_key: String,
    /// What to paste into every page, before `</body>`.
    pub snippet: String,
    pub allowed_origins: Vec<String>,
    /// Where the widget booted lately, most recent first: the installation check.
    pub seen: Vec<SeenOrigin>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SeenOrigin {
    pub origin: String,
    pub last_seen_at: Millis,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SetAllowedOrigins {
    pub allowed_origins: Vec<String>,
}

/// The widget's e-mail question ("so we can reply if you leave").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum AskEmail {
    #[default]
    Off,
    Optional,
    /// A lead without an e-mail cannot start a conversation (422 `email_required`).
    Required,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeAskEmail {
    pub ask_email: AskEmail,
}

/// A lead gives their e-mail.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LeadEmail {
    pub email: String,
}

/// The contact panel beside a conversation: who the lead is and what else they asked.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContactView {
    pub id: ContactId,
    pub label: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub first_seen: Millis,
    /// The page (origin and path) the lead was on at their latest widget session.
    pub last_page: Option<String>,
    /// Their browser, as it named itself then.
    pub browser: Option<String>,
    pub blocked: bool,
    /// Every conversation of theirs, newest first.
    pub conversations: Vec<Conversation>,
}

/// Owners rename their workspace.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Rename {
    pub name: String,
}

/// The operator API's answer to a plan change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PlanChanged {
    pub workspace_id: crate::WorkspaceId,
    pub plan: Plan,
    pub was: Plan,
}

/// When the team answers: one opening per weekday, in the workspace's time zone. Outside them
/// the widget tells leads when the team is back.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct OfficeHours {
    pub enabled: bool,
    /// Monday first, seven of them; `None`: closed that day.
    pub days: Vec<Option<Opening>>,
}

/// Open from `open` to `close`, in minutes since midnight (`close` up to 1440).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Opening {
    pub open: u16,
    pub close: u16,
}

/// What the widget shows outside office hours.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Away {
    /// When the team is back; none when no day has hours.
    pub back_at: Option<crate::Millis>,
    /// The same, in words of the workspace's time zone ("Monday at 09:00 CET").
    pub back: Option<String>,
}

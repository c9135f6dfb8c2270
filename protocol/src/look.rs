//! How the widget looks and speaks on a customer's site, and what it lets the lead do: the
//! owner's choices, and the team as a lead sees it on Home.

use serde::{Deserialize, Serialize};

/// Where the launcher sits on the customer's page.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum WidgetPosition {
    #[default]
    Right,
    Left,
}

/// The widget's language: the lead's browser picks among these, unless the owner fixes one.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Language {
    /// The first of the browser's languages the widget speaks; English otherwise.
    #[default]
    Auto,
    En,
    De,
    Fr,
    Es,
}

/// The owner's widget: colour, place, texts and whether leads may end conversations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(default)]
pub struct WidgetSettings {
    /// The accent, `#rrggbb`: the launcher, the header, the lead's messages. White text must
    /// read on it (contrast at least 4.5:1), and it is used as text on white too.
    pub color: String,
    pub position: WidgetPosition,
    /// Shown beside the launcher's icon; none when empty.
    pub launcher_text: String,
    /// Home's greeting; empty for the widget's own, in the lead's language.
    pub greeting: String,
    /// The header's title; empty for the workspace's name.
    pub team_name: String,
    pub language: Language,
    /// Leads may end their own conversations (closing source `lead`).
    pub lead_may_end: bool,
}

/// The accent until the owner picks one.
pub const DEFAULT_COLOR: &str = "#0f766e";

impl Default for WidgetSettings {
    fn default() -> Self {
        WidgetSettings {
            color: DEFAULT_COLOR.into(),
            position: WidgetPosition::Right,
            launcher_text: String::new(),
            greeting: String::new(),
            team_name: String::new(),
            language: Language::Auto,
            lead_may_end: false,
        }
    }
}

impl WidgetSettings {
    /// Unchanged since the owner first saw it: left out of stored settings.
    pub fn is_default(&self) -> bool {
        *self == WidgetSettings::default()
    }
}

/// A member as leads see them on Home: a first name and whether they are around.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TeamFace {
    pub name: String,
    pub online: bool,
}

//! The owner's widget settings, and a lead ending their own conversation.

use porch_protocol::{ClosingSource, ConversationStatus, Event, WidgetSettings};

use crate::{ConversationState, DomainError};

pub const MAX_LAUNCHER_TEXT_CHARS: usize = 30;
pub const MAX_GREETING_CHARS: usize = 200;
pub const MAX_TEAM_NAME_CHARS: usize = 60;
/// WCAG AA for normal text: white on the accent, and the accent on white.
pub const MIN_CONTRAST: f64 = 4.5;

/// Trims the texts and lower-cases the colour; refuses a colour that is not `#rrggbb` or on
/// which white text would not read, and texts too long or with control characters.
pub fn validate_widget(settings: WidgetSettings) -> Result<WidgetSettings, DomainError> {
    let invalid = |m: String| Err(DomainError::InvalidSettings(m));
    let color = settings.color.trim().to_ascii_lowercase();
    let Some(contrast) = contrast_with_white(&color) else {
        return invalid(format!("colour {color:?}: write it as #rrggbb, e.g. #0f766e"));
    };
    if contrast < MIN_CONTRAST {
        return invalid(format!(
            "colour {color}: white text on it has a contrast of {contrast:.1}:1, and needs \
             {MIN_CONTRAST}:1 to be read; choose a darker one"
        ));
    }
    let text = |value: String, what: &str, max: usize| {
        let value = value.trim().to_owned();
        if value.chars().count() > max {
            return Err(DomainError::InvalidSettings(format!("{what}: at most {max} characters")));
        }
        if value.chars().any(char::is_control) {
            return Err(DomainError::InvalidSettings(format!("{what}: one line of plain text")));
        }
        Ok(value)
    };
    Ok(WidgetSettings {
        color,
        launcher_text: text(settings.launcher_text, "launcher text", MAX_LAUNCHER_TEXT_CHARS)?,
        greeting: text(settings.greeting, "greeting", MAX_GREETING_CHARS)?,
        team_name: text(settings.team_name, "team name", MAX_TEAM_NAME_CHARS)?,
        ..settings
    })
}

/// The WCAG contrast ratio of white against `#rrggbb`, or `None` if it is not that form.
pub fn contrast_with_white(color: &str) -> Option<f64> {
    let hex = color.strip_prefix('#').filter(|h| h.len() == 6)?;
    let mut luminance = 0.0;
    for (index, weight) in [0.2126, 0.7152, 0.0722].into_iter().enumerate() {
        let byte = u8::from_str_radix(hex.get(index * 2..index * 2 + 2)?, 16).ok()?;
        let channel = f64::from(byte) / 255.0;
        let linear = match channel <= 0.039_28 {
            true => channel / 12.92,
            false => ((channel + 0.055) / 1.055).powf(2.4),
        };
        luminance += weight * linear;
    }
    Some(1.05 / (luminance + 0.05))
}

/// The lead ends their conversation: closed like any other (its deadline goes, the owner's
/// closing options apply), with no outcome or note, which are the team's to give.
pub fn end_by_lead(
    conversation: &ConversationState,
    settings: &WidgetSettings,
) -> Result<Vec<Event>, DomainError> {
    if !settings.lead_may_end {
        return Err(DomainError::LeadMayNotEnd);
    }
    if conversation.status == ConversationStatus::Closed {
        return Err(DomainError::AlreadyClosed);
    }
    Ok(vec![Event::ConversationClosed {
        conversation_id: conversation.id.clone(),
        outcome: None,
        source: ClosingSource::Lead,
        closed_by: None,
        note: None,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn widget(color: &str) -> WidgetSettings {
        WidgetSettings { color: color.into(), ..WidgetSettings::default() }
    }

    #[test]
    fn colours_must_be_hex_and_dark_enough_for_white_text() {
        let saved = validate_widget(widget(" #1D4ED8 ")).unwrap();
        assert_eq!(saved.color, "#1d4ed8");
        validate_widget(WidgetSettings::default()).unwrap();
        for bad in ["blue", "#12345", "#1234567", "#gg0000", "", "1d4ed8"] {
            let err = validate_widget(widget(bad)).unwrap_err();
            assert!(err.to_string().contains("#rrggbb"), "{bad}: {err}");
        }
        // Yellow and light grey: white text would not read.
        for light in ["#facc15", "#cccccc", "#ffffff"] {
            let err = validate_widget(widget(light)).unwrap_err();
            assert!(err.to_string().contains("darker"), "{light}: {err}");
        }
    }

    #[test]
    fn contrast_follows_wcag() {
        assert!((contrast_with_white("#000000").unwrap() - 21.0).abs() < 0.01);
        assert!((contrast_with_white("#ffffff").unwrap() - 1.0).abs() < 0.01);
        // #767676 is the lightest grey that passes AA on white.
        let grey = contrast_with_white("#767676").unwrap();
        assert!(grey > 4.5 && grey < 4.6, "{grey}");
    }

    #[test]
    fn texts_are_trimmed_and_bounded() {
        let saved = validate_widget(WidgetSettings {
            launcher_text: "  Chat with us ".into(),
            greeting: " Hi! ".into(),
            team_name: " Acme ".into(),
            ..WidgetSettings::default()
        })
        .unwrap();
        assert_eq!(
            (saved.launcher_text.as_str(), saved.greeting.as_str(), saved.team_name.as_str()),
            ("Chat with us", "Hi!", "Acme")
        );
        let long = WidgetSettings {
            launcher_text: "x".repeat(MAX_LAUNCHER_TEXT_CHARS + 1),
            ..WidgetSettings::default()
        };
        assert!(validate_widget(long).unwrap_err().to_string().contains("launcher text"));
        let two_lines = WidgetSettings { greeting: "Hi\nthere".into(), ..Default::default() };
        assert!(validate_widget(two_lines).unwrap_err().to_string().contains("one line"));
    }
}

//! Closing and reopening, outcomes and closing notes.

use porch_protocol::{
    AgentId, ClosingNote, ClosingNotesMode, ClosingNotesSettings, ClosingSource,
    ConversationStatus, Event, Outcome,
};

use crate::{ConversationState, DomainError};

/// An agent closes a conversation with an outcome and, per the workspace's mode, a note.
pub fn close(
    conversation: &ConversationState,
    by: &AgentId,
    outcome: Option<Outcome>,
    note: Option<ClosingNote>,
    notes: &ClosingNotesSettings,
) -> Result<Vec<Event>, DomainError> {
    if conversation.status == ConversationStatus::Closed {
        return Err(DomainError::AlreadyClosed);
    }
    if conversation.contact_blocked {
        return Err(DomainError::ContactBlocked);
    }
    let outcome = outcome.ok_or(DomainError::OutcomeRequired)?;
    let note = check_note(note, notes)?;
    Ok(vec![Event::ConversationClosed {
        conversation_id: conversation.id.clone(),
        outcome: Some(outcome),
        source: ClosingSource::Manual,
        closed_by: Some(by.clone()),
        note,
    }])
}

/// Trims a note, drops it when empty, and checks it against the workspace's mode and list.
pub fn check_note(
    note: Option<ClosingNote>,
    settings: &ClosingNotesSettings,
) -> Result<Option<ClosingNote>, DomainError> {
    let clean = |s: Option<String>| s.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let (category, summary, generated) = match note {
        Some(n) => (clean(n.category), clean(n.summary), n.generated),
        None => (None, None, false),
    };
    if let Some(category) = &category {
        if settings.mode == ClosingNotesMode::Off {
            return Err(DomainError::ClosingNotesOff);
        }
        if !settings.categories.contains(category) {
            return Err(DomainError::UnknownCategory(category.clone()));
        }
    }
    match settings.mode {
        ClosingNotesMode::Off if summary.is_some() => return Err(DomainError::ClosingNotesOff),
        ClosingNotesMode::CategoryRequired | ClosingNotesMode::CategoryAndSummaryRequired
            if category.is_none() =>
        {
            return Err(DomainError::ClosingNoteRequired("category"));
        }
        ClosingNotesMode::CategoryAndSummaryRequired if summary.is_none() => {
            return Err(DomainError::ClosingNoteRequired("summary"));
        }
        _ => {}
    }
    Ok((category.is_some() || summary.is_some()).then_some(ClosingNote {
        category,
        summary,
        generated,
    }))
}

/// Most categories a workspace may define, and longest name.
pub const MAX_CATEGORIES: usize = 50;
pub const MAX_CATEGORY_CHARS: usize = 60;

/// Cleans the owner's closing-notes settings: trimmed, non-empty, unique, bounded categories.
/// A mode that requires a category needs at least one to choose from.
pub fn validate_closing_notes(
    settings: ClosingNotesSettings,
) -> Result<ClosingNotesSettings, DomainError> {
    let invalid = |m: String| Err(DomainError::InvalidSettings(m));
    let mut categories: Vec<String> = Vec::new();
    for category in settings.categories {
        let category = category.trim().to_owned();
        if category.is_empty() {
            return invalid("a category needs a name".into());
        }
        if category.chars().count() > MAX_CATEGORY_CHARS {
            return invalid(format!("category names have at most {MAX_CATEGORY_CHARS} characters"));
        }
        if categories.contains(&category) {
            return invalid(format!("the category {category:?} is listed twice"));
        }
        categories.push(category);
    }
    if categories.len() > MAX_CATEGORIES {
        return invalid(format!("at most {MAX_CATEGORIES} categories"));
    }
    let needs_category = matches!(
        settings.mode,
        ClosingNotesMode::CategoryRequired | ClosingNotesMode::CategoryAndSummaryRequired
    );
    if needs_category && categories.is_empty() {
        return invalid("a mode that requires a category needs at least one category".into());
    }
    Ok(ClosingNotesSettings { mode: settings.mode, categories })
}

/// Changes a closed conversation's outcome; the change itself is recorded with from → to.
pub fn change_outcome(
    conversation: &ConversationState,
    to: Outcome,
) -> Result<Vec<Event>, DomainError> {
    if conversation.status != ConversationStatus::Closed {
        return Err(DomainError::NotClosed);
    }
    if conversation.outcome == Some(to) {
        return Ok(Vec::new());
    }
    Ok(vec![Event::OutcomeChanged {
        conversation_id: conversation.id.clone(),
        from: conversation.outcome,
        to,
    }])
}

/// An agent reopens a closed conversation: a new cycle, back in Open.
pub fn reopen(conversation: &ConversationState) -> Result<Vec<Event>, DomainError> {
    if conversation.status == ConversationStatus::Open {
        return Err(DomainError::AlreadyOpen);
    }
    if conversation.contact_blocked {
        return Err(DomainError::ContactBlocked);
    }
    Ok(vec![Event::ConversationReopened {
        conversation_id: conversation.id.clone(),
        cycle: conversation.cycle + 1,
    }])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(mode: ClosingNotesMode, categories: &[&str]) -> ClosingNotesSettings {
        ClosingNotesSettings {
            mode,
            categories: categories.iter().map(|c| c.to_string()).collect(),
        }
    }

    #[test]
    fn closing_notes_settings_are_cleaned_and_bounded() {
        let ok = validate_closing_notes(settings(
            ClosingNotesMode::Optional,
            &[" Order issue ", "Payment issue"],
        ));
        assert_eq!(ok.unwrap().categories, ["Order issue", "Payment issue"]);
        for bad in [
            settings(ClosingNotesMode::Optional, &["A", " a".trim_start(), "A"]),
            settings(ClosingNotesMode::Optional, &["  "]),
            settings(ClosingNotesMode::Optional, &[&"x".repeat(MAX_CATEGORY_CHARS + 1)]),
            settings(ClosingNotesMode::CategoryRequired, &[]),
        ] {
            assert!(matches!(validate_closing_notes(bad), Err(DomainError::InvalidSettings(_))));
        }
        let many: Vec<String> = (0..=MAX_CATEGORIES).map(|i| format!("c{i}")).collect();
        let many = ClosingNotesSettings { mode: ClosingNotesMode::Optional, categories: many };
        assert!(validate_closing_notes(many).is_err());
    }
}

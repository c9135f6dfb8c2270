//! The read tables kept up to date with the log: what each event changes in them.

use porch_protocol::{
    ConversationId, ConversationKind, ConversationStatus, Event, EventFrame, WorkspaceId,
};
use sqlx::{Any, Transaction};

use super::pending::Pending;
use super::rows::{enum_text, json};
use super::unique_violation;
use crate::Result;

/// Brings the read tables up to date with one event (the appended rows go to `pending`).
pub async fn project(
    tx: &mut Transaction<'_, Any>,
    pending: &mut Pending,
    workspace: &WorkspaceId,
    frame: &EventFrame,
) -> Result<()> {
    match &frame.event {
        Event::ConversationStarted { conversation: c } => {
            sqlx::query(
                "INSERT INTO conversations (id, workspace_id, contact_id, kind, status, cycle,
                     created_at, last_activity_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(c.id.as_str())
            .bind(workspace.as_str())
            .bind(c.contact_id.as_str())
            .bind(enum_text(&c.kind))
            .bind(enum_text(&c.status))
            .bind(i64::from(c.cycle))
            .bind(c.created_at)
            .bind(c.last_activity_at)
            .execute(&mut **tx)
            .await
            .map_err(|e| unique_violation(e, "conversation"))?;
        }
        // Its row changes with the batch's other messages, at the end (see `pending`).
        Event::MessagePosted { message: m } => pending.message(m, frame.seq),
        Event::ConversationClosed { conversation_id, outcome, source, closed_by, note } => {
            let note = note.clone().unwrap_or_default();
            sqlx::query(
                "UPDATE conversations
                 SET status = $2, outcome = $3, closing_source = $4, closed_by = $5, closed_at = $6,
                     closing_category = $7, closing_summary = $8, closing_generated = $9,
                     snoozed_until = NULL, auto_close_at = NULL
                 WHERE id = $1",
            )
            .bind(conversation_id.as_str())
            .bind(enum_text(&ConversationStatus::Closed))
            .bind(outcome.map(|o| enum_text(&o)))
            .bind(enum_text(source))
            .bind(closed_by.as_ref().map(|a| a.0.clone()))
            .bind(frame.at)
            .bind(note.category)
            .bind(note.summary)
            .bind(i64::from(note.generated))
            .execute(&mut **tx)
            .await?;
        }
        Event::ConversationReopened { conversation_id, cycle } => {
            sqlx::query(
                "UPDATE conversations
                 SET status = $2, cycle = $3, outcome = NULL, closing_source = NULL,
                     closed_by = NULL, closed_at = NULL, closing_category = NULL,
                     closing_summary = NULL, closing_generated = 0
                 WHERE id = $1",
            )
            .bind(conversation_id.as_str())
            .bind(enum_text(&ConversationStatus::Open))
            .bind(i64::from(*cycle))
            .execute(&mut **tx)
            .await?;
        }
        Event::OutcomeChanged { conversation_id, to, .. } => {
            set(tx, conversation_id, "outcome", Some(enum_text(to))).await?;
        }
        Event::Assigned { conversation_id, agent_id, .. } => {
            set(tx, conversation_id, "assignee", Some(agent_id.0.clone())).await?;
        }
        Event::Unassigned { conversation_id, .. } => {
            set(tx, conversation_id, "assignee", None).await?;
        }
        Event::Snoozed { conversation_id, until } => {
            sqlx::query("UPDATE conversations SET snoozed_until = $2 WHERE id = $1")
                .bind(conversation_id.as_str())
                .bind(*until)
                .execute(&mut **tx)
                .await?;
        }
        Event::Unsnoozed { conversation_id } => {
            sqlx::query("UPDATE conversations SET snoozed_until = NULL WHERE id = $1")
                .bind(conversation_id.as_str())
                .execute(&mut **tx)
                .await?;
        }
        Event::ContactBlocked { contact_id } | Event::ContactUnblocked { contact_id } => {
            let blocked = matches!(frame.event, Event::ContactBlocked { .. });
            sqlx::query("UPDATE contacts SET blocked = $3 WHERE id = $1 AND workspace_id = $2")
                .bind(contact_id.as_str())
                .bind(workspace.as_str())
                .bind(i64::from(blocked))
                .execute(&mut **tx)
                .await?;
        }
        Event::ContactUpdated { contact_id, name, email } => {
            sqlx::query(
                "UPDATE contacts SET name = COALESCE($3, name), email = COALESCE($4, email)
                 WHERE id = $1 AND workspace_id = $2",
            )
            .bind(contact_id.as_str())
            .bind(workspace.as_str())
            .bind(name.clone())
            .bind(email.clone())
            .execute(&mut **tx)
            .await?;
        }
        Event::HandedToBot { conversation_id } => {
            set(tx, conversation_id, "kind", Some(enum_text(&ConversationKind::Bot))).await?;
        }
        Event::HandedToHuman { conversation_id } => {
            set(tx, conversation_id, "kind", Some(enum_text(&ConversationKind::Live))).await?;
        }
        Event::AutoCloseArmed { conversation_id, deadline, .. } => {
            sqlx::query("UPDATE conversations SET auto_close_at = $2 WHERE id = $1")
                .bind(conversation_id.as_str())
                .bind(*deadline)
                .execute(&mut **tx)
                .await?;
        }
        Event::AutoCloseCancelled { conversation_id, .. } => {
            sqlx::query("UPDATE conversations SET auto_close_at = NULL WHERE id = $1")
                .bind(conversation_id.as_str())
                .execute(&mut **tx)
                .await?;
        }
        Event::SettingsChanged { settings } => {
            sqlx::query("UPDATE workspaces SET settings = $2 WHERE id = $1")
                .bind(workspace.as_str())
                .bind(json(settings)?)
                .execute(&mut **tx)
                .await?;
        }
        Event::LeadOptionsChanged { saved: Some(saved), .. } => {
            sqlx::query("UPDATE workspaces SET lead_options = $2 WHERE id = $1")
                .bind(workspace.as_str())
                .bind(json(saved)?)
                .execute(&mut **tx)
                .await?;
        }
        // Only what applies changed (a plan change): nothing saved moves. Quick answers are
        // in the log for reports; the messages that follow carry what the lead sees. Notes
        // live in the log alone (the conversation's timeline), out of the lead's messages.
        Event::LeadOptionsChanged { saved: None, .. }
        | Event::QuickAnswerChosen { .. }
        | Event::NotePosted { .. } => {}
        Event::PlanChanged { plan } => {
            sqlx::query("UPDATE workspaces SET plan = $2 WHERE id = $1")
                .bind(workspace.as_str())
                .bind(plan.as_str())
                .execute(&mut **tx)
                .await?;
        }
    }
    Ok(())
}

/// Sets one text column of a conversation. `column` is always a literal from this module.
async fn set(
    tx: &mut Transaction<'_, Any>,
    conversation: &ConversationId,
    column: &'static str,
    value: Option<String>,
) -> Result<()> {
    sqlx::query(&format!("UPDATE conversations SET {column} = $2 WHERE id = $1"))
        .bind(conversation.as_str())
        .bind(value)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

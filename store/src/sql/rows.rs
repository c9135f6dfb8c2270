//! Rows ↔ types. Enums are stored as their snake_case wire names, structured values as JSON.

use porch_protocol::{
    Agent, AgentId, ClosingNote, ContactId, Conversation, ConversationId, EventFrame, Message,
    MessageId, WorkspaceId,
};
use serde::{de::DeserializeOwned, Serialize};
use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{AgentRecord, Result, StoreError, Workspace};
use porch_domain::ConversationState;

pub const WORKSPACE_COLUMNS: &str =
    "id, name, widget_key, plan, lead_options, settings, identity_secret";

pub const CONVERSATION_COLUMNS: &str = "id, contact_id, kind, status, cycle, outcome, \
     closing_source, closed_by, closed_at, closing_category, closing_summary, closing_generated, \
     assignee, snoozed_until, auto_close_at, created_at, last_activity_at, last_message, \
     (SELECT blocked FROM contacts k WHERE k.id = conversations.contact_id) AS contact_blocked, \
     (SELECT name FROM contacts k WHERE k.id = conversations.contact_id) AS contact_name, \
     (SELECT email FROM contacts k WHERE k.id = conversations.contact_id) AS contact_email";

pub const MESSAGE_COLUMNS: &str =
    "id, conversation_id, author_kind, author_id, author_name, body, client_id, created_at";

/// The text a unit enum serializes to (`ConversationStatus::Open` → `open`).
pub fn enum_text<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        other => unreachable!("not a unit enum: {other:?}"),
    }
}

pub fn parse_enum<T: DeserializeOwned>(text: String) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(text.clone()))
        .map_err(|_| StoreError::Corrupt(format!("unknown value {text:?}")))
}

pub fn json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub fn parse_json<T: DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

pub fn seq(value: i64) -> u64 {
    u64::try_from(value).unwrap_or_default()
}

fn opt_enum<T: DeserializeOwned>(row: &AnyRow, column: &str) -> Result<Option<T>> {
    row.try_get::<Option<String>, _>(column)?.map(parse_enum).transpose()
}

pub fn workspace(row: &AnyRow) -> Result<Workspace> {
    let plan: String = row.try_get("plan")?;
    Ok(Workspace {
        id: WorkspaceId(row.try_get("id")?),
        name: row.try_get("name")?,
        widget_key: row.try_get("widget_key")?,
        plan: porch_protocol::Plan::parse(&plan)
            .ok_or_else(|| StoreError::Corrupt(format!("plan {plan:?}")))?,
        lead_options: parse_json(&row.try_get::<String, _>("lead_options")?)?,
        settings: parse_json(&row.try_get::<String, _>("settings")?)?,
        identity_secret: row.try_get("identity_secret")?,
    })
}

pub fn agent(row: &AnyRow) -> Result<AgentRecord> {
    Ok(AgentRecord {
        workspace_id: WorkspaceId(row.try_get("workspace_id")?),
        agent: Agent {
            id: AgentId(row.try_get("id")?),
            name: row.try_get("name")?,
            email: row.try_get("email")?,
            role: parse_enum(row.try_get("role")?)?,
        },
        token: None,
    })
}

pub fn conversation(row: &AnyRow) -> Result<Conversation> {
    Ok(Conversation {
        id: ConversationId(row.try_get("id")?),
        contact_id: ContactId(row.try_get("contact_id")?),
        kind: parse_enum(row.try_get("kind")?)?,
        status: parse_enum(row.try_get("status")?)?,
        cycle: u32::try_from(row.try_get::<i64, _>("cycle")?).unwrap_or(u32::MAX),
        outcome: opt_enum(row, "outcome")?,
        closing_source: opt_enum(row, "closing_source")?,
        closed_by: row.try_get::<Option<String>, _>("closed_by")?.map(AgentId),
        closed_at: row.try_get("closed_at")?,
        closing_note: closing_note(row)?,
        assignee: row.try_get::<Option<String>, _>("assignee")?.map(AgentId),
        snoozed_until: row.try_get("snoozed_until")?,
        contact_blocked: row.try_get::<Option<i64>, _>("contact_blocked")?.unwrap_or(0) != 0,
        auto_close_at: row.try_get("auto_close_at")?,
        created_at: row.try_get("created_at")?,
        last_activity_at: row.try_get("last_activity_at")?,
        last_message: row.try_get("last_message")?,
        contact_name: row.try_get("contact_name")?,
        contact_email: row.try_get("contact_email")?,
    })
}

fn closing_note(row: &AnyRow) -> Result<Option<ClosingNote>> {
    let category: Option<String> = row.try_get("closing_category")?;
    let summary: Option<String> = row.try_get("closing_summary")?;
    let generated = row.try_get::<i64, _>("closing_generated")? != 0;
    Ok((category.is_some() || summary.is_some()).then_some(ClosingNote {
        category,
        summary,
        generated,
    }))
}

/// What the rules need of a conversation: `conversations c JOIN contacts k`.
pub const STATE_COLUMNS: &str = "c.id, c.contact_id, c.kind, c.status, c.cycle, c.outcome, \
     c.assignee, c.snoozed_until, c.auto_close_at, c.last_activity_at, c.last_human_reply_at, \
     k.blocked";

pub fn state(r: &AnyRow) -> Result<ConversationState> {
    Ok(ConversationState {
        id: ConversationId(r.try_get("id")?),
        contact_id: ContactId(r.try_get("contact_id")?),
        kind: parse_enum(r.try_get("kind")?)?,
        status: parse_enum(r.try_get("status")?)?,
        cycle: u32::try_from(r.try_get::<i64, _>("cycle")?).unwrap_or(u32::MAX),
        outcome: opt_enum(r, "outcome")?,
        assignee: r.try_get::<Option<String>, _>("assignee")?.map(AgentId),
        snoozed_until: r.try_get("snoozed_until")?,
        contact_blocked: r.try_get::<i64, _>("blocked")? != 0,
        auto_close_at: r.try_get("auto_close_at")?,
        last_message_at: r.try_get("last_activity_at")?,
        last_human_reply_at: r.try_get("last_human_reply_at")?,
    })
}

pub fn message(row: &AnyRow) -> Result<Message> {
    Ok(Message {
        id: MessageId(row.try_get("id")?),
        conversation_id: ConversationId(row.try_get("conversation_id")?),
        author_kind: parse_enum(row.try_get("author_kind")?)?,
        author_id: row.try_get("author_id")?,
        author_name: row.try_get("author_name")?,
        body: row.try_get("body")?,
        client_id: row.try_get("client_id")?,
        created_at: row.try_get("created_at")?,
    })
}

pub fn event_frame(row: &AnyRow) -> Result<EventFrame> {
    Ok(EventFrame {
        seq: seq(row.try_get("seq")?),
        at: row.try_get("at")?,
        actor: parse_json(&row.try_get::<String, _>("actor")?)?,
        contact_id: row.try_get::<Option<String>, _>("contact_id")?.map(ContactId),
        event: parse_json(&row.try_get::<String, _>("payload")?)?,
    })
}

//! Reading conversations, their messages and the log (every write goes through `record`).

use porch_domain::ConversationState;
use porch_protocol::{ContactId, Conversation, ConversationId, EventFrame, Message, WorkspaceId};
use sqlx::{AnyPool, Row};

use super::rows::{self, enum_text, CONVERSATION_COLUMNS, MESSAGE_COLUMNS, STATE_COLUMNS};
use crate::{ConversationFilter, Result, StoreError, Timer, TimerKind, MAX_CONVERSATIONS};

/// Messages are read only through a conversation of the caller's workspace (`$1`, with the
/// conversation's id as `$2`): an id from another workspace finds nothing.
const IN_WORKSPACE: &str =
    "EXISTS (SELECT 1 FROM conversations c WHERE c.id = $2 AND c.workspace_id = $1)";

pub async fn conversation(
    pool: &AnyPool,
    workspace: &WorkspaceId,
    id: &ConversationId,
) -> Result<Option<Conversation>> {
    sqlx::query(&format!(
        "SELECT {CONVERSATION_COLUMNS} FROM conversations WHERE workspace_id = $1 AND id = $2"
    ))
    .bind(workspace.as_str())
    .bind(id.as_str())
    .fetch_optional(pool)
    .await?
    .map(|r| rows::conversation(&r))
    .transpose()
}

pub async fn conversations(
    pool: &AnyPool,
    workspace: &WorkspaceId,
    filter: &ConversationFilter,
) -> Result<Vec<Conversation>> {
    // Absent filters bind NULL and match everything, so one statement serves every filter.
    // The text is a LIKE pattern over lower-cased columns (SQLite lower-cases ASCII only).
    let pattern = filter.text.as_deref().map(|text| format!("%{}%", like_escaped(text)));
    let (after_at, after_id) = filter.after.clone().unzip();
    sqlx::query(&format!(
        "SELECT {CONVERSATION_COLUMNS} FROM conversations
         WHERE workspace_id = $1
           AND ($2 IS NULL OR status = $2)
           AND ($3 IS NULL OR contact_id = $3)
           AND ($4 IS NULL
                OR EXISTS (SELECT 1 FROM contacts k WHERE k.id = conversations.contact_id
                           AND (LOWER(k.name) LIKE $4 ESCAPE '\\'
                                OR LOWER(k.email) LIKE $4 ESCAPE '\\'))
                OR EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = conversations.id
                           AND LOWER(m.body) LIKE $4 ESCAPE '\\'))
           AND ($5 IS NULL OR last_activity_at < $5 OR (last_activity_at = $5 AND id > $6))
         ORDER BY last_activity_at DESC, id
         LIMIT $7"
    ))
    .bind(workspace.as_str())
    .bind(filter.status.map(|s| enum_text(&s)))
    .bind(filter.contact.as_ref().map(|c| c.0.clone()))
    .bind(pattern)
    .bind(after_at)
    .bind(after_id.map(|id| id.0))
    .bind(i64::from(filter.limit.unwrap_or(MAX_CONVERSATIONS).min(MAX_CONVERSATIONS)))
    .fetch_all(pool)
    .await?
    .iter()
    .map(rows::conversation)
    .collect()
}

/// `text` lower-cased, with LIKE's wildcards (and the escape character) taken literally.
fn like_escaped(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 4);
    for c in text.to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

pub async fn messages(
    pool: &AnyPool,
    workspace: &WorkspaceId,
    conversation: &ConversationId,
) -> Result<Vec<Message>> {
    sqlx::query(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages WHERE conversation_id = $2 AND {IN_WORKSPACE}
         ORDER BY seq"
    ))
    .bind(workspace.as_str())
    .bind(conversation.as_str())
    .fetch_all(pool)
    .await?
    .iter()
    .map(rows::message)
    .collect()
}

pub async fn message_by_client_id(
    pool: &AnyPool,
    workspace: &WorkspaceId,
    author_id: &str,
    client_id: &str,
) -> Result<Option<Message>> {
    sqlx::query(&format!(
        "SELECT {MESSAGE_COLUMNS} FROM messages m
         WHERE m.author_id = $2 AND m.client_id = $3 AND EXISTS
             (SELECT 1 FROM conversations c
              WHERE c.id = m.conversation_id AND c.workspace_id = $1)"
    ))
    .bind(workspace.as_str())
    .bind(author_id)
    .bind(client_id)
    .fetch_optional(pool)
    .await?
    .map(|r| rows::message(&r))
    .transpose()
}

/// Whether a sender already stored a message under `client_id` (in any conversation: the
/// unique index is on the pair).
pub async fn client_id_taken(
    conn: &mut sqlx::AnyConnection,
    author_id: &str,
    client_id: &str,
) -> Result<bool> {
    let found: Option<i32> =
        sqlx::query_scalar("SELECT 1 FROM messages WHERE author_id = $1 AND client_id = $2")
            .bind(author_id)
            .bind(client_id)
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}

pub async fn conversation_events(
    pool: &AnyPool,
    workspace: &WorkspaceId,
    conversation: &ConversationId,
) -> Result<Vec<EventFrame>> {
    sqlx::query(
        "SELECT seq, at, actor, contact_id, payload FROM events
         WHERE conversation_id = $2 AND workspace_id = $1 ORDER BY seq",
    )
    .bind(workspace.as_str())
    .bind(conversation.as_str())
    .fetch_all(pool)
    .await?
    .iter()
    .map(rows::event_frame)
    .collect()
}

pub async fn open_conversation_states(
    pool: &AnyPool,
    workspace: &WorkspaceId,
) -> Result<Vec<ConversationState>> {
    sqlx::query(&format!(
        "SELECT {STATE_COLUMNS} FROM conversations c JOIN contacts k ON k.id = c.contact_id
         WHERE c.workspace_id = $1 AND c.status = 'open' ORDER BY c.id"
    ))
    .bind(workspace.as_str())
    .fetch_all(pool)
    .await?
    .iter()
    .map(rows::state)
    .collect()
}

/// Pending deadlines: all of them, or those due at or before a time (at most a number).
pub async fn timers(
    pool: &AnyPool,
    due: Option<(porch_protocol::Millis, u32)>,
) -> Result<Vec<Timer>> {
    let rows = match due {
        None => {
            sqlx::query(
                "SELECT workspace_id, id, auto_close_at, snoozed_until FROM conversations
                 WHERE status = 'open' AND (auto_close_at IS NOT NULL OR snoozed_until IS NOT NULL)",
            )
            .fetch_all(pool)
            .await?
        }
        Some((before, limit)) => {
            sqlx::query(
                "SELECT workspace_id, id, auto_close_at, snoozed_until FROM conversations
                 WHERE status = 'open' AND (auto_close_at <= $1 OR snoozed_until <= $1)
                 LIMIT $2",
            )
            .bind(before)
            .bind(i64::from(limit))
            .fetch_all(pool)
            .await?
        }
    };
    let mut timers = Vec::with_capacity(rows.len());
    for row in rows {
        let workspace = WorkspaceId(row.try_get("workspace_id")?);
        let conversation = ConversationId(row.try_get("id")?);
        if let Some(at) = row.try_get::<Option<i64>, _>("auto_close_at")? {
            let (workspace, conversation) = (workspace.clone(), conversation.clone());
            timers.push(Timer { workspace, conversation, kind: TimerKind::AutoClose, at });
        }
        if let Some(at) = row.try_get::<Option<i64>, _>("snoozed_until")? {
            timers.push(Timer { workspace, conversation, kind: TimerKind::SnoozeEnd, at });
        }
    }
    Ok(timers)
}

pub async fn last_seq(pool: &AnyPool, workspace: &WorkspaceId) -> Result<u64> {
    let seq: Option<i64> = sqlx::query_scalar("SELECT last_seq FROM workspaces WHERE id = $1")
        .bind(workspace.as_str())
        .fetch_optional(pool)
        .await?;
    seq.map(rows::seq).ok_or(StoreError::NotFound)
}

pub async fn events_after(
    pool: &AnyPool,
    workspace: &WorkspaceId,
    after: u64,
    contact: Option<&ContactId>,
    limit: u32,
) -> Result<Vec<EventFrame>> {
    let after = i64::try_from(after).unwrap_or(i64::MAX);
    let query = match contact {
        Some(contact) => sqlx::query(
            "SELECT seq, at, actor, contact_id, payload FROM events
             WHERE workspace_id = $1 AND seq > $2 AND (contact_id = $3 OR contact_id IS NULL)
             ORDER BY seq LIMIT $4",
        )
        .bind(workspace.as_str())
        .bind(after)
        .bind(contact.as_str()),
        None => sqlx::query(
            "SELECT seq, at, actor, contact_id, payload FROM events
             WHERE workspace_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(workspace.as_str())
        .bind(after),
    };
    query.bind(i64::from(limit)).fetch_all(pool).await?.iter().map(rows::event_frame).collect()
}

//! What sellers do with conversations: list, read, reply, close, reopen, change the outcome,
//! assign, snooze, block, hand to the bot, summarize. Each action answers the conversation as it
//! is afterwards; every change is an event.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Router;
use porch_domain::{ConversationState, DomainError, NewMessage};
use porch_protocol::{
    self as wire, api, AgentId, AuthorKind, ConversationId, ConversationStatus, Event,
};
use porch_store::{with_timer, Command, Context, ConversationFilter, Decision, MAX_CONVERSATIONS};
use serde::Deserialize;

use super::Endpoints;
use crate::auth::AgentSession;
use crate::error::{Json, Query};
use crate::service::{new_message_id, on_target};
use crate::summarizer::MAX_MESSAGES;
use crate::{ApiError, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .endpoint(api::agent::CONVERSATIONS, list)
        .endpoint(api::agent::CONVERSATION, read)
        .endpoint(api::agent::REPLY, reply)
        .endpoint(api::agent::NOTE, note)
        .endpoint(api::agent::CLOSE, close)
        .endpoint(api::agent::CLOSE_MANY, close_many)
        .endpoint(api::agent::REOPEN, reopen)
        .endpoint(api::agent::CHANGE_OUTCOME, change_outcome)
        .endpoint(api::agent::ASSIGN, assign)
        .endpoint(api::agent::SNOOZE, snooze)
        .endpoint(api::agent::UNSNOOZE, unsnooze)
        .endpoint(api::agent::BLOCK, block)
        .endpoint(api::agent::UNBLOCK, unblock)
        .endpoint(api::agent::HAND_TO_BOT, hand_to_bot)
        .endpoint(api::agent::SUMMARIZE, summarize)
}

type Answer = Result<Json<wire::Conversation>, ApiError>;

/// A POST route for an action that needs nothing but the conversation.
async fn reopen(state: State<AppState>, session: AgentSession, id: Path<String>) -> Answer {
    act(state, session, id, porch_domain::reopen).await
}

async fn hand_to_bot(state: State<AppState>, session: AgentSession, id: Path<String>) -> Answer {
    act(state, session, id, porch_domain::hand_to_bot).await
}

/// An action that takes no body and needs nothing but the conversation's state.
async fn act(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Path(id): Path<String>,
    decide: fn(&ConversationState) -> Result<Vec<Event>, DomainError>,
) -> Answer {
    let decide = move |_: &Context<'_>, s: &ConversationState| decide(s);
    Ok(Json(state.act(&session, &ConversationId(id), decide).await?))
}

/// Longest search text.
const MAX_SEARCH_CHARS: usize = 200;

#[derive(Deserialize)]
struct ListParams {
    status: Option<ConversationStatus>,
    /// Text to find in messages and in the contact's name or e-mail.
    q: Option<String>,
    /// The previous page's last row: `<last_activity_at>:<id>`.
    cursor: Option<String>,
    limit: Option<u32>,
}

impl ListParams {
    fn filter(self) -> Result<ConversationFilter, ApiError> {
        let invalid = |message: &str| ApiError::bad_request("invalid_query", message);
        let text = self.q.map(|q| q.trim().to_owned()).filter(|q| !q.is_empty());
        if text.as_ref().is_some_and(|q| q.chars().count() > MAX_SEARCH_CHARS) {
            return Err(invalid("search for at most 200 characters"));
        }
        let after = match self.cursor {
            None => None,
            Some(cursor) => {
                let (at, id) = cursor
                    .split_once(':')
                    .and_then(|(at, id)| Some((at.parse().ok()?, id)))
                    .filter(|(_, id)| !id.is_empty() && id.len() <= 64)
                    .ok_or_else(|| invalid("cursor is <last_activity_at>:<id> of a listed row"))?;
                Some((at, ConversationId(id.to_owned())))
            }
        };
        if self.limit.is_some_and(|l| !(1..=MAX_CONVERSATIONS).contains(&l)) {
            return Err(invalid("limit is 1 to 500"));
        }
        Ok(ConversationFilter {
            status: self.status,
            text,
            after,
            limit: self.limit,
            contact: None,
        })
    }
}

/// Newest activity first, at most 500 a page; `q` searches, `cursor` pages on.
async fn list(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Query(params): Query<ListParams>,
) -> Result<Json<Vec<wire::Conversation>>, ApiError> {
    let filter = params.filter()?;
    Ok(Json(state.store.conversations(&session.workspace_id, &filter).await?))
}

async fn read(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Path(id): Path<String>,
) -> Result<Json<wire::ConversationDetail>, ApiError> {
    let conversation = state.conversation(&session.workspace_id, &ConversationId(id)).await?;
    let messages = state.store.messages(&session.workspace_id, &conversation.id).await?;
    let events = state.store.conversation_events(&session.workspace_id, &conversation.id).await?;
    Ok(Json(wire::ConversationDetail { conversation, messages, events }))
}

async fn reply(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Path(id): Path<String>,
    Json(req): Json<wire::PostMessage>,
) -> Result<(StatusCode, Json<wire::Message>), ApiError> {
    let message = NewMessage {
        id: new_message_id(),
        author_kind: AuthorKind::Agent,
        author_id: Some(session.agent.id.0.clone()),
        author_name: Some(session.agent.name.clone()),
        body: req.body,
        client_id: req.client_id,
    };
    let actor = session.actor();
    let stored = state
        .post_message(&session.workspace_id, &ConversationId(id), actor, message, Vec::new())
        .await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

/// A private note: in the conversation's timeline for the team, nowhere for the lead.
async fn note(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Path(id): Path<String>,
    Json(req): Json<wire::PostNote>,
) -> Result<(StatusCode, Json<wire::Note>), ApiError> {
    let author = (session.agent.id.clone(), session.agent.name.clone());
    let id = ConversationId(id);
    let note_id = new_message_id();
    let decide =
        on_target(move |c, s| porch_domain::post_note(s, note_id, author, &req.body, c.now));
    let frames = state.record(&session.workspace_id, Some(&id), session.actor(), decide).await?;
    let note = frames.into_iter().find_map(|f| match f.event {
        Event::NotePosted { note } => Some(note),
        _ => None,
    });
    Ok((StatusCode::CREATED, Json(note.ok_or(ApiError::NotFound("conversation"))?)))
}

async fn close(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Path(id): Path<String>,
    Json(req): Json<wire::CloseConversation>,
) -> Answer {
    let decide = closing(session.agent.id.clone(), req.outcome, req.note);
    Ok(Json(state.act(&session, &ConversationId(id), decide).await?))
}

/// An agent's close, under the workspace's closing-note rules as the batch sees them.
fn closing(
    by: AgentId,
    outcome: Option<wire::Outcome>,
    note: Option<wire::ClosingNote>,
) -> impl FnOnce(&Context<'_>, &ConversationState) -> Result<Vec<Event>, DomainError> + Send + 'static
{
    move |c, s| porch_domain::close(s, &by, outcome, note, &c.workspace.settings.closing_notes)
}

/// Closes the conversations named, each decided as a single close would be, all in one
/// transaction; answers which closed and why the others did not.
async fn close_many(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Json(req): Json<wire::BulkClose>,
) -> Result<Json<wire::BulkClosed>, ApiError> {
    let mut ids = req.ids;
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(id.clone()));
    if ids.is_empty() || ids.len() > wire::MAX_BULK_CLOSE {
        let message = format!("name 1 to {} conversations", wire::MAX_BULK_CLOSE);
        return Err(ApiError::unprocessable("invalid_ids", message));
    }
    if req.outcome.is_none() {
        return Err(DomainError::OutcomeRequired.into());
    }
    let commands = ids.iter().map(|id| {
        let decide = on_target(closing(session.agent.id.clone(), req.outcome, req.note.clone()));
        let workspace = session.workspace_id.clone();
        Command::new(workspace, Some(id.clone()), session.actor(), with_timer(decide))
    });
    let answers = state.submit(commands.collect()).await?;
    let mut done = wire::BulkClosed::default();
    for (id, answer) in ids.into_iter().zip(answers) {
        match answer {
            Ok(_) => done.closed.push(id),
            Err(e) => done.refused.push(wire::Refusal { id, error: ApiError::from(e).to_wire() }),
        }
    }
    Ok(Json(done))
}

async fn change_outcome(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Path(id): Path<String>,
    Json(req): Json<wire::ChangeOutcome>,
) -> Answer {
    let decide =
        move |_: &Context<'_>, s: &ConversationState| porch_domain::change_outcome(s, req.outcome);
    Ok(Json(state.act(&session, &ConversationId(id), decide).await?))
}

async fn assign(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Path(id): Path<String>,
    Json(req): Json<wire::Assign>,
) -> Answer {
    if let Some(agent) = &req.agent_id {
        // Only an active member of this workspace takes conversations.
        let team = state.store.members(&session.workspace_id, state.clock.now()).await?;
        if !team.iter().any(|m| &m.agent.id == agent && m.active) {
            return Err(ApiError::NotFound("agent"));
        }
    }
    let decide =
        move |_: &Context<'_>, s: &ConversationState| Ok(porch_domain::assign(s, req.agent_id));
    Ok(Json(state.act(&session, &ConversationId(id), decide).await?))
}

async fn snooze(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Path(id): Path<String>,
    Json(req): Json<wire::Snooze>,
) -> Answer {
    let decide =
        move |c: &Context<'_>, s: &ConversationState| porch_domain::snooze(s, req.until, c.now);
    Ok(Json(state.act(&session, &ConversationId(id), decide).await?))
}

async fn unsnooze(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Path(id): Path<String>,
) -> Answer {
    let decide = move |c: &Context<'_>, s: &ConversationState| porch_domain::unsnooze(s, c.now);
    Ok(Json(state.act(&session, &ConversationId(id), decide).await?))
}

async fn block(state: State<AppState>, session: AgentSession, id: Path<String>) -> Answer {
    set_blocked(state, session, id, true).await
}

async fn unblock(state: State<AppState>, session: AgentSession, id: Path<String>) -> Answer {
    set_blocked(state, session, id, false).await
}

/// Blocks or unblocks the conversation's contact. Blocking is the contact's, so every open
/// conversation of theirs has its auto-close deadline paused (or resumed) with it, each move
/// recorded; the conversation acted on gets its move with the block event itself.
async fn set_blocked(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Path(id): Path<String>,
    blocked: bool,
) -> Answer {
    let id = ConversationId(id);
    let answer =
        state.act(&session, &id, move |_, s| Ok(porch_domain::set_blocked(s, blocked))).await?;
    let workspace = &session.workspace_id;
    let filter = ConversationFilter {
        status: Some(ConversationStatus::Open),
        contact: Some(answer.contact_id.clone()),
        ..Default::default()
    };
    let contact = answer.contact_id.clone();
    let others = state.store.conversations(workspace, &filter).await?;
    let items: Vec<_> = others
        .into_iter()
        .filter(|c| c.id != id)
        .map(|c| {
            let contact = contact.clone();
            let decide: Decision = Box::new(move |c, s| {
                let change = match blocked {
                    true => Event::ContactBlocked { contact_id: contact },
                    false => Event::ContactUnblocked { contact_id: contact },
                };
                let policy = &c.workspace.settings.auto_close;
                Ok(s.and_then(|s| porch_domain::follow(policy, Some(s), &[change], c.now))
                    .into_iter()
                    .collect())
            });
            (c.id, decide)
        })
        .collect();
    if !items.is_empty() {
        state.record_each(workspace, session.actor(), items).await?;
    }
    Ok(Json(answer))
}

/// Drafts a closing-note summary from the conversation's latest messages.
async fn summarize(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Path(id): Path<String>,
) -> Result<Json<wire::Summary>, ApiError> {
    let conversation = state.conversation(&session.workspace_id, &ConversationId(id)).await?;
    let messages = state.store.messages(&session.workspace_id, &conversation.id).await?;
    let recent = &messages[messages.len().saturating_sub(MAX_MESSAGES)..];
    let summary = state.summarizer.summarize(recent).await.ok_or_else(|| {
        ApiError::bad_request("nothing_to_summarize", "this conversation has no messages yet")
    })?;
    Ok(Json(wire::Summary { summary }))
}

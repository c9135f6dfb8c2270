//! What a lead does within a conversation besides writing: picks in a bot conversation,
//! ending it, and saying they are typing.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Router;
use porch_protocol::{self as wire, api, Actor, ConversationId, ServerFrame};
use porch_store::{with_timer, Decision};

use super::widget::own_conversation;
use super::Endpoints;
use crate::auth::Lead;
use crate::error::Json;
use crate::service::new_message_id;
use crate::signals::Signal;
use crate::{limits, ApiError, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .endpoint(api::widget::BOT_CHOICE, bot_choice)
        .endpoint(api::widget::END, end)
        .endpoint(api::widget::TYPING, typing)
}

/// The lead picks a quick answer or asks for a person in a bot conversation.
async fn bot_choice(
    State(state): State<AppState>,
    lead: Lead,
    Path(id): Path<String>,
    Json(choice): Json<wire::BotChoice>,
) -> Result<Json<wire::LeadConversation>, ApiError> {
    let conversation = own_conversation(&state, &lead, &ConversationId(id)).await?;
    let ids = (new_message_id(), new_message_id());
    let decide: Decision = Box::new(move |c, s| {
        let Some(s) = s else { return Ok(Vec::new()) };
        let bot = &c.workspace.settings.bot;
        match choice {
            wire::BotChoice::QuickAnswer { index } => {
                porch_domain::quick_answer(s, bot, index, ids, None, c.now)
            }
            wire::BotChoice::Person => porch_domain::hand_to_human(s),
        }
    });
    let actor = Actor::Contact(lead.0.id.clone());
    state.record(&lead.0.workspace_id, Some(&conversation.id), actor, decide).await?;
    Ok(Json(own_conversation(&state, &lead, &conversation.id).await?.for_lead()))
}

/// The lead ends their conversation, where the owner's widget settings allow it; the closing
/// is the seller's kind in every other way (deadline gone, closing options applied).
async fn end(
    State(state): State<AppState>,
    lead: Lead,
    Path(id): Path<String>,
) -> Result<Json<wire::LeadConversation>, ApiError> {
    let conversation = own_conversation(&state, &lead, &ConversationId(id)).await?;
    let decide: Decision = with_timer(Box::new(move |c, s| {
        let Some(s) = s else { return Ok(Vec::new()) };
        porch_domain::end_by_lead(s, &c.workspace.settings.widget)
    }));
    let actor = Actor::Contact(lead.0.id.clone());
    state.record(&lead.0.workspace_id, Some(&conversation.id), actor, decide).await?;
    Ok(Json(own_conversation(&state, &lead, &conversation.id).await?.for_lead()))
}

/// The lead is typing: the team's sockets show it for a few seconds. Nothing is kept, so the
/// limit is this process's alone (a database write per keystroke burst would cost more than
/// the signal is worth).
async fn typing(
    State(state): State<AppState>,
    lead: Lead,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.limits.take(&limits::TYPING, lead.0.id.as_str(), state.clock.now())?;
    let conversation = own_conversation(&state, &lead, &ConversationId(id)).await?;
    let frame = ServerFrame::Typing { conversation_id: conversation.id };
    state.signal(Signal::to_agents(&lead.0.workspace_id, &lead.0.id, &frame)).await;
    Ok(StatusCode::NO_CONTENT)
}

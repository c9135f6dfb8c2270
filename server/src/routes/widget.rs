//! The lead's endpoints, called by the widget with `Authorization: Bearer <visitor token>`.

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::{Path, State, WebSocketUpgrade};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use porch_domain::NewMessage;
use porch_protocol::{
    self as wire, api, Actor, AuthorKind, ContactId, ConversationId, ConversationKind,
};
use porch_store::{with_timer, Command, ConversationFilter, Decision, NewContact};

use super::Endpoints;
use crate::auth::{new_token, token_hash, Lead};
use crate::error::{Json, Query};
use crate::hub::Audience;
use crate::limits::{self, ClientIp};
use crate::service::{new_id, new_message_id};
use crate::visitors::Visitor;
use crate::{ApiError, AppState};

pub fn router() -> Router<AppState> {
    Router::new()
        .endpoint(api::widget::CHECK_KEY, check_key)
        .endpoint(api::widget::OPEN_SESSION, open_session)
        .endpoint(api::widget::END_SESSION, end_session)
        .endpoint(api::widget::START, start)
        .endpoint(api::widget::CONVERSATION, read)
        .endpoint(api::widget::WRITE, post_message)
        .endpoint(api::widget::SOCKET, socket)
}

/// The owner's widget settings for a live widget key (the launcher's colour, place and text),
/// 404 `not_found` otherwise: the loader asks before it shows its launcher, so a page with a
/// wrong key shows no chat. Any site may ask (keys are public: every customer page carries
/// one, and nothing here is private); the answer may be kept five minutes.
async fn check_key(State(state): State<AppState>, Path(key): Path<String>) -> Response {
    let found = match key.len() <= MAX_KEY_CHARS {
        true => state.store.workspace_by_key(&key).await,
        false => Ok(None),
    };
    let mut response = match found {
        Ok(Some(workspace)) => Json(look(&workspace)).into_response(),
        Ok(None) => ApiError::NotFound("widget key").into_response(),
        Err(e) => ApiError::from(e).into_response(),
    };
    let headers = response.headers_mut();
    headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=300"));
    response
}

/// Longer keys are not looked up.
const MAX_KEY_CHARS: usize = 100;

/// The owner's widget as leads see it: the team's name is the workspace's unless set.
fn look(workspace: &porch_store::Workspace) -> wire::WidgetSettings {
    let mut look = workspace.settings.widget.clone();
    if look.team_name.is_empty() {
        look.team_name.clone_from(&workspace.name);
    }
    look
}

/// Members shown on the widget's Home.
const TEAM_FACES: usize = 5;

/// The team as a lead sees it: the first names of up to [`TEAM_FACES`] active members, those
/// online first.
async fn team(
    state: &AppState,
    workspace: &wire::WorkspaceId,
) -> Result<Vec<wire::TeamFace>, ApiError> {
    let mut members = state.store.members(workspace, state.clock.now()).await?;
    members.retain(|m| m.active);
    members.sort_by_key(|m| !m.online);
    Ok(members
        .into_iter()
        .take(TEAM_FACES)
        .map(|m| wire::TeamFace {
            name: m.agent.name.split_whitespace().next().unwrap_or_default().to_owned(),
            online: m.online,
        })
        .collect())
}

/// Opens (or resumes) a lead's session for a workspace key: the visitor token to keep, the
/// options in effect, and the lead's conversations.
async fn open_session(
    State(state): State<AppState>,
    ClientIp(address): ClientIp,
    headers: axum::http::HeaderMap,
    Json(req): Json<wire::OpenSession>,
) -> Result<Json<wire::WidgetSession>, ApiError> {
    let workspace = state
        .store
        .workspace_by_key(&req.workspace_key)
        .await?
        .ok_or(ApiError::NotFound("workspace"))?;
    let now = state.clock.now();
    let host = req.host_origin.as_deref().and_then(super::install::origin_of);
    let allowed = &workspace.settings.install.allowed_origins;
    if !allowed.is_empty() && !host.as_ref().is_some_and(|h| allowed.contains(h)) {
        return Err(ApiError::BadRequest {
            status: StatusCode::FORBIDDEN,
            code: "origin_not_allowed",
            message: "this site may not embed this workspace's chat; its owner can allow it \
                      in Settings → Install"
                .into(),
        });
    }
    if let Some(host) = &host {
        state.store.widget_seen(&workspace.id, host, now).await?;
    }
    let known = match &req.visitor_token {
        Some(token) => Lead::from_token(&state, token).await.ok().map(|lead| lead.0),
        None => None,
    };
    // A token from another workspace is not reused: each workspace knows its own leads. An
    // expired one is not either: the browser starts afresh, anonymously.
    let (token, contact, email_known) = match (req.visitor_token, known) {
        (Some(token), Some(c)) if c.workspace_id == workspace.id => {
            state.store.touch_visitor_token(&token_hash(&token), now).await?;
            (token, c.id, c.email.is_some())
        }
        _ => {
            state.limit(&limits::SESSIONS_PER_ADDRESS, &address.to_string()).await?;
            let token = new_token()?;
            let contact = NewContact {
                id: ContactId(new_id()),
                workspace_id: workspace.id.clone(),
                token_hash: token_hash(&token),
                created_at: state.clock.now(),
            };
            state.store.create_contact(&contact).await?;
            (token, contact.id, false)
        }
    };
    // Where the lead is now, for the team's contact panel.
    let page = super::contacts::page_of(req.host_page.as_deref());
    let browser = headers.get(axum::http::header::USER_AGENT).and_then(|v| v.to_str().ok());
    let browser = super::contacts::bounded(browser, super::contacts::MAX_BROWSER_CHARS);
    if page.is_some() || browser.is_some() {
        state.store.contact_seen(&contact, page.as_deref(), browser.as_deref()).await?;
    }
    let options = porch_domain::effective_lead_options(workspace.plan, &workspace.lead_options);
    let last_seq = state.store.last_seq(&workspace.id).await?;
    let filter = ConversationFilter { contact: Some(contact.clone()), ..Default::default() };
    let mut conversations = state.store.conversations(&workspace.id, &filter).await?;
    if options.hide_closed {
        conversations.retain(|c| c.status == wire::ConversationStatus::Open);
    }
    let conversations = conversations.into_iter().map(wire::Conversation::for_lead).collect();
    let bot = workspace.settings.bot.enabled.then(|| wire::BotMenu {
        questions: workspace
            .settings
            .bot
            .quick_answers
            .iter()
            .map(|q| q.question.clone())
            .collect(),
    });
    Ok(Json(wire::WidgetSession {
        visitor_token: token,
        contact_id: contact,
        options,
        bot,
        conversations,
        last_seq,
        ask_email: workspace.settings.ask_email,
        email_known,
        away: away(&workspace.settings, now),
        look: look(&workspace),
        team: team(&state, &workspace.id).await?,
    }))
}

/// What the widget says outside office hours: when the team is back, in the workspace's time.
fn away(settings: &wire::WorkspaceSettings, now: wire::Millis) -> Option<wire::Away> {
    let calendar = porch_domain::Calendar::or_utc(&settings.time_zone.0);
    match porch_domain::availability(&settings.office_hours, &calendar, now) {
        porch_domain::Availability::In => None,
        porch_domain::Availability::Away(back_at) => Some(wire::Away {
            back_at,
            back: back_at.map(|at| calendar.format(at, "%A at %H:%M %Z")),
        }),
    }
}

/// `Porch.shutdown()`: this browser's visitor token stops working (the lead's other browsers
/// keep theirs).
async fn end_session(
    State(state): State<AppState>,
    headers: axum::http::HeaderMap,
    _lead: Lead,
) -> Result<StatusCode, ApiError> {
    let hash = token_hash(crate::auth::bearer(&headers).unwrap_or_default());
    state.store.delete_visitor_token(&hash).await?;
    state.visitors.forget(&hash);
    Ok(StatusCode::NO_CONTENT)
}

fn lead_message(lead: &ContactId, body: String, client_id: Option<String>) -> NewMessage {
    NewMessage {
        id: new_message_id(),
        author_kind: AuthorKind::Contact,
        author_id: Some(lead.0.clone()),
        author_name: None,
        body,
        client_id,
    }
}

async fn start(
    State(state): State<AppState>,
    lead: Lead,
    Json(req): Json<wire::StartConversation>,
) -> Result<(StatusCode, Json<wire::LeadConversation>), ApiError> {
    if let Some(body) = &req.body {
        porch_domain::validate_body(body)?;
    }
    crate::service::check_client_id(req.client_id.as_deref())?;
    let settings = state.workspace(&lead.0.workspace_id).await?.settings;
    if settings.ask_email == wire::AskEmail::Required && lead.0.email.is_none() {
        return Err(ApiError::unprocessable(
            "email_required",
            "give an e-mail first (POST /widget/email), so the team can reply if you leave",
        ));
    }
    // Started before with this first message (a re-send after a lost answer): that one.
    let sender = (Some(lead.0.id.0.clone()), req.client_id.clone().filter(|_| req.body.is_some()));
    if let Some(earlier) = started_before(&state, &lead, &sender).await? {
        return Ok((StatusCode::OK, Json(earlier)));
    }
    let take =
        state.limits.take(&limits::STARTS_PER_LEAD, lead.0.id.as_str(), state.clock.now())?;
    let id = ConversationId(new_id());
    let first = req.body.map(|body| lead_message(&lead.0.id, body, req.client_id));
    let (cid, contact) = (id.clone(), lead.0.id.clone());
    let blocked = lead.0.blocked;
    // The conversation starts knowing who the lead is, for the team's open inboxes.
    let (name, email) = (lead.0.name.clone(), lead.0.email.clone());
    let greeting_id = new_message_id();
    let decide: Decision = Box::new(move |c, _| {
        // With the bot on, it takes the conversation first and greets; a first message is
        // free text, which reaches the team directly.
        let bot = &c.workspace.settings.bot;
        let (kind, greeting) = match bot.enabled && first.is_none() {
            true => {
                (ConversationKind::Bot, Some(porch_domain::bot_says(greeting_id, &bot.greeting)))
            }
            false => (ConversationKind::Live, None),
        };
        let mut events = porch_domain::start(cid.clone(), contact, blocked, kind, first, c.now)?;
        for event in &mut events {
            if let wire::Event::ConversationStarted { conversation } = event {
                conversation.contact_name = name.clone();
                conversation.contact_email = email.clone();
            }
        }
        if let Some(greeting) = greeting {
            events.push(porch_domain::greet(&cid, greeting, c.now)?);
        }
        Ok(events)
    });
    let actor = Actor::Contact(lead.0.id.clone());
    let mut command = Command::new(lead.0.workspace_id.clone(), None, actor, with_timer(decide));
    if let (Some(author), Some(client_id)) = &sender {
        command.retry_of = Some((author.clone(), client_id.clone()));
    }
    command.takes.extend(take);
    let recorded = state.record_command(command).await;
    match recorded {
        Ok(_) => {}
        // The same start, sent twice at once: the other copy was stored.
        Err(porch_store::StoreError::Conflict("client_id")) => {
            let earlier = started_before(&state, &lead, &sender).await?;
            return Ok((StatusCode::OK, Json(earlier.ok_or(ApiError::Conflict("client_id"))?)));
        }
        Err(e) => return Err(e.into()),
    }
    let conversation = state.conversation(&lead.0.workspace_id, &id).await?;
    Ok((StatusCode::CREATED, Json(conversation.for_lead())))
}

/// The conversation a lead's earlier message under the same `client_id` started.
async fn started_before(
    state: &AppState,
    lead: &Lead,
    sender: &(Option<String>, Option<String>),
) -> Result<Option<wire::LeadConversation>, ApiError> {
    let Some(message) = state.sent_before(&lead.0.workspace_id, sender).await? else {
        return Ok(None);
    };
    Ok(Some(own_conversation(state, lead, &message.conversation_id).await?.for_lead()))
}

/// The lead's own conversation: another lead's id, even in the same workspace, is not found.
pub(super) async fn own_conversation(
    state: &AppState,
    lead: &Lead,
    id: &ConversationId,
) -> Result<wire::Conversation, ApiError> {
    let conversation = state.conversation(&lead.0.workspace_id, id).await?;
    match conversation.contact_id == lead.0.id {
        true => Ok(conversation),
        false => Err(ApiError::NotFound("conversation")),
    }
}

async fn read(
    State(state): State<AppState>,
    lead: Lead,
    Path(id): Path<String>,
) -> Result<Json<wire::LeadConversationDetail>, ApiError> {
    let conversation = own_conversation(&state, &lead, &ConversationId(id)).await?.for_lead();
    let workspace = &lead.0.workspace_id;
    let messages = state.store.messages(workspace, &conversation.id).await?;
    let messages = messages.into_iter().map(wire::Message::for_lead).collect();
    let seen_until = state.store.seen_until(workspace, &conversation.id).await?;
    Ok(Json(wire::LeadConversationDetail { conversation, messages, seen_until }))
}

async fn post_message(
    State(state): State<AppState>,
    lead: Visitor,
    Path(id): Path<String>,
    Json(req): Json<wire::PostMessage>,
) -> Result<(StatusCode, Json<wire::Message>), ApiError> {
    // Another lead's conversation is not found, and a blocked lead is refused: the store
    // checks both when it decides.
    let conversation = ConversationId(id);
    let now = state.clock.now();
    let takes = [
        state.limits.take(&limits::MESSAGES_PER_LEAD, lead.id.as_str(), now)?,
        state.limits.take(&limits::MESSAGES_PER_CONVERSATION, conversation.as_str(), now)?,
    ];
    let message = lead_message(&lead.id, req.body, req.client_id);
    let actor = Actor::Contact(lead.id.clone());
    let workspace = &lead.workspace_id;
    let takes = takes.into_iter().flatten().collect();
    let stored = state.post_message(workspace, &conversation, actor, message, takes).await?;
    Ok((StatusCode::CREATED, Json(stored)))
}

/// The subprotocol a lead's socket speaks; its visitor token rides beside it as
/// `porch.token.<token>`, in the handshake's headers rather than the URL (which proxies and
/// access logs keep).
const SOCKET_PROTOCOL: &str = "porch";
const TOKEN_PROTOCOL: &str = "porch.token.";

async fn socket(
    State(state): State<AppState>,
    Query(resume): Query<super::Resume>,
    headers: axum::http::HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    let token = headers
        .get_all(axum::http::header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .find_map(|p| p.trim().strip_prefix(TOKEN_PROTOCOL))
        .ok_or(ApiError::Unauthorized)?;
    let lead = Lead::from_token(&state, token).await?;
    let workspace = lead.0.workspace_id.clone();
    let audience = Audience::Contact(lead.0.id);
    let ended = state.shutdown.child_token();
    Ok(crate::ws::limited(upgrade)?.protocols([SOCKET_PROTOCOL]).on_upgrade(move |socket| {
        crate::ws::serve(socket, state, workspace, audience, resume.after, ended)
    }))
}

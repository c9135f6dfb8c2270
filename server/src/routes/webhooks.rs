//! Settings → Webhooks, for owners: endpoints (URL and event types), their signing secret
//! (shown at creation and rotation; the old one signs a day longer), a test ping, and the
//! delivery log with "send again". Deliveries themselves: [`crate::webhooks`].

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Router;
use porch_protocol::{self as wire, api, Permission, SaveWebhook, WEBHOOK_EVENT_TYPES};
use porch_store::{AgentRecord, StoredWebhook};

use super::Endpoints;
use crate::auth::{require, AgentSession};
use crate::error::Json;
use crate::limits::Limit;
use crate::webhooks::{self, payload};
use crate::{ApiError, AppState};

/// Pings and "send again" a workspace makes: 20, then 1 every 6 s.
const TESTS_PER_WORKSPACE: Limit = Limit { what: "test deliveries", burst: 20, every: 6_000 };
/// How long the secret before a rotation keeps signing.
const ROTATION_OVERLAP: i64 = 24 * 60 * 60_000;
/// Attempts the delivery log shows.
const LOG: u32 = 100;

pub fn router() -> Router<AppState> {
    Router::new()
        .endpoint(api::agent::WEBHOOKS, list)
        .endpoint(api::agent::CREATE_WEBHOOK, create)
        .endpoint(api::agent::SAVE_WEBHOOK, save)
        .endpoint(api::agent::DELETE_WEBHOOK, remove)
        .endpoint(api::agent::ROTATE_WEBHOOK_SECRET, rotate)
        .endpoint(api::agent::PING_WEBHOOK, ping)
        .endpoint(api::agent::WEBHOOK_DELIVERIES, deliveries)
        .endpoint(api::agent::RESEND_DELIVERY, resend)
}

async fn list(
    State(state): State<AppState>,
    AgentSession(owner): AgentSession,
) -> Result<Json<Vec<wire::WebhookEndpoint>>, ApiError> {
    require(&owner, Permission::Settings)?;
    let hooks = state.store.webhooks(&owner.workspace_id).await?;
    Ok(Json(hooks.into_iter().map(|h| h.endpoint).collect()))
}

async fn create(
    State(state): State<AppState>,
    AgentSession(owner): AgentSession,
    Json(req): Json<SaveWebhook>,
) -> Result<(StatusCode, Json<wire::WebhookWithSecret>), ApiError> {
    require(&owner, Permission::Settings)?;
    let req = check(&state, req).await?;
    let secret = payload::new_secret()?;
    let hook = StoredWebhook {
        workspace_id: owner.workspace_id.clone(),
        endpoint: wire::WebhookEndpoint {
            id: format!("wh_{}", uuid::Uuid::new_v4().simple()),
            url: req.url,
            event_types: req.event_types,
            enabled: req.enabled,
            disabled_reason: None,
            created_at: state.clock.now(),
            failing_since: None,
            next_attempt_at: None,
            previous_secret_until: None,
        },
        secret: secret.clone(),
        previous_secret: None,
        after_seq: 0,
        attempts: 0,
    };
    if !state.store.create_webhook(&hook, wire::MAX_WEBHOOKS).await? {
        return Err(ApiError::BadRequest {
            status: StatusCode::CONFLICT,
            code: "too_many_webhooks",
            message: format!("a workspace has at most {} endpoints", wire::MAX_WEBHOOKS),
        });
    }
    let endpoint = found(&state, &owner, &hook.endpoint.id).await?.endpoint;
    Ok((StatusCode::CREATED, Json(wire::WebhookWithSecret { endpoint, secret })))
}

async fn save(
    State(state): State<AppState>,
    AgentSession(owner): AgentSession,
    Path(id): Path<String>,
    Json(req): Json<SaveWebhook>,
) -> Result<Json<wire::WebhookEndpoint>, ApiError> {
    require(&owner, Permission::Settings)?;
    let req = check(&state, req).await?;
    let now = state.clock.now();
    let saved = state.store.save_webhook(&owner.workspace_id, &id, &req, now).await?;
    let saved = saved.ok_or(ApiError::NotFound("webhook"))?;
    state.webhooks.wake();
    Ok(Json(saved.endpoint))
}

async fn remove(
    State(state): State<AppState>,
    AgentSession(owner): AgentSession,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    require(&owner, Permission::Settings)?;
    match state.store.delete_webhook(&owner.workspace_id, &id).await? {
        true => Ok(StatusCode::NO_CONTENT),
        false => Err(ApiError::NotFound("webhook")),
    }
}

async fn rotate(
    State(state): State<AppState>,
    AgentSession(owner): AgentSession,
    Path(id): Path<String>,
) -> Result<Json<wire::WebhookWithSecret>, ApiError> {
    require(&owner, Permission::Settings)?;
    let secret = payload::new_secret()?;
    let until = state.clock.now() + ROTATION_OVERLAP;
    if !state.store.rotate_webhook_secret(&owner.workspace_id, &id, &secret, until).await? {
        return Err(ApiError::NotFound("webhook"));
    }
    let endpoint = found(&state, &owner, &id).await?.endpoint;
    Ok(Json(wire::WebhookWithSecret { endpoint, secret }))
}

async fn ping(
    State(state): State<AppState>,
    AgentSession(owner): AgentSession,
    Path(id): Path<String>,
) -> Result<Json<wire::WebhookDelivery>, ApiError> {
    require(&owner, Permission::Settings)?;
    let hook = found(&state, &owner, &id).await?;
    state.limit(&TESTS_PER_WORKSPACE, owner.workspace_id.as_str()).await?;
    let message_id = format!("msg_ping_{}", uuid::Uuid::new_v4().simple());
    let message = payload::ping(&owner.workspace_id, &message_id, state.clock.now());
    Ok(Json(send_now(&state, &hook, &message, 1).await?))
}

async fn deliveries(
    State(state): State<AppState>,
    AgentSession(owner): AgentSession,
    Path(id): Path<String>,
) -> Result<Json<Vec<wire::WebhookDelivery>>, ApiError> {
    require(&owner, Permission::Settings)?;
    found(&state, &owner, &id).await?;
    Ok(Json(state.store.webhook_deliveries(&owner.workspace_id, &id, LOG).await?))
}

/// Sends a logged message again, now, once (its id unchanged, so a receiver that had it
/// de-duplicates it); the endpoint's own schedule is not changed.
async fn resend(
    State(state): State<AppState>,
    AgentSession(owner): AgentSession,
    Path((id, delivery)): Path<(String, String)>,
) -> Result<Json<wire::WebhookDelivery>, ApiError> {
    require(&owner, Permission::Settings)?;
    let hook = found(&state, &owner, &id).await?;
    let log = state.store.webhook_deliveries(&owner.workspace_id, &id, LOG).await?;
    let logged =
        log.into_iter().find(|d| d.id == delivery).ok_or(ApiError::NotFound("delivery"))?;
    state.limit(&TESTS_PER_WORKSPACE, owner.workspace_id.as_str()).await?;
    let workspace = &owner.workspace_id;
    let message = match logged.seq {
        None => payload::ping(workspace, &logged.message_id, state.clock.now()),
        Some(seq) => {
            let frames =
                state.store.events_after(workspace, seq.saturating_sub(1), None, 1).await?;
            let frame = frames.first().filter(|f| f.seq == seq);
            let frame = frame.ok_or(ApiError::NotFound("event"))?;
            payload::of_event(workspace, frame, &logged.event_type)
        }
    };
    Ok(Json(send_now(&state, &hook, &message, logged.attempt + 1).await?))
}

/// A ping or a "send again": one attempt now, logged, the endpoint's schedule unchanged.
async fn send_now(
    state: &AppState,
    hook: &StoredWebhook,
    message: &payload::Message,
    number: u32,
) -> Result<wire::WebhookDelivery, ApiError> {
    let (attempt, _) = webhooks::send(state, hook, message, number, false).await;
    state.store.record_webhook_delivery(&hook.endpoint.id, &attempt).await?;
    Ok(attempt)
}

async fn found(state: &AppState, owner: &AgentRecord, id: &str) -> Result<StoredWebhook, ApiError> {
    state.store.webhook(&owner.workspace_id, id).await?.ok_or(ApiError::NotFound("webhook"))
}

fn invalid(code: &'static str, message: impl Into<String>) -> ApiError {
    ApiError::unprocessable(code, message)
}

/// A usable endpoint: an absolute HTTPS URL (any scheme of HTTP when private targets are
/// allowed) without credentials, whose host is public, and known event types.
async fn check(state: &AppState, req: SaveWebhook) -> Result<SaveWebhook, ApiError> {
    let allow_private = state.webhooks.allow_private;
    let text = req.url.trim();
    if text.chars().count() > wire::MAX_WEBHOOK_URL_CHARS {
        let most = wire::MAX_WEBHOOK_URL_CHARS;
        return Err(invalid("invalid_url", format!("a URL has at most {most} characters")));
    }
    let url =
        url::Url::parse(text).map_err(|e| invalid("invalid_url", format!("not a URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        _ => return Err(invalid("invalid_url", "the URL must start with https://")),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(invalid("invalid_url", "put no credentials in the URL; check the signature"));
    }
    let target = state.webhooks.deliverer.check_target(&url, true).await;
    target.map_err(|(code, why)| invalid(code, why))?;
    let mut event_types = Vec::new();
    for kind in &req.event_types {
        if !WEBHOOK_EVENT_TYPES.contains(&kind.as_str()) {
            let known = WEBHOOK_EVENT_TYPES.join(", ");
            return Err(invalid(
                "unknown_event_type",
                format!("unknown event type {kind:?}; known: {known}"),
            ));
        }
        if !event_types.contains(kind) {
            event_types.push(kind.clone());
        }
    }
    if event_types.is_empty() {
        return Err(invalid("unknown_event_type", "choose at least one event type"));
    }
    Ok(SaveWebhook { url: url.to_string(), event_types, enabled: req.enabled })
}

//! What other systems use: workspace API tokens (Settings → API).

use serde::{Deserialize, Serialize};

use crate::{AgentId, Millis, TokenId};

/// What a token may do: `read` lists and reads (conversations, contacts, reports); `write`
/// also acts on conversations as a manager may. Neither manages the team, settings or tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum TokenScope {
    Read,
    Write,
}

impl TokenScope {
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Write => "write",
        }
    }
}

/// A token as the owner sees it: never its secret, which is shown once, at creation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiToken {
    pub id: TokenId,
    pub name: String,
    pub scope: TokenScope,
    /// The secret's first characters, to tell tokens apart.
    pub prefix: String,
    pub created_at: Millis,
    pub created_by: AgentId,
    /// When the token last authorised a request (to the minute).
    pub last_used_at: Option<Millis>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreateToken {
    pub name: String,
    pub scope: TokenScope,
}

/// A new token and its secret: `Authorization: Bearer <secret>`. Shown this once.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CreatedToken {
    pub token: ApiToken,
    pub secret: String,
}

/// Live tokens a workspace may hold.
pub const MAX_TOKENS: usize = 50;

/// The webhook event types, as receivers see them in `type`. `webhook.ping` is sent only by
/// "Send a test ping".
pub const WEBHOOK_EVENT_TYPES: [&str; 9] = [
    "conversation.started",
    "message.created",
    "conversation.closed",
    "conversation.reopened",
    "conversation.outcome_changed",
    "conversation.assigned",
    "contact.blocked",
    "contact.unblocked",
    "contact.identified",
];

/// Endpoints a workspace may have.
pub const MAX_WEBHOOKS: usize = 10;
/// Longest endpoint URL.
pub const MAX_WEBHOOK_URL_CHARS: usize = 2_000;

/// A webhook endpoint as the owner sees it: never its secret, which is shown at creation and
/// at each rotation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookEndpoint {
    pub id: String,
    pub url: String,
    /// From [`WEBHOOK_EVENT_TYPES`].
    pub event_types: Vec<String>,
    pub enabled: bool,
    /// Why Porch turned it off (it failed for a day), for the owner to see.
    pub disabled_reason: Option<String>,
    pub created_at: Millis,
    /// Since when the next event has been failing, if it is.
    pub failing_since: Option<Millis>,
    /// When the failing event is tried again.
    pub next_attempt_at: Option<Millis>,
    /// Until when the secret before the last rotation still signs too.
    pub previous_secret_until: Option<Millis>,
}

/// Create or change an endpoint. `enabled: true` on a disabled endpoint turns it back on and
/// tries its waiting event now.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SaveWebhook {
    pub url: String,
    pub event_types: Vec<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// An endpoint and its signing secret (`whsec_…`, Standard Webhooks): shown this once.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookWithSecret {
    pub endpoint: WebhookEndpoint,
    pub secret: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatus {
    Delivered,
    Failed,
}

/// One attempt to deliver one message to an endpoint.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WebhookDelivery {
    pub id: String,
    /// `webhook-id`: the same for every attempt of one event, so receivers de-duplicate.
    pub message_id: String,
    pub event_type: String,
    /// The event's sequence number in the workspace's log (none for a ping).
    pub seq: Option<u64>,
    /// 1 for the first attempt of this message.
    pub attempt: u32,
    pub at: Millis,
    pub status: DeliveryStatus,
    pub response_code: Option<u16>,
    pub latency_ms: u64,
    /// Why it failed, when it did without an answer (timeout, refused connection, …).
    pub error: Option<String>,
    /// When this message is tried again, if it failed and will be.
    pub next_attempt_at: Option<Millis>,
}

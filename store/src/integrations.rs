//! What other systems are given: API tokens, and webhook endpoints with their deliveries.

use porch_protocol::{ApiToken, Millis, TokenId, WebhookDelivery, WebhookEndpoint, WorkspaceId};

use crate::Result;

/// A token to store: its listing and the hash of its secret.
#[derive(Clone, Debug)]
pub struct NewToken {
    pub workspace_id: WorkspaceId,
    pub token: ApiToken,
    pub secret_hash: String,
}

/// An endpoint as the deliverer needs it: with its secrets and where it is in the log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredWebhook {
    pub workspace_id: WorkspaceId,
    pub endpoint: WebhookEndpoint,
    /// `whsec_…`
    pub secret: String,
    /// The secret before the last rotation, while it still signs.
    pub previous_secret: Option<String>,
    /// The last sequence number of the workspace's log dealt with.
    pub after_seq: u64,
    /// Failed attempts of the event waiting at the head.
    pub attempts: u32,
}

/// What a failed attempt leaves on its endpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookFailure {
    pub attempts: u32,
    pub failing_since: Millis,
    pub next_attempt_at: Millis,
    /// Set when the endpoint is turned off (it failed for too long): why.
    pub disable: Option<String>,
}

/// The stores' part for integrations; every [`Store`](crate::Store) has it.
#[async_trait::async_trait]
pub trait Integrations: Send + Sync {
    /// Stores a token unless the workspace holds `at_most` live ones already (then `Ok(false)`).
    async fn create_token(&self, new: &NewToken, at_most: usize) -> Result<bool>;
    /// The workspace's live tokens, oldest first.
    async fn tokens(&self, workspace: &WorkspaceId) -> Result<Vec<ApiToken>>;
    /// Revokes a live token of the workspace; `Ok(false)` when there is none by that id.
    async fn revoke_token(
        &self,
        workspace: &WorkspaceId,
        id: &TokenId,
        now: Millis,
    ) -> Result<bool>;
    /// The live token whose secret hashes to `secret_hash`, and its workspace; notes it used at
    /// `now` (to the minute: at most one write a minute per token).
    async fn token_by_secret(
        &self,
        secret_hash: &str,
        now: Millis,
    ) -> Result<Option<(WorkspaceId, ApiToken)>>;

    /// Stores an endpoint unless the workspace has `at_most` already (then `Ok(false)`). It
    /// starts after the workspace's last event: it is sent what happens from now on.
    async fn create_webhook(&self, new: &StoredWebhook, at_most: usize) -> Result<bool>;
    /// The workspace's endpoints, oldest first.
    async fn webhooks(&self, workspace: &WorkspaceId) -> Result<Vec<StoredWebhook>>;
    async fn webhook(&self, workspace: &WorkspaceId, id: &str) -> Result<Option<StoredWebhook>>;
    /// Changes an endpoint's URL, event types and whether it is on. Turning a disabled one on
    /// forgets its failures: its waiting event is tried at `now`.
    async fn save_webhook(
        &self,
        workspace: &WorkspaceId,
        id: &str,
        save: &porch_protocol::SaveWebhook,
        now: Millis,
    ) -> Result<Option<StoredWebhook>>;
    /// Deletes an endpoint and its delivery log; `Ok(false)` when there is none by that id.
    async fn delete_webhook(&self, workspace: &WorkspaceId, id: &str) -> Result<bool>;
    /// A new secret; the current one keeps signing until `previous_until`.
    async fn rotate_webhook_secret(
        &self,
        workspace: &WorkspaceId,
        id: &str,
        secret: &str,
        previous_until: Millis,
    ) -> Result<bool>;
    /// Endpoints with something to deliver at `now` (events after theirs, not waiting for a
    /// retry, on, leased by nobody), at most `limit`.
    async fn due_webhooks(&self, now: Millis, limit: u32) -> Result<Vec<String>>;
    /// Leases an endpoint to `owner` until `until`, unless another owner's lease holds.
    async fn lease_webhook(
        &self,
        id: &str,
        owner: &str,
        now: Millis,
        until: Millis,
    ) -> Result<Option<StoredWebhook>>;
    /// The events up to `after_seq` are dealt with (delivered, or not wanted); failures
    /// forgotten; `delivered` (the attempt that delivered the last one) logged in the same
    /// transaction. `Ok(false)` when `owner` no longer holds the lease (nothing changed).
    async fn webhook_advanced(
        &self,
        id: &str,
        owner: &str,
        after_seq: u64,
        delivered: Option<&WebhookDelivery>,
    ) -> Result<bool>;
    /// The head event failed again: `failure` kept, `attempt` logged, in one transaction.
    async fn webhook_failed(
        &self,
        id: &str,
        owner: &str,
        failure: &WebhookFailure,
        attempt: &WebhookDelivery,
    ) -> Result<bool>;
    /// Gives the lease up.
    async fn release_webhook(&self, id: &str, owner: &str) -> Result<()>;
    async fn record_webhook_delivery(
        &self,
        endpoint: &str,
        delivery: &WebhookDelivery,
    ) -> Result<()>;
    /// An endpoint's attempts, newest first, at most `limit`.
    async fn webhook_deliveries(
        &self,
        workspace: &WorkspaceId,
        endpoint: &str,
        limit: u32,
    ) -> Result<Vec<WebhookDelivery>>;
    /// Forgets attempts made before `before`, at most `at_most`.
    async fn purge_webhook_deliveries(&self, before: Millis, at_most: u32) -> Result<u64>;
}

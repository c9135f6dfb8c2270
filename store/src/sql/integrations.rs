//! [`Integrations`] for [`SqlStore`]: API tokens ([`tokens`]) and webhooks ([`webhooks`]).

use porch_protocol::{ApiToken, Millis, SaveWebhook, TokenId, WebhookDelivery, WorkspaceId};

use super::{tokens, webhooks, Backend, SqlStore};
use crate::{Integrations, NewToken, Result, StoredWebhook, WebhookFailure};

impl SqlStore {
    /// On SQLite, this process's turn to write a webhook attempt.
    async fn webhook_gate(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.backend {
            Backend::Sqlite => Some(self.webhook_writes.lock().await),
            Backend::Postgres => None,
        }
    }
}

#[async_trait::async_trait]
impl Integrations for SqlStore {
    async fn create_token(&self, new: &NewToken, at_most: usize) -> Result<bool> {
        tokens::create(&self.pool, new, at_most).await
    }

    async fn tokens(&self, workspace: &WorkspaceId) -> Result<Vec<ApiToken>> {
        tokens::list(&self.pool, workspace).await
    }

    async fn revoke_token(
        &self,
        workspace: &WorkspaceId,
        id: &TokenId,
        now: Millis,
    ) -> Result<bool> {
        tokens::revoke(&self.pool, workspace, id, now).await
    }

    async fn token_by_secret(
        &self,
        secret_hash: &str,
        now: Millis,
    ) -> Result<Option<(WorkspaceId, ApiToken)>> {
        tokens::by_secret(&self.pool, secret_hash, now).await
    }

    async fn create_webhook(&self, new: &StoredWebhook, at_most: usize) -> Result<bool> {
        webhooks::create(&self.pool, new, at_most).await
    }

    async fn webhooks(&self, workspace: &WorkspaceId) -> Result<Vec<StoredWebhook>> {
        webhooks::list(&self.pool, workspace).await
    }

    async fn webhook(&self, workspace: &WorkspaceId, id: &str) -> Result<Option<StoredWebhook>> {
        webhooks::one(&self.pool, workspace, id).await
    }

    async fn save_webhook(
        &self,
        workspace: &WorkspaceId,
        id: &str,
        save: &SaveWebhook,
        now: Millis,
    ) -> Result<Option<StoredWebhook>> {
        webhooks::save(&self.pool, workspace, id, save, now).await
    }

    async fn delete_webhook(&self, workspace: &WorkspaceId, id: &str) -> Result<bool> {
        webhooks::delete(&self.pool, workspace, id).await
    }

    async fn rotate_webhook_secret(
        &self,
        workspace: &WorkspaceId,
        id: &str,
        secret: &str,
        previous_until: Millis,
    ) -> Result<bool> {
        webhooks::rotate(&self.pool, workspace, id, secret, previous_until).await
    }

    async fn due_webhooks(&self, now: Millis, limit: u32) -> Result<Vec<String>> {
        webhooks::due(&self.pool, now, limit).await
    }

    async fn lease_webhook(
        &self,
        id: &str,
        owner: &str,
        now: Millis,
        until: Millis,
    ) -> Result<Option<StoredWebhook>> {
        webhooks::lease(&self.pool, id, owner, now, until).await
    }

    async fn webhook_advanced(
        &self,
        id: &str,
        owner: &str,
        after_seq: u64,
        delivered: Option<&WebhookDelivery>,
    ) -> Result<bool> {
        let _gate = self.webhook_gate().await;
        webhooks::advanced(&self.pool, id, owner, after_seq, delivered).await
    }

    async fn webhook_failed(
        &self,
        id: &str,
        owner: &str,
        failure: &WebhookFailure,
        attempt: &WebhookDelivery,
    ) -> Result<bool> {
        let _gate = self.webhook_gate().await;
        webhooks::failed(&self.pool, id, owner, failure, attempt).await
    }

    async fn release_webhook(&self, id: &str, owner: &str) -> Result<()> {
        webhooks::release(&self.pool, id, owner).await
    }

    async fn record_webhook_delivery(
        &self,
        endpoint: &str,
        delivery: &WebhookDelivery,
    ) -> Result<()> {
        webhooks::record(&self.pool, endpoint, delivery).await
    }

    async fn webhook_deliveries(
        &self,
        workspace: &WorkspaceId,
        endpoint: &str,
        limit: u32,
    ) -> Result<Vec<WebhookDelivery>> {
        webhooks::deliveries(&self.pool, workspace, endpoint, limit).await
    }

    async fn purge_webhook_deliveries(&self, before: Millis, at_most: u32) -> Result<u64> {
        webhooks::purge(&self.pool, before, at_most).await
    }
}

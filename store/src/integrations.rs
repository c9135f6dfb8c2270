//! What other systems are given: API tokens (and, with them, what a token's request is).

use porch_protocol::{ApiToken, Millis, TokenId, WorkspaceId};

use crate::Result;

/// A token to store: its listing and the hash of its secret.
#[derive(Clone, Debug)]
pub struct NewToken {
    pub workspace_id: WorkspaceId,
    pub token: ApiToken,
    pub secret_hash: String,
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
}

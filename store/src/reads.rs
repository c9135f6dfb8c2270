//! How far each member has read each conversation, and what they have not read yet.

use porch_protocol::{AgentId, ConversationId, Millis, UnreadCount, WorkspaceId};

use crate::Result;

#[async_trait::async_trait]
pub trait Reads {
    /// `agent` has read `conversation` up to `seq`: the mark moves forward only, and never past
    /// the workspace's last event. `false` when the conversation is not in `workspace`.
    async fn mark_read(
        &self,
        workspace: &WorkspaceId,
        agent: &AgentId,
        conversation: &ConversationId,
        seq: u64,
    ) -> Result<bool>;

    /// The lead's messages `agent` has not read, per open conversation of `workspace` with any.
    async fn unread(&self, workspace: &WorkspaceId, agent: &AgentId) -> Result<Vec<UnreadCount>>;

    /// Until when the team has seen `conversation` (of `workspace`): the time of its newest
    /// message at or before the furthest read mark of any member; `None` when none has read
    /// any of it. The lead's widget shows their messages until then as seen.
    async fn seen_until(
        &self,
        workspace: &WorkspaceId,
        conversation: &ConversationId,
    ) -> Result<Option<Millis>>;
}

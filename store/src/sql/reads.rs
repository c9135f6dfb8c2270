//! [`Reads`] for [`SqlStore`]: one row per member and conversation read.

use porch_protocol::{
    AgentId, AuthorKind, ConversationId, ConversationStatus, Millis, UnreadCount, WorkspaceId,
};
use sqlx::Row;

use super::rows::enum_text;
use super::SqlStore;
use crate::{Reads, Result};

#[async_trait::async_trait]
impl Reads for SqlStore {
    async fn mark_read(
        &self,
        workspace: &WorkspaceId,
        agent: &AgentId,
        conversation: &ConversationId,
        seq: u64,
    ) -> Result<bool> {
        // The conversation must be the workspace's; the mark is held to its last event.
        let done = sqlx::query(
            "INSERT INTO conversation_reads (agent_id, conversation_id, seq)
             SELECT $1, c.id, CASE WHEN w.last_seq < $4 THEN w.last_seq ELSE $4 END
             FROM conversations c JOIN workspaces w ON w.id = c.workspace_id
             WHERE c.id = $2 AND c.workspace_id = $3
             ON CONFLICT (agent_id, conversation_id) DO UPDATE
             SET seq = CASE WHEN excluded.seq > conversation_reads.seq
                            THEN excluded.seq ELSE conversation_reads.seq END",
        )
        .bind(agent.as_str())
        .bind(conversation.as_str())
        .bind(workspace.as_str())
        .bind(i64::try_from(seq).unwrap_or(i64::MAX))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() > 0)
    }

    async fn seen_until(
        &self,
        workspace: &WorkspaceId,
        conversation: &ConversationId,
    ) -> Result<Option<Millis>> {
        let row = sqlx::query(
            "SELECT MAX(m.created_at) AS until
             FROM messages m JOIN conversations c ON c.id = m.conversation_id
             WHERE m.conversation_id = $1 AND c.workspace_id = $2
               AND m.seq <= (SELECT MAX(r.seq) FROM conversation_reads r
                             WHERE r.conversation_id = $1)",
        )
        .bind(conversation.as_str())
        .bind(workspace.as_str())
        .fetch_one(&self.pool)
        .await?;
        Ok(row.try_get::<Option<i64>, _>("until")?)
    }

    async fn unread(&self, workspace: &WorkspaceId, agent: &AgentId) -> Result<Vec<UnreadCount>> {
        let rows = sqlx::query(
            "SELECT m.conversation_id, COUNT(*) AS unread
             FROM conversations c
             JOIN messages m ON m.conversation_id = c.id
             LEFT JOIN conversation_reads r ON r.conversation_id = c.id AND r.agent_id = $2
             WHERE c.workspace_id = $1 AND c.status = $3 AND m.author_kind = $4
               AND m.seq > COALESCE(r.seq, 0)
             GROUP BY m.conversation_id
             ORDER BY m.conversation_id",
        )
        .bind(workspace.as_str())
        .bind(agent.as_str())
        .bind(enum_text(&ConversationStatus::Open))
        .bind(enum_text(&AuthorKind::Contact))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                let count: i64 = row.try_get("unread")?;
                Ok(UnreadCount {
                    conversation_id: ConversationId(row.try_get("conversation_id")?),
                    count: u32::try_from(count).unwrap_or(u32::MAX),
                })
            })
            .collect()
    }
}

//! Agents (the team's members as sign-in sees them) and their sessions.

use porch_protocol::{Agent, Millis, WorkspaceId};
use sqlx::{AnyPool, Row};

use super::rows::{self, enum_text};
use super::unique_violation;
use crate::{AgentCredentials, AgentRecord, NewAgent, Result};

pub async fn create_agent(pool: &AnyPool, new: &NewAgent) -> Result<()> {
    sqlx::query(
        "INSERT INTO agents (id, workspace_id, name, email, password_hash, role, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(new.agent.id.as_str())
    .bind(new.workspace_id.as_str())
    .bind(&new.agent.name)
    .bind(new.agent.email.to_lowercase())
    .bind(&new.password_hash)
    .bind(enum_text(&new.agent.role))
    .bind(new.created_at)
    .execute(pool)
    .await
    .map_err(|e| unique_violation(e, "email"))?;
    Ok(())
}

pub async fn agent_credentials(pool: &AnyPool, email: &str) -> Result<Option<AgentCredentials>> {
    let row = sqlx::query(
        "SELECT id, workspace_id, name, email, role, password_hash FROM agents
         WHERE email = $1 AND active = 1",
    )
    .bind(email.trim().to_lowercase())
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok(AgentCredentials {
            record: rows::agent(&r)?,
            password_hash: r.try_get("password_hash")?,
        })
    })
    .transpose()
}

pub async fn create_session(
    pool: &AnyPool,
    token_hash: &str,
    agent: &AgentRecord,
    expires_at: Millis,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO agent_sessions (token_hash, agent_id, expires_at) VALUES ($1, $2, $3)",
    )
    .bind(token_hash)
    .bind(agent.id().as_str())
    .bind(expires_at)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn session_agent(
    pool: &AnyPool,
    token_hash: &str,
    now: Millis,
) -> Result<Option<AgentRecord>> {
    sqlx::query(
        "SELECT a.id, a.workspace_id, a.name, a.email, a.role
         FROM agent_sessions s JOIN agents a ON a.id = s.agent_id
         WHERE s.token_hash = $1 AND s.expires_at > $2 AND a.active = 1",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(pool)
    .await?
    .map(|r| rows::agent(&r))
    .transpose()
}

pub async fn delete_session(pool: &AnyPool, token_hash: &str) -> Result<()> {
    sqlx::query("DELETE FROM agent_sessions WHERE token_hash = $1")
        .bind(token_hash)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn agents(pool: &AnyPool, workspace: &WorkspaceId) -> Result<Vec<Agent>> {
    sqlx::query(
        "SELECT id, workspace_id, name, email, role FROM agents WHERE workspace_id = $1
         ORDER BY name, id",
    )
    .bind(workspace.as_str())
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| rows::agent(r).map(|a| a.agent))
    .collect()
}

pub async fn purge_expired_sessions(pool: &AnyPool, now: Millis) -> Result<u64> {
    let done = sqlx::query("DELETE FROM agent_sessions WHERE expires_at <= $1")
        .bind(now)
        .execute(pool)
        .await?;
    Ok(done.rows_affected())
}

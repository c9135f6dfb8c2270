//! People (an e-mail and a password), their memberships of workspaces (`agents` rows, one per
//! workspace) and their sessions, each in one membership.

use porch_protocol::{Agent, AgentId, Membership, Millis, WorkspaceId};
use sqlx::{AnyPool, Row};

use super::rows::{self, enum_text, parse_enum};
use super::unique_violation;
use crate::{AgentRecord, NewAgent, Person, Result};

/// Adds a member to a workspace; the person (their e-mail) is created with `new.password_hash`
/// unless they exist already, whose password stays.
pub async fn create_agent(pool: &AnyPool, new: &NewAgent) -> Result<()> {
    let email = new.agent.email.trim().to_lowercase();
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO people (email, password_hash, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (email) DO NOTHING",
    )
    .bind(&email)
    .bind(&new.password_hash)
    .bind(new.created_at)
    .execute(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO agents (id, workspace_id, name, email, role, created_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(new.agent.id.as_str())
    .bind(new.workspace_id.as_str())
    .bind(&new.agent.name)
    .bind(&email)
    .bind(enum_text(&new.agent.role))
    .bind(new.created_at)
    .execute(&mut *tx)
    .await
    .map_err(|e| unique_violation(e, "email"))?;
    tx.commit().await?;
    Ok(())
}

/// A person by e-mail: their password's hash and the name they last joined a workspace with.
pub async fn person(pool: &AnyPool, email: &str) -> Result<Option<Person>> {
    let row = sqlx::query(
        "SELECT p.password_hash,
                (SELECT a.name FROM agents a WHERE a.email = p.email
                 ORDER BY a.created_at DESC, a.id LIMIT 1) AS name
         FROM people p WHERE p.email = $1",
    )
    .bind(email.trim().to_lowercase())
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        Ok(Person {
            name: r.try_get::<Option<String>, _>("name")?.unwrap_or_default(),
            password_hash: r.try_get("password_hash")?,
        })
    })
    .transpose()
}

/// The person's active membership in `workspace`, or their first one when `None`.
pub async fn membership(
    pool: &AnyPool,
    email: &str,
    workspace: Option<&WorkspaceId>,
) -> Result<Option<AgentRecord>> {
    sqlx::query(
        "SELECT id, workspace_id, name, email, role FROM agents
         WHERE email = $1 AND active = 1 AND ($2 IS NULL OR workspace_id = $2)
         ORDER BY created_at, id LIMIT 1",
    )
    .bind(email.trim().to_lowercase())
    .bind(workspace.map(|w| w.as_str().to_owned()))
    .fetch_optional(pool)
    .await?
    .map(|r| rows::agent(&r))
    .transpose()
}

/// Every workspace the person is an active member of, by name.
pub async fn memberships(pool: &AnyPool, email: &str) -> Result<Vec<Membership>> {
    sqlx::query(
        "SELECT a.id, a.workspace_id, a.role, w.name AS workspace_name
         FROM agents a JOIN workspaces w ON w.id = a.workspace_id
         WHERE a.email = $1 AND a.active = 1
         ORDER BY w.name, w.id",
    )
    .bind(email.trim().to_lowercase())
    .fetch_all(pool)
    .await?
    .iter()
    .map(|r| {
        Ok(Membership {
            workspace_id: WorkspaceId(r.try_get("workspace_id")?),
            workspace_name: r.try_get("workspace_name")?,
            agent_id: AgentId(r.try_get("id")?),
            role: parse_enum(r.try_get("role")?)?,
        })
    })
    .collect()
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

//! Setting agents' passwords: single-use links (the first owner's setup, resets) and changes
//! by the agent. Either way the agent's other sessions end.

use porch_protocol::{AgentId, Millis};
use sqlx::AnyPool;

use super::rows;
use crate::{AgentRecord, PasswordLink, Result};

pub async fn create_link(
    pool: &AnyPool,
    token_hash: &str,
    agent: &AgentId,
    purpose: PasswordLink,
    now: Millis,
    expires_at: Millis,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO password_links (token_hash, agent_id, purpose, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(token_hash)
    .bind(agent.as_str())
    .bind(rows::enum_text(&purpose))
    .bind(now)
    .bind(expires_at)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn use_link(
    pool: &AnyPool,
    token_hash: &str,
    password_hash: &str,
    now: Millis,
) -> Result<Option<AgentRecord>> {
    let mut tx = pool.begin().await?;
    // Claimed in one conditional statement: two uses at once cannot both succeed.
    let agent: Option<String> = sqlx::query_scalar(
        "UPDATE password_links SET used_at = $2
         WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2
         RETURNING agent_id",
    )
    .bind(token_hash)
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(agent) = agent else {
        tx.commit().await?;
        return Ok(None);
    };
    // The person's other links die with this one.
    sqlx::query(&format!(
        "UPDATE password_links SET used_at = $2 WHERE agent_id IN ({SAME_PERSON}) AND used_at IS NULL"
    ))
        .bind(&agent)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    set(&mut tx, &agent, password_hash, None).await?;
    let record =
        sqlx::query("SELECT id, workspace_id, name, email, role FROM agents WHERE id = $1")
            .bind(&agent)
            .fetch_one(&mut *tx)
            .await?;
    let record = rows::agent(&record)?;
    tx.commit().await?;
    Ok(Some(record))
}

pub async fn set_password(
    pool: &AnyPool,
    agent: &AgentId,
    password_hash: &str,
    keep: Option<&str>,
) -> Result<()> {
    let mut tx = pool.begin().await?;
    set(&mut tx, agent.as_str(), password_hash, keep).await?;
    tx.commit().await?;
    Ok(())
}

/// Every membership of the person `$1` (a membership's id) is.
const SAME_PERSON: &str =
    "SELECT o.id FROM agents o WHERE o.email = (SELECT a.email FROM agents a WHERE a.id = $1)";

/// The person's new hash, and every session of theirs (in any workspace) ended but `keep`.
async fn set(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    agent: &str,
    password_hash: &str,
    keep: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "UPDATE people SET password_hash = $2
         WHERE email = (SELECT a.email FROM agents a WHERE a.id = $1)",
    )
    .bind(agent)
    .bind(password_hash)
    .execute(&mut **tx)
    .await?;
    sqlx::query(&format!(
        "DELETE FROM agent_sessions WHERE agent_id IN ({SAME_PERSON}) AND token_hash <> $2"
    ))
    .bind(agent)
    .bind(keep.unwrap_or_default())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

//! Workspace API tokens: stored by the hash of their secret, revoked by a time, never deleted
//! (the event log names them).

use porch_protocol::{AgentId, ApiToken, Millis, TokenId, WorkspaceId};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use super::rows::{enum_text, parse_enum};
use crate::{NewToken, Result};

/// `last_used_at` is written at most this often per token.
const USED_EVERY: Millis = 60_000;

const COLUMNS: &str = "id, workspace_id, name, scope, prefix, created_by, created_at, last_used_at";

fn token(row: &AnyRow) -> Result<ApiToken> {
    Ok(ApiToken {
        id: TokenId(row.try_get("id")?),
        name: row.try_get("name")?,
        scope: parse_enum(row.try_get("scope")?)?,
        prefix: row.try_get("prefix")?,
        created_at: row.try_get("created_at")?,
        created_by: AgentId(row.try_get("created_by")?),
        last_used_at: row.try_get("last_used_at")?,
    })
}

pub async fn create(pool: &AnyPool, new: &NewToken, at_most: usize) -> Result<bool> {
    let t = &new.token;
    let done = sqlx::query(
        "INSERT INTO api_tokens
                 (id, workspace_id, name, scope, prefix, secret_hash, created_by, created_at)
             SELECT $1, $2, $3, $4, $5, $6, $7, $8
             WHERE (SELECT COUNT(*) FROM api_tokens
                    WHERE workspace_id = $2 AND revoked_at IS NULL) < $9",
    )
    .bind(t.id.as_str())
    .bind(new.workspace_id.as_str())
    .bind(&t.name)
    .bind(enum_text(&t.scope))
    .bind(&t.prefix)
    .bind(&new.secret_hash)
    .bind(t.created_by.as_str())
    .bind(t.created_at)
    .bind(i64::try_from(at_most).unwrap_or(i64::MAX))
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn list(pool: &AnyPool, workspace: &WorkspaceId) -> Result<Vec<ApiToken>> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM api_tokens WHERE workspace_id = $1 AND revoked_at IS NULL
             ORDER BY created_at, id"
    ))
    .bind(workspace.as_str())
    .fetch_all(pool)
    .await?
    .iter()
    .map(token)
    .collect()
}

pub async fn revoke(
    pool: &AnyPool,
    workspace: &WorkspaceId,
    id: &TokenId,
    now: Millis,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $3
             WHERE workspace_id = $1 AND id = $2 AND revoked_at IS NULL",
    )
    .bind(workspace.as_str())
    .bind(id.as_str())
    .bind(now)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn by_secret(
    pool: &AnyPool,
    secret_hash: &str,
    now: Millis,
) -> Result<Option<(WorkspaceId, ApiToken)>> {
    let row = sqlx::query(&format!(
        "SELECT {COLUMNS} FROM api_tokens WHERE secret_hash = $1 AND revoked_at IS NULL"
    ))
    .bind(secret_hash)
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let mut found = token(&row)?;
    if found.last_used_at.is_none_or(|at| at <= now - USED_EVERY) {
        sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
            .bind(found.id.as_str())
            .bind(now)
            .execute(pool)
            .await?;
        found.last_used_at = Some(now);
    }
    Ok(Some((WorkspaceId(row.try_get("workspace_id")?), found)))
}

//! Workspaces: creation, lookups by id and widget key, plan, name and key changes, and where
//! their widget was seen booting.

use porch_protocol::{Millis, Plan, WorkspaceId};
use sqlx::{AnyPool, Row};

use super::rows::{self, WORKSPACE_COLUMNS};
use super::unique_violation;
use crate::{NewWorkspace, Result, StoreError, Workspace};

pub async fn create_workspace(pool: &AnyPool, new: &NewWorkspace) -> Result<Workspace> {
    // 244 random bits from the OS, by way of two v4 UUIDs.
    let identity_secret =
        format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
    sqlx::query(
        "INSERT INTO workspaces
             (id, name, widget_key, plan, lead_options, settings, identity_secret, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(new.id.as_str())
    .bind(&new.name)
    .bind(&new.widget_key)
    .bind(new.plan.as_str())
    .bind(rows::json(&new.lead_options)?)
    .bind(rows::json(&new.settings)?)
    .bind(&identity_secret)
    .bind(new.created_at)
    .execute(pool)
    .await
    .map_err(|e| unique_violation(e, "widget_key"))?;
    Ok(Workspace {
        id: new.id.clone(),
        name: new.name.clone(),
        widget_key: new.widget_key.clone(),
        plan: new.plan,
        lead_options: new.lead_options.clone(),
        settings: new.settings.clone(),
        identity_secret,
    })
}

pub async fn workspace(pool: &AnyPool, id: &WorkspaceId) -> Result<Option<Workspace>> {
    sqlx::query(&format!("SELECT {WORKSPACE_COLUMNS} FROM workspaces WHERE id = $1"))
        .bind(id.as_str())
        .fetch_optional(pool)
        .await?
        .map(|r| rows::workspace(&r))
        .transpose()
}

pub async fn workspace_by_key(pool: &AnyPool, widget_key: &str) -> Result<Option<Workspace>> {
    sqlx::query(&format!("SELECT {WORKSPACE_COLUMNS} FROM workspaces WHERE widget_key = $1"))
        .bind(widget_key)
        .fetch_optional(pool)
        .await?
        .map(|r| rows::workspace(&r))
        .transpose()
}

pub async fn set_plan(pool: &AnyPool, id: &WorkspaceId, plan: Plan) -> Result<()> {
    let done = sqlx::query("UPDATE workspaces SET plan = $2 WHERE id = $1")
        .bind(id.as_str())
        .bind(plan.as_str())
        .execute(pool)
        .await?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound);
    }
    Ok(())
}

pub async fn rename_workspace(pool: &AnyPool, id: &WorkspaceId, name: &str) -> Result<()> {
    let done = sqlx::query("UPDATE workspaces SET name = $2 WHERE id = $1")
        .bind(id.as_str())
        .bind(name)
        .execute(pool)
        .await?;
    match done.rows_affected() {
        0 => Err(StoreError::NotFound),
        _ => Ok(()),
    }
}

pub async fn rotate_widget_key(pool: &AnyPool, id: &WorkspaceId, widget_key: &str) -> Result<()> {
    let done = sqlx::query("UPDATE workspaces SET widget_key = $2 WHERE id = $1")
        .bind(id.as_str())
        .bind(widget_key)
        .execute(pool)
        .await
        .map_err(|e| unique_violation(e, "widget_key"))?;
    match done.rows_affected() {
        0 => Err(StoreError::NotFound),
        _ => Ok(()),
    }
}

pub async fn widget_seen(
    pool: &AnyPool,
    id: &WorkspaceId,
    origin: &str,
    now: Millis,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO widget_origins (workspace_id, origin, last_seen_at) VALUES ($1, $2, $3)
         ON CONFLICT (workspace_id, origin) DO UPDATE SET last_seen_at = $3",
    )
    .bind(id.as_str())
    .bind(origin)
    .bind(now)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn widget_origins(pool: &AnyPool, id: &WorkspaceId) -> Result<Vec<(String, Millis)>> {
    let rows = sqlx::query(
        "SELECT origin, last_seen_at FROM widget_origins WHERE workspace_id = $1
         ORDER BY last_seen_at DESC, origin LIMIT 20",
    )
    .bind(id.as_str())
    .fetch_all(pool)
    .await?;
    rows.iter().map(|r| Ok((r.try_get("origin")?, r.try_get("last_seen_at")?))).collect()
}

pub async fn has_workspaces(pool: &AnyPool) -> Result<bool> {
    let any: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM workspaces LIMIT 1").fetch_optional(pool).await?;
    Ok(any.is_some())
}

pub async fn workspaces(pool: &AnyPool) -> Result<Vec<Workspace>> {
    sqlx::query(&format!("SELECT {WORKSPACE_COLUMNS} FROM workspaces ORDER BY id"))
        .fetch_all(pool)
        .await?
        .iter()
        .map(rows::workspace)
        .collect()
}

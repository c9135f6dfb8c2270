//! Webhook endpoints (leased to one server at a time while it delivers) and their delivery log.

use porch_protocol::{
    DeliveryStatus, Millis, SaveWebhook, WebhookDelivery, WebhookEndpoint, WorkspaceId,
};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use super::rows::{self, enum_text, json, parse_enum, parse_json};
use crate::{Result, StoredWebhook, WebhookFailure};

const COLUMNS: &str = "id, workspace_id, url, event_types, secret, previous_secret, \
                       previous_until, enabled, disabled_reason, created_at, after_seq, attempts, \
                       failing_since, next_attempt_at";

fn webhook(row: &AnyRow) -> Result<StoredWebhook> {
    let failing_since: Option<Millis> = row.try_get("failing_since")?;
    Ok(StoredWebhook {
        workspace_id: WorkspaceId(row.try_get("workspace_id")?),
        endpoint: WebhookEndpoint {
            id: row.try_get("id")?,
            url: row.try_get("url")?,
            event_types: parse_json(&row.try_get::<String, _>("event_types")?)?,
            enabled: row.try_get::<i64, _>("enabled")? == 1,
            disabled_reason: row.try_get("disabled_reason")?,
            created_at: row.try_get("created_at")?,
            failing_since,
            next_attempt_at: failing_since.map(|_| row.try_get("next_attempt_at")).transpose()?,
            previous_secret_until: row.try_get("previous_until")?,
        },
        secret: row.try_get("secret")?,
        previous_secret: row.try_get("previous_secret")?,
        after_seq: rows::seq(row.try_get("after_seq")?),
        attempts: u32::try_from(row.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
    })
}

fn seq(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

pub async fn create(pool: &AnyPool, new: &StoredWebhook, at_most: usize) -> Result<bool> {
    let e = &new.endpoint;
    let done = sqlx::query(
        "INSERT INTO webhook_endpoints
             (id, workspace_id, url, event_types, secret, enabled, created_at, after_seq)
         SELECT $1, $2, $3, $4, $5, $6, $7, w.last_seq FROM workspaces w
         WHERE w.id = $2
           AND (SELECT COUNT(*) FROM webhook_endpoints WHERE workspace_id = $2) < $8",
    )
    .bind(&e.id)
    .bind(new.workspace_id.as_str())
    .bind(&e.url)
    .bind(json(&e.event_types)?)
    .bind(&new.secret)
    .bind(i64::from(e.enabled))
    .bind(e.created_at)
    .bind(i64::try_from(at_most).unwrap_or(i64::MAX))
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn list(pool: &AnyPool, workspace: &WorkspaceId) -> Result<Vec<StoredWebhook>> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM webhook_endpoints WHERE workspace_id = $1 ORDER BY created_at, id"
    ))
    .bind(workspace.as_str())
    .fetch_all(pool)
    .await?
    .iter()
    .map(webhook)
    .collect()
}

pub async fn one(
    pool: &AnyPool,
    workspace: &WorkspaceId,
    id: &str,
) -> Result<Option<StoredWebhook>> {
    sqlx::query(&format!(
        "SELECT {COLUMNS} FROM webhook_endpoints WHERE workspace_id = $1 AND id = $2"
    ))
    .bind(workspace.as_str())
    .bind(id)
    .fetch_optional(pool)
    .await?
    .as_ref()
    .map(webhook)
    .transpose()
}

pub async fn save(
    pool: &AnyPool,
    workspace: &WorkspaceId,
    id: &str,
    save: &SaveWebhook,
    now: Millis,
) -> Result<Option<StoredWebhook>> {
    sqlx::query(&format!(
        "UPDATE webhook_endpoints SET url = $3, event_types = $4,
             attempts = CASE WHEN $5 = 1 AND enabled = 0 THEN 0 ELSE attempts END,
             failing_since = CASE WHEN $5 = 1 AND enabled = 0 THEN NULL ELSE failing_since END,
             next_attempt_at = CASE WHEN $5 = 1 AND enabled = 0 THEN $6 ELSE next_attempt_at END,
             disabled_reason = CASE WHEN $5 = 1 THEN NULL ELSE disabled_reason END,
             enabled = $5
         WHERE workspace_id = $1 AND id = $2
         RETURNING {COLUMNS}"
    ))
    .bind(workspace.as_str())
    .bind(id)
    .bind(&save.url)
    .bind(json(&save.event_types)?)
    .bind(i64::from(save.enabled))
    .bind(now)
    .fetch_optional(pool)
    .await?
    .as_ref()
    .map(webhook)
    .transpose()
}

pub async fn delete(pool: &AnyPool, workspace: &WorkspaceId, id: &str) -> Result<bool> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "DELETE FROM webhook_deliveries WHERE endpoint_id IN
             (SELECT id FROM webhook_endpoints WHERE workspace_id = $1 AND id = $2)",
    )
    .bind(workspace.as_str())
    .bind(id)
    .execute(&mut *tx)
    .await?;
    let done = sqlx::query("DELETE FROM webhook_endpoints WHERE workspace_id = $1 AND id = $2")
        .bind(workspace.as_str())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}

pub async fn rotate(
    pool: &AnyPool,
    workspace: &WorkspaceId,
    id: &str,
    secret: &str,
    previous_until: Millis,
) -> Result<bool> {
    let done = sqlx::query(
        "UPDATE webhook_endpoints
         SET previous_secret = secret, previous_until = $4, secret = $3
         WHERE workspace_id = $1 AND id = $2",
    )
    .bind(workspace.as_str())
    .bind(id)
    .bind(secret)
    .bind(previous_until)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn due(pool: &AnyPool, now: Millis, limit: u32) -> Result<Vec<String>> {
    let ids = sqlx::query_scalar(
        "SELECT e.id FROM webhook_endpoints e JOIN workspaces w ON w.id = e.workspace_id
         WHERE e.enabled = 1 AND e.next_attempt_at <= $1 AND e.lease_until <= $1
           AND w.last_seq > e.after_seq
         ORDER BY e.next_attempt_at LIMIT $2",
    )
    .bind(now)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    Ok(ids)
}

pub async fn lease(
    pool: &AnyPool,
    id: &str,
    owner: &str,
    now: Millis,
    until: Millis,
) -> Result<Option<StoredWebhook>> {
    sqlx::query(&format!(
        "UPDATE webhook_endpoints SET lease_owner = $2, lease_until = $4
         WHERE id = $1 AND enabled = 1 AND (lease_until <= $3 OR lease_owner = $2)
         RETURNING {COLUMNS}"
    ))
    .bind(id)
    .bind(owner)
    .bind(now)
    .bind(until)
    .fetch_optional(pool)
    .await?
    .as_ref()
    .map(webhook)
    .transpose()
}

pub async fn advanced(
    pool: &AnyPool,
    id: &str,
    owner: &str,
    after_seq: u64,
    delivered: Option<&WebhookDelivery>,
) -> Result<bool> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE webhook_endpoints
         SET after_seq = $3, attempts = 0, failing_since = NULL, next_attempt_at = 0
         WHERE id = $1 AND lease_owner = $2 AND after_seq <= $3",
    )
    .bind(id)
    .bind(owner)
    .bind(seq(after_seq))
    .execute(&mut *tx)
    .await?;
    let kept = done.rows_affected() == 1;
    if let (true, Some(attempt)) = (kept, delivered) {
        insert(&mut tx, id, attempt).await?;
    }
    tx.commit().await?;
    Ok(kept)
}

pub async fn failed(
    pool: &AnyPool,
    id: &str,
    owner: &str,
    failure: &WebhookFailure,
    attempt: &WebhookDelivery,
) -> Result<bool> {
    let mut tx = pool.begin().await?;
    let done = sqlx::query(
        "UPDATE webhook_endpoints
         SET attempts = $3, failing_since = $4, next_attempt_at = $5,
             enabled = CASE WHEN $6 IS NULL THEN enabled ELSE 0 END,
             disabled_reason = COALESCE($6, disabled_reason)
         WHERE id = $1 AND lease_owner = $2",
    )
    .bind(id)
    .bind(owner)
    .bind(i64::from(failure.attempts))
    .bind(failure.failing_since)
    .bind(failure.next_attempt_at)
    .bind(failure.disable.as_deref())
    .execute(&mut *tx)
    .await?;
    let kept = done.rows_affected() == 1;
    if kept {
        insert(&mut tx, id, attempt).await?;
    }
    tx.commit().await?;
    Ok(kept)
}

pub async fn release(pool: &AnyPool, id: &str, owner: &str) -> Result<()> {
    sqlx::query(
        "UPDATE webhook_endpoints SET lease_owner = NULL, lease_until = 0
         WHERE id = $1 AND lease_owner = $2",
    )
    .bind(id)
    .bind(owner)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn record(pool: &AnyPool, endpoint: &str, d: &WebhookDelivery) -> Result<()> {
    let mut tx = pool.begin().await?;
    insert(&mut tx, endpoint, d).await?;
    tx.commit().await?;
    Ok(())
}

async fn insert(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    endpoint: &str,
    d: &WebhookDelivery,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO webhook_deliveries (id, endpoint_id, message_id, event_type, seq, attempt,
             at, status, response_code, latency_ms, error, next_attempt_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(&d.id)
    .bind(endpoint)
    .bind(&d.message_id)
    .bind(&d.event_type)
    .bind(d.seq.map(seq))
    .bind(i64::from(d.attempt))
    .bind(d.at)
    .bind(enum_text(&d.status))
    .bind(d.response_code.map(i64::from))
    .bind(seq(d.latency_ms))
    .bind(d.error.as_deref())
    .bind(d.next_attempt_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub async fn deliveries(
    pool: &AnyPool,
    workspace: &WorkspaceId,
    endpoint: &str,
    limit: u32,
) -> Result<Vec<WebhookDelivery>> {
    let rows = sqlx::query(
        "SELECT d.id, d.message_id, d.event_type, d.seq, d.attempt, d.at, d.status,
                d.response_code, d.latency_ms, d.error, d.next_attempt_at
         FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
         WHERE e.workspace_id = $1 AND d.endpoint_id = $2
         ORDER BY d.at DESC, d.id DESC LIMIT $3",
    )
    .bind(workspace.as_str())
    .bind(endpoint)
    .bind(i64::from(limit))
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|r| {
            let status: DeliveryStatus = parse_enum(r.try_get("status")?)?;
            Ok(WebhookDelivery {
                id: r.try_get("id")?,
                message_id: r.try_get("message_id")?,
                event_type: r.try_get("event_type")?,
                seq: r.try_get::<Option<i64>, _>("seq")?.map(rows::seq),
                attempt: u32::try_from(r.try_get::<i64, _>("attempt")?).unwrap_or(u32::MAX),
                at: r.try_get("at")?,
                status,
                response_code: r
                    .try_get::<Option<i64>, _>("response_code")?
                    .and_then(|c| u16::try_from(c).ok()),
                latency_ms: u64::try_from(r.try_get::<i64, _>("latency_ms")?).unwrap_or(0),
                error: r.try_get("error")?,
                next_attempt_at: r.try_get("next_attempt_at")?,
            })
        })
        .collect()
}

pub async fn purge(pool: &AnyPool, before: Millis, at_most: u32) -> Result<u64> {
    let done = sqlx::query(
        "DELETE FROM webhook_deliveries WHERE id IN
             (SELECT id FROM webhook_deliveries WHERE at < $1 LIMIT $2)",
    )
    .bind(before)
    .bind(i64::from(at_most))
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

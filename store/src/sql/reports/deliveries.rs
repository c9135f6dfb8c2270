//! The e-mailed report's deliveries: each period claimed once, across servers, and retried.

use super::*;

/// A claim older than this is taken to have died with its server.
const CLAIM_EXPIRES: Millis = 10 * MINUTE;

pub async fn claim_delivery(
    pool: &AnyPool,
    workspace: &WorkspaceId,
    (start, end): (Millis, Millis),
    now: Millis,
) -> Result<Option<u32>> {
    let mut tx = pool.begin().await?;
    // Insert-or-nothing first: the row (new or old) is then locked by this transaction's write.
    sqlx::query(
        "INSERT INTO report_deliveries
             (workspace_id, period_start, period_end, status, attempts, claimed_at)
         VALUES ($1, $2, $3, 'new', 0, $4)
         ON CONFLICT (workspace_id, period_start) DO NOTHING",
    )
    .bind(workspace.as_str())
    .bind(start)
    .bind(end)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let claimed: Option<i64> = sqlx::query_scalar(
        "UPDATE report_deliveries
         SET status = 'sending', attempts = attempts + 1, claimed_at = $3
         WHERE workspace_id = $1 AND period_start = $2
           AND (status = 'new'
             OR (status = 'failed' AND next_attempt_at <= $3)
             OR (status = 'sending' AND claimed_at <= $4))
         RETURNING attempts",
    )
    .bind(workspace.as_str())
    .bind(start)
    .bind(now)
    .bind(now - CLAIM_EXPIRES)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(claimed.map(|n| u32::try_from(n).unwrap_or(u32::MAX)))
}

pub async fn finish_delivery(
    pool: &AnyPool,
    workspace: &WorkspaceId,
    start: Millis,
    outcome: std::result::Result<Millis, (String, Millis)>,
) -> Result<()> {
    let query = match outcome {
        Ok(sent_at) => sqlx::query(
            "UPDATE report_deliveries SET status = 'sent', sent_at = $3, last_error = NULL
             WHERE workspace_id = $1 AND period_start = $2",
        )
        .bind(workspace.as_str())
        .bind(start)
        .bind(sent_at),
        Err((error, retry_at)) => sqlx::query(
            "UPDATE report_deliveries SET status = 'failed', last_error = $3, next_attempt_at = $4
             WHERE workspace_id = $1 AND period_start = $2",
        )
        .bind(workspace.as_str())
        .bind(start)
        .bind(error)
        .bind(retry_at),
    };
    query.execute(pool).await?;
    Ok(())
}

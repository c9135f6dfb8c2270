//! Request rate limits shared by every server: a bucket per (limit, key) kept as the time it is
//! full again (the generic cell rate algorithm), taken from in one conditional upsert, so
//! takes on several servers at once are counted exactly.

use porch_protocol::Millis;
use sqlx::{Any, AnyPool, Executor};

use crate::{Result, StoreError, Take};

/// Takes one token, or refuses with how long until one is back (`StoreError::Limited`).
pub async fn take<'e, E: Executor<'e, Database = Any>>(
    executor: E,
    take: &Take,
    now: Millis,
) -> Result<()> {
    let limit = &take.limit;
    if limit.burst == 0 {
        return Err(StoreError::Limited { what: limit.what, wait: limit.every.max(1) });
    }
    let every = limit.every.max(1);
    // A take goes ahead while the bucket is full again no later than this far ahead of now.
    let tolerance = every.saturating_mul(Millis::from(limit.burst - 1));
    let allowed = now.saturating_add(tolerance);
    let (tat, granted): (i64, i64) = sqlx::query_as(
        "INSERT INTO rate_limits (limit_key, tat, granted) VALUES ($1, $2, 1)
         ON CONFLICT (limit_key) DO UPDATE SET
           granted = CASE WHEN rate_limits.tat <= $3 THEN 1 ELSE 0 END,
           tat = CASE WHEN rate_limits.tat > $3 THEN rate_limits.tat
                      WHEN rate_limits.tat < $4 THEN $2
                      ELSE rate_limits.tat + $5 END
         RETURNING tat, granted",
    )
    .bind(format!("{}\n{}", limit.what, take.key))
    .bind(now.saturating_add(every))
    .bind(allowed)
    .bind(now)
    .bind(every)
    .fetch_one(executor)
    .await?;
    match granted {
        1 => Ok(()),
        _ => {
            Err(StoreError::Limited { what: limit.what, wait: tat.saturating_sub(allowed).max(1) })
        }
    }
}

/// Forgets at most `at_most` buckets full again before `before` (they hold nothing a fresh one
/// would not), in one short statement.
pub async fn purge(pool: &AnyPool, before: Millis, at_most: u32) -> Result<u64> {
    let done = sqlx::query(
        "DELETE FROM rate_limits WHERE limit_key IN
         (SELECT limit_key FROM rate_limits WHERE tat < $1 LIMIT $2)",
    )
    .bind(before)
    .bind(i64::from(at_most))
    .execute(pool)
    .await?;
    Ok(done.rows_affected())
}

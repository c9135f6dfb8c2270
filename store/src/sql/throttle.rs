//! Sign-in attempts per key, shared by every server: reserved in one conditional statement, so
//! concurrent attempts cannot all read a count below the limit and all go ahead.

use porch_protocol::Millis;
use sqlx::AnyPool;

use crate::{Result, SignInPolicy};

/// The failures a key has with this attempt: its count, unless the last attempt is older than
/// the window (`$3`).
const FAILURES: &str = "CASE WHEN updated_at < $3 THEN 1 ELSE failures + 1 END";

/// `policy.wait_after(n)` as SQL over the expression `n` (the policy's numbers are ours,
/// never the caller's, so they are written into the statement).
fn wait_after(policy: &SignInPolicy, n: &str) -> String {
    let mut sql = format!("CASE {n}");
    for failures in 1..=policy.free.saturating_add(64) {
        let wait = policy.wait_after(failures);
        if wait >= policy.max_wait {
            break;
        }
        sql.push_str(&format!(" WHEN {failures} THEN {wait}"));
    }
    sql.push_str(&format!(" ELSE {} END", policy.max_wait));
    sql
}

pub async fn reserve(
    pool: &AnyPool,
    key: &str,
    policy: &SignInPolicy,
    now: Millis,
) -> Result<std::result::Result<(), Millis>> {
    let mut tx = pool.begin().await?;
    sqlx::query(
        "INSERT INTO sign_in_attempts (throttle_key, failures, wait_until, updated_at)
         VALUES ($1, 0, 0, $2) ON CONFLICT (throttle_key) DO NOTHING",
    )
    .bind(key)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    // One statement decides and counts: a concurrent attempt sees this one's count.
    let reserved: Option<i64> = sqlx::query_scalar(&format!(
        "UPDATE sign_in_attempts
         SET failures = {FAILURES}, wait_until = $2 + {wait}, updated_at = $2
         WHERE throttle_key = $1 AND wait_until <= $2
         RETURNING failures",
        wait = wait_after(policy, FAILURES),
    ))
    .bind(key)
    .bind(now)
    .bind(now.saturating_sub(policy.window))
    .fetch_optional(&mut *tx)
    .await?;
    let answer = match reserved {
        Some(_) => Ok(()),
        None => {
            let until: i64 = sqlx::query_scalar(
                "SELECT wait_until FROM sign_in_attempts WHERE throttle_key = $1",
            )
            .bind(key)
            .fetch_one(&mut *tx)
            .await?;
            Err(until)
        }
    };
    tx.commit().await?;
    Ok(answer)
}

pub async fn succeeded(pool: &AnyPool, key: &str, forget: bool) -> Result<()> {
    sqlx::query(
        "UPDATE sign_in_attempts
         SET failures = CASE WHEN $2 = 1 THEN 0 ELSE failures - 1 END, wait_until = 0
         WHERE throttle_key = $1 AND failures > 0",
    )
    .bind(key)
    .bind(i64::from(forget))
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn purge(pool: &AnyPool, before: Millis) -> Result<u64> {
    let done =
        sqlx::query("DELETE FROM sign_in_attempts WHERE updated_at < $1 AND wait_until < $1")
            .bind(before)
            .execute(pool)
            .await?;
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_doubles_after_the_free_failures_up_to_the_cap() {
        let policy = SignInPolicy { free: 3, first_wait: 1_000, max_wait: 5_000, window: 60_000 };
        let waits: Vec<_> = (1..=7).map(|n| policy.wait_after(n)).collect();
        assert_eq!(waits, [0, 0, 1_000, 2_000, 4_000, 5_000, 5_000]);
        assert_eq!(
            wait_after(&policy, "n"),
            "CASE n WHEN 1 THEN 0 WHEN 2 THEN 0 WHEN 3 THEN 1000 WHEN 4 THEN 2000 \
             WHEN 5 THEN 4000 ELSE 5000 END"
        );
        let huge = SignInPolicy { free: 0, first_wait: 1, max_wait: Millis::MAX, window: 0 };
        assert_eq!(huge.wait_after(u32::MAX), 1 << 40, "no overflow");
        assert!(wait_after(&huge, "n").ends_with(&format!("ELSE {} END", Millis::MAX)));
    }
}

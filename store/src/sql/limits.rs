//! Request rate limits shared by every server: a bucket per (limit, key) kept as the time it is
//! full again (the generic cell rate algorithm). A take on its own is one conditional upsert,
//! so takes on several servers at once are counted exactly. A batch's commands take theirs in
//! memory ([`Buckets`]), read and written back with one statement each: their buckets (a
//! lead's, a conversation's) are only ever taken by batches holding that workspace's lock.

use std::collections::{HashMap, HashSet};

use porch_protocol::Millis;
use sqlx::{Any, AnyPool, Executor, Row, Transaction};

use super::pending::{params, values};
use super::prefetch::CHUNK;
use crate::{RateLimit, Result, StoreError, Take};

/// A bucket's name in the table.
pub fn bucket(take: &Take) -> String {
    format!("{}\n{}", take.limit.what, take.key)
}

/// The generic cell rate algorithm: a token of `limit` taken at `now` from a bucket full again
/// at `tat` (`None`: a fresh bucket) leaves it full again at the `Ok` time; `Err` is how long
/// until one is back. (The upsert of [`take`] says the same in SQL.)
pub fn gcra(tat: Option<Millis>, limit: &RateLimit, now: Millis) -> Result<Millis, Millis> {
    let every = limit.every.max(1);
    let Some(tolerance) = limit.burst.checked_sub(1) else { return Err(every) };
    let allowed = now.saturating_add(every.saturating_mul(Millis::from(tolerance)));
    match tat {
        Some(tat) if tat > allowed => Err(tat.saturating_sub(allowed).max(1)),
        Some(tat) if tat >= now => Ok(tat.saturating_add(every)),
        _ => Ok(now.saturating_add(every)),
    }
}

/// The buckets a batch's commands take from, read at its start and written back at its end.
#[derive(Default)]
pub struct Buckets {
    tats: HashMap<String, Millis>,
    taken: HashSet<String>,
}

impl Buckets {
    pub async fn read(tx: &mut Transaction<'_, Any>, mut names: Vec<String>) -> Result<Buckets> {
        names.sort_unstable();
        names.dedup();
        let numbered = tx.backend_name() != "SQLite";
        let mut tats = HashMap::new();
        for chunk in names.chunks(CHUNK) {
            let sql = format!(
                "SELECT limit_key, tat FROM rate_limits WHERE limit_key IN ({})",
                params(0, chunk.len(), numbered)
            );
            let query = chunk.iter().fold(sqlx::query(&sql), |q, name| q.bind(name.as_str()));
            for row in query.fetch_all(&mut **tx).await? {
                tats.insert(row.try_get("limit_key")?, row.try_get("tat")?);
            }
        }
        Ok(Buckets { tats, taken: HashSet::new() })
    }

    /// Takes one token, or refuses with how long until one is back (`StoreError::Limited`).
    pub fn take(&mut self, take: &Take, now: Millis) -> Result<()> {
        let name = bucket(take);
        match gcra(self.tats.get(&name).copied(), &take.limit, now) {
            Ok(tat) => {
                self.tats.insert(name.clone(), tat);
                self.taken.insert(name);
                Ok(())
            }
            Err(wait) => Err(StoreError::Limited { what: take.limit.what, wait }),
        }
    }

    /// Writes back the buckets taken from; whether there were any.
    pub async fn write(self, tx: &mut Transaction<'_, Any>) -> Result<bool> {
        let numbered = tx.backend_name() != "SQLite";
        let taken: Vec<_> = self.taken.iter().collect();
        for chunk in taken.chunks(CHUNK) {
            let sql = format!(
                "INSERT INTO rate_limits (limit_key, tat, granted) {}
                 ON CONFLICT (limit_key) DO UPDATE SET tat = excluded.tat, granted = 1",
                values(3, chunk.len(), numbered)
            );
            let mut query = sqlx::query(&sql);
            for name in chunk {
                query = query.bind(name.as_str()).bind(self.tats[*name]).bind(1_i64);
            }
            query.execute(&mut **tx).await?;
        }
        Ok(!taken.is_empty())
    }
}

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
    .bind(bucket(take))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_one_a_period() {
        let limit = RateLimit { what: "things", burst: 3, every: 1_000 };
        let mut tat = None;
        for _ in 0..3 {
            tat = Some(gcra(tat, &limit, 0).unwrap());
        }
        assert_eq!(gcra(tat, &limit, 0), Err(1_000));
        assert_eq!(gcra(tat, &limit, 999), Err(1));
        let tat = gcra(tat, &limit, 1_000).unwrap();
        assert_eq!(gcra(Some(tat), &limit, 1_000), Err(1_000));
        assert_eq!(gcra(Some(tat), &limit, 1_000_000), Ok(1_001_000), "refilled, no more");
        assert_eq!(gcra(None, &RateLimit { burst: 0, ..limit }, 0), Err(1_000));
    }
}

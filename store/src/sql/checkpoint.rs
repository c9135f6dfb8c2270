//! SQLite's WAL is copied back into the database file by a checkpoint. Left to SQLite, the
//! commit that crosses 1,000 pages runs it, and that commit — a batch of the write path, with
//! every caller waiting on it — takes 10–30 ms instead of 1. Here commits never checkpoint;
//! a task of the store's runs a passive checkpoint on its own connection every
//! [`EVERY`], which copies what no reader still needs while writers go on appending.

use std::time::Duration;

use sqlx::AnyPool;

/// How often the WAL is checkpointed.
pub const EVERY: Duration = Duration::from_millis(500);

/// Stops the checkpoints when the store is dropped.
pub struct Checkpoints(tokio::task::JoinHandle<()>);

impl Drop for Checkpoints {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Checkpoints `pool`'s database every [`EVERY`] until dropped.
pub fn spawn(pool: AnyPool) -> Checkpoints {
    Checkpoints(tokio::spawn(async move {
        // Not at once: a one-shot command opening the store is done before any is due.
        let mut every = tokio::time::interval_at(tokio::time::Instant::now() + EVERY, EVERY);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)").execute(&pool).await {
                tracing::warn!(error = %e, "checkpointing the SQLite WAL");
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use crate::testing::TestDatabase;

    /// Commits leave their pages in the WAL; the store's task copies them into the database
    /// file soon after, with no checkpoint asked for.
    #[tokio::test]
    async fn the_wal_is_checkpointed_in_the_background() {
        let db = TestDatabase::sqlite();
        let store = super::super::SqlStore::connect(&db.url).await.unwrap();
        let file = super::super::sqlite_file(&db.url).unwrap();
        let size = || std::fs::metadata(&file).unwrap().len();
        // Past one checkpoint, so the next one has all of what follows to copy.
        tokio::time::sleep(super::EVERY * 2).await;
        let before = size();
        sqlx::query("CREATE TABLE filler (text TEXT)").execute(&store.pool).await.unwrap();
        for _ in 0..20 {
            sqlx::query("INSERT INTO filler VALUES ($1)")
                .bind("x".repeat(20_000))
                .execute(&store.pool)
                .await
                .unwrap();
        }
        let wal = std::fs::metadata(file.with_extension("db-wal")).unwrap().len();
        assert!(wal > 400_000, "the rows are in the WAL ({wal} bytes)");
        for _ in 0..20 {
            if size() > before + 400_000 {
                return;
            }
            tokio::time::sleep(super::EVERY / 2).await;
        }
        panic!("the database file stayed at {} bytes", size());
    }
}

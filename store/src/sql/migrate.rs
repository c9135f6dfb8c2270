//! The schema's migrations, one list for both backends, and running them.

use std::borrow::Cow;

use sqlx::migrate::{Migration, MigrationType, Migrator};
use sqlx::AnyPool;

use super::Backend;
use crate::{Result, StoreError};

/// Each migration (version, name, SQL) from the backend's folder: one list for both, so they
/// cannot drift apart.
macro_rules! migration_files {
    ($dir:literal) => {
        migration_files!($dir;
            1 "init" "0001_init", 2 "lifecycle" "0002_lifecycle", 3 "auto_close" "0003_auto_close",
            4 "identity" "0004_identity", 5 "session_expiry" "0005_session_expiry",
            6 "identity_backfill" "0006_identity_backfill", 7 "reports" "0007_reports",
            8 "report_deliveries" "0008_report_deliveries", 9 "report_indexes" "0009_report_indexes",
            10 "report_days" "0010_report_days", 11 "abuse" "0011_abuse",
            12 "password_links" "0012_password_links", 13 "widget_origins" "0013_widget_origins",
            14 "team" "0014_team", 15 "contact_context" "0015_contact_context",
            16 "people" "0016_people", 17 "report_time_zone" "0017_report_time_zone",
            18 "commit_notify" "0018_commit_notify", 19 "deadline_moves" "0019_deadline_moves",
            20 "rate_limits" "0020_rate_limits", 21 "client_id_per_sender" "0021_client_id_per_sender",
            22 "api_tokens" "0022_api_tokens", 23 "webhooks" "0023_webhooks", 24 "reads" "0024_reads")
    };
    ($dir:literal; $($version:literal $name:literal $file:literal),*) => {
        [$(($version, $name, include_str!(concat!("../../migrations/", $dir, "/", $file, ".sql")))),*]
    };
}

fn migrations(backend: Backend) -> Vec<Migration> {
    let files: &[(i64, &str, &'static str)] = match backend {
        Backend::Sqlite => &migration_files!("sqlite"),
        Backend::Postgres => &migration_files!("postgres"),
    };
    files
        .iter()
        .map(|(version, name, sql)| {
            Migration::new(
                *version,
                Cow::Borrowed(*name),
                MigrationType::Simple,
                Cow::Borrowed(*sql),
                false,
            )
        })
        .collect()
}

/// Runs the migrations not yet applied. On SQLite with foreign keys off while they run, as
/// SQLite's recipe for rebuilding a table asks (0016), and every key checked afterwards.
pub async fn run(pool: &AnyPool, backend: Backend) -> Result<()> {
    run_to(pool, backend, i64::MAX).await
}

/// [`run`] up to and including version `last`.
async fn run_to(pool: &AnyPool, backend: Backend, last: i64) -> Result<()> {
    let mut migrations = migrations(backend);
    migrations.retain(|m| m.version <= last);
    let migrator = Migrator { migrations: Cow::Owned(migrations), ..Migrator::DEFAULT };
    let mut conn = pool.acquire().await?;
    if backend == Backend::Sqlite {
        sqlx::query("PRAGMA foreign_keys = OFF").execute(&mut *conn).await?;
    }
    let ran = migrator.run(&mut *conn).await;
    if backend == Backend::Sqlite {
        sqlx::query("PRAGMA foreign_keys = ON").execute(&mut *conn).await?;
    }
    ran?;
    if backend == Backend::Sqlite {
        let broken = sqlx::query("PRAGMA foreign_key_check").fetch_all(&mut *conn).await?;
        if !broken.is_empty() {
            let rows = broken.len();
            return Err(StoreError::Corrupt(format!("{rows} rows break a foreign key")));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use porch_protocol::WorkspaceId;
    use sqlx::any::AnyPoolOptions;

    use super::*;
    use crate::testing::TestDatabase;

    /// A database from before `people` (0015), with a member, their session and a password
    /// link, comes through 0016 whole: the same sign-in, session and link.
    async fn people_keep_their_password_sessions_and_links(url: &str) {
        let backend = Backend::of(url).unwrap();
        let url = match backend {
            Backend::Sqlite => super::super::connect::sqlite_url(url).unwrap(),
            Backend::Postgres => url.to_owned(),
        };
        sqlx::any::install_default_drivers();
        let pool = AnyPoolOptions::new().max_connections(1).connect(&url).await.unwrap();
        run_to(&pool, backend, 15).await.unwrap();
        for statement in [
            "INSERT INTO workspaces (id, name, widget_key, plan, lead_options, created_at)
             VALUES ('w1', 'Acme', 'k1', 'free', '{}', 1)",
            "INSERT INTO agents (id, workspace_id, name, email, password_hash, role, created_at)
             VALUES ('a1', 'w1', 'Ann', 'ann@example.com', 'hash', 'owner', 1)",
            "INSERT INTO agent_sessions (token_hash, agent_id, expires_at) VALUES ('s1', 'a1', 99)",
            "INSERT INTO password_links (token_hash, agent_id, purpose, created_at, expires_at)
             VALUES ('l1', 'a1', 'reset', 1, 99)",
        ] {
            sqlx::query(statement).execute(&pool).await.unwrap();
        }
        pool.close().await;

        let store = crate::connect(&url).await.unwrap();
        let person = store.person("ann@example.com").await.unwrap().unwrap();
        assert_eq!((person.name.as_str(), person.password_hash.as_str()), ("Ann", "hash"));
        let ann = store.session_agent("s1", 2).await.unwrap().unwrap();
        assert_eq!((ann.id().as_str(), &ann.workspace_id), ("a1", &WorkspaceId("w1".into())));
        assert_eq!(store.use_password_link("l1", "new", 3).await.unwrap(), Some(ann));
        assert_eq!(store.person("ann@example.com").await.unwrap().unwrap().password_hash, "new");
    }

    #[tokio::test]
    async fn upgrading_sqlite_to_people() {
        let db = TestDatabase::sqlite();
        people_keep_their_password_sessions_and_links(&db.url).await;
    }

    #[tokio::test]
    async fn upgrading_postgres_to_people() {
        let Some(db) = TestDatabase::postgres().await else { return };
        people_keep_their_password_sessions_and_links(&db.url).await;
        db.drop_database().await;
    }
}

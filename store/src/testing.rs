//! Fresh databases for tests: a SQLite file in a temporary folder, or a new PostgreSQL database
//! on the server named by `PORCH_TEST_POSTGRES_URL`, dropped by [`TestDatabase::drop_database`].

use sqlx::{Connection, Executor};

/// The variable naming a PostgreSQL server tests may create databases on.
pub const POSTGRES_ENV: &str = "PORCH_TEST_POSTGRES_URL";

pub struct TestDatabase {
    pub url: String,
    admin_url: Option<String>,
    name: String,
    _dir: Option<TempDir>,
}

impl TestDatabase {
    pub fn sqlite() -> TestDatabase {
        let dir = TempDir::new();
        let url = format!("sqlite://{}/porch.db", dir.0.display());
        TestDatabase { url, admin_url: None, name: String::new(), _dir: Some(dir) }
    }

    /// `None` when no PostgreSQL server is configured; under `CI=true` its absence is an error,
    /// so CI can never pass with the PostgreSQL half of a suite silently skipped.
    pub async fn postgres() -> Option<TestDatabase> {
        let Ok(admin_url) = std::env::var(POSTGRES_ENV) else {
            assert!(
                std::env::var("CI").is_err(),
                "{POSTGRES_ENV} must be set in CI so PostgreSQL is tested"
            );
            eprintln!("{POSTGRES_ENV} is not set: skipping the PostgreSQL half of this test");
            return None;
        };
        let name = format!("porch_t_{}", uuid::Uuid::new_v4().simple());
        let mut admin =
            sqlx::PgConnection::connect(&admin_url).await.expect("connect to PostgreSQL");
        admin.execute(format!("CREATE DATABASE {name}").as_str()).await.expect("create database");
        let base = admin_url.rsplit_once('/').map(|(base, _)| base).unwrap_or(&admin_url);
        Some(TestDatabase {
            url: format!("{base}/{name}"),
            admin_url: Some(admin_url),
            name,
            _dir: None,
        })
    }

    /// Drops a PostgreSQL test database (closing any connection still open to it).
    pub async fn drop_database(self) {
        if let Some(admin_url) = &self.admin_url {
            let mut admin = sqlx::PgConnection::connect(admin_url).await.expect("connect");
            admin
                .execute(format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name).as_str())
                .await
                .expect("drop database");
        }
    }
}

/// A folder under the system's temporary directory, removed on drop.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new() -> TempDir {
        let path = std::env::temp_dir().join(format!("porch-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&path).expect("create temporary folder");
        TempDir(path)
    }
}

impl Default for TempDir {
    fn default() -> Self {
        TempDir::new()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

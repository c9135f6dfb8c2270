//! Opening the database: the backend a URL names, the pool and its connections' settings,
//! the schema brought up to date; and a SQLite backup.

use std::str::FromStr;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::AnyPool;

use super::{checkpoint, migrate};
use crate::{Result, StoreError};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub(super) fn of(url: &str) -> Result<Backend> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err(StoreError::UnsupportedUrl(url.to_owned()))
        }
    }
}

/// [`Store`] over one connection pool to SQLite or PostgreSQL.
pub struct SqlStore {
    pub(super) pool: AnyPool,
    /// The write path's batches. On SQLite one connection of its own: writes are one at a
    /// time there anyway, and a connection that only this path writes through keeps its page
    /// and statement caches (a connection drops its page cache whenever another one has
    /// written). On PostgreSQL the shared pool.
    pub(super) writer: AnyPool,
    pub(super) backend: Backend,
    /// For the commit listener's own connection.
    pub(super) url: String,
    /// SQLite: the WAL's checkpoints, off the write path.
    _checkpoints: Option<checkpoint::Checkpoints>,
    /// SQLite: webhook attempts are written one at a time in this process, so that they queue
    /// here instead of in SQLite's busy handler, whose sleeps (up to 100 ms) outlast the lock.
    pub(super) webhook_writes: tokio::sync::Mutex<()>,
}

impl SqlStore {
    pub async fn connect(url: &str) -> Result<SqlStore> {
        SqlStore::connect_pooled(url, None).await
    }

    /// [`SqlStore::connect`] with at most `pool` connections (default: 8 on SQLite, 16 on
    /// PostgreSQL).
    pub async fn connect_pooled(url: &str, pool: Option<u32>) -> Result<SqlStore> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of(url)?;
        let url = match backend {
            Backend::Sqlite => sqlite_url(url)?,
            Backend::Postgres => url.to_owned(),
        };
        let options = AnyConnectOptions::from_str(&url)?;
        let connections = pool.unwrap_or(match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        });
        let pool = pool_options(backend, connections).connect_with(options.clone()).await?;
        migrate::run(&pool, backend).await?;
        let writer = match backend {
            Backend::Sqlite => pool_options(backend, 1).connect_with(options).await?,
            Backend::Postgres => pool.clone(),
        };
        let checkpoints = (backend == Backend::Sqlite).then(|| checkpoint::spawn(pool.clone()));
        Ok(SqlStore {
            pool,
            writer,
            backend,
            url,
            _checkpoints: checkpoints,
            webhook_writes: tokio::sync::Mutex::new(()),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A consistent copy of a SQLite database at `to` (a new file), taken while others keep
    /// reading and writing (`VACUUM INTO` reads one snapshot). PostgreSQL has `pg_dump`.
    pub async fn backup(&self, to: &std::path::Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::Unsupported(
                "backup --to copies SQLite databases; for PostgreSQL use pg_dump (see README)",
            ));
        }
        if to.exists() {
            return Err(StoreError::Unsupported(
                "the backup file exists already; choose a new one",
            ));
        }
        let target = to.to_str().ok_or(StoreError::Unsupported("the backup path is not UTF-8"))?;
        sqlx::query("VACUUM INTO $1").bind(target).execute(&self.pool).await?;
        Ok(())
    }
}

/// A pool of at most `connections`, each set up for `backend` when it opens. Connections are
/// not pinged before each use (a round trip per query on PostgreSQL); a broken one fails its
/// query and is replaced.
fn pool_options(backend: Backend, connections: u32) -> AnyPoolOptions {
    AnyPoolOptions::new().max_connections(connections).test_before_acquire(false).after_connect(
        move |conn, _| {
            Box::pin(async move {
                if backend == Backend::Sqlite {
                    // WAL lets readers run beside the one writer; the busy timeout makes a
                    // second writer wait for the lock instead of failing at once.
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA synchronous = NORMAL",
                        "PRAGMA foreign_keys = ON",
                        "PRAGMA busy_timeout = 10000",
                        // No commit checkpoints: see `checkpoint`.
                        "PRAGMA wal_autocheckpoint = 0",
                        // Pages read through the OS's cache, mapped, not copied by pread,
                        // and shared by the pool's connections.
                        "PRAGMA mmap_size = 1073741824",
                        // Statement journals (multi-row statements) in memory.
                        "PRAGMA temp_store = MEMORY",
                    ] {
                        sqlx::query(pragma).execute(&mut *conn).await?;
                    }
                } else {
                    // Report queries group tens of thousands of rows: with the default 4 MB
                    // PostgreSQL sorts them on disk instead of hashing them in memory.
                    sqlx::query("SET work_mem = '16MB'").execute(&mut *conn).await?;
                }
                Ok(())
            })
        },
    )
}

/// The file of a `sqlite:` URL (`None` for another database).
pub fn sqlite_file(url: &str) -> Option<std::path::PathBuf> {
    let path = url.strip_prefix("sqlite:")?.trim_start_matches("//");
    let file = path.split('?').next().filter(|f| !f.is_empty() && *f != ":memory:")?;
    Some(file.into())
}

/// `sqlite://data/porch.db` → the same with `mode=rwc`, after making sure the folder exists.
pub(super) fn sqlite_url(url: &str) -> Result<String> {
    let path = url.trim_start_matches("sqlite:").trim_start_matches("//");
    let file = path.split('?').next().unwrap_or_default();
    if file.is_empty() || file == ":memory:" {
        return Err(StoreError::UnsupportedUrl(url.to_owned()));
    }
    if let Some(dir) = std::path::Path::new(file).parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| StoreError::Corrupt(format!("{dir:?}: {e}")))?;
    }
    Ok(if path.contains('?') {
        format!("sqlite://{path}")
    } else {
        format!("sqlite://{path}?mode=rwc")
    })
}

pub(super) fn unique_violation(e: sqlx::Error, what: &'static str) -> StoreError {
    match &e {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict(what),
        _ => StoreError::Database(e),
    }
}

//! What a store call can fail with.

use porch_domain::DomainError;
use porch_protocol::Millis;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("already exists: {0}")]
    Conflict(&'static str),
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("database: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("corrupt row: {0}")]
    Corrupt(String),
    #[error("unsupported database URL {0:?}: use sqlite://… or postgres://…")]
    UnsupportedUrl(String),
    #[error("{0}")]
    Unsupported(&'static str),
    /// The transaction of a batch failed, for a reason of the database's (reported with it).
    #[error("the batch failed: {0}")]
    Failed(String),
    /// A rate limit's bucket is empty: one token is back after `wait` milliseconds.
    #[error("too many {what}; wait {wait} ms")]
    Limited { what: &'static str, wait: Millis },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

//! Password hashing, bounded: Argon2id needs 19 MiB of working memory per check, so at most one
//! check per core runs at once, each in a buffer allocated once and kept. A flood of wrong
//! logins then waits its turn (or gets 503 `busy`) instead of asking the allocator for 19 MiB
//! per request — glibc kept those buffers in per-thread arenas: 100 concurrent wrong logins grew
//! the server by 1.9 GB that it never gave back.

use std::sync::Mutex;
use std::time::Duration;

use argon2::password_hash::{rand_core::OsRng, Output, PasswordHash, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use crate::ApiError;

/// How long a check waits for a free core before the caller is told to come back.
const WAIT: Duration = Duration::from_secs(10);

/// Longest password accepted (bytes); Argon2 takes any length, but nobody types more.
pub const MAX_PASSWORD_BYTES: usize = 1024;

pub struct Passwords {
    permits: Semaphore,
    /// Working memory, one buffer per check running; never more than `permits` of them.
    buffers: Mutex<Vec<Vec<Block>>>,
}

impl Default for Passwords {
    /// One check at a time per core.
    fn default() -> Passwords {
        Passwords::new(std::thread::available_parallelism().map_or(2, |n| n.get()))
    }
}

impl Passwords {
    pub fn new(concurrent: usize) -> Passwords {
        Passwords { permits: Semaphore::new(concurrent.max(1)), buffers: Mutex::default() }
    }

    /// Whether `password` matches `stored`. With no stored hash (unknown e-mail) it still does
    /// the work against a dummy, so the answer takes as long either way.
    pub async fn verify(&self, password: String, stored: Option<String>) -> Result<bool, ApiError> {
        static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
        self.run(move |memory| {
            let known = stored.is_some();
            let stored = match stored {
                Some(stored) => stored,
                None => {
                    DUMMY.get_or_init(|| hash_with("dummy", memory).unwrap_or_default()).clone()
                }
            };
            let ok = verify_with(password.as_bytes(), &stored, memory);
            known && ok
        })
        .await
    }

    /// A PHC string for a new password.
    pub async fn hash(&self, password: String) -> Result<String, ApiError> {
        self.run(move |memory| hash_with(&password, memory)).await?
    }

    /// Runs `work` off the async threads with a permit and a working buffer.
    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let permit = tokio::time::timeout(WAIT, self.permits.acquire())
            .await
            .map_err(|_| ApiError::Busy)?
            .map_err(|_| ApiError::Busy)?;
        let mut memory = self.lock().pop().unwrap_or_default();
        let (result, memory) = tokio::task::spawn_blocking(move || {
            let result = work(&mut memory);
            (result, memory)
        })
        .await
        .map_err(|e| ApiError::Internal(format!("password check: {e}")))?;
        self.lock().push(memory);
        drop(permit);
        Ok(result)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Vec<Block>>> {
        self.buffers.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Argon2id with the crate's default (OWASP) parameters, in `memory`.
pub fn hash_with(password: &str, memory: &mut Vec<Block>) -> Result<String, ApiError> {
    let failed = |e: argon2::Error| ApiError::Internal(format!("hash password: {e}"));
    let params = Params::default();
    let salt = SaltString::generate(&mut OsRng);
    let mut salt_bytes = [0u8; 64];
    let salt_bytes =
        salt.decode_b64(&mut salt_bytes).map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut out = [0u8; Params::DEFAULT_OUTPUT_LEN];
    memory.resize(params.block_count(), Block::default());
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone())
        .hash_password_into_with_memory(password.as_bytes(), salt_bytes, &mut out, &mut memory[..])
        .map_err(failed)?;
    let output = Output::new(&out).map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(format!(
        "$argon2id$v=19$m={},t={},p={}${}${output}",
        params.m_cost(),
        params.t_cost(),
        params.p_cost(),
        salt.as_str()
    ))
}

/// Whether `password` gives the hash in the PHC string `stored`, computed in `memory`.
fn verify_with(password: &[u8], stored: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(hash) = PasswordHash::new(stored) else { return false };
    let (Some(salt), Some(expected)) = (hash.salt, hash.hash) else { return false };
    let Ok(algorithm) = Algorithm::try_from(hash.algorithm) else { return false };
    let version = hash.version.map_or(Ok(Version::V0x13), Version::try_from);
    let (Ok(version), Ok(params)) = (version, Params::try_from(&hash)) else { return false };
    let mut salt_bytes = [0u8; 64];
    let Ok(salt) = salt.decode_b64(&mut salt_bytes) else { return false };
    let mut out = vec![0u8; expected.len()];
    memory.resize(params.block_count(), Block::default());
    let argon2 = Argon2::new(algorithm, version, params);
    if argon2.hash_password_into_with_memory(password, salt, &mut out, &mut memory[..]).is_err() {
        return false;
    }
    // `Output`'s equality is constant-time.
    Output::new(&out).is_ok_and(|out| out == expected)
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::PasswordVerifier;

    #[test]
    fn hashes_are_standard_phc_strings_and_verify() {
        let mut memory = Vec::new();
        let stored = hash_with("s3cret pass", &mut memory).unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{stored}");
        // The argon2 crate's own verifier agrees, both ways.
        let parsed = PasswordHash::new(&stored).unwrap();
        assert!(Argon2::default().verify_password(b"s3cret pass", &parsed).is_ok());
        assert!(verify_with(b"s3cret pass", &stored, &mut memory));
        assert!(!verify_with(b"s3cret pasS", &stored, &mut memory));
        assert!(!verify_with(b"s3cret pass", "not a hash", &mut memory));
        let theirs = crate::auth::hash_password("another").unwrap();
        assert!(verify_with(b"another", &theirs, &mut memory));
    }

    #[tokio::test]
    async fn checks_share_a_bounded_set_of_buffers() {
        let passwords = std::sync::Arc::new(Passwords::new(2));
        let stored = passwords.hash("right".into()).await.unwrap();
        let checks = (0..8).map(|i| {
            let (stored, passwords) = (stored.clone(), passwords.clone());
            let guess = if i == 0 { "right" } else { "wrong" };
            tokio::spawn(async move { passwords.verify(guess.into(), Some(stored)).await })
        });
        let mut results = Vec::new();
        for check in checks {
            results.push(check.await.unwrap().unwrap());
        }
        assert_eq!(results.iter().filter(|ok| **ok).count(), 1);
        assert!(passwords.lock().len() <= 2, "one buffer per concurrent check at most");
        assert!(!passwords.verify("right".into(), None).await.unwrap(), "unknown e-mail");
    }
}

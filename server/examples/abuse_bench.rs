//! Password-check memory (run by `cargo xtask bench`; prints figures, asserts nothing): this
//! process's RSS before and after 400 concurrent wrong-password checks, first through Porch's
//! bounded checker (one check per core, buffers reused), then the way Porch checked before
//! (one `spawn_blocking` Argon2 verification per request, each allocating its 19 MiB).

use std::sync::Arc;
use std::time::Instant;

use argon2::password_hash::{PasswordHash, PasswordVerifier};
use porch_server::password::Passwords;

const CHECKS: usize = 400;

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .unwrap_or(0.0);
    kb / 1024.0
}

#[tokio::main]
async fn main() {
    let stored = porch_server::auth::hash_password("the right one").expect("hash");
    let start = rss_mib();
    println!("RSS at start: {start:.0} MiB");

    let passwords = Arc::new(Passwords::default());
    let began = Instant::now();
    let checks: Vec<_> = (0..CHECKS)
        .map(|_| {
            let (passwords, stored) = (passwords.clone(), stored.clone());
            tokio::spawn(async move { passwords.verify("wrong".into(), Some(stored)).await })
        })
        .collect();
    let mut refused = 0;
    for check in checks {
        if !matches!(check.await, Ok(Ok(true))) {
            refused += 1;
        }
    }
    println!(
        "bounded checker: {CHECKS} concurrent wrong passwords ({refused} refused) in {:.1} s; \
         RSS after: {:.0} MiB (+{:.0})",
        began.elapsed().as_secs_f64(),
        rss_mib(),
        rss_mib() - start
    );

    let before = rss_mib();
    let began = Instant::now();
    let checks: Vec<_> = (0..CHECKS)
        .map(|_| {
            let stored = stored.clone();
            tokio::task::spawn_blocking(move || {
                let hash = PasswordHash::new(&stored).expect("a PHC string");
                argon2::Argon2::default().verify_password(b"wrong", &hash).is_ok()
            })
        })
        .collect();
    for check in checks {
        let _ = check.await;
    }
    println!(
        "unbounded (as before): {CHECKS} concurrent wrong passwords in {:.1} s; \
         RSS after: {:.0} MiB (+{:.0})",
        began.elapsed().as_secs_f64(),
        rss_mib(),
        rss_mib() - before
    );
}

//! The Python packages some tests run (aiosmtpd, standardwebhooks, schemathesis), which
//! `cargo xtask test` installs from PyPI into the tools folder's `python/`.

/// The folder to put on `PYTHONPATH`.
pub fn path() -> String {
    std::env::var("PORCH_PYTHONPATH").unwrap_or_else(|_| {
        format!("{}/.cache/porch/tools/python", std::env::var("HOME").unwrap_or_default())
    })
}

/// Whether `package` is installed; when not, the tests that need it are skipped, except in CI,
/// where this fails.
pub fn installed(package: &str) -> bool {
    if std::path::Path::new(&path()).join(package).exists() {
        return true;
    }
    assert!(std::env::var("CI").is_err(), "{package} must be installed in CI (cargo xtask test)");
    eprintln!("{package} is not installed (cargo xtask test installs it): skipping");
    false
}

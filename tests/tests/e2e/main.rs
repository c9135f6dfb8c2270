//! Browser end-to-end tests: the real widget and inbox, built by Trunk, in headless Chromium.
//! They need the built UI (`dist/`) and chromedriver, which `cargo xtask test` provides; hence
//! `#[ignore]` for a bare `cargo test`.

mod accessibility;
mod accounts;
mod adoption;
mod agent_tools;
mod api;
mod auto_close;
mod bot;
mod canned;
mod closing_options;
mod identity;
mod install;
mod lead_email;
mod lifecycle;
mod offline;
mod phones;
mod reports;
mod team;
mod typing;
mod unread;
mod walking_skeleton;
mod widget_look;
mod workspaces;

/// Saves what `browser` shows as `target/tmp/screenshots/<name>.png`, for a reviewer.
async fn screenshot(browser: &porch_tests::browser::Browser, name: &str) {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    let png = browser.client.screenshot().await.expect("a screenshot");
    std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
}

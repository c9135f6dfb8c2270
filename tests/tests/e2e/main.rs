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

//! API and WebSocket tests against a real server on an ephemeral port.

mod abuse;
mod accounts;
mod api;
mod assets;
mod auto_close;
mod bot;
mod email;
mod fuzz;
mod group_commit;
mod hardening;
mod identity;
mod install;
mod isolation;
mod lead_email;
mod lifecycle;
mod operations;
mod plans;
mod profile;
mod relay;
mod reports;
mod roles;
mod signup;
mod team;
mod tokens;
mod workspaces;
mod ws;

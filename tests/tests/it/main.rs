//! API and WebSocket tests against a real server on an ephemeral port.

mod abuse;
mod api;
mod auto_close;
mod bot;
mod email;
mod hardening;
mod identity;
mod lifecycle;
mod plans;
mod reports;
mod ws;

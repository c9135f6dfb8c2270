//! API and WebSocket tests against a real server on an ephemeral port.

mod api;
mod lifecycle;
mod ws;

//! Black-box test support: a real Porch server on an ephemeral port over a fresh database, and
//! thin HTTP / WebSocket clients for a lead and an agent.

pub mod bench;
pub mod browser;
mod clients;
mod http;
pub mod python;
pub mod receiver;
mod server;
pub mod smtp;
mod socket;

pub use clients::*;
pub use http::*;
pub use server::*;
pub use socket::*;

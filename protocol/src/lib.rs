//! Porch's wire types: everything that crosses HTTP and WebSockets, and the rule by which a
//! client applies the event stream ([`replica`]).
//!
//! serde only, so it builds for the browser (wasm32) and the server alike. Not for rules (see
//! `porch-domain`) nor storage (see `porch-store`).
//!
//! Events live here rather than in the domain because the log *is* the contract: a client that
//! resumes from the store must receive exactly the frames it would have received live.

mod access;
mod account;
pub mod api;
mod endpoints;
mod event;
mod ids;
mod install;
mod integrations;
mod look;
mod model;
pub mod replica;
mod reports;
mod settings;

pub use access::*;
pub use account::*;
pub use endpoints::*;
pub use event::*;
pub use ids::*;
pub use install::*;
pub use integrations::*;
pub use look::*;
pub use model::*;
pub use reports::*;
pub use settings::*;

/// Milliseconds since the Unix epoch, UTC. Every time on the wire and in the store.
pub type Millis = i64;

/// Longest message body accepted, in characters. Longer bodies are refused with `message_too_long`.
pub const MAX_MESSAGE_CHARS: usize = 4000;

/// A stable, friendly name for a lead who has not said who they are — "Visitor 4821" — the
/// same in the inbox, the reports and the CSV, for the same contact.
pub fn visitor_label(contact: &ContactId) -> String {
    // FNV-1a over the id: the same on every build and platform.
    let hash = contact
        .as_str()
        .bytes()
        .fold(0x811c_9dc5_u32, |h, b| (h ^ u32::from(b)).wrapping_mul(0x0100_0193));
    format!("Visitor {:04}", hash % 10_000)
}

/// Longest `client_id` (a sender's name for one message, kept until it is acknowledged so a
/// re-send is stored once): ASCII letters, digits, `-`, `_`, `.`, `:`.
pub const MAX_CLIENT_ID_CHARS: usize = 64;

/// Error body of every 4xx/5xx answer and of WebSocket error frames.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    /// Stable, machine-readable: `not_found`, `conversation_closed`, `message_too_long`, …
    pub code: String,
    /// For humans; safe to show.
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_visitor_label_is_stable_and_friendly() {
        let ann = ContactId("0b5c1f5e-9a3c-4b8e-8f4e-2d6a7c1e9f00".into());
        let label = visitor_label(&ann);
        assert_eq!(label, visitor_label(&ann.clone()), "the same contact, the same label");
        assert!(label.starts_with("Visitor ") && label.len() == "Visitor 0000".len(), "{label}");
        assert_ne!(label, visitor_label(&ContactId("another".into())));
    }
}

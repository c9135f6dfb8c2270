//! What the lead sees, as pure functions of the replica and the owner's options.

use porch_protocol::{ApiError, Conversation, ConversationId, ConversationStatus, LeadOptions};

/// Which screen the widget shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Screen {
    Loading,
    /// The Home sidebar: history and "start a new conversation".
    Home,
    /// A new conversation not yet sent.
    Draft,
    Conversation(ConversationId),
}

/// *Disable chat input after close*: a closed conversation takes no more input.
pub fn input_disabled(conversation: &Conversation, options: &LeadOptions) -> bool {
    conversation.status == ConversationStatus::Closed && options.disable_input_on_close
}

/// The status the lead is shown: with none of the three options on, a closing has no effect for
/// the lead and nothing of it shows (seed 004: "they won't see you closing the chat").
pub fn shown_status(conversation: &Conversation, options: &LeadOptions) -> ConversationStatus {
    let visible = options.hide_closed || options.disable_input_on_close || options.notify_on_close;
    match conversation.status {
        ConversationStatus::Closed if visible => ConversationStatus::Closed,
        _ => ConversationStatus::Open,
    }
}

/// *Show a notification after close*: the owner's text, once the conversation is closed.
pub fn close_notice<'a>(conversation: &Conversation, options: &'a LeadOptions) -> Option<&'a str> {
    (conversation.status == ConversationStatus::Closed && options.notify_on_close)
        .then_some(options.notification_text.as_str())
        .filter(|text| !text.trim().is_empty())
}

/// A failure worth another try of the same message: the server was not reached, or could not
/// answer for a moment. Refusals (4xx) are final.
pub fn is_transient(error: &ApiError) -> bool {
    let code = error.code.as_str();
    code == "network"
        || code.starts_with("http_5")
        || matches!(code, "internal" | "not_ready" | "busy")
}

/// The visitor token is kept per workspace in the widget origin's local storage.
pub fn token_storage_key(workspace_key: &str) -> String {
    format!("porch.visitor.{workspace_key}")
}

/// The stored form of a visitor token: a JSON string, as earlier widgets wrote it. Tokens are
/// URL-safe, so there is nothing to escape.
pub fn stored_token(token: &str) -> String {
    format!("\"{token}\"")
}

/// A visitor token from its stored form.
pub fn token_from_storage(stored: &str) -> Option<String> {
    let token = stored.strip_prefix('"')?.strip_suffix('"')?;
    (!token.is_empty() && !token.contains(['"', '\\'])).then(|| token.to_owned())
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests {
    use wasm_bindgen_test::*;

    use super::*;

    #[wasm_bindgen_test]
    fn a_closing_shows_only_when_an_option_gives_it_an_effect() {
        let mut closed = Conversation::opened(
            porch_protocol::ConversationId("c".into()),
            porch_protocol::ContactId("k".into()),
            porch_protocol::ConversationKind::Live,
            0,
        );
        closed.status = ConversationStatus::Closed;
        let off = LeadOptions {
            hide_closed: false,
            disable_input_on_close: false,
            notify_on_close: false,
            notification_text: String::new(),
        };
        assert_eq!(shown_status(&closed, &off), ConversationStatus::Open);
        for on in [
            LeadOptions { hide_closed: true, ..off.clone() },
            LeadOptions { disable_input_on_close: true, ..off.clone() },
            LeadOptions { notify_on_close: true, ..off.clone() },
        ] {
            assert_eq!(shown_status(&closed, &on), ConversationStatus::Closed, "{on:?}");
        }
    }

    #[wasm_bindgen_test]
    fn only_failures_of_reach_are_tried_again() {
        let error = |code: &str| ApiError { code: code.into(), message: String::new() };
        for again in ["network", "http_502", "http_503", "internal", "not_ready", "busy"] {
            assert!(is_transient(&error(again)), "{again}");
        }
        for last in [
            "conversation_closed",
            "input_disabled",
            "message_too_long",
            "http_404",
            "rate_limited",
        ] {
            assert!(!is_transient(&error(last)), "{last}");
        }
    }

    #[wasm_bindgen_test]
    fn tokens_are_stored_as_json_strings() {
        let stored = stored_token("abc-DEF_123");
        assert_eq!(stored, r#""abc-DEF_123""#);
        assert_eq!(token_from_storage(&stored).as_deref(), Some("abc-DEF_123"));
        for junk in ["", "abc", r#""""#, r#""a\"b""#, "\"open"] {
            assert_eq!(token_from_storage(junk), None, "{junk}");
        }
    }
}

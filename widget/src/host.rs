//! Messages to the loader on the host page (`window.parent`). Only non-sensitive notices cross:
//! readiness, "hide me", and event names with ids.

pub fn notify(message: &serde_json::Value) {
    let Some(window) = web_sys::window() else { return };
    let Ok(Some(parent)) = window.parent() else { return };
    if let Ok(value) = js_sys::JSON::parse(&message.to_string()) {
        // The host's origin is unknown to the widget; nothing private is ever sent.
        let _ = parent.post_message(&value, "*");
    }
}

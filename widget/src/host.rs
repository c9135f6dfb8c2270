//! Messages to the loader on the host page (`window.parent`). Only non-sensitive notices cross:
//! readiness, "hide me", and event names with ids.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;

/// Moves keyboard focus into the widget: the composer if one is shown, else the first button.
pub fn focus_first() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else { return };
    let target = [
        "[data-testid=\"composer-input\"]:not([disabled])",
        "[data-testid=\"start-conversation\"]",
        "button",
    ]
    .iter()
    .find_map(|selector| document.query_selector(selector).ok().flatten());
    if let Some(element) = target.and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok()) {
        let _ = element.focus();
    }
}

/// Obeys the loader: `focus` when the lead opens the chat (after the view has settled), and
/// `identify` from `Porch.identify(user)`, handed to `on_identify`.
pub fn listen(on_identify: impl Fn(serde_json::Value) + 'static) {
    let Some(window) = web_sys::window() else { return };
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let from_parent = web_sys::window()
                .and_then(|w| w.parent().ok().flatten())
                .is_some_and(|p| event.source().is_some_and(|s| s == p.into()));
            if !from_parent {
                return;
            }
            let field = |name: &str| js_sys::Reflect::get(&event.data(), &name.into()).ok();
            match field("porch").and_then(|v| v.as_string()).as_deref() {
                Some("focus") => leptos::task::spawn_local(async {
                    gloo_timers::future::TimeoutFuture::new(0).await;
                    focus_first();
                }),
                Some("identify") => {
                    let user = field("user")
                        .and_then(|u| js_sys::JSON::stringify(&u).ok())
                        .and_then(|s| s.as_string())
                        .and_then(|s| serde_json::from_str(&s).ok());
                    if let Some(user) = user {
                        on_identify(user);
                    }
                }
                _ => {}
            }
        });
    let _ = window.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
    // The widget listens for its whole life.
    on_message.forget();
}

pub fn notify(message: &serde_json::Value) {
    let Some(window) = web_sys::window() else { return };
    let Ok(Some(parent)) = window.parent() else { return };
    if let Ok(value) = js_sys::JSON::parse(&message.to_string()) {
        // The host's origin is unknown to the widget; nothing private is ever sent.
        let _ = parent.post_message(&value, "*");
    }
}

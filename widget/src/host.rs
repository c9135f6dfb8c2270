//! Messages to the loader on the host page (`window.parent`). Only non-sensitive notices cross:
//! readiness, "hide me", and event names with ids.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};

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
/// `identify` from `Porch.identify(user)`, handed to `on_identify` (`None` when `user` is not
/// `{id, name?, email?, hash}` with strings).
/// `shutdown` (from `Porch.shutdown()`) goes to `on_shutdown`.
pub fn listen(
    on_identify: impl Fn(Option<porch_protocol::Identify>) + 'static,
    on_shutdown: impl Fn() + 'static,
) {
    let Some(window) = web_sys::window() else { return };
    let on_message =
        Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            let from_parent = web_sys::window()
                .and_then(|w| w.parent().ok().flatten())
                .is_some_and(|p| event.source().is_some_and(|s| s == p.into()));
            if !from_parent {
                return;
            }
            let data = event.data();
            match field(&data, "porch").as_string().as_deref() {
                Some("focus") => leptos::task::spawn_local(async {
                    gloo_timers::future::TimeoutFuture::new(0).await;
                    focus_first();
                }),
                Some("identify") => on_identify(identity(&field(&data, "user"))),
                Some("shutdown") => on_shutdown(),
                _ => {}
            }
        });
    let _ = window.add_event_listener_with_callback("message", on_message.as_ref().unchecked_ref());
    // The widget listens for its whole life.
    on_message.forget();
}

fn field(object: &JsValue, name: &str) -> JsValue {
    js_sys::Reflect::get(object, &name.into()).unwrap_or(JsValue::UNDEFINED)
}

/// `Porch.identify`'s argument, read without a JSON round trip.
fn identity(user: &JsValue) -> Option<porch_protocol::Identify> {
    let optional = |name: &str| {
        let value = field(user, name);
        match value.as_string() {
            Some(text) => Some(Some(text)),
            None if value.is_undefined() || value.is_null() => Some(None),
            None => None,
        }
    };
    Some(porch_protocol::Identify {
        id: field(user, "id").as_string()?,
        name: optional("name")?,
        email: optional("email")?,
        hash: field(user, "hash").as_string()?,
    })
}

/// Tells the loader something: `{porch: kind, ...fields}`. Nothing private is ever sent (the
/// host's origin is unknown to the widget).
pub fn notify(kind: &str, fields: &[(&str, JsValue)]) {
    let Some(window) = web_sys::window() else { return };
    let Ok(Some(parent)) = window.parent() else { return };
    let message = object(fields);
    let _ = js_sys::Reflect::set(&message, &"porch".into(), &kind.into());
    let _ = parent.post_message(&message, "*");
}

/// A plain object with these fields.
pub fn object(fields: &[(&str, JsValue)]) -> JsValue {
    let object: JsValue = js_sys::Object::new().into();
    for (name, value) in fields {
        let _ = js_sys::Reflect::set(&object, &(*name).into(), value);
    }
    object
}

/// The origin of the page embedding the widget: what the browser says of the iframe's
/// ancestors, or else what the loader passed as `?origin=`.
pub fn host_origin() -> Option<String> {
    let location = web_sys::window()?.location();
    // `location.ancestorOrigins` (Chromium, Safari) is not in web-sys: read it by name.
    let ancestors = field(&location, "ancestorOrigins");
    if let Some(first) =
        js_sys::Reflect::get(&ancestors, &0.into()).ok().and_then(|v| v.as_string())
    {
        return Some(first);
    }
    let query = location.search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&query).ok()?.get("origin")
}

/// The page (origin and path) embedding the widget, as the loader passed it (`?page=`).
pub fn host_page() -> Option<String> {
    let query = web_sys::window()?.location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&query).ok()?.get("page")
}

//! The lead's chat widget: Leptos, client-side rendered, inside an iframe that the loader
//! (`loader.js`, served as `/widget.js`) puts on the customer's page.
//!
//! `state` holds the pure rules of what the lead sees; `components` draws them; HTTP and the
//! resuming socket come from `porch-client`.

pub mod components;
pub mod host;
mod session;
pub mod state;
pub mod texts;

/// The widget's own allocator: a fraction of dlmalloc's code (see `porch-heap`).
#[cfg(target_arch = "wasm32")]
#[global_allocator]
static HEAP: porch_heap::Heap = porch_heap::Heap::new();

/// Mounts the widget for the workspace key in the page's `?key=`.
pub fn start() {
    let key = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| web_sys::UrlSearchParams::new_with_str(&q).ok())
        .and_then(|p| p.get("key"))
        .unwrap_or_default();
    leptos::mount::mount_to_body(move || leptos::view! { <components::App key=key.clone() /> });
}

//! The sellers' live chat app: sign in, folders of conversations kept live by the agents'
//! socket, a conversation view to reply and close.
//!
//! `state` holds the pure folder rules; `components` draws them; `zone` writes times in the
//! workspace's time zone; HTTP and the resuming socket
//! come from `porch-client`.

pub mod components;
pub mod state;
mod zone;

pub fn start() {
    leptos::mount::mount_to_body(components::App);
}

#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

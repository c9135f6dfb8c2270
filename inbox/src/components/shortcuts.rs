//! Keyboard shortcuts for the conversation pages, and the overlay that lists them (`?`). Keys
//! typed into a field are the field's; shortcuts take single keys without modifiers.

use leptos::ev;
use leptos::prelude::*;
use porch_protocol as wire;
use porch_protocol::api::agent;
use wasm_bindgen::JsCast;

use super::folders::in_folder;
use super::{Ctx, Page};
use crate::state::closable;

/// Key, what it does: the overlay's list.
const KEYS: [(&str, &str); 6] = [
    ("j", "Next conversation"),
    ("k", "Previous conversation"),
    ("a", "Assign the conversation to me"),
    ("s", "Snooze it for an hour"),
    ("c", "Close it (asks for the outcome)"),
    ("?", "Show or hide these shortcuts"),
];

/// Whether the key went to something that takes text.
fn typing(event: &web_sys::KeyboardEvent) -> bool {
    event.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|e| {
        matches!(e.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT")
            || e.get_attribute("contenteditable").is_some()
    })
}

/// The conversation `step` places from the selected one in the shown folder (the first when
/// none is selected).
fn neighbour(ctx: Ctx, step: isize) {
    let list = in_folder(ctx, ctx.folder.get_untracked());
    let at = ctx.selected.get_untracked().and_then(|id| list.iter().position(|c| c.id == id));
    let next = match at {
        None => 0,
        Some(i) => i.saturating_add_signed(step).min(list.len().saturating_sub(1)),
    };
    if let Some(c) = list.get(next) {
        ctx.select(c.id.clone());
    }
}

fn on_key(ctx: Ctx, help: RwSignal<bool>, event: web_sys::KeyboardEvent) {
    if typing(&event) || event.ctrl_key() || event.meta_key() || event.alt_key() {
        return;
    }
    let key = event.key();
    if key == "Escape" {
        return help.set(false);
    }
    if ctx.page.get_untracked() != Page::Conversations || ctx.closing.get_untracked() {
        return;
    }
    let live_open = ctx.selected.get_untracked().is_some_and(|id| {
        ctx.replica.with_untracked(|r| r.conversation(&id).is_some_and(closable))
    });
    match key.as_str() {
        "?" => help.update(|h| *h = !*h),
        "j" => neighbour(ctx, 1),
        "k" => neighbour(ctx, -1),
        "a" if live_open => {
            ctx.act(agent::ASSIGN, wire::Assign { agent_id: Some(ctx.me.get_value()) })
        }
        "s" if live_open => ctx.snooze_for(1),
        "c" if live_open => ctx.closing.set(true),
        _ => return,
    }
    event.prevent_default();
}

/// Listens for the shortcuts while the inbox is shown; the "Shortcuts" button and the overlay.
#[component]
pub fn Shortcuts(ctx: Ctx) -> impl IntoView {
    let help = RwSignal::new(false);
    let listener = window_event_listener(ev::keydown, move |event| on_key(ctx, help, event));
    on_cleanup(move || listener.remove());
    view! {
        <button type="button" class="link light" data-testid="open-shortcuts"
            aria-keyshortcuts="?" on:click=move |_| help.update(|h| *h = !*h)>"Shortcuts"</button>
        {move || help.get().then(|| view! {
            <div class="backdrop">
                <div class="dialog" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title"
                    data-testid="shortcuts">
                    <h2 id="shortcuts-title">"Keyboard shortcuts"</h2>
                    <dl class="shortcuts">
                        {KEYS.iter().map(|(key, what)| view! {
                            <div><dt><kbd>{*key}</kbd></dt><dd>{*what}</dd></div>
                        }).collect_view()}
                    </dl>
                    <button type="button" class="primary" data-testid="close-shortcuts"
                        on:click=move |_| help.set(false)>"Close"</button>
                </div>
            </div>
        })}
    }
}

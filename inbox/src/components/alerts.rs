//! New-message alerts: a short tone when a lead writes in a conversation that is not on screen,
//! and a desktop notification while the tab is in the background (once the member allowed
//! them). The member turns alerts on and off in the top bar; the browser remembers it.

use std::cell::RefCell;

use leptos::prelude::*;
use porch_protocol::{ConversationKind, Message};
use wasm_bindgen::prelude::*;
use web_sys::{AudioContext, Notification, NotificationOptions, NotificationPermission};

use super::workspaces::storage;
use super::Ctx;

const SETTING: &str = "porch.alerts";

thread_local! {
    /// One audio context for the page, made on the member's click (browsers start one made
    /// without a gesture suspended).
    static AUDIO: RefCell<Option<AudioContext>> = const { RefCell::new(None) };
}

/// Whether this browser has alerts on (off until the member turns them on).
pub(crate) fn remembered() -> bool {
    storage().and_then(|s| s.get_item(SETTING).ok().flatten()).is_some_and(|v| v == "on")
}

fn remember(on: bool) {
    if let Some(s) = storage() {
        let _ = s.set_item(SETTING, if on { "on" } else { "off" });
    }
}

fn audio() -> Option<AudioContext> {
    AUDIO.with(|a| {
        let mut a = a.borrow_mut();
        if a.is_none() {
            *a = AudioContext::new().ok();
        }
        a.clone()
    })
}

/// A 150 ms tone, quiet.
fn chime() -> Result<(), JsValue> {
    let Some(audio) = audio() else { return Ok(()) };
    let _ = audio.resume();
    let tone = audio.create_oscillator()?;
    let volume = audio.create_gain()?;
    tone.frequency().set_value(880.0);
    volume.gain().set_value(0.08);
    tone.connect_with_audio_node(&volume)?;
    volume.connect_with_audio_node(&audio.destination())?;
    tone.start()?;
    tone.stop_with_when(audio.current_time() + 0.15)
}

/// A desktop notification; a click on it brings the tab forward on that conversation.
fn notify(ctx: Ctx, title: &str, message: &Message) -> Result<(), JsValue> {
    if Notification::permission() != NotificationPermission::Granted {
        return Ok(());
    }
    let options = NotificationOptions::new();
    options.set_body(&message.body);
    options.set_tag(message.conversation_id.as_str());
    let shown = Notification::new_with_options(title, &options)?;
    let id = message.conversation_id.clone();
    let click = Closure::<dyn FnMut()>::new(move || {
        let _ = window().focus();
        ctx.select(id.clone());
    });
    shown.set_onclick(Some(click.as_ref().unchecked_ref()));
    click.forget();
    Ok(())
}

/// A lead wrote `message` in a conversation that is not on screen: the team hears of it when
/// the conversation waits for a person (not with the bot) and is theirs or nobody's.
pub(crate) fn lead_wrote(ctx: Ctx, message: &Message) {
    if !ctx.alerts.get_untracked() {
        return;
    }
    let me = ctx.me.get_value();
    let (wanted, lead) =
        ctx.replica.with_untracked(|r| match r.conversation(&message.conversation_id) {
            Some(c) => (
                c.kind == ConversationKind::Live && c.assignee.as_ref().is_none_or(|a| *a == me),
                c.lead_label(),
            ),
            None => (false, String::new()),
        });
    if !wanted {
        return;
    }
    let _ = chime();
    if document().hidden() {
        let _ = notify(ctx, &format!("New message from {lead}"), message);
    }
}

/// The top bar's switch. Turning alerts on asks the browser for desktop notifications.
#[component]
pub fn AlertsToggle(ctx: Ctx) -> impl IntoView {
    let toggle = move |_| {
        let on = !ctx.alerts.get_untracked();
        ctx.alerts.set(on);
        remember(on);
        if on {
            // Made and resumed inside the click, so it may play.
            if let Some(audio) = audio() {
                let _ = audio.resume();
            }
            if Notification::permission() == NotificationPermission::Default {
                let _ = Notification::request_permission();
            }
        }
    };
    view! {
        <button type="button" class="link light" data-testid="alerts-toggle"
            aria-pressed=move || ctx.alerts.get().to_string()
            title="A sound and a desktop notification when a lead writes"
            on:click=toggle>
            {move || if ctx.alerts.get() { "Alerts on" } else { "Alerts off" }}
        </button>
    }
}

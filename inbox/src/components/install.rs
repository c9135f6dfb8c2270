//! Settings → Install (owners): the snippet to paste with a copy button, the origins allowed to
//! embed the widget, where it was last seen, and rotating the widget key.

use leptos::prelude::*;
use leptos::task::spawn_local;
use porch_client as client;
use porch_protocol as wire;
use porch_protocol::api::agent;

use super::settings::{save_settings, status_line};
use super::{time_of, Ctx};

#[component]
pub(crate) fn InstallCard() -> impl IntoView {
    let view = RwSignal::new(None::<wire::InstallView>);
    let origins = RwSignal::new(String::new());
    let status = RwSignal::new(None::<Result<String, String>>);
    let show = move |answer: Result<wire::InstallView, wire::ApiError>, done: &str| match answer {
        Ok(v) => {
            origins.set(v.allowed_origins.join("\n"));
            view.set(Some(v));
            status.set((!done.is_empty()).then(|| Ok(done.to_owned())));
        }
        Err(e) => status.set(Some(Err(e.message))),
    };
    spawn_local(async move { show(client::call(agent::INSTALL.at(&[]), &(), None).await, "") });
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let allowed_origins = origins
            .get_untracked()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        let request = wire::SetAllowedOrigins { allowed_origins };
        spawn_local(async move {
            let call = agent::SET_ALLOWED_ORIGINS.at(&[]);
            show(client::call(call, &request, None).await, "Saved");
        });
    };
    let copy = move |_| {
        let Some(snippet) = view.with_untracked(|v| v.as_ref().map(|v| v.snippet.clone())) else {
            return;
        };
        if let Some(window) = web_sys::window() {
            let _ = window.navigator().clipboard().write_text(&snippet);
            status.set(Some(Ok("The snippet is on your clipboard.".into())));
        }
    };
    let rotate = move |_| {
        let sure = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message(
                    "Pages with the current snippet stop showing the chat until they get the new \
                     one. Make a new key?",
                )
                .ok()
            })
            .unwrap_or(false);
        if sure {
            spawn_local(async move {
                let rotated = client::call(agent::ROTATE_KEY.at(&[]), &(), None).await;
                show(rotated, "A new key is in the snippet; paste it into your pages.");
            });
        }
    };
    view! {
        <form class="card" on:submit=save data-testid="install">
            <h3>"Install"</h3>
            <p>"Paste this into every page of your site, just before " <code>"</body>"</code> ":"</p>
            <pre class="snippet"><code data-testid="install-snippet">
                {move || view.get().map(|v| v.snippet).unwrap_or_default()}
            </code></pre>
            <div class="row">
                <button type="button" data-testid="install-copy" on:click=copy>"Copy the snippet"</button>
                <button type="button" data-testid="install-rotate" on:click=rotate>"Make a new key"</button>
            </div>
            <label>"Allowed sites (one origin per line, such as https://shop.example; none: any site)"
                <textarea rows="3" data-testid="install-origins"
                    prop:value=move || origins.get() on:input=move |ev| origins.set(event_target_value(&ev))></textarea>
            </label>
            <div class="row">
                <button type="submit" class="primary" data-testid="install-save">"Save"</button>
            </div>
            <h4>"Installation check"</h4>
            <ul data-testid="install-seen">
                {move || {
                    let seen = view.get().map(|v| v.seen).unwrap_or_default();
                    if seen.is_empty() {
                        return view! { <li>"Not seen on any site yet."</li> }.into_any();
                    }
                    seen.into_iter()
                        .map(|s| view! { <li>{format!("Last seen on {} at {}", s.origin, time_of(s.last_seen_at))}</li> })
                        .collect_view()
                        .into_any()
                }}
            </ul>
            {status_line(status, "install-status")}
        </form>
    }
}

/// Whether the widget asks leads for an e-mail before their first message.
#[component]
pub(crate) fn AskEmailForm(ctx: Ctx, saved: wire::AskEmail, editable: bool) -> impl IntoView {
    let choice = RwSignal::new(saved);
    let status = RwSignal::new(None);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = wire::ChangeAskEmail { ask_email: choice.get_untracked() };
        save_settings(ctx, agent::SET_ASK_EMAIL, body, status);
    };
    let options = [
        (wire::AskEmail::Off, "off", "Don't ask"),
        (wire::AskEmail::Optional, "optional", "Ask, optional"),
        (wire::AskEmail::Required, "required", "Ask, required before the first message"),
    ];
    view! {
        <form class="card" on:submit=save>
            <h3>"The lead's e-mail"</h3>
            <label>"Before a first message, the widget asks for an e-mail \"so we can reply if you leave\":"
                <select data-testid="ask-email" disabled=!editable on:change=move |ev| {
                    choice.set(match event_target_value(&ev).as_str() {
                        "optional" => wire::AskEmail::Optional,
                        "required" => wire::AskEmail::Required,
                        _ => wire::AskEmail::Off,
                    })
                }>
                    {options.into_iter().map(|(value, name, label)| view! {
                        <option value=name selected=value == saved>{label}</option>
                    }).collect_view()}
                </select>
            </label>
            {editable.then(|| view! { <div class="row"><button type="submit" class="primary" data-testid="ask-email-save">"Save"</button></div> })}
            {status_line(status, "ask-email-status")}
        </form>
    }
}

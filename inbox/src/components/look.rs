//! Settings → "The widget": its colour, side, texts and language, and whether leads may end
//! their conversations. The server refuses a colour white text would not read on.

use leptos::prelude::*;
use porch_protocol::api::agent;
use porch_protocol::{Language, WidgetPosition, WidgetSettings};

use super::settings::{save_settings, status_line};
use super::Ctx;

#[component]
pub(crate) fn WidgetForm(ctx: Ctx, saved: WidgetSettings, editable: bool) -> impl IntoView {
    let color = RwSignal::new(saved.color.clone());
    let left = RwSignal::new(saved.position == WidgetPosition::Left);
    let launcher_text = RwSignal::new(saved.launcher_text.clone());
    let greeting = RwSignal::new(saved.greeting.clone());
    let team_name = RwSignal::new(saved.team_name.clone());
    let language = RwSignal::new(saved.language);
    let lead_may_end = RwSignal::new(saved.lead_may_end);
    let status = RwSignal::new(None);
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = WidgetSettings {
            color: color.get_untracked(),
            position: if left.get_untracked() {
                WidgetPosition::Left
            } else {
                WidgetPosition::Right
            },
            launcher_text: launcher_text.get_untracked(),
            greeting: greeting.get_untracked(),
            team_name: team_name.get_untracked(),
            language: language.get_untracked(),
            lead_may_end: lead_may_end.get_untracked(),
        };
        save_settings(ctx, agent::SET_WIDGET, body, status);
    };
    let text = |label: &'static str,
                test_id: &'static str,
                value: RwSignal<String>,
                hint: &'static str| {
        view! {
            <label>{label}
                <input type="text" data-testid=test_id disabled=!editable placeholder=hint
                    prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
            </label>
        }
    };
    let languages = [
        (Language::Auto, "auto", "The lead's browser (English, German, French or Spanish)"),
        (Language::En, "en", "English"),
        (Language::De, "de", "German"),
        (Language::Fr, "fr", "French"),
        (Language::Es, "es", "Spanish"),
    ];
    view! {
        <form class="card" on:submit=save>
            <h3>"The widget"</h3>
            <div class="row" role="group" aria-label="Colour">
                <label>"Colour (white text must read on it)"
                    <input type="text" data-testid="widget-color" disabled=!editable size="8"
                        prop:value=move || color.get() on:input=move |ev| color.set(event_target_value(&ev)) />
                </label>
                <input type="color" data-testid="widget-color-picker" disabled=!editable aria-label="Pick the colour"
                    prop:value=move || color.get() on:input=move |ev| color.set(event_target_value(&ev)) />
            </div>
            <label class="choice">
                <input type="checkbox" data-testid="widget-left" disabled=!editable
                    prop:checked=move || left.get() on:change=move |ev| left.set(event_target_checked(&ev)) />
                "Launcher on the left of the page"
            </label>
            {text("Launcher text", "widget-launcher-text", launcher_text, "none: the icon alone")}
            {text("Greeting on Home", "widget-greeting", greeting, "Hi there! How can we help?")}
            {text("Team name in the header", "widget-team-name", team_name, "the workspace's name")}
            <label>"Language"
                <select data-testid="widget-language" disabled=!editable on:change=move |ev| {
                    let chosen = event_target_value(&ev);
                    language.set(languages.iter().find(|l| l.1 == chosen).map_or(Language::Auto, |l| l.0));
                }>
                    {languages.into_iter().map(|(value, name, label)| view! {
                        <option value=name selected=value == saved.language>{label}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="choice">
                <input type="checkbox" data-testid="widget-lead-may-end" disabled=!editable
                    prop:checked=move || lead_may_end.get() on:change=move |ev| lead_may_end.set(event_target_checked(&ev)) />
                "Leads may end their conversations (closing source: lead)"
            </label>
            {editable.then(|| view! { <div class="row"><button type="submit" class="primary" data-testid="widget-save">"Save"</button></div> })}
            {status_line(status, "widget-status")}
        </form>
    }
}

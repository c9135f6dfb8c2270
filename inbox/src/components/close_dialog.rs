//! Closing: the outcome, and the closing note as the workspace's mode asks for it, with
//! Summarize to draft the summary. The server checks the same rules; its refusal is shown here.

use leptos::prelude::*;
use leptos::task::spawn_local;
use porch_client as client;
use porch_protocol::{self as wire, api::agent, ClosingNote, ClosingNotesMode, Outcome};

use super::Ctx;

#[component]
pub fn CloseDialog(ctx: Ctx, open: RwSignal<bool>) -> impl IntoView {
    let outcome = RwSignal::new(None::<Outcome>);
    let category = RwSignal::new(String::new());
    let summary = RwSignal::new(String::new());
    // True while the summary is exactly what Summarize drafted.
    let generated = RwSignal::new(false);
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let notes = move || {
        ctx.workspace
            .with(|w| w.as_ref().map(|w| w.settings.closing_notes.clone()).unwrap_or_default())
    };
    let mode = move || notes().mode;

    let summarize = move |_| {
        let Some(id) = ctx.selected.get_untracked() else { return };
        busy.set(true);
        spawn_local(async move {
            match client::call(agent::SUMMARIZE.at(&[id.as_str()]), &(), None).await {
                Ok(s) => {
                    summary.set(s.summary);
                    generated.set(true);
                }
                Err(e) => error.set(Some(e.message)),
            }
            busy.set(false);
        });
    };
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(id) = ctx.selected.get_untracked() else { return };
        let note = ClosingNote {
            category: Some(category.get_untracked()).filter(|c| !c.is_empty()),
            summary: Some(summary.get_untracked()).filter(|s| !s.trim().is_empty()),
            generated: generated.get_untracked(),
        };
        let request = wire::CloseConversation {
            outcome: outcome.get_untracked(),
            note: (note.category.is_some() || note.summary.is_some()).then_some(note),
        };
        busy.set(true);
        spawn_local(async move {
            match client::call(agent::CLOSE.at(&[id.as_str()]), &request, None).await {
                Ok(_) => open.set(false),
                Err(e) => error.set(Some(e.message)),
            }
            busy.set(false);
        });
    };
    let radio = move |value: Outcome, label: &'static str, test_id: &'static str| {
        view! {
            <label class="choice">
                <input type="radio" name="outcome" data-testid=test_id
                    prop:checked=move || outcome.get() == Some(value)
                    on:change=move |_| outcome.set(Some(value)) />
                {label}
            </label>
        }
    };
    let required = |needed: bool| if needed { " (required)" } else { " (optional)" };
    view! {
        <div class="backdrop">
            <form class="dialog" role="dialog" aria-modal="true" aria-labelledby="close-title" data-testid="close-dialog"
                on:submit=confirm
                on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { open.set(false) }>
                <h2 id="close-title">"Close conversation"</h2>
                <fieldset>
                    <legend>"Outcome"</legend>
                    {radio(Outcome::Resolved, "Resolved — the lead got what they needed", "outcome-resolved")}
                    {radio(Outcome::Unresolved, "Unresolved — it ended without a satisfying result", "outcome-unresolved")}
                </fieldset>
                {move || (mode() != ClosingNotesMode::Off).then(|| {
                    let needs_category = matches!(mode(), ClosingNotesMode::CategoryRequired | ClosingNotesMode::CategoryAndSummaryRequired);
                    let needs_summary = mode() == ClosingNotesMode::CategoryAndSummaryRequired;
                    view! {
                        <fieldset>
                            <legend>"Closing note"</legend>
                            <label>"Category" {required(needs_category)}
                                <select data-testid="closing-category" on:change=move |ev| category.set(event_target_value(&ev))>
                                    <option value="">"—"</option>
                                    {notes().categories.into_iter().map(|c| view! { <option value=c.clone()>{c.clone()}</option> }).collect_view()}
                                </select>
                            </label>
                            <label>"Summary" {required(needs_summary)}
                                <textarea rows="4" data-testid="closing-summary"
                                    prop:value=move || summary.get()
                                    on:input=move |ev| { summary.set(event_target_value(&ev)); generated.set(false); }></textarea>
                            </label>
                            <button type="button" data-testid="summarize" disabled=move || busy.get() on:click=summarize>"Summarize"</button>
                        </fieldset>
                    }
                })}
                {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="close-error">{e}</p> })}
                <div class="buttons">
                    <button type="button" data-testid="close-cancel" on:click=move |_| open.set(false)>"Cancel"</button>
                    <button type="submit" class="primary" data-testid="confirm-close"
                        disabled=move || busy.get() || outcome.get().is_none()>"Close conversation"</button>
                </div>
            </form>
        </div>
    }
}

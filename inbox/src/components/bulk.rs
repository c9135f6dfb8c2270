//! Closing several conversations at once: the open ones ticked in the list, one outcome and an
//! optional note for all, in one request (and one transaction on the server).

use std::collections::BTreeSet;

use leptos::prelude::*;
use leptos::task::spawn_local;
use porch_client as client;
use porch_protocol::api::agent;
use porch_protocol::{self as wire, ClosingNote, ConversationId, Outcome};

use super::Ctx;

/// The conversations ticked in the list.
pub type Ticked = RwSignal<BTreeSet<ConversationId>>;

/// The bar above the list while conversations are ticked: how many, the outcome, a note, and
/// "Close". What the server refused stays ticked, and says why.
#[component]
pub fn BulkBar(ctx: Ctx, ticked: Ticked) -> impl IntoView {
    let outcome = RwSignal::new(Outcome::Resolved);
    let summary = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let close = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let ids: Vec<ConversationId> = ticked.get_untracked().into_iter().collect();
        if ids.is_empty() || busy.get_untracked() {
            return;
        }
        let text = summary.get_untracked().trim().to_owned();
        let note = (!text.is_empty()).then_some(ClosingNote {
            category: None,
            summary: Some(text),
            generated: false,
        });
        let request = wire::BulkClose { ids, outcome: Some(outcome.get_untracked()), note };
        busy.set(true);
        spawn_local(async move {
            let done = client::call(agent::CLOSE_MANY.at(&[]), &request, None).await;
            busy.set(false);
            match done {
                Ok(done) => {
                    ticked.set(done.refused.iter().map(|r| r.id.clone()).collect());
                    match done.refused.first() {
                        None => ctx.error.set(None),
                        Some(r) => ctx.error.set(Some(format!(
                            "{} closed; {} not: {}",
                            done.closed.len(),
                            done.refused.len(),
                            r.error.message
                        ))),
                    }
                    summary.set(String::new());
                }
                Err(e) => ctx.fail(e),
            }
        });
    };
    let pick = move |ev: leptos::ev::Event| {
        outcome.set(match event_target_value(&ev).as_str() {
            "unresolved" => Outcome::Unresolved,
            _ => Outcome::Resolved,
        })
    };
    move || {
        let n = ticked.with(BTreeSet::len);
        (n > 0).then(|| view! {
            <form class="bulk" data-testid="bulk-bar" on:submit=close>
                <strong data-testid="bulk-count">{format!("{n} selected")}</strong>
                <label>"Outcome "
                    <select data-testid="bulk-outcome" on:change=pick>
                        <option value="resolved">"Resolved"</option>
                        <option value="unresolved">"Unresolved"</option>
                    </select>
                </label>
                <input type="text" data-testid="bulk-summary" aria-label="Closing note for all"
                    placeholder="Note (optional)" maxlength="2000"
                    prop:value=move || summary.get() on:input=move |ev| summary.set(event_target_value(&ev)) />
                <button type="submit" class="primary" data-testid="bulk-close"
                    prop:disabled=move || busy.get()>{format!("Close {n}")}</button>
                <button type="button" class="link" data-testid="bulk-clear"
                    on:click=move |_| ticked.set(BTreeSet::new())>"Clear"</button>
            </form>
        })
    }
}

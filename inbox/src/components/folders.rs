use leptos::prelude::*;
use porch_protocol::Conversation;

use super::{time_of, Ctx};
use crate::state::{countdown, outcome_label, Folder};

fn in_folder(ctx: Ctx, folder: Folder) -> Vec<Conversation> {
    let (me, now) = (ctx.me.get_value(), ctx.now.get());
    ctx.replica
        .with(|r| r.conversations().iter().filter(|c| folder.holds(c, &me, now)).cloned().collect())
}

/// The folder tabs with live counts, and the selected folder's list, newest activity first.
#[component]
pub fn Folders(ctx: Ctx) -> impl IntoView {
    view! {
        <nav class="folders" aria-label="Conversations">
            <div class="tabs" role="tablist">
                {Folder::ALL.into_iter().map(|folder| view! {
                    <button type="button" role="tab" data-testid=format!("folder-{}", folder.label().to_lowercase())
                        aria-selected=move || (ctx.folder.get() == folder).to_string()
                        on:click=move |_| ctx.folder.set(folder)>
                        {folder.label()} " " <span class="count">{move || in_folder(ctx, folder).len()}</span>
                    </button>
                }).collect_view()}
            </div>
            <ul class="list">
                <For each=move || in_folder(ctx, ctx.folder.get())
                    key=|c| c.clone()
                    children=move |c| {
                        let id = c.id.clone();
                        let selected = { let id = id.clone(); move || ctx.selected.get().as_ref() == Some(&id) };
                        let assignee = c.assignee.clone();
                        let lead = c.lead_label();
                        let deadline = c.auto_close_at.filter(|_| c.status == porch_protocol::ConversationStatus::Open);
                        view! {
                            <li>
                                <button type="button" class="item" data-testid="conversation-item"
                                    aria-current=move || selected().then_some("true")
                                    on:click=move |_| ctx.select(id.clone())>
                                    <span class="lead" data-testid="item-lead">{lead}</span>
                                    <span class="preview">{c.last_message.clone().unwrap_or_else(|| "(no messages)".into())}</span>
                                    <span class="meta">
                                        <time data-testid="item-time">{time_of(c.last_activity_at)}</time>
                                        " · Cycle " {c.cycle}
                                        {c.outcome.map(|o| view! { " · " <span data-testid="item-outcome">{outcome_label(o)}</span> })}
                                        // Reactive: the team's names may arrive after the list.
                                        {move || assignee.as_ref().map(|a| format!(" · {}", ctx.name_of(a)))}
                                    </span>
                                    {deadline.map(|at| view! {
                                        <span class="countdown" data-testid="auto-close-countdown" title=format!("Auto-close at {}", time_of(at))>
                                            {move || countdown(at, ctx.now.get())}
                                        </span>
                                    })}
                                </button>
                            </li>
                        }
                    } />
            </ul>
        </nav>
    }
}

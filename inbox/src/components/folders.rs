use leptos::prelude::*;
use leptos::task::spawn_local;
use porch_client as client;
use porch_protocol::api::agent;
use porch_protocol::Conversation;

use std::collections::BTreeSet;

use super::bulk::{BulkBar, Ticked};
use super::unread::{badge, count_of, in_folder_unread};
use super::{time_of, Ctx};
use crate::state::{countdown, outcome_label, Folder};

pub(crate) fn in_folder(ctx: Ctx, folder: Folder) -> Vec<Conversation> {
    let (me, now) = (ctx.me.get_value(), ctx.now.get());
    ctx.replica
        .with(|r| r.conversations().iter().filter(|c| folder.holds(c, &me, now)).cloned().collect())
}

/// The page's title counts the new chats nobody has taken (the Unassigned folder), so a
/// waiting lead shows in a background tab: "(2) Porch — live chat".
pub(crate) fn title_counts_waiting(ctx: Ctx) {
    const TITLE: &str = "Porch — live chat";
    Effect::new(move |_| {
        let waiting = in_folder(ctx, Folder::Unassigned).len();
        let title = match waiting {
            0 => TITLE.to_owned(),
            n => format!("({n}) {TITLE}"),
        };
        document().set_title(&title);
    });
    on_cleanup(|| document().set_title(TITLE));
}

/// `q` as a query string value.
fn encoded(q: &str) -> String {
    String::from(js_sys::encode_uri_component(q))
}

/// The folder tabs with live counts, and the selected folder's list, newest activity first;
/// or, after a search, the conversations it found (any folder, text in a message or the
/// lead's name or e-mail).
#[component]
pub fn Folders(ctx: Ctx) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let ticked: Ticked = RwSignal::new(BTreeSet::new());
    let results = RwSignal::new(None::<(String, Vec<Conversation>)>);
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let q = query.get_untracked().trim().to_owned();
        if q.is_empty() {
            return results.set(None);
        }
        spawn_local(async move {
            let call = agent::CONVERSATIONS.at(&[]).query(&format!("q={}", encoded(&q)));
            match client::call(call, &(), None).await {
                Ok(found) => results.set(Some((q, found))),
                Err(e) => ctx.fail(e),
            }
        });
    };
    let clear = move |_| {
        query.set(String::new());
        results.set(None);
    };
    let shown = move || match results.get() {
        Some((_, found)) => found,
        None => in_folder(ctx, ctx.folder.get()),
    };
    view! {
        <nav class="folders" aria-label="Conversations">
            <form class="search" role="search" on:submit=search>
                <input type="search" data-testid="search-input" aria-label="Search conversations"
                    placeholder="Search messages, names, e-mails" maxlength="200"
                    prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev)) />
                <button type="submit" data-testid="search-submit">"Search"</button>
            </form>
            {move || results.get().map(|(q, found)| view! {
                <p class="meta" role="status" data-testid="search-results">
                    {format!("{} found for \u{201c}{q}\u{201d} ", found.len())}
                    <button type="button" class="link" data-testid="search-clear" on:click=clear>"Clear"</button>
                </p>
            })}
            <div class="tabs" role="tablist">
                {Folder::ALL.into_iter().map(|folder| view! {
                    <button type="button" role="tab" data-testid=format!("folder-{}", folder.label().to_lowercase())
                        aria-selected=move || (ctx.folder.get() == folder).to_string()
                        on:click=move |_| ctx.folder.set(folder)>
                        {folder.label()} " " <span class="count">{move || in_folder(ctx, folder).len()}</span>
                        {move || badge(in_folder_unread(ctx, folder), "folder-unread")}
                    </button>
                }).collect_view()}
            </div>
            <BulkBar ctx=ctx ticked=ticked />
            <ul class="list">
                <For each=shown
                    key=|c| c.clone()
                    children=move |c| {
                        let id = c.id.clone();
                        let selected = { let id = id.clone(); move || ctx.selected.get().as_ref() == Some(&id) };
                        let assignee = c.assignee.clone();
                        let lead = c.lead_label();
                        let open = c.status == porch_protocol::ConversationStatus::Open;
                        let deadline = c.auto_close_at.filter(|_| open);
                        let tick = open.then(|| {
                            let (id, label) = (c.id.clone(), format!("Select {lead}"));
                            let checked = { let id = id.clone(); move || ticked.with(|t| t.contains(&id)) };
                            let toggle = move |ev: leptos::ev::Event| {
                                let on = event_target_checked(&ev);
                                ticked.update(|t| if on { t.insert(id.clone()); } else { t.remove(&id); });
                            };
                            view! {
                                <label class="tick"><input type="checkbox" data-testid="tick-conversation"
                                    aria-label=label prop:checked=checked on:change=toggle /></label>
                            }
                        });
                        view! {
                            <li>
                                {tick}
                                <button type="button" class="item" data-testid="conversation-item"
                                    aria-current=move || selected().then_some("true")
                                    on:click=move |_| ctx.select(id.clone())>
                                    <span class="lead" data-testid="item-lead">{lead}
                                        {let id = c.id.clone(); move || badge(count_of(ctx, &id) as usize, "unread-count")}</span>
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

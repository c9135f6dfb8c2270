//! The selected conversation: its state and actions, its timeline, the reply box.

use leptos::prelude::*;
use leptos::task::spawn_local;
use porch_client as client;
use porch_protocol::{
    self as wire, api::agent, AuthorKind, Conversation, ConversationKind, ConversationStatus,
    Event, Outcome,
};

use super::close_dialog::CloseDialog;
use super::{time_of, Ctx};
use crate::state::{closable, countdown, initials, note, outcome_label, timeline_entries};

#[component]
pub fn Detail(ctx: Ctx) -> impl IntoView {
    let conversation = Memo::new(move |_| {
        ctx.selected.get().and_then(|id| ctx.replica.with(|r| r.conversation(&id).cloned()))
    });
    let closing = ctx.closing;
    view! {
        <main class="detail" data-testid="conversation">
            // Rebuilt when another conversation is chosen, not on each of its events (it would
            // fold up under the reader).
            {move || {
                let id = ctx.selected.get()?;
                let contact = ctx.replica.with_untracked(|r| r.conversation(&id).map(|c| c.contact_id.clone()))?;
                Some(view! { <super::contact::ContactPanel ctx=ctx contact=contact current=id /> })
            }}
            {move || match conversation.get() {
                None => view! { <p class="muted">"Choose a conversation."</p> }.into_any(),
                Some(c) => view! {
                    <Header ctx=ctx c=c closing=closing />
                    <Timeline ctx=ctx />
                    <super::typing::LeadTyping ctx=ctx conversation=conversation />
                    <Composer ctx=ctx conversation=conversation closing=closing />
                }.into_any(),
            }}
            {move || closing.get().then(|| view! { <CloseDialog ctx=ctx open=closing /> })}
        </main>
    }
}

#[component]
fn Header(ctx: Ctx, c: Conversation, closing: RwSignal<bool>) -> impl IntoView {
    let open = c.status == ConversationStatus::Open;
    let live_open = open && c.kind == ConversationKind::Live;
    let blocked = c.contact_blocked;
    let snoozed = c.is_snoozed(ctx.now.get_untracked());
    let status = match (c.status, c.kind) {
        (ConversationStatus::Closed, _) => "Closed",
        (_, ConversationKind::Bot) => "With the bot",
        _ if snoozed => "Snoozed",
        _ => "Open",
    };
    let change_outcome = move |ev: leptos::ev::Event| {
        let outcome = match event_target_value(&ev).as_str() {
            "resolved" => Outcome::Resolved,
            _ => Outcome::Unresolved,
        };
        ctx.act(agent::CHANGE_OUTCOME, wire::ChangeOutcome { outcome });
    };
    let snooze = move |ev: leptos::ev::Event| {
        if let Ok(hours) = event_target_value(&ev).parse::<i64>() {
            ctx.snooze_for(hours);
        }
    };
    view! {
        <header class="detail-head">
            // Shown on phones, where the list and the conversation take turns.
            <button type="button" class="back" data-testid="back-to-list"
                on:click=move |_| ctx.selected.set(None)>"‹ Conversations"</button>
            <h2 data-testid="conversation-lead">{c.lead_label()}</h2>
            {c.contact_email.clone().filter(|_| c.contact_name.is_some()).map(|email| view! {
                <span class="meta" data-testid="conversation-lead-email">{email}</span>
            })}
            <span class="badge" data-testid="conversation-status">{status}</span>
            <span class="badge" data-testid="conversation-cycle">"Cycle " {c.cycle}</span>
            {c.outcome.map(|o| view! { <span class="badge" data-testid="conversation-outcome">{outcome_label(o)}</span> })}
            {blocked.then(|| view! { <span class="badge danger" data-testid="blocked-badge">"Blocked"</span> })}
            {snoozed.then(|| c.snoozed_until.map(|t| view! { <span class="meta">"until " {time_of(t)}</span> }))}
            {c.auto_close_at.filter(|_| open).map(|at| view! {
                <span class="badge countdown" data-testid="conversation-countdown">
                    {format!("Auto-close at {} · ", time_of(at))} {move || countdown(at, ctx.now.get())}
                </span>
            })}
            <span class="spacer"></span>
            <Assignment ctx=ctx assignee=c.assignee.clone() />
            // A blocked contact's conversations can be neither opened nor closed.
            {closable(&c).then(|| view! {
                <button type="button" class="primary" data-testid="close-conversation"
                    on:click=move |_| closing.set(true)>"Close"</button>
            })}
            {(!open && !blocked).then(|| view! {
                <button type="button" class="primary" data-testid="reopen-conversation"
                    on:click=move |_| ctx.act(agent::REOPEN, ())>"Reopen"</button>
            })}
        </header>
        <div class="actions">
            {(!open).then(|| view! {
                <label>"Outcome "
                    <select data-testid="change-outcome" on:change=change_outcome>
                        <option value="resolved" selected=c.outcome == Some(Outcome::Resolved)>"Resolved"</option>
                        <option value="unresolved" selected=c.outcome == Some(Outcome::Unresolved)>"Unresolved"</option>
                    </select>
                </label>
            })}
            {(live_open && !snoozed).then(|| view! {
                <label>"Snooze "
                    <select data-testid="snooze-select" on:change=snooze>
                        <option value="" selected>"…"</option>
                        <option value="1">"1 hour"</option>
                        <option value="4">"4 hours"</option>
                        <option value="24">"1 day"</option>
                        <option value="168">"1 week"</option>
                    </select>
                </label>
            })}
            {(live_open && snoozed).then(|| view! {
                <button type="button" data-testid="unsnooze" on:click=move |_| ctx.act(agent::UNSNOOZE, ())>"Wake up"</button>
            })}
            {live_open.then(|| view! {
                <button type="button" data-testid="hand-to-bot" on:click=move |_| ctx.act(agent::HAND_TO_BOT, ())>"Hand back to bot"</button>
            })}
            {if blocked {
                view! { <button type="button" data-testid="unblock-contact" on:click=move |_| ctx.act(agent::UNBLOCK, ())>"Unblock contact"</button> }.into_any()
            } else {
                view! { <button type="button" class="danger" data-testid="block-contact" on:click=move |_| block(ctx)>"Block contact"</button> }.into_any()
            }}
        </div>
    }
}

/// The assignment dropdown: the team with avatars, a search box, and Unassign.
#[component]
fn Assignment(ctx: Ctx, assignee: Option<wire::AgentId>) -> impl IntoView {
    let open = RwSignal::new(false);
    let search = RwSignal::new(String::new());
    let label = assignee.as_ref().map(|a| ctx.name_of(a)).unwrap_or_else(|| "Unassigned".into());
    let agents = move || {
        let needle = search.get().to_lowercase();
        ctx.workspace.with(|w| {
            w.as_ref()
                .map(|w| {
                    w.agents
                        .iter()
                        .filter(|a| a.name.to_lowercase().contains(&needle))
                        .cloned()
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    };
    let pick = move |agent_id: Option<wire::AgentId>| {
        open.set(false);
        search.set(String::new());
        ctx.act(agent::ASSIGN, wire::Assign { agent_id });
    };
    view! {
        <div class="assign">
            <button type="button" data-testid="assignee" aria-haspopup="listbox"
                aria-expanded=move || open.get().to_string() on:click=move |_| open.update(|o| *o = !*o)>
                {label}
            </button>
            {move || open.get().then(|| view! {
                <div class="menu" role="listbox" aria-label="Assign to"
                    on:keydown=move |ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { open.set(false) }>
                    <input type="search" placeholder="Search agents" aria-label="Search agents" data-testid="assignee-search" autofocus
                        prop:value=move || search.get() on:input=move |ev| search.set(event_target_value(&ev)) />
                    <For each=agents key=|a| a.id.clone() children=move |a| {
                        let id = a.id.clone();
                        view! {
                            <button type="button" role="option" class="option" data-testid="assignee-option"
                                on:click=move |_| pick(Some(id.clone()))>
                                <span class="avatar" aria-hidden="true">{initials(&a.name)}</span>
                                {a.name.clone()}
                            </button>
                        }
                    } />
                    <button type="button" role="option" class="option" data-testid="unassign" on:click=move |_| pick(None)>"Unassign"</button>
                </div>
            })}
        </div>
    }
}

/// Messages as bubbles and every other event as a system note, in log order.
#[component]
fn Timeline(ctx: Ctx) -> impl IntoView {
    let entries = move || {
        ctx.selected
            .get()
            .and_then(|id| ctx.replica.with(|r| r.timeline(&id).map(timeline_entries)))
            .unwrap_or_default()
    };
    // The lead as the team knows them, for their messages.
    let lead = move || {
        ctx.selected.get_untracked().and_then(|id| {
            ctx.replica.with_untracked(|r| r.conversation(&id).map(Conversation::lead_label))
        })
    };
    view! {
        // Focusable, so the timeline scrolls by keyboard.
        <ol class="messages" aria-label="Timeline" tabindex="0">
            <For each=entries key=|f| f.seq children=move |frame| match &frame.event {
                Event::MessagePosted { message: m } => {
                    let theirs = m.author_kind == AuthorKind::Contact;
                    let author = m.author_name.clone().unwrap_or_else(|| match theirs {
                        true => lead().unwrap_or_else(|| "Visitor".into()),
                        false => "Bot".into(),
                    });
                    view! {
                        <li class=if theirs { "message theirs" } else { "message mine" } data-testid="message">
                            <span class="author">{author}</span>
                            <span class="body">{m.body.clone()}</span>
                        </li>
                    }.into_any()
                }
                Event::NotePosted { note: n } => view! {
                    <li class="message note" data-testid="note">
                        <span class="author">"Private note · " {n.author_name.clone()}</span>
                        <span class="body">{n.body.clone()}</span>
                    </li>
                }.into_any(),
                _ => match note(&frame, |a| ctx.name_of(a), time_of) {
                    Some(text) => view! { <li class="system-note" data-testid="system-note">{text}</li> }.into_any(),
                    None => ().into_any(),
                },
            } />
        </ol>
    }
}

#[component]
fn Composer(
    ctx: Ctx,
    conversation: Memo<Option<Conversation>>,
    closing: RwSignal<bool>,
) -> impl IntoView {
    let text = RwSignal::new(String::new());
    // "Send and close": once the reply is stored, the close dialog opens (outcome, note).
    let then_close = StoredValue::new(false);
    let closable = move || conversation.get().is_some_and(|c| closable(&c));
    // One send at a time (a double click sends once), and one id per message until it is
    // acknowledged, so a re-send after a network error is stored once.
    let sending = RwSignal::new(false);
    let pending_id = StoredValue::new(None::<String>);
    let open = move || conversation.get().is_some_and(|c| c.status == ConversationStatus::Open);
    // A private note instead of a reply: chosen, or the only thing a closed conversation takes.
    let noting = RwSignal::new(false);
    let as_note = move || noting.get() || !open();
    // Writing into the bot's conversation takes it over from the bot.
    let with_bot = move || conversation.get().is_some_and(|c| c.kind == ConversationKind::Bot);
    let picker = super::canned::Picker::new(ctx, text);
    let teller = super::typing::Teller::new();
    let insert = move |chosen: String| {
        pending_id.set_value(None);
        text.set(chosen);
        picker.typed();
    };
    let reply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let close_after = std::mem::take(&mut *then_close.write_value());
        let (Some(id), body) = (ctx.selected.get_untracked(), text.get_untracked()) else { return };
        if body.trim().is_empty() || sending.get_untracked() {
            return;
        }
        sending.set(true);
        if as_note() {
            return spawn_local(async move {
                let sent =
                    client::call(agent::NOTE.at(&[id.as_str()]), &wire::PostNote { body }, None)
                        .await;
                sending.set(false);
                match sent {
                    Ok(_) => text.set(String::new()),
                    Err(e) => ctx.fail(e),
                }
            });
        }
        let client_id = pending_id.get_value().unwrap_or_else(client::client_id);
        pending_id.set_value(Some(client_id.clone()));
        spawn_local(async move {
            let request = wire::PostMessage { body, client_id: Some(client_id) };
            let sent = client::call(agent::REPLY.at(&[id.as_str()]), &request, None).await;
            sending.set(false);
            match sent {
                Ok(_) => {
                    pending_id.set_value(None);
                    text.set(String::new());
                    if close_after {
                        closing.set(true);
                    }
                }
                Err(e) => ctx.fail(e),
            }
        });
    };
    view! {
        <form class="composer" class:note=as_note on:submit=reply>
            <label for="reply" class="sr-only">{move || if as_note() { "Private note" } else { "Reply" }}</label>
            <input id="reply" type="text" autocomplete="off" data-testid="reply-input"
                role="combobox" aria-autocomplete="list" aria-controls="canned-list"
                aria-expanded=move || picker.open().to_string()
                aria-activedescendant=move || picker.open().then(|| format!("canned-{}", picker.active.get()))
                placeholder=move || match (as_note(), with_bot()) {
                    (true, _) => "Private note: only your team sees it…",
                    (false, true) => "Write to take over from the bot… (/ for canned replies)",
                    (false, false) => "Write a reply… (/ for canned replies)",
                }
                prop:value=move || text.get()
                on:keydown=move |ev| if let Some(chosen) = picker.key(&ev) { insert(chosen) }
                on:input=move |ev| {
                    pending_id.set_value(None);
                    text.set(event_target_value(&ev));
                    picker.typed();
                    if let (false, Some(id)) = (as_note(), ctx.selected.get_untracked()) {
                        teller.typed(ctx, id);
                    }
                } />
            {picker.view(insert)}
            {move || open().then(|| view! {
                <button type="button" data-testid="note-toggle" aria-pressed=move || noting.get().to_string()
                    title="Write a private note instead of a reply"
                    on:click=move |_| noting.update(|n| *n = !*n)>"Note"</button>
            })}
            <button type="submit" class="primary" data-testid="reply-send"
                prop:disabled=move || sending.get()>{move || if as_note() { "Add note" } else { "Send" }}</button>
            {move || (closable() && !as_note()).then(|| view! {
                <button type="submit" data-testid="reply-send-close" prop:disabled=move || sending.get()
                    on:click=move |_| then_close.set_value(true)>"Send and close"</button>
            })}
        </form>
    }
}

/// Blocks the selected conversation's lead once the member confirms: the lead's messages are
/// refused from then on, in every conversation.
fn block(ctx: Ctx) {
    let question = "Block this contact? Their messages will be refused in every conversation \
                    until someone unblocks them.";
    let sure =
        web_sys::window().and_then(|w| w.confirm_with_message(question).ok()).unwrap_or(false);
    if sure {
        ctx.act(agent::BLOCK, ());
    }
}

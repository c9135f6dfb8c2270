//! The widget's Home: the team's greeting and faces, when they reply, starting a conversation,
//! and the lead's conversations.

use leptos::prelude::*;
use porch_protocol::{ConversationKind, ConversationStatus};

use super::{time_of, Ctx};
use crate::state::shown_status;

/// The Home sidebar: who answers and how soon, then the lead's conversations, newest first.
#[component]
pub(super) fn Home(ctx: Ctx) -> impl IntoView {
    // The language is settled before Home first shows.
    let t = ctx.t.get_untracked();
    let conversations = move || ctx.replica.with(|r| r.conversations().to_vec());
    let greeting = move || {
        ctx.look.with(|l| match l.greeting.is_empty() {
            true => t.greeting.to_owned(),
            false => l.greeting.clone(),
        })
    };
    // Away outside office hours says so above; within them, whether someone is here now.
    let reply = move || {
        let online = ctx.team.with(|team| team.iter().any(|f| f.online));
        ctx.away.with(Option::is_none).then_some(if online {
            t.reply_minutes
        } else {
            t.reply_hours
        })
    };
    view! {
        <section class="home" data-testid="home">
            <div class="welcome">
                <p class="greeting" data-testid="greeting">{greeting}</p>
                <ul class="team" data-testid="team" aria-label="Team">
                    {move || ctx.team.get().into_iter().map(|face| {
                        let initial = face.name.chars().next().unwrap_or('?').to_string();
                        let title = face.name.clone();
                        view! {
                            <li class="face" data-online=face.online.to_string() title=title>
                                <span aria-hidden="true">{initial}</span>
                                <span class="sr-only">{face.name}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
                <p class="reply" data-testid="reply-time">{reply}</p>
            </div>
            <button class="primary" type="button" data-testid="start-conversation"
                on:click=move |_| ctx.start_new()>
                {t.start}
            </button>
            <h2>{t.yours}</h2>
            {move || conversations().is_empty().then(|| view! {
                <p class="muted" data-testid="no-history">{t.none_yet}</p>
            })}
            // Unkeyed lists: rows are rebuilt in place. A lead's lists are short, and keyed
            // diffing would add its machinery to every visitor's download.
            <ul class="history">
                {move || conversations().into_iter().map(|c| {
                        let id = c.id.clone();
                        let kind = match c.kind { ConversationKind::Bot => t.bot, ConversationKind::Live => t.live };
                        let shown = ctx.replica.with(|r| shown_status(&c, &r.options));
                        let (status, status_attr) = match shown {
                            ConversationStatus::Open => (t.open, "open"),
                            ConversationStatus::Closed => (t.closed, "closed"),
                        };
                        // Ending from here too, when the owner allows it and it is still open:
                        // the conversation opens and asks first, as ending from it does.
                        let endable = ctx.look.with(|l| l.lead_may_end) && c.status == ConversationStatus::Open;
                        let end_id = c.id.clone();
                        view! {
                            <li class="row">
                                <button type="button" class="conversation" data-testid="conversation-item"
                                    data-status=status_attr
                                    on:click=move |_| ctx.open(id.clone())>
                                    <span class="badges">
                                        <span class="badge">{kind}</span>
                                        <span class="badge status">{status}</span>
                                    </span>
                                    <span class="preview">{c.last_message.clone().unwrap_or_default()}</span>
                                    <time>{time_of(c.last_activity_at, t.lang)}</time>
                                </button>
                                {endable.then(|| view! {
                                    <button type="button" class="icon end" data-testid="end-from-home"
                                        aria-label=t.end title=t.end
                                        on:click=move |_| {
                                            ctx.ask_end.set(true);
                                            ctx.open(end_id.clone());
                                        }>
                                        "×"
                                    </button>
                                })}
                            </li>
                        }
                    }).collect_view()}
            </ul>
        </section>
    }
}

//! The widget's Home: starting a conversation, and the lead's conversations.

use leptos::prelude::*;
use porch_protocol::{ConversationKind, ConversationStatus};

use super::{time_of, Ctx};
use crate::state::shown_status;

/// The Home sidebar: the lead's conversations, newest activity first.
#[component]
pub(super) fn Home(ctx: Ctx) -> impl IntoView {
    let conversations = move || ctx.replica.with(|r| r.conversations().to_vec());
    view! {
        <section class="home" data-testid="home">
            <button class="primary" type="button" data-testid="start-conversation"
                on:click=move |_| ctx.start_new()>
                "Start a new conversation"
            </button>
            <h2>"Your conversations"</h2>
            {move || conversations().is_empty().then(|| view! {
                <p class="muted" data-testid="no-history">"No conversations yet."</p>
            })}
            // Unkeyed lists: rows are rebuilt in place. A lead's lists are short, and keyed
            // diffing would add its machinery to every visitor's download.
            <ul class="history">
                {move || conversations().into_iter().map(|c| {
                        let id = c.id.clone();
                        let kind = match c.kind { ConversationKind::Bot => "Bot", ConversationKind::Live => "Live chat" };
                        let shown = ctx.replica.with(|r| shown_status(&c, &r.options));
                        let (status, status_attr) = match shown {
                            ConversationStatus::Open => ("Open", "open"),
                            ConversationStatus::Closed => ("Closed", "closed"),
                        };
                        view! {
                            <li>
                                <button type="button" class="conversation" data-testid="conversation-item"
                                    data-status=status_attr
                                    on:click=move |_| ctx.open(id.clone())>
                                    <span class="badges">
                                        <span class="badge">{kind}</span>
                                        <span class="badge status">{status}</span>
                                    </span>
                                    <span class="preview">{c.last_message.clone().unwrap_or_default()}</span>
                                    <time>{time_of(c.last_activity_at)}</time>
                                </button>
                            </li>
                        }
                    }).collect_view()}
            </ul>
        </section>
    }
}

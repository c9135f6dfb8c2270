//! The member's unread messages: the server's counts at sign-in, then kept live from the
//! socket. A lead's message counts unless its conversation is on screen in a visible tab;
//! opening a conversation (or coming back to the tab) marks it read on the server, so the
//! counts follow the member to another device.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use porch_client as client;
use porch_protocol::api::agent;
use porch_protocol::{self as wire, AuthorKind, ConversationId, Event, EventFrame};

use super::folders::in_folder;
use super::{Ctx, Page};
use crate::state::Folder;

pub(crate) type Unread = RwSignal<HashMap<ConversationId, u32>>;

/// The counts as the server has them.
pub(crate) fn load(ctx: Ctx) {
    spawn_local(async move {
        match client::call(agent::UNREAD.at(&[]), &(), None).await {
            Ok(counts) => {
                ctx.unread.set(counts.into_iter().map(|u| (u.conversation_id, u.count)).collect())
            }
            Err(e) => ctx.fail(e),
        }
    });
    // Back to a tab showing a conversation with unread messages: they are read now.
    let listener = window_event_listener(leptos::ev::visibilitychange, move |_| {
        if let Some(id) = ctx.selected.get_untracked().filter(|id| count_of(ctx, id) > 0) {
            read(ctx, id);
        }
    });
    on_cleanup(move || listener.remove());
}

fn on_screen(ctx: Ctx, id: &ConversationId) -> bool {
    ctx.page.get_untracked() == Page::Conversations
        && ctx.selected.with_untracked(|s| s.as_ref() == Some(id))
        && !document().hidden()
}

/// Keeps the counts in step with an event the socket delivered.
pub(crate) fn heard(ctx: Ctx, frame: &EventFrame) {
    match &frame.event {
        Event::MessagePosted { message } if message.author_kind == AuthorKind::Contact => {
            let id = &message.conversation_id;
            if on_screen(ctx, id) {
                read(ctx, id.clone());
            } else {
                ctx.unread.update(|u| *u.entry(id.clone()).or_default() += 1);
                super::alerts::lead_wrote(ctx, message);
            }
        }
        Event::ConversationClosed { conversation_id, .. } => {
            ctx.unread.update(|u| {
                u.remove(conversation_id);
            });
        }
        _ => {}
    }
}

/// Marks conversation `id` read up to the last event this page has.
pub(crate) fn read(ctx: Ctx, id: ConversationId) {
    ctx.unread.update(|u| {
        u.remove(&id);
    });
    let seq = ctx.replica.with_untracked(|r| r.last_seq);
    spawn_local(async move {
        let call = agent::MARK_READ.at(&[id.as_str()]);
        if let Err(e) = client::call(call, &wire::MarkRead { seq }, None).await {
            ctx.fail(e);
        }
    });
}

pub(crate) fn count_of(ctx: Ctx, id: &ConversationId) -> u32 {
    ctx.unread.with(|u| u.get(id).copied().unwrap_or(0))
}

/// How many conversations of `folder` have unread messages.
pub(crate) fn in_folder_unread(ctx: Ctx, folder: Folder) -> usize {
    in_folder(ctx, folder).iter().filter(|c| count_of(ctx, &c.id) > 0).count()
}

/// A count as a badge, with words for screen readers; nothing for zero.
pub(crate) fn badge(count: usize, test_id: &'static str) -> impl IntoView {
    (count > 0).then(|| {
        view! {
            <span class="unread" data-testid=test_id>
                {count} <span class="sr-only">" unread"</span>
            </span>
        }
    })
}

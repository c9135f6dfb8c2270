//! Typing, both ways. The lead's shows under the timeline for a few seconds after each signal,
//! and ends with their message; the member's own is told to the lead's widget at most every
//! few seconds, and never while writing a private note.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos::task::spawn_local;
use porch_client as client;
use porch_protocol::api::agent;
use porch_protocol::{self as wire, AuthorKind, Conversation, ConversationId, Millis};

use super::Ctx;

/// When each conversation's lead was last heard typing, on the server's clock.
pub(crate) type Typing = RwSignal<HashMap<ConversationId, Millis>>;

/// How long a typing signal shows (the widget repeats it every 3 s while the lead types).
const SHOWN_FOR: Millis = 6_000;
/// The least time between two signals of the member's own typing.
const EVERY: Millis = 3_000;

/// The lead of `conversation` is typing.
pub(crate) fn heard(ctx: Ctx, conversation: ConversationId) {
    let now = ctx.server_now();
    ctx.typing.update(|t| {
        t.insert(conversation, now);
    });
}

/// A lead's message: they are done typing it.
pub(crate) fn applied(ctx: Ctx, frame: &wire::EventFrame) {
    if let wire::Event::MessagePosted { message } = &frame.event {
        if message.author_kind == AuthorKind::Contact {
            ctx.typing.update(|t| {
                t.remove(&message.conversation_id);
            });
        }
    }
}

/// "Visitor 4821 is typing…" while the lead of the conversation shown types.
#[component]
pub(crate) fn LeadTyping(ctx: Ctx, conversation: Memo<Option<Conversation>>) -> impl IntoView {
    // Always present, so screen readers hear it appear.
    view! {
        <p class="typing" role="status" aria-live="polite">
            {move || {
                let c = conversation.get()?;
                let at = ctx.typing.with(|t| t.get(&c.id).copied())?;
                let name = c.contact_name.clone().unwrap_or_else(|| wire::visitor_label(&c.contact_id));
                (ctx.now.get() - at < SHOWN_FOR)
                    .then(|| view! { <span data-testid="lead-typing">{name} " is typing…"</span> })
            }}
        </p>
    }
}

/// Tells the lead the member is typing in `conversation`, unless told in the last few seconds.
#[derive(Clone, Copy)]
pub(crate) struct Teller {
    last: StoredValue<Millis>,
}

impl Teller {
    pub fn new() -> Teller {
        Teller { last: StoredValue::new(0) }
    }

    pub fn typed(self, ctx: Ctx, conversation: ConversationId) {
        let now = ctx.server_now();
        if now - self.last.get_value() < EVERY {
            return;
        }
        self.last.set_value(now);
        spawn_local(async move {
            // A lost signal is no loss: the next keystrokes send another.
            let _ = client::call(agent::TYPING.at(&[conversation.as_str()]), &(), None).await;
        });
    }
}

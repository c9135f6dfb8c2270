//! One conversation, or a new one not yet sent: messages, the bot's menu, the closing notice,
//! the composer, and ending the conversation.

use gloo_timers::future::TimeoutFuture;
use leptos::prelude::*;
use leptos::task::spawn_local;
use porch_client as client;
use porch_protocol::api::widget;
use porch_protocol::{
    self as wire, ApiError, AuthorKind, ConversationId, ConversationKind, ConversationStatus,
};

use super::{time_of, Ctx};
use crate::state::{close_notice, input_disabled, is_transient, shown_status, Screen};

/// The longest wait between two tries of a message the server did not get.
const MAX_RETRY_MS: u32 = 15_000;
/// The least time between two "typing" signals.
const TELL_TYPING_EVERY_MS: f64 = 3_000.0;

/// One conversation (or a draft when `id` is none): messages, closing notice, composer.
#[component]
pub(super) fn Chat(ctx: Ctx, id: Option<ConversationId>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    // Keyboard users land in the composer when a conversation opens.
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = input.get() {
            let _ = input.focus();
        }
    });
    let sending = RwSignal::new(false);
    // A send the server has not acknowledged: it is tried again, and the lead told so.
    let unsent = RwSignal::new(false);
    // The id of the message being sent, kept until the server acknowledges it: a re-send after
    // a network error names the same message, so it is stored once. Editing the text makes it
    // another message, and stops the retries.
    let pending_id = StoredValue::new(None::<String>);
    // The e-mail question, on a new conversation when the owner asks it and none is known.
    let email = RwSignal::new(String::new());
    let asks_email = {
        let draft = id.is_none();
        move || draft && ctx.ask_email.get() != wire::AskEmail::Off && !ctx.email_known.get()
    };
    let conversation = {
        let id = id.clone();
        Memo::new(move |_| {
            id.as_ref().and_then(|id| ctx.replica.with(|r| r.conversation(id).cloned()))
        })
    };
    let messages = {
        let id = id.clone();
        move || {
            id.as_ref()
                .and_then(|id| ctx.replica.with(|r| r.messages(id).map(<[_]>::to_vec)))
                .unwrap_or_default()
        }
    };
    let disabled = Memo::new(move |_| {
        conversation.get().is_some_and(|c| ctx.replica.with(|r| input_disabled(&c, &r.options)))
    });
    let notice = Memo::new(move |_| {
        conversation
            .get()
            .and_then(|c| ctx.replica.with(|r| close_notice(&c, &r.options).map(str::to_owned)))
    });
    let send = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let body = text.get_untracked();
            if body.trim().is_empty() || sending.get_untracked() {
                return;
            }
            sending.set(true);
            let id = id.clone();
            let client_id = pending_id.get_value().unwrap_or_else(client::client_id);
            pending_id.set_value(Some(client_id.clone()));
            spawn_local(async move {
                let given = email.get_untracked();
                let mut wait = 1_000;
                let sent = loop {
                    let sent = deliver(ctx, id.clone(), body.clone(), &client_id, &given).await;
                    // Tried again while it is the same message on screen: the server keeps
                    // it once, whichever try it got.
                    let same = pending_id.try_get_value().flatten().as_ref() == Some(&client_id);
                    match sent {
                        Err(e) if is_transient(&e) && same => {
                            unsent.set(true);
                            TimeoutFuture::new(wait).await;
                            wait = (wait * 2).min(MAX_RETRY_MS);
                        }
                        other => break other,
                    }
                };
                let _ = sending.try_set(false);
                let _ = unsent.try_set(false);
                match sent {
                    Ok(()) => {
                        let _ = text.try_set(String::new());
                        pending_id.try_set_value(None);
                        ctx.error.set(None);
                    }
                    Err(e) => ctx.fail(e),
                }
            });
        }
    };
    // The language is settled before a conversation first shows.
    let t = ctx.t.get_untracked();
    // The team hears the lead typing, told at most every few seconds.
    let told_typing = StoredValue::new(0.0);
    let typed = {
        let id = id.clone();
        move || {
            let (Some(id), now) = (id.clone(), js_sys::Date::now()) else { return };
            if now - told_typing.get_value() < TELL_TYPING_EVERY_MS {
                return;
            }
            told_typing.set_value(now);
            spawn_local(async move {
                let token = ctx.token.get_untracked();
                // A lost signal is no loss: the next keystrokes send another.
                let _ = client::call(widget::TYPING.at(&[id.as_str()]), &(), Some(&token)).await;
            });
        }
    };
    // Until when the team has seen the lead's messages here.
    let seen_until = {
        let id = id.clone();
        move || {
            let id = id.as_ref()?;
            ctx.seen.with(|seen| seen.iter().find(|(c, _)| c == id).map(|(_, at)| *at))
        }
    };
    let typing = {
        let id = id.clone();
        move || {
            ctx.typing.get().filter(|(c, ..)| Some(c) == id.as_ref()).map(|(_, name, _)| {
                view! { <p class="muted" data-testid="typing">{format!("{name} {}", t.typing)}</p> }
            })
        }
    };
    // "End conversation" asks once more before it ends it (at once when Home's end was used).
    let confirming = RwSignal::new(ctx.ask_end.get_untracked() && id.is_some());
    ctx.ask_end.set(false);
    view! {
        <section class="chat" data-testid="chat">
            <div class="chat-top">
                <button class="link" type="button" data-testid="back" on:click=move |_| ctx.screen.set(Screen::Home)>
                    {t.back}
                </button>
                {move || {
                    let c = conversation.get().filter(|_| ctx.look.with(|l| l.lead_may_end))?;
                    // Only a conversation still open on the server can be ended.
                    (c.status == ConversationStatus::Open && !confirming.get()).then(|| view! {
                        <button class="link end" type="button" data-testid="end-conversation"
                            on:click=move |_| confirming.set(true)>
                            {t.end}
                        </button>
                    })
                }}
            </div>
            {let end_id = id.clone(); move || confirming.get().then(|| {
                let id = end_id.clone();
                view! {
                    <div class="confirm" role="group" aria-label=t.end>
                        <span>{t.end_confirm}</span>
                        <button class="primary" type="button" data-testid="confirm-end"
                            on:click=move |_| {
                                confirming.set(false);
                                if let Some(id) = id.clone() { ctx.end(id) }
                            }>
                            {t.end}
                        </button>
                        <button class="link" type="button" data-testid="cancel-end"
                            on:click=move |_| confirming.set(false)>
                            {t.cancel}
                        </button>
                    </div>
                }
            })}
            <ol class="messages" data-testid="messages" aria-label=t.message>
                {move || {
                    let messages = messages();
                    // "Seen" under the lead's last message, once the team has read it.
                    let seen = seen_until();
                    let last_mine = messages.iter().rposition(|m| m.author_kind == AuthorKind::Contact);
                    messages.into_iter().enumerate().map(|(index, m)| {
                        let mine = m.author_kind == AuthorKind::Contact;
                        let seen = Some(index) == last_mine && seen.is_some_and(|at| m.created_at <= at);
                        view! {
                            <li class=if mine { "message mine" } else { "message theirs" } data-testid="message">
                                {(!mine).then(|| m.author_name.clone().map(|n| view! { <span class="author">{n}</span> }))}
                                <span class="body">{m.body.clone()}</span>
                                <time data-testid="message-time">{time_of(m.created_at, t.lang)}</time>
                                {seen.then(|| view! { <span class="seen" data-testid="seen">{t.seen}</span> })}
                            </li>
                        }
                    }).collect_view()
                }}
            </ol>
            {move || {
                let with_bot = conversation.get().is_some_and(|c| {
                    c.kind == ConversationKind::Bot
                        && ctx.replica.with(|r| shown_status(&c, &r.options))
                            == ConversationStatus::Open
                });
                let (id, menu) = (id.clone()?, ctx.bot.get()?);
                with_bot.then(|| view! {
                    <div class="bot-menu" role="group" aria-label=t.quick>
                        {menu.questions.into_iter().enumerate().map(|(index, question)| {
                            let id = id.clone();
                            view! {
                                <button type="button" class="chip" data-testid="quick-answer"
                                    on:click=move |_| ctx.choose(id.clone(), wire::BotChoice::QuickAnswer { index })>
                                    {question}
                                </button>
                            }
                        }).collect_view()}
                        <button type="button" class="chip person" data-testid="talk-to-person"
                            on:click=move |_| ctx.choose(id.clone(), wire::BotChoice::Person)>
                            {t.person}
                        </button>
                    </div>
                })
            }}
            // Always present, so screen readers announce what appears in them.
            <div class="notice-region" role="status" aria-live="polite">
                {move || notice.get().map(|n| view! { <p class="notice" data-testid="close-notification">{n}</p> })}
                {move || unsent.get().then(|| view! { <p class="muted" data-testid="unsent">{t.unsent}</p> })}
                {typing}
            </div>
            {move || asks_email().then(|| {
                let required = ctx.ask_email.get() == wire::AskEmail::Required;
                view! {
                    <label class="ask-email">
                        {if required { t.email } else { t.email_optional }}
                        <input type="email" autocomplete="email" data-testid="lead-email" required=required
                            form="porch-composer"
                            prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) />
                    </label>
                }
            })}
            <form class="composer" id="porch-composer" data-testid="composer" on:submit=send>
                <label for="porch-input" class="sr-only">{t.message}</label>
                <input id="porch-input" type="text" autocomplete="off" data-testid="composer-input" node_ref=input
                    placeholder=move || if disabled.get() { t.closed_input } else { t.write }
                    prop:value=move || text.get()
                    on:input=move |ev| {
                        pending_id.set_value(None);
                        text.set(event_target_value(&ev));
                        typed();
                    }
                    disabled=disabled />
                <button type="submit" class="primary" data-testid="send"
                    disabled=move || disabled.get() || sending.get()>
                    {move || if sending.get() { t.sending } else { t.send }}
                </button>
            </form>
            {move || disabled.get().then(|| view! {
                <button class="link" type="button" data-testid="start-new"
                    on:click=move |_| ctx.screen.set(Screen::Draft)>
                    {t.start}
                </button>
            })}
        </section>
    }
}

/// One try at sending: a message into the conversation, or the first message of a new one
/// (after the e-mail the lead gave, if any).
async fn deliver(
    ctx: Ctx,
    id: Option<ConversationId>,
    body: String,
    client_id: &str,
    email: &str,
) -> Result<(), ApiError> {
    let token = ctx.token.get_untracked();
    let client_id = Some(client_id.to_owned());
    let Some(id) = id else {
        if !email.trim().is_empty() && !ctx.email_known.get_untracked() {
            let request = wire::LeadEmail { email: email.to_owned() };
            client::call(widget::GIVE_EMAIL.at(&[]), &request, Some(&token)).await?;
            ctx.email_known.set(true);
        }
        let request = wire::StartConversation { body: Some(body), client_id };
        let started = client::call(widget::START.at(&[]), &request, Some(&token)).await?;
        ctx.open(started.id);
        return Ok(());
    };
    let request = wire::PostMessage { body, client_id };
    let m = client::call(widget::WRITE.at(&[id.as_str()]), &request, Some(&token)).await?;
    ctx.replica.update(|r| r.add_message(m));
    Ok(())
}

//! The widget's views. Every element tests touch has a `data-testid`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use leptos::either::EitherOf4;
use leptos::prelude::*;
use leptos::task::spawn_local;
use porch_client::{self as client, Connection};
use porch_protocol::api::widget;
use porch_protocol::replica::Replica;
use porch_protocol::{
    self as wire, AuthorKind, ConversationId, ConversationKind, ConversationStatus,
};

use crate::state::{close_notice, input_disabled, shown_status, Screen};
use crate::{host, session};

mod home;
use home::Home;

/// Everything the views share, as cheap copyable signals.
#[derive(Clone, Copy)]
pub(crate) struct Ctx {
    pub replica: RwSignal<Replica>,
    pub screen: RwSignal<Screen>,
    pub token: RwSignal<String>,
    pub error: RwSignal<Option<wire::ApiError>>,
    /// The bot's menu when the workspace's bot is on.
    pub bot: RwSignal<Option<wire::BotMenu>>,
    /// Whether to ask for an e-mail before a first message, and whether it is known.
    pub ask_email: RwSignal<wire::AskEmail>,
    pub email_known: RwSignal<bool>,
    /// Outside the team's office hours: when it is back.
    pub away: RwSignal<Option<wire::Away>>,
}

impl Ctx {
    pub fn fail(&self, e: wire::ApiError) {
        self.error.set(Some(e));
    }

    /// Back online: an error that only said the server could not be reached is over.
    pub fn reconnected(&self) {
        self.error.update(|e| {
            if e.as_ref().is_some_and(|e| e.code == "network") {
                *e = None;
            }
        });
    }

    /// "Start a new conversation": with the bot on, it starts now and the bot greets; without,
    /// the lead's first message starts it.
    fn start_new(self) {
        if self.bot.with_untracked(Option::is_none) {
            return self.screen.set(Screen::Draft);
        }
        spawn_local(async move {
            let token = self.token.get_untracked();
            let request = wire::StartConversation::default();
            match client::call(widget::START.at(&[]), &request, Some(&token)).await {
                Ok(c) => self.open(c.id),
                Err(e) => self.fail(e),
            }
        });
    }

    /// A pick in a bot conversation; what it says arrives over the socket.
    fn choose(self, id: ConversationId, choice: wire::BotChoice) {
        spawn_local(async move {
            let token = self.token.get_untracked();
            let call = widget::BOT_CHOICE.at(&[id.as_str()]);
            if let Err(e) = client::call(call, &choice, Some(&token)).await {
                self.fail(e);
            }
        });
    }

    /// Loads a conversation's history and shows it.
    fn open(self, id: ConversationId) {
        self.screen.set(Screen::Conversation(id.clone()));
        spawn_local(async move {
            let token = self.token.get_untracked();
            match client::call(widget::CONVERSATION.at(&[id.as_str()]), &(), Some(&token)).await {
                Ok(detail) => self.replica.update(|r| {
                    if r.conversation(&id).is_none() {
                        r.upsert(detail.conversation.into());
                    }
                    r.load_messages(id, detail.messages);
                }),
                Err(e) => self.fail(e),
            }
        });
    }
}

#[component]
pub fn App(key: String) -> impl IntoView {
    let ctx = Ctx {
        replica: RwSignal::new(Replica::default()),
        screen: RwSignal::new(Screen::Loading),
        token: RwSignal::new(String::new()),
        error: RwSignal::new(None),
        bot: RwSignal::new(None),
        ask_email: RwSignal::new(wire::AskEmail::Off),
        email_known: RwSignal::new(false),
        away: RwSignal::new(None),
    };
    let connection = RwSignal::new(Connection::Connecting);
    let stop = Arc::new(AtomicBool::new(false));
    on_cleanup({
        let stop = stop.clone();
        move || stop.store(true, Ordering::Relaxed)
    });
    spawn_local(session::open(ctx, key.clone(), connection, stop));
    host::listen(
        {
            let key = key.clone();
            move |user| spawn_local(session::identify(ctx, key.clone(), user))
        },
        move || spawn_local(session::shutdown(ctx, key.clone())),
    );

    let label = move || match connection.get() {
        Connection::Live => "Online",
        Connection::Connecting => "Connecting…",
        Connection::Offline => "Can't connect, retrying…",
        Connection::Ended => "Offline",
    };
    view! {
        <div class="porch" data-testid="widget"
            on:keydown=|ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { host::notify("hide", &[]) }>
            <header class="bar">
                <h1>"Chat"</h1>
                <span class="connection" data-testid="connection"
                    data-state=move || connection.get().as_str()>
                    {label}
                </span>
                <button class="icon" type="button" aria-label="Minimise chat"
                    on:click=|_| host::notify("hide", &[])>
                    "×"
                </button>
            </header>
            <main class="screen">
                {move || ctx.error.get().map(|e| view! {
                    <p class="error" role="alert" data-testid="error">{e.message}</p>
                })}
                <Away ctx=ctx />
                {move || match ctx.screen.get() {
                    Screen::Loading => EitherOf4::A(view! { <p class="muted">"Loading…"</p> }),
                    Screen::Home => EitherOf4::B(view! { <Home ctx=ctx /> }),
                    Screen::Draft => EitherOf4::C(view! { <Chat ctx=ctx id=None /> }),
                    Screen::Conversation(id) => EitherOf4::D(view! { <Chat ctx=ctx id=Some(id) /> }),
                }}
            </main>
        </div>
    }
}

fn time_of(millis: i64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(millis as f64));
    String::from(date.to_locale_time_string("default"))
}

/// Outside office hours: when the team is back, so the lead knows a reply may wait.
#[component]
fn Away(ctx: Ctx) -> impl IntoView {
    move || {
        ctx.away.get().map(|away| {
            let back = match away.back {
                Some(at) => format!(
                    "We're away right now, back {at}. Leave a message and we'll reply then."
                ),
                None => "We're away right now. Leave a message and we'll reply as soon as we can."
                    .to_owned(),
            };
            view! { <p class="away" role="status" data-testid="away">{back}</p> }
        })
    }
}

/// One conversation (or a draft when `id` is none): messages, closing notice, composer.
#[component]
fn Chat(ctx: Ctx, id: Option<ConversationId>) -> impl IntoView {
    let text = RwSignal::new(String::new());
    // Keyboard users land in the composer when a conversation opens.
    let input = NodeRef::<leptos::html::Input>::new();
    Effect::new(move |_| {
        if let Some(input) = input.get() {
            let _ = input.focus();
        }
    });
    let sending = RwSignal::new(false);
    // The id of the message being sent, kept until the server acknowledges it: a re-send after
    // a network error names the same message, so it is stored once. Editing the text makes it
    // another message.
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
            spawn_local(async move {
                let token = ctx.token.get_untracked();
                let client_id = Some(pending_id.get_value().unwrap_or_else(client::client_id));
                pending_id.set_value(client_id.clone());
                let sent = match &id {
                    Some(id) => {
                        let call = widget::WRITE.at(&[id.as_str()]);
                        let request = wire::PostMessage { body, client_id };
                        client::call(call, &request, Some(&token)).await.map(|m| {
                            ctx.replica
                                .update(|r| r.load_messages(m.conversation_id.clone(), vec![m]));
                        })
                    }
                    None => {
                        let given = email.get_untracked();
                        if !given.trim().is_empty() {
                            let request = wire::LeadEmail { email: given };
                            let call = widget::GIVE_EMAIL.at(&[]);
                            if let Err(e) = client::call(call, &request, Some(&token)).await {
                                sending.set(false);
                                return ctx.fail(e);
                            }
                            ctx.email_known.set(true);
                        }
                        let request = wire::StartConversation { body: Some(body), client_id };
                        client::call(widget::START.at(&[]), &request, Some(&token))
                            .await
                            .map(|c| ctx.open(c.id))
                    }
                };
                sending.set(false);
                match sent {
                    Ok(()) => {
                        text.set(String::new());
                        pending_id.set_value(None);
                        ctx.error.set(None);
                    }
                    Err(e) => ctx.fail(e),
                }
            });
        }
    };
    view! {
        <section class="chat" data-testid="chat">
            <button class="link" type="button" data-testid="back" on:click=move |_| ctx.screen.set(Screen::Home)>
                "← All conversations"
            </button>
            <ol class="messages" data-testid="messages" aria-label="Messages">
                {move || messages().into_iter().map(|m| {
                    let mine = m.author_kind == AuthorKind::Contact;
                    view! {
                        <li class=if mine { "message mine" } else { "message theirs" } data-testid="message">
                            {(!mine).then(|| m.author_name.clone().map(|n| view! { <span class="author">{n}</span> }))}
                            <span class="body">{m.body.clone()}</span>
                        </li>
                    }
                }).collect_view()}
            </ol>
            {move || {
                let with_bot = conversation.get().is_some_and(|c| {
                    c.kind == ConversationKind::Bot
                        && ctx.replica.with(|r| shown_status(&c, &r.options))
                            == ConversationStatus::Open
                });
                let (id, menu) = (id.clone()?, ctx.bot.get()?);
                with_bot.then(|| view! {
                    <div class="bot-menu" role="group" aria-label="Quick answers">
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
                            "Talk to a person"
                        </button>
                    </div>
                })
            }}
            // Always present, so screen readers announce the notice when it appears.
            <div class="notice-region" role="status" aria-live="polite">
                {move || notice.get().map(|n| view! { <p class="notice" data-testid="close-notification">{n}</p> })}
            </div>
            {move || asks_email().then(|| {
                let required = ctx.ask_email.get() == wire::AskEmail::Required;
                view! {
                    <label class="ask-email">
                        {if required { "Your e-mail, so we can reply if you leave" } else { "Your e-mail (optional), so we can reply if you leave" }}
                        <input type="email" autocomplete="email" data-testid="lead-email" required=required
                            form="porch-composer"
                            prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) />
                    </label>
                }
            })}
            <form class="composer" id="porch-composer" data-testid="composer" on:submit=send>
                <label for="porch-input" class="sr-only">"Message"</label>
                <input id="porch-input" type="text" autocomplete="off" data-testid="composer-input" node_ref=input
                    placeholder=move || if disabled.get() { "This conversation is closed" } else { "Write a message…" }
                    prop:value=move || text.get()
                    on:input=move |ev| {
                        pending_id.set_value(None);
                        text.set(event_target_value(&ev));
                    }
                    disabled=disabled />
                <button type="submit" class="primary" data-testid="send"
                    disabled=move || disabled.get() || sending.get()>
                    "Send"
                </button>
            </form>
            {move || disabled.get().then(|| view! {
                <button class="link" type="button" data-testid="start-new"
                    on:click=move |_| ctx.screen.set(Screen::Draft)>
                    "Start a new conversation"
                </button>
            })}
        </section>
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests;

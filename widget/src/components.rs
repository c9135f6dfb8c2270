//! The widget's views. Every element tests touch has a `data-testid`.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use leptos::either::EitherOf4;
use leptos::prelude::*;
use leptos::task::spawn_local;
use porch_client::{self as client, Connection};
use porch_protocol::api::widget;
use porch_protocol::replica::Replica;
use porch_protocol::{self as wire, ConversationId};

use crate::state::Screen;
use crate::texts::{Texts, EN};
use crate::{host, session};

mod chat;
mod home;
use chat::Chat;
use home::Home;

/// How long a member's typing shows after each signal (they come every 3 s while typing).
const TYPING_SHOWN_MS: u32 = 6_000;

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
    /// The owner's colour, texts and rules, and the team as leads see it.
    pub look: RwSignal<wire::WidgetSettings>,
    pub team: RwSignal<Vec<wire::TeamFace>>,
    /// The widget's words, in the lead's language.
    pub t: RwSignal<&'static Texts>,
    /// A member writing in a conversation: their name, and when it was heard (browser time).
    pub typing: RwSignal<Option<(ConversationId, String, f64)>>,
    /// Per conversation, up to when the team has seen the lead's messages (server time).
    pub seen: RwSignal<Vec<(ConversationId, i64)>>,
    /// The next conversation opened asks at once whether to end it (Home's end button).
    pub ask_end: RwSignal<bool>,
}

impl Ctx {
    pub fn new(screen: Screen) -> Ctx {
        Ctx {
            replica: RwSignal::new(Replica::default()),
            screen: RwSignal::new(screen),
            token: RwSignal::new(String::new()),
            error: RwSignal::new(None),
            bot: RwSignal::new(None),
            ask_email: RwSignal::new(wire::AskEmail::Off),
            email_known: RwSignal::new(false),
            away: RwSignal::new(None),
            look: RwSignal::new(wire::WidgetSettings::default()),
            team: RwSignal::new(Vec::new()),
            t: RwSignal::new(&EN),
            typing: RwSignal::new(None),
            seen: RwSignal::new(Vec::new()),
            ask_end: RwSignal::new(false),
        }
    }

    /// A member is typing: shown until their message comes, or for a few seconds.
    pub fn typing_heard(self, conversation: ConversationId, name: String) {
        let heard = js_sys::Date::now();
        self.typing.set(Some((conversation, name, heard)));
        spawn_local(async move {
            gloo_timers::future::TimeoutFuture::new(TYPING_SHOWN_MS).await;
            // Unless a newer signal came meanwhile.
            if self.typing.with_untracked(|t| t.as_ref().is_some_and(|t| t.2 == heard)) {
                self.typing.set(None);
            }
        });
    }

    /// The team has seen the lead's messages in `conversation` sent until `at`.
    pub fn seen_until(self, conversation: ConversationId, at: i64) {
        self.seen.update(|seen| {
            seen.retain(|(id, _)| *id != conversation);
            seen.push((conversation, at));
        });
    }

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

    /// The lead ends the conversation (the owner allows it): back to Home once it is done.
    fn end(self, id: ConversationId) {
        spawn_local(async move {
            let token = self.token.get_untracked();
            match client::call(widget::END.at(&[id.as_str()]), &(), Some(&token)).await {
                Ok(c) => {
                    self.replica.update(|r| r.upsert(c.into()));
                    self.screen.set(Screen::Home);
                }
                Err(e) => self.fail(e),
            }
        });
    }

    /// Loads a conversation's history and shows it.
    fn open(self, id: ConversationId) {
        self.screen.set(Screen::Conversation(id.clone()));
        spawn_local(async move {
            let token = self.token.get_untracked();
            match client::call(widget::CONVERSATION.at(&[id.as_str()]), &(), Some(&token)).await {
                Ok(detail) => {
                    // Seen before this page was loaded (the live signal is not kept).
                    if let Some(at) = detail.seen_until {
                        self.seen_until(id.clone(), at);
                    }
                    self.replica.update(|r| {
                        if r.conversation(&id).is_none() {
                            r.upsert(detail.conversation.into());
                        }
                        r.load_messages(id, detail.messages);
                    })
                }
                Err(e) => self.fail(e),
            }
        });
    }
}

#[component]
pub fn App(key: String) -> impl IntoView {
    let ctx = Ctx::new(Screen::Loading);
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

    // "Online" only when someone of the team is; the socket's trouble shows instead of it.
    let label = move || {
        let t = ctx.t.get();
        match connection.get() {
            Connection::Live if ctx.team.with(|team| team.iter().any(|f| f.online)) => t.online,
            Connection::Live => "",
            Connection::Connecting => t.connecting,
            Connection::Offline => t.retrying,
            Connection::Ended => t.offline,
        }
    };
    let title = move || {
        ctx.look.with(|l| match l.team_name.is_empty() {
            true => ctx.t.get().chat.to_owned(),
            false => l.team_name.clone(),
        })
    };
    view! {
        <div class="porch" data-testid="widget" lang=move || ctx.t.get().lang
            style=move || format!("--accent:{}", ctx.look.with(|l| l.color.clone()))
            on:keydown=|ev: leptos::ev::KeyboardEvent| if ev.key() == "Escape" { host::notify("hide", &[]) }>
            <header class="bar">
                <h1 data-testid="title">{title}</h1>
                <span class="connection" data-testid="connection" role="status"
                    data-state=move || connection.get().as_str()>
                    {label}
                </span>
                <button class="icon" type="button" aria-label=move || ctx.t.get().minimise
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
                    Screen::Loading => EitherOf4::A(view! { <p class="muted">{ctx.t.get().loading}</p> }),
                    Screen::Home => EitherOf4::B(view! { <Home ctx=ctx /> }),
                    Screen::Draft => EitherOf4::C(view! { <Chat ctx=ctx id=None /> }),
                    Screen::Conversation(id) => EitherOf4::D(view! { <Chat ctx=ctx id=Some(id) /> }),
                }}
            </main>
        </div>
    }
}

/// A time as the lead's browser writes it: the hour alone today, with the day otherwise.
fn time_of(millis: i64, lang: &str) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(millis as f64));
    let today = js_sys::Date::new_0().to_date_string() == date.to_date_string();
    let options = host::object(&[
        ("hour", "2-digit".into()),
        ("minute", "2-digit".into()),
        ("weekday", if today { wasm_bindgen::JsValue::UNDEFINED } else { "short".into() }),
    ]);
    String::from(date.to_locale_string(lang, &options))
}

/// Outside office hours: when the team is back, in the lead's own clock and language.
#[component]
fn Away(ctx: Ctx) -> impl IntoView {
    move || {
        ctx.away.get().map(|away| {
            let t = ctx.t.get();
            let back = away.back_at.map(|at| {
                let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(at as f64));
                let options = host::object(&[
                    ("weekday", "long".into()),
                    ("hour", "2-digit".into()),
                    ("minute", "2-digit".into()),
                ]);
                format!(" {} {}.", t.back_at, String::from(date.to_locale_string(t.lang, &options)))
            });
            let text = format!("{}{} {}", t.away, back.unwrap_or_default(), t.leave_message);
            view! { <p class="away" role="status" data-testid="away">{text}</p> }
        })
    }
}

#[cfg(all(test, target_arch = "wasm32"))]
mod tests;

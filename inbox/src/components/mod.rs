//! The inbox views. Every element tests touch has a `data-testid`. Actions are sent over HTTP;
//! what they change comes back as events on the agents' socket, which is the one way the views
//! update.

mod account;
mod alerts;
mod api;
mod bulk;
mod canned;
mod close_dialog;
mod contact;
mod conversation;
mod folders;
mod install;
mod look;
mod profile;
mod reports;
mod settings;
mod shortcuts;
mod team;
mod typing;
mod unread;
mod webhooks;
mod workspaces;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use porch_client::{self as client, Connection};
use porch_protocol::api::{agent, Endpoint};
use porch_protocol::replica::Replica;
use porch_protocol::{self as wire, AgentId, ConversationId, Millis, ServerFrame};
use serde::Serialize;

use crate::state::Folder;

#[component]
pub fn App() -> impl IntoView {
    // None while checking the session; then Some(None) signed out, Some(Some(me)) signed in.
    let me = RwSignal::new(None::<Option<wire::Me>>);
    // Opened from a password link (a new owner's setup, a reset): that first.
    let link = RwSignal::new(account::Link::from_location());
    spawn_local(async move {
        me.set(Some(client::call(agent::ME.at(&[]), &(), None).await.ok()));
    });
    let signed_in = Callback::new(move |who: wire::Me| {
        link.set(None);
        me.set(Some(Some(who)));
    });
    // The session ended under the inbox (signed out elsewhere, expired, password changed).
    let ended = RwSignal::new(false);
    let signed_out = Callback::new(move |()| {
        ended.set(true);
        me.set(Some(None));
    });
    view! {
        {move || match (link.get(), me.get()) {
            (Some(link), _) => view! { <account::LinkPage link=link on_done=signed_in /> }.into_any(),
            (None, None) => view! { <p class="muted">"Loading…"</p> }.into_any(),
            (None, Some(None)) => view! { <Login me=me ended=ended /> }.into_any(),
            (None, Some(Some(who))) => view! { <Inbox me=who signed_out=signed_out /> }.into_any(),
        }}
    }
}

#[component]
fn Login(me: RwSignal<Option<Option<wire::Me>>>, ended: RwSignal<bool>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    // A fresh server (no workspace) or an open sign-up offer to create a workspace.
    let signup = RwSignal::new(None::<wire::SignupStatus>);
    let signing_up = RwSignal::new(false);
    spawn_local(async move {
        if let Ok(status) = client::call(agent::SIGNUP_STATUS.at(&[]), &(), None).await {
            signing_up.set(status.first_run);
            signup.set(Some(status));
        }
    });
    let signed_in = Callback::new(move |who: wire::Me| me.set(Some(Some(who))));
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let login = wire::Login {
            email: email.get_untracked(),
            password: password.get_untracked(),
            workspace_id: workspaces::last(),
        };
        spawn_local(async move {
            match client::call(agent::LOGIN.at(&[]), &login, None).await {
                Ok(signed_in) => me.set(Some(Some(signed_in))),
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    let first_run = move || signup.get().is_some_and(|s| s.first_run);
    view! {
        <main class="login">
            <h1>"Porch"</h1>
            {move || signing_up.get().then(|| view! { <account::Signup first_run=first_run() on_done=signed_in /> })}
            {move || (!first_run()).then(|| view! {
                <h2>"Sign in"</h2>
                {move || ended.get().then(|| view! {
                    <p class="notice" role="status" data-testid="session-ended">
                        "Your session has ended. Sign in again to carry on."
                    </p>
                })}
                <form on:submit=submit data-testid="login-form">
                    <label>"E-mail"
                        <input type="email" required autocomplete="username" data-testid="login-email"
                            prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev)) />
                    </label>
                    <label>"Password"
                        <input type="password" required autocomplete="current-password" data-testid="login-password"
                            prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev)) />
                    </label>
                    {move || error.get().map(|e| view! { <p class="error" role="alert" data-testid="login-error">{e}</p> })}
                    <button type="submit" class="primary" data-testid="login-submit">"Sign in"</button>
                </form>
                <account::Forgot />
                {move || (signup.get().is_some_and(|s| s.open) && !signing_up.get()).then(|| view! {
                    <button type="button" class="link" data-testid="signup-open" on:click=move |_| signing_up.set(true)>
                        "New here? Create a workspace"
                    </button>
                })}
            })}
        </main>
    }
}

/// The inbox's pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Page {
    Conversations,
    Settings,
    Reports,
}

/// What the inbox's views share, as cheap copyable signals.
#[derive(Clone, Copy)]
pub(crate) struct Ctx {
    pub replica: RwSignal<Replica>,
    pub folder: RwSignal<Folder>,
    pub selected: RwSignal<Option<ConversationId>>,
    pub error: RwSignal<Option<String>>,
    pub me: StoredValue<AgentId>,
    pub role: StoredValue<wire::Role>,
    /// Which page the inbox shows.
    pub page: RwSignal<Page>,
    pub workspace: RwSignal<Option<wire::WorkspaceView>>,
    /// The server's clock as this page follows it (ticking every second): for snoozes and
    /// auto-close countdowns.
    pub now: RwSignal<Millis>,
    /// Server time minus browser time, measured at sign-in.
    pub offset: StoredValue<Millis>,
    /// Back to the sign-in page, saying the session ended.
    pub signed_out: Callback<()>,
    /// The close dialog of the selected conversation is open.
    pub closing: RwSignal<bool>,
    /// The member's unread messages per conversation.
    pub unread: unread::Unread,
    /// New-message alerts are on (a tone, and desktop notifications in the background).
    pub alerts: RwSignal<bool>,
    /// When each lead was last heard typing.
    pub typing: typing::Typing,
}

impl Ctx {
    /// Shows a failed call's error; a session that ended goes back to signing in.
    pub fn fail(&self, e: wire::ApiError) {
        match e.code.as_str() {
            "unauthorized" => self.signed_out.run(()),
            _ => self.error.set(Some(e.message)),
        }
    }

    /// The workspace's settings as saved (here or elsewhere): dates follow its time zone.
    pub fn set_settings(&self, settings: wire::WorkspaceSettings) {
        crate::zone::set(&settings.time_zone.0);
        self.workspace.update(|w| {
            if let Some(w) = w {
                w.settings = settings;
            }
        });
    }

    /// An agent's name, for notes and the assignment dropdown.
    pub fn name_of(&self, id: &AgentId) -> String {
        self.workspace
            .with(|w| {
                w.as_ref()
                    .and_then(|w| w.agents.iter().find(|a| &a.id == id).map(|a| a.name.clone()))
            })
            .unwrap_or_else(|| "Someone".into())
    }

    /// The server's time now.
    pub fn server_now(&self) -> Millis {
        now() + self.offset.get_value()
    }

    pub fn select(self, id: ConversationId) {
        self.selected.set(Some(id.clone()));
        unread::read(self, id.clone());
        spawn_local(async move {
            match client::call(agent::CONVERSATION.at(&[id.as_str()]), &(), None).await {
                Ok(detail) => self.replica.update(|r| {
                    r.insert(detail.conversation);
                    r.load_messages(id.clone(), detail.messages);
                    r.load_timeline(id, detail.events);
                }),
                Err(e) => self.fail(e),
            }
        });
    }

    /// Snoozes the selected conversation for `hours` of the server's time.
    pub fn snooze_for(self, hours: i64) {
        const HOUR: Millis = 3_600_000;
        self.act(agent::SNOOZE, wire::Snooze { until: self.server_now() + hours * HOUR });
    }

    /// Posts an action on the selected conversation; its effect arrives over the socket.
    pub fn act<B: Serialize + 'static>(self, action: Endpoint<B, wire::Conversation>, body: B) {
        let Some(id) = self.selected.get_untracked() else { return };
        spawn_local(async move {
            match client::call(action.at(&[id.as_str()]), &body, None).await {
                Ok(_) => self.error.set(None),
                Err(e) => self.fail(e),
            }
        });
    }
}

pub(crate) fn now() -> Millis {
    js_sys::Date::now() as Millis
}

/// Date and time in the workspace's time zone.
pub(crate) fn time_of(millis: Millis) -> String {
    crate::zone::time_of(millis)
}

#[component]
fn Inbox(me: wire::Me, signed_out: Callback<()>) -> impl IntoView {
    workspaces::remember(&me);
    let ctx = Ctx {
        replica: RwSignal::new(Replica::new(Vec::new(), Default::default(), me.last_seq)),
        folder: RwSignal::new(Folder::Open),
        selected: RwSignal::new(None),
        error: RwSignal::new(None),
        me: StoredValue::new(me.agent.id.clone()),
        role: StoredValue::new(me.agent.role),
        page: RwSignal::new(Page::Conversations),
        workspace: RwSignal::new(None),
        now: RwSignal::new(me.now),
        offset: StoredValue::new(me.now - now()),
        signed_out,
        closing: RwSignal::new(false),
        unread: RwSignal::new(Default::default()),
        alerts: RwSignal::new(alerts::remembered()),
        typing: RwSignal::new(Default::default()),
    };
    folders::title_counts_waiting(ctx);
    let connection = RwSignal::new(Connection::Connecting);
    let stop = Arc::new(AtomicBool::new(false));
    let ticker = set_interval_with_handle(
        move || ctx.now.set(ctx.server_now()),
        std::time::Duration::from_secs(1),
    )
    .ok();
    on_cleanup({
        let stop = stop.clone();
        move || {
            stop.store(true, Ordering::Relaxed);
            if let Some(ticker) = ticker {
                ticker.clear();
            }
        }
    });
    // Subscribe first, then read the list: events in between are applied once, by seq.
    client::follow(
        |after| client::socket_url(agent::SOCKET.at(&[]).query(&format!("after={after}"))),
        Vec::new(),
        move || ctx.replica.with_untracked(|r| r.last_seq),
        move |frame| match frame {
            ServerFrame::Event(frame) => {
                if let wire::Event::SettingsChanged { settings } = &frame.event {
                    ctx.set_settings(settings.clone());
                }
                ctx.replica.update(|r| {
                    r.apply(&frame);
                });
                unread::heard(ctx, &frame);
                typing::applied(ctx, &frame);
            }
            ServerFrame::Typing { conversation_id } => typing::heard(ctx, conversation_id),
            ServerFrame::Ready { .. } | ServerFrame::Error(_) => {}
        },
        move |status| {
            connection.set(status);
            match status {
                Connection::Ended => signed_out.run(()),
                // A socket refused at reconnection says no more than that: ask whether the
                // session still stands.
                Connection::Offline => spawn_local(async move {
                    if let Err(e) = client::call(agent::ME.at(&[]), &(), None).await {
                        if e.code == "unauthorized" {
                            signed_out.run(());
                        }
                    }
                }),
                Connection::Connecting | Connection::Live => {}
            }
        },
        stop,
    );
    unread::load(ctx);
    spawn_local(async move {
        match client::call(agent::CONVERSATIONS.at(&[]), &(), None).await {
            Ok(list) => ctx.replica.update(|r| list.into_iter().for_each(|c| r.insert(c))),
            Err(e) => ctx.fail(e),
        }
        match client::call(agent::WORKSPACE.at(&[]), &(), None).await {
            Ok(view) => {
                crate::zone::set(&view.settings.time_zone.0);
                ctx.workspace.set(Some(view));
            }
            Err(e) => ctx.fail(e),
        }
    });
    let sign_out = move |_| {
        spawn_local(async move {
            let _ = client::call(agent::LOGOUT.at(&[]), &(), None).await;
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
        });
    };
    view! {
        <div class="inbox">
            <header class="bar">
                <h1>"Porch"</h1>
                <span class="connection" data-testid="connection"
                    data-state=move || connection.get().as_str()>
                    {move || match connection.get() { Connection::Live => "Live", Connection::Connecting => "Connecting…", Connection::Offline => "Offline — retrying", Connection::Ended => "Signed out" }}
                </span>
                <workspaces::Switcher me=me.clone() error=ctx.error
                    name=Signal::derive(move || ctx.workspace.with(|w| w.as_ref().map(|w| w.name.clone()).unwrap_or_default())) />
                <span class="who" data-testid="agent-name">{me.agent.name.clone()}</span>
                {me.agent.role.may(wire::Permission::Reports).then(|| view! {
                    <button type="button" class="link light" data-testid="open-reports"
                        aria-pressed=move || (ctx.page.get() == Page::Reports).to_string()
                        on:click=move |_| ctx.page.update(|p| *p = if *p == Page::Reports { Page::Conversations } else { Page::Reports })>
                        {move || if ctx.page.get() == Page::Reports { "Conversations" } else { "Reports" }}
                    </button>
                })}
                <button type="button" class="link light" data-testid="open-settings"
                    aria-pressed=move || (ctx.page.get() == Page::Settings).to_string()
                    on:click=move |_| ctx.page.update(|p| *p = if *p == Page::Settings { Page::Conversations } else { Page::Settings })>
                    {move || if ctx.page.get() == Page::Settings { "Conversations" } else { "Settings" }}
                </button>
                <alerts::AlertsToggle ctx=ctx />
                <shortcuts::Shortcuts ctx=ctx />
                <button type="button" class="link light" data-testid="sign-out" on:click=sign_out>"Sign out"</button>
            </header>
            {move || ctx.error.get().map(|e| view! { <p class="error" role="alert" data-testid="error">{e}</p> })}
            {move || match ctx.page.get() {
                Page::Settings => view! { <settings::Settings ctx=ctx /> }.into_any(),
                Page::Reports => view! { <reports::Reports ctx=ctx /> }.into_any(),
                Page::Conversations => view! {
                    // On a phone one pane at a time: the list, or the chosen conversation.
                    <div class="columns" class:chosen=move || ctx.selected.get().is_some()>
                        <folders::Folders ctx=ctx />
                        <conversation::Detail ctx=ctx />
                    </div>
                }.into_any(),
            }}
        </div>
    }
}

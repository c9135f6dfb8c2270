//! The inbox views. Every element tests touch has a `data-testid`.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use porch_client::{self as client, Connection};
use porch_protocol::replica::Replica;
use porch_protocol::{
    self as wire, AuthorKind, ConversationDetail, ConversationId, ConversationStatus, ServerFrame,
};

use crate::state::Folder;

#[component]
pub fn App() -> impl IntoView {
    // None while checking the session; then Some(None) signed out, Some(Some(me)) signed in.
    let me = RwSignal::new(None::<Option<wire::Me>>);
    spawn_local(async move {
        me.set(Some(client::get::<wire::Me>("/api/v1/agent/me", None).await.ok()));
    });
    view! {
        {move || match me.get() {
            None => view! { <p class="muted">"Loading…"</p> }.into_any(),
            Some(None) => view! { <Login me=me /> }.into_any(),
            Some(Some(signed_in)) => view! { <Inbox me=signed_in /> }.into_any(),
        }}
    }
}

#[component]
fn Login(me: RwSignal<Option<Option<wire::Me>>>) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let login =
            wire::Login { email: email.get_untracked(), password: password.get_untracked() };
        spawn_local(async move {
            match client::post::<_, wire::Me>("/api/v1/agent/login", &login, None).await {
                Ok(signed_in) => me.set(Some(Some(signed_in))),
                Err(e) => error.set(Some(e.message)),
            }
        });
    };
    view! {
        <main class="login">
            <h1>"Porch — sign in"</h1>
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
        </main>
    }
}

#[derive(Clone, Copy)]
struct Ctx {
    replica: RwSignal<Replica>,
    folder: RwSignal<Folder>,
    selected: RwSignal<Option<ConversationId>>,
    error: RwSignal<Option<String>>,
}

impl Ctx {
    fn fail(&self, e: wire::ApiError) {
        self.error.set(Some(e.message));
    }

    fn select(self, id: ConversationId) {
        self.selected.set(Some(id.clone()));
        spawn_local(async move {
            match client::get::<ConversationDetail>(
                &format!("/api/v1/agent/conversations/{id}"),
                None,
            )
            .await
            {
                Ok(detail) => self.replica.update(|r| {
                    if r.conversation(&id).is_none() {
                        r.upsert(detail.conversation);
                    }
                    r.load_messages(id, detail.messages);
                }),
                Err(e) => self.fail(e),
            }
        });
    }
}

#[component]
fn Inbox(me: wire::Me) -> impl IntoView {
    let ctx = Ctx {
        replica: RwSignal::new(Replica::new(Vec::new(), Default::default(), me.last_seq)),
        folder: RwSignal::new(Folder::Open),
        selected: RwSignal::new(None),
        error: RwSignal::new(None),
    };
    let connection = RwSignal::new(Connection::Connecting);
    let stop = Arc::new(AtomicBool::new(false));
    on_cleanup({
        let stop = stop.clone();
        move || stop.store(true, std::sync::atomic::Ordering::Relaxed)
    });
    // Subscribe first, then read the list: events in between are applied once, by seq.
    client::follow(
        |after| client::socket_url(&format!("/api/v1/agent/ws?after={after}")),
        move || ctx.replica.with_untracked(|r| r.last_seq),
        move |frame| {
            if let ServerFrame::Event(frame) = frame {
                ctx.replica.update(|r| {
                    r.apply(&frame);
                });
            }
        },
        move |status| connection.set(status),
        stop,
    );
    spawn_local(async move {
        match client::get::<Vec<wire::Conversation>>("/api/v1/agent/conversations", None).await {
            Ok(list) => ctx.replica.update(|r| {
                list.into_iter().for_each(|c| {
                    if r.conversation(&c.id).is_none() {
                        r.upsert(c);
                    }
                })
            }),
            Err(e) => ctx.fail(e),
        }
    });
    let sign_out = move |_| {
        spawn_local(async move {
            let _ = client::post_empty("/api/v1/agent/logout").await;
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
                    data-state=move || format!("{:?}", connection.get()).to_lowercase()>
                    {move || match connection.get() { Connection::Live => "Live", Connection::Connecting => "Connecting…", Connection::Offline => "Offline — retrying" }}
                </span>
                <span class="who" data-testid="agent-name">{me.agent.name.clone()}</span>
                <button type="button" class="link light" on:click=sign_out>"Sign out"</button>
            </header>
            {move || ctx.error.get().map(|e| view! { <p class="error" role="alert" data-testid="error">{e}</p> })}
            <div class="columns">
                <Folders ctx=ctx />
                <Detail ctx=ctx />
            </div>
        </div>
    }
}

#[component]
fn Folders(ctx: Ctx) -> impl IntoView {
    let listed = move || {
        let folder = ctx.folder.get();
        ctx.replica.with(|r| {
            r.conversations().iter().filter(|c| folder.holds(c)).cloned().collect::<Vec<_>>()
        })
    };
    view! {
        <nav class="folders" aria-label="Conversations">
            <div class="tabs" role="tablist">
                {Folder::ALL.into_iter().map(|folder| {
                    let count = move || ctx.replica.with(|r| r.conversations().iter().filter(|c| folder.holds(c)).count());
                    view! {
                        <button type="button" role="tab" data-testid=format!("folder-{}", folder.label().to_lowercase())
                            aria-selected=move || (ctx.folder.get() == folder).to_string()
                            on:click=move |_| ctx.folder.set(folder)>
                            {folder.label()} " " <span class="count">{count}</span>
                        </button>
                    }
                }).collect_view()}
            </div>
            <ul class="list">
                <For each=listed key=|c| (c.id.clone(), c.status, c.cycle, c.last_activity_at, c.last_message.clone()) children=move |c| {
                    let id = c.id.clone();
                    let selected = { let id = id.clone(); move || ctx.selected.get().as_ref() == Some(&id) };
                    view! {
                        <li>
                            <button type="button" class="item" data-testid="conversation-item"
                                aria-current=move || selected().then_some("true")
                                on:click=move |_| ctx.select(id.clone())>
                                <span class="preview">{c.last_message.clone().unwrap_or_else(|| "(no messages)".into())}</span>
                                <span class="meta">"Cycle " {c.cycle}</span>
                            </button>
                        </li>
                    }
                } />
            </ul>
        </nav>
    }
}

#[component]
fn Detail(ctx: Ctx) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let conversation = Memo::new(move |_| {
        ctx.selected.get().and_then(|id| ctx.replica.with(|r| r.conversation(&id).cloned()))
    });
    let messages = move || {
        ctx.selected
            .get()
            .and_then(|id| ctx.replica.with(|r| r.messages(&id).map(<[_]>::to_vec)))
            .unwrap_or_default()
    };
    let is_open = move || conversation.get().is_some_and(|c| c.status == ConversationStatus::Open);
    let reply = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Some(id), body) = (ctx.selected.get_untracked(), text.get_untracked()) else { return };
        if body.trim().is_empty() {
            return;
        }
        spawn_local(async move {
            let request = wire::PostMessage { body, client_id: Some(client::client_id()) };
            let path = format!("/api/v1/agent/conversations/{id}/messages");
            match client::post::<_, wire::Message>(&path, &request, None).await {
                Ok(m) => {
                    text.set(String::new());
                    ctx.replica.update(|r| r.load_messages(m.conversation_id.clone(), vec![m]));
                }
                Err(e) => ctx.fail(e),
            }
        });
    };
    let close = move |_| {
        let Some(id) = ctx.selected.get_untracked() else { return };
        spawn_local(async move {
            let path = format!("/api/v1/agent/conversations/{id}/close");
            if let Err(e) = client::post::<_, wire::Conversation>(
                &path,
                &wire::CloseConversation { outcome: Some(wire::Outcome::Resolved), note: None },
                None,
            )
            .await
            {
                ctx.fail(e);
            }
        });
    };
    view! {
        <main class="detail" data-testid="conversation">
            {move || match conversation.get() {
                None => view! { <p class="muted">"Choose a conversation."</p> }.into_any(),
                Some(c) => view! {
                    <header class="detail-head">
                        <h2>"Conversation"</h2>
                        <span class="badge" data-testid="conversation-status">
                            {match c.status { ConversationStatus::Open => "Open", ConversationStatus::Closed => "Closed" }}
                        </span>
                        {is_open().then(|| view! {
                            <button type="button" class="primary" data-testid="close-conversation" on:click=close>"Close"</button>
                        })}
                    </header>
                }.into_any(),
            }}
            <ol class="messages">
                <For each=messages key=|m| m.id.clone() children=|m| {
                    let theirs = m.author_kind == AuthorKind::Contact;
                    view! {
                        <li class=if theirs { "message theirs" } else { "message mine" } data-testid="message">
                            <span class="author">{m.author_name.clone().unwrap_or_else(|| if theirs { "Visitor".into() } else { "Bot".into() })}</span>
                            <span class="body">{m.body.clone()}</span>
                        </li>
                    }
                } />
            </ol>
            {move || is_open().then(|| view! {
                <form class="composer" on:submit=reply>
                    <label for="reply" class="sr-only">"Reply"</label>
                    <input id="reply" type="text" autocomplete="off" data-testid="reply-input" placeholder="Write a reply…"
                        prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev)) />
                    <button type="submit" class="primary" data-testid="reply-send">"Send"</button>
                </form>
            })}
        </main>
    }
}

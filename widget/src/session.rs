//! The lead's session: opened with the visitor token this browser keeps, followed over the
//! socket; `Porch.identify` and `Porch.shutdown` from the host page.

use std::sync::atomic::AtomicBool;
use std::sync::Arc;

use leptos::prelude::*;
use porch_client::{self as client, Connection};
use porch_protocol::api::widget;
use porch_protocol::replica::Replica;
use porch_protocol::{self as wire, LeadEvent, LeadServerFrame};
use wasm_bindgen::JsValue;

use crate::components::Ctx;
use crate::host;
use crate::state::{stored_token, token_from_storage, token_storage_key, Screen};

/// Opens the widget session (a visitor token kept in this browser), then follows the lead's
/// events over the socket.
pub(crate) async fn open(
    ctx: Ctx,
    key: String,
    connection: RwSignal<Connection>,
    stop: Arc<AtomicBool>,
) {
    let storage_key = token_storage_key(&key);
    let request = wire::OpenSession {
        workspace_key: key,
        host_origin: host::host_origin(),
        host_page: host::host_page(),
        visitor_token: storage()
            .and_then(|s| s.get_item(&storage_key).ok().flatten())
            .and_then(|stored| token_from_storage(&stored)),
    };
    let session = match client::call(widget::OPEN_SESSION.at(&[]), &request, None).await {
        Ok(session) => session,
        Err(e) => return ctx.fail(e),
    };
    keep_token(&storage_key, &session.visitor_token);
    let token = session.visitor_token.clone();
    ctx.token.set(session.visitor_token);
    ctx.bot.set(session.bot);
    ctx.ask_email.set(session.ask_email);
    ctx.email_known.set(session.email_known);
    ctx.away.set(session.away);
    ctx.t.set(crate::texts::pick(session.look.language, &crate::texts::browser_languages()));
    ctx.look.set(session.look);
    ctx.team.set(session.team);
    let conversations = session.conversations.into_iter().map(Into::into).collect();
    ctx.replica.set(Replica::new(conversations, session.options, session.last_seq));
    ctx.screen.set(Screen::Home);
    client::follow(
        move |after| client::socket_url(widget::SOCKET.at(&[]).query(&format!("after={after}"))),
        vec!["porch".to_owned(), format!("porch.token.{token}")],
        move || ctx.replica.with_untracked(|r| r.last_seq),
        move |frame| {
            let frame = match frame {
                LeadServerFrame::Event(frame) => frame,
                LeadServerFrame::Typing { conversation_id, name } => {
                    return ctx.typing_heard(conversation_id, name)
                }
                LeadServerFrame::Seen { conversation_id, at } => {
                    return ctx.seen_until(conversation_id, at)
                }
                LeadServerFrame::Ready { .. } | LeadServerFrame::Error(_) => return,
            };
            // The host page hears of closures and messages by id, never their text.
            let (name, payload) = match &frame.event {
                LeadEvent::ConversationClosed { conversation_id, .. } => (
                    "conversation:closed",
                    host::object(&[("conversation_id", conversation_id.as_str().into())]),
                ),
                LeadEvent::MessagePosted { message } => {
                    // The team's message ends their typing.
                    if message.author_kind != wire::AuthorKind::Contact {
                        ctx.typing.set(None);
                    }
                    (
                        "message",
                        host::object(&[
                            ("conversation_id", message.conversation_id.as_str().into()),
                            ("author_kind", message.author_kind.as_str().into()),
                        ]),
                    )
                }
                _ => ("", JsValue::UNDEFINED),
            };
            let applied = ctx.replica.try_update(|r| r.apply(&frame.into())).unwrap_or(false);
            if applied && !name.is_empty() {
                host::notify("event", &[("name", name.into()), ("payload", payload)]);
            }
        },
        move |status| {
            if status == Connection::Live {
                ctx.reconnected();
            }
            connection.set(status);
        },
        stop,
    );
    host::notify("ready", &[]);
}

/// `Porch.identify(user)`: a lead already known under this identity takes this browser over,
/// with their history (the page reloads into their session).
pub(crate) async fn identify(ctx: Ctx, key: String, user: Option<wire::Identify>) {
    let warn =
        |message: &str| web_sys::console::warn_1(&format!("Porch.identify: {message}").into());
    let Some(request) = user else {
        return warn("expected {id, name, email, hash}");
    };
    let token = ctx.token.get_untracked();
    match client::call(widget::IDENTIFY.at(&[]), &request, Some(&token)).await {
        Ok(who) if who.switched => {
            keep_token(&token_storage_key(&key), &who.visitor_token);
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
        }
        Ok(_) => {}
        Err(e) => warn(&e.message),
    }
}

/// `Porch.shutdown()`: the server forgets this browser's token and the widget forgets it too,
/// then starts over as a new anonymous lead.
pub(crate) async fn shutdown(ctx: Ctx, key: String) {
    let token = ctx.token.get_untracked();
    if !token.is_empty() {
        // Even if this fails (offline), the token is gone from this device below.
        let _ = client::call(widget::END_SESSION.at(&[]), &(), Some(&token)).await;
    }
    if let Some(storage) = storage() {
        let _ = storage.remove_item(&token_storage_key(&key));
    }
    if let Some(window) = web_sys::window() {
        let _ = window.location().reload();
    }
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

fn keep_token(storage_key: &str, token: &str) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(storage_key, &stored_token(token));
    }
}

//! Browser-side plumbing shared by the widget and the inbox: JSON calls that turn every failure
//! into a [`wire::ApiError`], and an event socket that reconnects with backoff and resumes after
//! the last applied seq. No UI here.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures_util::StreamExt;
use gloo_net::http::{Request, RequestBuilder, Response};
use gloo_net::websocket::{futures::WebSocket, Message};
use porch_protocol::{self as wire, ServerFrame};
use serde::{de::DeserializeOwned, Serialize};

/// A credential to send: leads carry their visitor token; agents rely on their cookie.
pub type Bearer<'a> = Option<&'a str>;

fn with_auth(builder: RequestBuilder, bearer: Bearer<'_>) -> RequestBuilder {
    match bearer {
        Some(token) => builder.header("Authorization", &format!("Bearer {token}")),
        None => builder,
    }
}

pub async fn get<T: DeserializeOwned>(path: &str, bearer: Bearer<'_>) -> Result<T, wire::ApiError> {
    let request = with_auth(Request::get(path), bearer).build().map_err(network)?;
    read(request.send().await.map_err(network)?).await
}

pub async fn post<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
    bearer: Bearer<'_>,
) -> Result<T, wire::ApiError> {
    let request = with_auth(Request::post(path), bearer).json(body).map_err(network)?;
    read(request.send().await.map_err(network)?).await
}

/// A PUT with the agent's cookie.
pub async fn put<B: Serialize, T: DeserializeOwned>(
    path: &str,
    body: &B,
) -> Result<T, wire::ApiError> {
    let request = Request::put(path).json(body).map_err(network)?;
    read(request.send().await.map_err(network)?).await
}

/// A POST whose answer has no body worth reading (204).
pub async fn post_empty(path: &str) -> Result<(), wire::ApiError> {
    let response = Request::post(path).send().await.map_err(network)?;
    if response.ok() {
        Ok(())
    } else {
        Err(error_of(response).await)
    }
}

async fn read<T: DeserializeOwned>(response: Response) -> Result<T, wire::ApiError> {
    if response.ok() {
        response.json().await.map_err(network)
    } else {
        Err(error_of(response).await)
    }
}

async fn error_of(response: Response) -> wire::ApiError {
    let status = response.status();
    response.json().await.unwrap_or_else(|_| wire::ApiError {
        code: format!("http_{status}"),
        message: format!("The server answered {status}."),
    })
}

fn network(e: impl std::fmt::Display) -> wire::ApiError {
    wire::ApiError { code: "network".into(), message: format!("Can't reach the server ({e}).") }
}

/// A fresh id for a message, so a retried send is stored once.
pub fn client_id() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        // Integer formatting: printing an f64 would pull float formatting into the bundle.
        .unwrap_or_else(|| (web_sys::js_sys::Date::now() as u64).to_string())
}

/// Where the event socket stands, for an unobtrusive indicator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Live,
    Offline,
}

/// `ws(s)://<this origin><path>`.
pub fn socket_url(path: &str) -> String {
    let location = web_sys::window().map(|w| w.location());
    let protocol = location.as_ref().and_then(|l| l.protocol().ok()).unwrap_or_default();
    let host = location.as_ref().and_then(|l| l.host().ok()).unwrap_or_default();
    let scheme = if protocol == "https:" { "wss" } else { "ws" };
    format!("{scheme}://{host}{path}")
}

/// Keeps an event socket open for the page's lifetime: connects to `url(after)` where `after`
/// is the last seq the page applied, hands every frame to `on_frame`, and after a drop retries
/// with exponential backoff (1 s doubling to 30 s, reset once live). Stops when `stop` is set.
pub fn follow(
    url: impl Fn(u64) -> String + 'static,
    last_seq: impl Fn() -> u64 + 'static,
    on_frame: impl Fn(ServerFrame) + 'static,
    on_status: impl Fn(Connection) + 'static,
    stop: Arc<AtomicBool>,
) {
    wasm_bindgen_futures::spawn_local(async move {
        let mut backoff = 1_000;
        while !stop.load(Ordering::Relaxed) {
            on_status(Connection::Connecting);
            if let Ok(socket) = WebSocket::open(&url(last_seq())) {
                let (_write, mut read) = socket.split();
                while let Some(Ok(message)) = read.next().await {
                    if stop.load(Ordering::Relaxed) {
                        return;
                    }
                    let Message::Text(text) = message else { continue };
                    let Ok(frame) = serde_json::from_str::<ServerFrame>(&text) else { continue };
                    if let ServerFrame::Ready { .. } = frame {
                        backoff = 1_000;
                        on_status(Connection::Live);
                    }
                    on_frame(frame);
                }
            }
            on_status(Connection::Offline);
            gloo_timers::future::TimeoutFuture::new(backoff).await;
            backoff = (backoff * 2).min(30_000);
        }
    });
}

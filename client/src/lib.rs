//! Browser-side plumbing shared by the widget and the inbox: JSON calls that turn every failure
//! into a [`wire::ApiError`], and an event socket that reconnects with backoff and resumes after
//! the last applied seq. No UI here.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures_util::StreamExt;
use porch_protocol::{self as wire, api, LeadServerFrame, ServerFrame};
use serde::{de::DeserializeOwned, Serialize};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// A credential to send: leads carry their visitor token; agents rely on their cookie.
pub type Bearer<'a> = Option<&'a str>;

/// One call of an endpoint of [`wire::api`]: `body` sent as JSON (nothing for `()`), the
/// answer read as `Res` (`()` for an empty one).
pub async fn call<Req: Serialize, Res: DeserializeOwned>(
    call: api::Call<Req, Res>,
    body: &Req,
    bearer: Bearer<'_>,
) -> Result<Res, wire::ApiError> {
    from_json(&send(call.method.as_str(), &call.url, to_json(body)?, bearer).await?)
}

/// The text of a successful answer (`null` for an empty one); an error otherwise. Not generic,
/// so the bundles carry it once.
async fn send(
    method: &str,
    url: &str,
    body: Option<String>,
    bearer: Bearer<'_>,
) -> Result<String, wire::ApiError> {
    let answer = fetch(method, url, body, bearer).await?;
    match (answer.ok, answer.text.is_empty()) {
        (false, _) => Err(error_of(answer)),
        (true, true) => Ok("null".into()),
        (true, false) => Ok(answer.text),
    }
}

/// A response read to the end: whether it was 2xx, its status and its body.
struct Answer {
    ok: bool,
    status: u16,
    text: String,
}

/// One call with the browser's `fetch` (same origin, so the agent's cookie goes along).
async fn fetch(
    method: &str,
    path: &str,
    body: Option<String>,
    bearer: Bearer<'_>,
) -> Result<Answer, wire::ApiError> {
    let window = web_sys::window().ok_or_else(|| network("no window"))?;
    let headers = web_sys::Headers::new().map_err(js_network)?;
    if let Some(token) = bearer {
        headers.set("Authorization", &format!("Bearer {token}")).map_err(js_network)?;
    }
    let init = web_sys::RequestInit::new();
    init.set_method(method);
    if let Some(body) = body {
        headers.set("Content-Type", "application/json").map_err(js_network)?;
        init.set_body(&JsValue::from_str(&body));
    }
    init.set_headers(&headers);
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str_and_init(path, &init))
        .await
        .map_err(js_network)?
        .unchecked_into();
    let text = JsFuture::from(response.text().map_err(js_network)?).await.map_err(js_network)?;
    Ok(Answer {
        ok: response.ok(),
        status: response.status(),
        text: text.as_string().unwrap_or_default(),
    })
}

/// JSON text of a value, with the browser's `JSON.stringify` (no JSON library in the bundle);
/// `None` for `()`.
fn to_json(body: &impl Serialize) -> Result<Option<String>, wire::ApiError> {
    let value =
        body.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).map_err(network)?;
    if value.is_null() {
        return Ok(None);
    }
    js_sys::JSON::stringify(&value).map(|s| Some(String::from(s))).map_err(js_network)
}

/// A value from JSON text, parsed by the browser's `JSON.parse`.
fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, wire::ApiError> {
    let value = js_sys::JSON::parse(text).map_err(js_network)?;
    serde_wasm_bindgen::from_value(value).map_err(network)
}

fn error_of(answer: Answer) -> wire::ApiError {
    let status = answer.status;
    match from_json::<wire::ApiError>(&answer.text) {
        Ok(error) => wire::ApiError { message: sentence(error.message), ..error },
        Err(_) => wire::ApiError {
            code: format!("http_{status}"),
            message: format!("The server answered {status}."),
        },
    }
}

/// A server's message (`sign in first`) as people read it: `Sign in first.` ASCII only, so
/// no Unicode case tables come into the bundles.
pub fn sentence(mut message: String) -> String {
    if let Some(first) = message.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    if !message.is_empty() && !message.ends_with(['.', '!', '?', ')']) {
        message.push('.');
    }
    message
}

fn network(e: impl std::fmt::Display) -> wire::ApiError {
    wire::ApiError { code: "network".into(), message: format!("Can't reach the server ({e}).") }
}

/// A failure the browser reports (offline, refused, aborted): it says no more than that.
fn js_network(_: JsValue) -> wire::ApiError {
    network("the browser could not send the request")
}

/// A fresh id for a message, so a retried send is stored once.
pub fn client_id() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        // Integer formatting: printing an f64 would pull float formatting into the bundle.
        .unwrap_or_else(|| (js_sys::Date::now() as u64).to_string())
}

/// Where the event socket stands, for an unobtrusive indicator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Live,
    Offline,
    /// The server ended the socket's session (close code 1008: signed out, expired, revoked):
    /// no more retries.
    Ended,
}

impl Connection {
    /// For `data-state` attributes.
    pub fn as_str(self) -> &'static str {
        match self {
            Connection::Connecting => "connecting",
            Connection::Live => "live",
            Connection::Offline => "offline",
            Connection::Ended => "ended",
        }
    }
}

/// `ws(s)://<this origin>` + the socket's URL.
pub fn socket_url<F>(socket: api::Call<(), api::Socket<F>>) -> String {
    let path = socket.url;
    let location = web_sys::window().map(|w| w.location());
    let protocol = location.as_ref().and_then(|l| l.protocol().ok()).unwrap_or_default();
    let host = location.as_ref().and_then(|l| l.host().ok()).unwrap_or_default();
    let scheme = if protocol == "https:" { "wss" } else { "ws" };
    format!("{scheme}://{host}{path}")
}

/// The close code of a socket whose session ended (policy violation).
const SESSION_ENDED: u16 = 1008;

/// A frame of either socket: the agents' [`ServerFrame`] or a lead's [`LeadServerFrame`].
pub trait Frame: DeserializeOwned + 'static {
    /// Everything missed has been sent; the socket is live.
    fn is_ready(&self) -> bool;
}

impl Frame for ServerFrame {
    fn is_ready(&self) -> bool {
        matches!(self, ServerFrame::Ready { .. })
    }
}

impl Frame for LeadServerFrame {
    fn is_ready(&self) -> bool {
        matches!(self, LeadServerFrame::Ready { .. })
    }
}

/// Keeps an event socket open for the page's lifetime: connects to `url(after)` where `after`
/// is the last seq the page applied, hands every frame to `on_frame`, and after a drop retries
/// with exponential backoff (1 s doubling to 30 s, reset once live). Stops when `stop` is set,
/// or when the server closes with 1008 (the session ended: [`Connection::Ended`]).
///
/// `protocols` are offered in the handshake (a lead's socket carries its token there, so the
/// secret never sits in a URL).
pub fn follow<F: Frame>(
    url: impl Fn(u64) -> String + 'static,
    protocols: Vec<String>,
    last_seq: impl Fn() -> u64 + 'static,
    on_frame: impl Fn(F) + 'static,
    on_status: impl Fn(Connection) + 'static,
    stop: Arc<AtomicBool>,
) {
    wasm_bindgen_futures::spawn_local(async move {
        let mut backoff = 1_000;
        while !stop.load(Ordering::Relaxed) {
            on_status(Connection::Connecting);
            let offered: js_sys::Array = protocols.iter().map(|p| JsValue::from_str(p)).collect();
            let opened = match protocols.is_empty() {
                true => web_sys::WebSocket::new(&url(last_seq())),
                false => web_sys::WebSocket::new_with_str_sequence(&url(last_seq()), &offered),
            };
            if let Ok(socket) = opened {
                // The socket's callbacks feed a queue this loop reads; `Err(code)` means closed
                // (an error is always followed by a close).
                let (tx, mut rx) = futures_channel::mpsc::unbounded::<Result<String, u16>>();
                let on_message = Closure::<dyn Fn(web_sys::MessageEvent)>::new({
                    let tx = tx.clone();
                    move |e: web_sys::MessageEvent| {
                        if let Some(text) = e.data().as_string() {
                            let _ = tx.unbounded_send(Ok(text));
                        }
                    }
                });
                let on_close =
                    Closure::<dyn Fn(web_sys::CloseEvent)>::new(move |e: web_sys::CloseEvent| {
                        let _ = tx.unbounded_send(Err(e.code()));
                    });
                socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
                socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
                let mut closed = None;
                while let Some(next) = rx.next().await {
                    let text = match next {
                        Ok(text) => text,
                        Err(code) => {
                            closed = Some(code);
                            break;
                        }
                    };
                    if stop.load(Ordering::Relaxed) {
                        let _ = socket.close();
                        return;
                    }
                    let Ok(frame) = from_json::<F>(&text) else { continue };
                    if frame.is_ready() {
                        backoff = 1_000;
                        on_status(Connection::Live);
                    }
                    on_frame(frame);
                }
                socket.set_onmessage(None);
                socket.set_onclose(None);
                if closed == Some(SESSION_ENDED) {
                    return on_status(Connection::Ended);
                }
            }
            on_status(Connection::Offline);
            gloo_timers::future::TimeoutFuture::new(backoff).await;
            backoff = (backoff * 2).min(30_000);
        }
    });
}

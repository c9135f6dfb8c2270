//! One WebSocket session: send the backlog after the client's `after`, then live frames, each
//! seq at most once and in order.

use axum::extract::ws::rejection::WebSocketUpgradeRejection;
use axum::extract::ws::{
    close_code, CloseFrame, Message as WsMessage, WebSocket, WebSocketUpgrade,
};
use porch_protocol::{ApiError as WireError, ClientFrame, WorkspaceId};
use tokio_util::sync::CancellationToken;

use crate::hub::{Audience, Seen};
use crate::AppState;

/// Backlog is read from the store in pages of this many events.
const PAGE: u32 = 500;

/// Largest message a client may send: its frames are tiny (a ping). Larger ones close the
/// socket with 1009 (message too big) before they are buffered.
pub const MAX_CLIENT_MESSAGE: usize = 4 * 1024;
/// Per-socket read buffer: sized for many idle sockets, not for throughput (the default is
/// 128 KiB, most of an idle socket's memory).
const READ_BUFFER: usize = 4 * 1024;
/// Bytes of outgoing frames buffered before a send waits for the network to take them.
const WRITE_BUFFER: usize = 8 * 1024;

/// The limits every Porch socket gets, whoever opens it; a request that is no WebSocket
/// handshake is refused in Porch's error shape.
pub fn limited(
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Result<WebSocketUpgrade, crate::ApiError> {
    let upgrade =
        upgrade.map_err(|e| crate::ApiError::bad_request("not_a_websocket", e.body_text()))?;
    Ok(upgrade
        .max_message_size(MAX_CLIENT_MESSAGE)
        .max_frame_size(MAX_CLIENT_MESSAGE)
        .read_buffer_size(READ_BUFFER)
        .write_buffer_size(WRITE_BUFFER)
        .max_write_buffer_size(4 * WRITE_BUFFER + 64 * 1024))
}

/// Serves one socket until the client leaves, the server shuts down or `ended` fires (the
/// agent's session ended: closed with 1008, policy).
pub async fn serve(
    mut socket: WebSocket,
    state: AppState,
    workspace: WorkspaceId,
    audience: Audience,
    after: u64,
    ended: CancellationToken,
) {
    // Subscribe before reading the backlog: an event committed in between arrives both ways and
    // the seq check below drops the second copy.
    let mut subscription = state.hub.subscribe(&workspace, audience.clone());
    // Other servers' commits from now on reach this socket too.
    if let Err(e) = state.follow(&workspace).await {
        tracing::error!(error = %e, "following the workspace");
        return;
    }
    let mut last = after;
    loop {
        let page = match state.store.events_after(&workspace, last, audience.contact(), PAGE).await
        {
            Ok(page) => page,
            Err(e) => {
                tracing::error!(error = %e, "socket backlog");
                return;
            }
        };
        for stored in &page {
            match audience.view(stored) {
                Some(frame) => {
                    if send_event(&mut socket, &frame, &mut last).await.is_err() {
                        return;
                    }
                }
                // Withheld from this audience; still counts as seen.
                None => last = last.max(stored.seq),
            }
        }
        if page.len() < PAGE as usize {
            break;
        }
    }
    if send(&mut socket, audience.ready(last)).await.is_err() {
        return;
    }
    loop {
        tokio::select! {
            batch = subscription.frames.recv() => match batch {
                Some(batch) => {
                    for frame in batch.iter() {
                        if send_event(&mut socket, frame, &mut last).await.is_err() {
                            return;
                        }
                    }
                }
                // Dropped by the hub as too slow: closing makes the client resume from the store.
                None => break,
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(WsMessage::Text(text))) => {
                    let reply = match serde_json::from_str::<ClientFrame>(&text) {
                        Ok(ClientFrame::Ping) => audience.ready(last),
                        Err(e) => audience.error(WireError {
                            code: "malformed_frame".into(),
                            message: format!("unreadable frame: {e}"),
                        }),
                    };
                    if send(&mut socket, reply).await.is_err() {
                        return;
                    }
                }
                Some(Ok(WsMessage::Binary(_))) => {
                    let error = audience.error(WireError {
                        code: "malformed_frame".into(),
                        message: "frames are JSON text".into(),
                    });
                    if send(&mut socket, error).await.is_err() {
                        return;
                    }
                }
                Some(Ok(WsMessage::Close(_))) | None => return,
                // Over the size limits, or not WebSocket at all.
                Some(Err(_)) => return close(socket, close_code::SIZE, "message too big").await,
                Some(Ok(_)) => {}
            },
            // The server is stopping: 1012 tells the client to come back (to another server,
            // or this one restarted) and resume from its last seq. (A lead's `ended` is a child
            // of the shutdown token.)
            _ = state.shutdown.cancelled() => {
                return close(socket, close_code::RESTART, "server restarting").await
            }
            _ = ended.cancelled() => {
                return match state.shutdown.is_cancelled() {
                    true => close(socket, close_code::RESTART, "server restarting").await,
                    false => close(socket, close_code::POLICY, "session ended").await,
                }
            }
        }
    }
    let _ = socket.send(WsMessage::Close(None)).await;
}

async fn close(mut socket: WebSocket, code: u16, reason: &'static str) {
    let frame = CloseFrame { code, reason: reason.into() };
    let _ = socket.send(WsMessage::Close(Some(frame))).await;
}

async fn send_event(
    socket: &mut WebSocket,
    frame: &Seen,
    last: &mut u64,
) -> Result<(), axum::Error> {
    match frame.seq() {
        // A signal: outside the events' order.
        0 => {}
        seq if seq <= *last => return Ok(()),
        seq => *last = seq,
    }
    socket.send(WsMessage::Text(frame.text.clone())).await
}

async fn send(socket: &mut WebSocket, text: String) -> Result<(), axum::Error> {
    socket.send(WsMessage::Text(text.into())).await
}

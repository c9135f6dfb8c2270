//! One WebSocket session: send the backlog after the client's `after`, then live frames, each
//! seq at most once and in order.

use axum::extract::ws::{Message as WsMessage, WebSocket};
use porch_protocol::{ApiError as WireError, ClientFrame, WorkspaceId};

use crate::hub::{Audience, Seen};
use crate::AppState;

/// Backlog is read from the store in pages of this many events.
const PAGE: u32 = 500;

pub async fn serve(
    mut socket: WebSocket,
    state: AppState,
    workspace: WorkspaceId,
    audience: Audience,
    after: u64,
) {
    // Subscribe before reading the backlog: an event committed in between arrives both ways and
    // the seq check below drops the second copy.
    let mut subscription = state.hub.subscribe(&workspace, audience.clone());
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
                Some(Ok(WsMessage::Close(_))) | Some(Err(_)) | None => return,
                Some(Ok(_)) => {}
            },
            _ = state.shutdown.cancelled() => break,
        }
    }
    let _ = socket.send(WsMessage::Close(None)).await;
}

async fn send_event(
    socket: &mut WebSocket,
    frame: &Seen,
    last: &mut u64,
) -> Result<(), axum::Error> {
    if frame.seq() <= *last {
        return Ok(());
    }
    *last = frame.seq();
    send(socket, frame.to_json()).await
}

async fn send(socket: &mut WebSocket, text: String) -> Result<(), axum::Error> {
    socket.send(WsMessage::Text(text.into())).await
}

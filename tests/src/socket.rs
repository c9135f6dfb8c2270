//! WebSocket clients: connecting, reading frames, waiting for a close.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use porch_protocol as wire;
use tokio_tungstenite::tungstenite::Message as WsMessage;

pub type WsStream =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// The code a socket closes with, skipping the frames before; panics unless it closes within
/// the wait.
pub async fn close_code(stream: &mut WsStream) -> Option<u16> {
    loop {
        let next = tokio::time::timeout(FRAME_WAIT, stream.next());
        match next.await.expect("a close within the wait") {
            Some(Ok(WsMessage::Close(frame))) => return frame.map(|f| u16::from(f.code)),
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

/// A WebSocket to the server; a lead's speaks [`wire::LeadServerFrame`], which [`Socket::next`]
/// turns into the agents' vocabulary so tests read both alike.
pub struct Socket {
    pub stream: WsStream,
    lead: bool,
}

/// How long a test waits for a frame that should come; a liveness guard, not a measurement.
const FRAME_WAIT: Duration = Duration::from_secs(10);

impl Socket {
    pub(crate) async fn connect(
        request: tokio_tungstenite::tungstenite::handshake::client::Request,
        lead: bool,
    ) -> Socket {
        let (stream, _) = tokio_tungstenite::connect_async(request).await.expect("socket connects");
        Socket { stream, lead }
    }

    /// The next text frame, as sent.
    pub async fn text(&mut self) -> String {
        loop {
            let message = tokio::time::timeout(FRAME_WAIT, self.stream.next())
                .await
                .expect("a frame within the wait")
                .expect("socket open")
                .expect("socket ok");
            if let WsMessage::Text(text) = message {
                return text.to_string();
            }
        }
    }

    pub async fn next(&mut self) -> wire::ServerFrame {
        let text = self.text().await;
        if !self.lead {
            return serde_json::from_str(&text).expect("a server frame");
        }
        match serde_json::from_str(&text).expect("a lead's frame") {
            wire::LeadServerFrame::Event(frame) => wire::ServerFrame::Event(Box::new(frame.into())),
            wire::LeadServerFrame::Ready { seq } => wire::ServerFrame::Ready { seq },
            wire::LeadServerFrame::Error(e) => wire::ServerFrame::Error(e),
            signal => panic!("a signal, not an event: read it with lead_frame: {signal:?}"),
        }
    }

    /// The next frame of a lead's socket, as sent (signals included).
    pub async fn lead_frame(&mut self) -> wire::LeadServerFrame {
        assert!(self.lead, "a lead's socket");
        serde_json::from_str(&self.text().await).expect("a lead's frame")
    }

    /// The next event frame; panics on anything else.
    pub async fn event(&mut self) -> wire::EventFrame {
        match self.next().await {
            wire::ServerFrame::Event(frame) => *frame,
            other => panic!("expected an event, got {other:?}"),
        }
    }

    /// Reads up to and including `Ready`, returning the events before it.
    pub async fn until_ready(&mut self) -> (Vec<wire::EventFrame>, u64) {
        let mut events = Vec::new();
        loop {
            match self.next().await {
                wire::ServerFrame::Event(frame) => events.push(*frame),
                wire::ServerFrame::Ready { seq } => return (events, seq),
                other => panic!("unexpected {other:?}"),
            }
        }
    }

    pub async fn send_text(&mut self, text: &str) {
        self.stream.send(WsMessage::Text(text.into())).await.expect("send");
    }
}

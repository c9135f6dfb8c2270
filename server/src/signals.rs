//! Fleeting signals: someone is typing, the team has seen the lead's messages. They go to the
//! sockets that may hear them and are never kept, nor ordered with the events. With PostgreSQL
//! they travel through the database's notifications, so sockets on every server hear them
//! (this one's included, from its own listener); on SQLite, one process, straight to the hub.

use porch_protocol::{ContactId, WorkspaceId};
use serde::{Deserialize, Serialize};

use crate::AppState;

/// A signal between servers, its frames already written for each audience that hears it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signal {
    pub workspace: WorkspaceId,
    /// The lead whose conversation it is about.
    pub contact: ContactId,
    /// For the team's sockets, if they hear it.
    pub agents: Option<String>,
    /// For that lead's sockets, if they hear it.
    pub lead: Option<String>,
}

impl Signal {
    /// For the workspace's members only.
    pub fn to_agents(
        workspace: &WorkspaceId,
        contact: &ContactId,
        frame: &impl Serialize,
    ) -> Signal {
        Signal {
            workspace: workspace.clone(),
            contact: contact.clone(),
            agents: Some(text(frame)),
            lead: None,
        }
    }

    /// For the lead's sockets only.
    pub fn to_lead(workspace: &WorkspaceId, contact: &ContactId, frame: &impl Serialize) -> Signal {
        Signal {
            workspace: workspace.clone(),
            contact: contact.clone(),
            agents: None,
            lead: Some(text(frame)),
        }
    }
}

/// Wire frames are plain data: serialising them cannot fail.
fn text(frame: &impl Serialize) -> String {
    serde_json::to_string(frame).unwrap_or_default()
}

impl AppState {
    /// Sends a signal to every server's sockets (PostgreSQL) or this one's (SQLite). A signal
    /// the database could not pass on still reaches the sockets here.
    pub async fn signal(&self, signal: Signal) {
        match self.store.broadcast(&text(&signal)).await {
            Ok(true) => {}
            Ok(false) => self.hub.signal(&signal),
            Err(e) => {
                tracing::warn!(error = %e, "passing a signal to the other servers");
                self.hub.signal(&signal);
            }
        }
    }

    /// A signal heard from the database, sent by any server.
    pub fn heard(&self, payload: &str) {
        match serde_json::from_str::<Signal>(payload) {
            Ok(signal) => self.hub.signal(&signal),
            Err(e) => tracing::warn!(error = %e, "an unreadable signal"),
        }
    }
}

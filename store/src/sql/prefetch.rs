//! What a batch reads up front, one statement for all its commands instead of one each: the
//! states of the conversations they target, and which of the client ids they name are stored.
//! A state serves the first command on its conversation only, and is forgotten as soon as
//! anything the batch writes may change it; a later command reads it again inside the
//! transaction, where the writes before it are seen.

use std::collections::{HashMap, HashSet};

use porch_domain::ConversationState;
use porch_protocol::{ConversationId, Event, EventFrame, WorkspaceId};
use sqlx::{Any, Row, Transaction};

use super::limits::{bucket, Buckets};
use super::pending::{params, values};
use super::rows::{self, STATE_COLUMNS};
use crate::{Command, Result};

/// Values one statement carries at most.
pub const CHUNK: usize = 500;

/// What a batch's commands will look up (taken before anything is awaited: a command's
/// decision is not `Sync`).
pub struct Wanted {
    targets: Vec<String>,
    asked: HashSet<(String, String)>,
    buckets: Vec<String>,
}

#[derive(Default)]
pub struct Prefetched {
    /// The rate-limit buckets the commands take from.
    pub buckets: Buckets,
    states: HashMap<ConversationId, (WorkspaceId, ConversationState)>,
    /// (author, client id) pairs looked up, and those found stored.
    asked: HashSet<(String, String)>,
    stored: HashSet<(String, String)>,
}

impl Prefetched {
    pub fn wanted(commands: &[Command]) -> Wanted {
        let mut targets: Vec<String> =
            commands.iter().filter_map(|c| c.target.as_ref().map(|t| t.0.clone())).collect();
        targets.sort_unstable();
        targets.dedup();
        Wanted {
            targets,
            asked: commands.iter().filter_map(|c| c.retry_of.clone()).collect(),
            buckets: commands.iter().flat_map(|c| c.takes.iter().map(bucket)).collect(),
        }
    }

    pub async fn read(tx: &mut Transaction<'_, Any>, wanted: Wanted) -> Result<Prefetched> {
        let Wanted { targets, asked, buckets } = wanted;
        let numbered = tx.backend_name() != "SQLite";
        let buckets = Buckets::read(tx, buckets).await?;
        let mut found = Prefetched { buckets, asked, ..Prefetched::default() };
        for chunk in targets.chunks(CHUNK) {
            let sql = format!(
                "SELECT c.workspace_id, {STATE_COLUMNS}
                 FROM conversations c JOIN contacts k ON k.id = c.contact_id
                 WHERE c.id IN ({})",
                params(0, chunk.len(), numbered)
            );
            let rows = chunk.iter().fold(sqlx::query(&sql), |q, id| q.bind(id.as_str()));
            for row in rows.fetch_all(&mut **tx).await? {
                let state = rows::state(&row)?;
                let workspace = WorkspaceId(row.try_get("workspace_id")?);
                found.states.insert(state.id.clone(), (workspace, state));
            }
        }
        let asked: Vec<_> = found.asked.iter().cloned().collect();
        for chunk in asked.chunks(CHUNK) {
            // One index probe a pair (a row-value `IN`; two plain `IN`s probe every author
            // with every client id).
            let sql = format!(
                "SELECT author_id, client_id FROM messages
                 WHERE (author_id, client_id) IN ({})",
                values(2, chunk.len(), numbered)
            );
            let query = chunk.iter().fold(sqlx::query(&sql), |q, (author, client_id)| {
                q.bind(author.as_str()).bind(client_id.as_str())
            });
            for row in query.fetch_all(&mut **tx).await? {
                let pair = (row.try_get("author_id")?, row.try_get("client_id")?);
                if found.asked.contains(&pair) {
                    found.stored.insert(pair);
                }
            }
        }
        Ok(found)
    }

    /// The state of conversation `id` (and its workspace) as the batch found it, unless a
    /// command before used or changed it: then `None`, and it is read again.
    pub fn state(&mut self, id: &ConversationId) -> Option<(WorkspaceId, ConversationState)> {
        self.states.remove(id)
    }

    /// Whether `author` had stored a message under `client_id` when the batch began; `None`
    /// when that was not looked up.
    pub fn client_id_stored(&self, author: &str, client_id: &str) -> Option<bool> {
        let pair = (author.to_owned(), client_id.to_owned());
        self.asked.contains(&pair).then(|| self.stored.contains(&pair))
    }

    /// Frames just written: the states they may have changed are forgotten (a contact's, all:
    /// a block changes every conversation of theirs).
    pub fn written(&mut self, frames: &[EventFrame]) {
        for frame in frames {
            match (&frame.event, frame.event.conversation_id()) {
                (_, Some(id)) => drop(self.states.remove(id)),
                (Event::ContactBlocked { .. } | Event::ContactUnblocked { .. }, None) => {
                    self.states.clear()
                }
                _ => {}
            }
        }
    }
}

//! What a batch appends, written together when its commands are decided: the log's events
//! and the messages, a few multi-row statements instead of one statement a row. Nothing a
//! decision reads comes from these tables; the one check that does (a sender's client id) also
//! looks here. What a message changes on its conversation (last activity, preview, whether it
//! awaits the lead) is written the same way, one statement for all of them; a decision that
//! must read such a conversation again in the batch has it written first ([`Pending::touched`]).

use std::collections::{HashMap, HashSet};

use porch_protocol::{AuthorKind, ConversationId, EventFrame, Message, Millis, WorkspaceId};
use sqlx::{Any, Transaction};

use super::rows::{enum_text, json};
use super::unique_violation;
use crate::Result;

/// Rows a statement carries at most (SQLite takes 32,766 parameters; events have 8 a row).
const ROWS: usize = 1_000;

#[derive(Default)]
pub struct Pending {
    events: Vec<(WorkspaceId, EventFrame)>,
    messages: Vec<(Message, u64)>,
    client_ids: HashSet<(String, String)>,
    touches: HashMap<ConversationId, Touch>,
}

/// What the batch's messages do to one conversation's row, folded in order.
struct Touch {
    /// The latest message's time (the row keeps a later activity it has).
    at: Millis,
    /// The latest message's preview.
    preview: String,
    /// A human agent's message starts "awaiting the lead" (`Some(at)`), the lead's ends it
    /// (`Some(None)`); others leave it (`None`).
    awaiting: Option<Option<Millis>>,
}

impl Pending {
    pub fn event(&mut self, workspace: &WorkspaceId, frame: &EventFrame) {
        self.events.push((workspace.clone(), frame.clone()));
    }

    /// A message posted by the event numbered `seq`, and what it does to its conversation.
    pub fn message(&mut self, message: &Message, seq: u64) {
        if let (Some(author), Some(client_id)) = (&message.author_id, &message.client_id) {
            self.client_ids.insert((author.clone(), client_id.clone()));
        }
        let awaiting = match message.author_kind {
            AuthorKind::Agent => Some(Some(message.created_at)),
            AuthorKind::Contact => Some(None),
            _ => None,
        };
        let preview = porch_protocol::replica::preview(&message.body);
        let touch = self.touches.entry(message.conversation_id.clone()).or_insert(Touch {
            at: message.created_at,
            preview: String::new(),
            awaiting: None,
        });
        touch.at = touch.at.max(message.created_at);
        touch.preview = preview;
        touch.awaiting = awaiting.or(touch.awaiting);
        self.messages.push((message.clone(), seq));
    }

    /// Writes what the batch's messages did to conversation rows so far, before a decision
    /// reads one of them again.
    pub async fn touched(&mut self, tx: &mut Transaction<'_, Any>) -> Result<()> {
        if self.touches.is_empty() {
            return Ok(());
        }
        let numbered = tx.backend_name() != "SQLite";
        let touches: Vec<_> = self.touches.drain().collect();
        for chunk in touches.chunks(ROWS) {
            // VALUES columns are column1, column2, … on both backends. `column4`: 0 leaves
            // "awaiting the lead" as it is, 1 ends it, 2 starts it at `column5`.
            let sql = format!(
                "UPDATE conversations SET
                     last_activity_at = CASE WHEN last_activity_at < v.column2 THEN v.column2
                                             ELSE last_activity_at END,
                     last_message = v.column3,
                     last_human_reply_at = CASE v.column4 WHEN 0 THEN last_human_reply_at
                                                          WHEN 1 THEN NULL
                                                          ELSE v.column5 END
                 FROM ({}) AS v WHERE conversations.id = v.column1",
                values(5, chunk.len(), numbered)
            );
            let mut query = sqlx::query(&sql);
            for (id, touch) in chunk {
                let (change, since) = match touch.awaiting {
                    None => (0_i64, 0),
                    Some(None) => (1, 0),
                    Some(Some(at)) => (2, at),
                };
                query = query
                    .bind(id.as_str().to_owned())
                    .bind(touch.at)
                    .bind(touch.preview.clone())
                    .bind(change)
                    .bind(since);
            }
            query.execute(&mut **tx).await?;
        }
        Ok(())
    }

    /// Whether this batch stores a message of `author` under `client_id` already.
    pub fn has_client_id(&self, author: &str, client_id: &str) -> bool {
        self.client_ids.contains(&(author.to_owned(), client_id.to_owned()))
    }

    pub async fn write(mut self, tx: &mut Transaction<'_, Any>) -> Result<()> {
        self.touched(tx).await?;
        // SQLite looks every `$n` up by name, walking all the statement's names each time: with
        // a thousand rows that is most of the work, so there the parameters are plain `?`.
        let numbered = tx.backend_name() != "SQLite";
        for chunk in self.events.chunks(ROWS) {
            let sql = insert(
                "events (workspace_id, seq, at, actor, contact_id, conversation_id, kind, payload)",
                8,
                chunk.len(),
                numbered,
            );
            let mut query = sqlx::query(&sql);
            for (workspace, frame) in chunk {
                query = query
                    .bind(workspace.as_str().to_owned())
                    .bind(i64::try_from(frame.seq).unwrap_or(i64::MAX))
                    .bind(frame.at)
                    .bind(json(&frame.actor)?)
                    .bind(frame.contact_id.as_ref().map(|c| c.0.clone()))
                    .bind(frame.event.conversation_id().map(|c| c.0.clone()))
                    .bind(frame.event.kind())
                    .bind(json(&frame.event)?);
            }
            query.execute(&mut **tx).await?;
        }
        for chunk in self.messages.chunks(ROWS) {
            let sql = insert(
                "messages (id, conversation_id, seq, author_kind, author_id, author_name, body,
                     client_id, created_at)",
                9,
                chunk.len(),
                numbered,
            );
            let mut query = sqlx::query(&sql);
            for (m, seq) in chunk {
                query = query
                    .bind(m.id.as_str().to_owned())
                    .bind(m.conversation_id.as_str().to_owned())
                    .bind(i64::try_from(*seq).unwrap_or(i64::MAX))
                    .bind(enum_text(&m.author_kind))
                    .bind(m.author_id.clone())
                    .bind(m.author_name.clone())
                    .bind(m.body.clone())
                    .bind(m.client_id.clone())
                    .bind(m.created_at);
            }
            query.execute(&mut **tx).await.map_err(|e| unique_violation(e, "client_id"))?;
        }
        Ok(())
    }
}

/// `INSERT INTO <table> VALUES ($1, …), (…)`: `rows` rows of `columns` parameters, numbered
/// or plain `?`.
fn insert(table: &str, columns: usize, rows: usize, numbered: bool) -> String {
    format!("INSERT INTO {table} {}", values(columns, rows, numbered))
}

/// `VALUES ($1, …), (…)`: `rows` rows of `columns` parameters, numbered or plain `?`.
pub fn values(columns: usize, rows: usize, numbered: bool) -> String {
    let rows: Vec<_> =
        (0..rows).map(|row| format!("({})", params(row * columns, columns, numbered))).collect();
    format!("VALUES {}", rows.join(", "))
}

/// `n` parameters after the `first`: `$k, …`, or plain `?` on SQLite (which looks every `$n`
/// up by name).
pub fn params(first: usize, n: usize, numbered: bool) -> String {
    let one = |i: usize| if numbered { format!("${}", first + i + 1) } else { "?".to_owned() };
    (0..n).map(one).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    #[test]
    fn rows_of_numbered_parameters() {
        let numbered = super::insert("t (a, b)", 2, 2, true);
        assert_eq!(numbered, "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)");
        assert_eq!(super::insert("t (a)", 1, 2, false), "INSERT INTO t (a) VALUES (?), (?)");
        assert_eq!(super::params(2, 3, true), "$3, $4, $5");
        assert_eq!(super::params(2, 2, false), "?, ?");
    }
}

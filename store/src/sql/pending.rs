//! What a batch appends, written together when its commands are decided: the log's events
//! and the messages, a few multi-row statements instead of one statement a row. Nothing a
//! decision reads comes from these tables; the one check that does (a sender's client id) also
//! looks here.

use std::collections::HashSet;

use porch_protocol::{EventFrame, Message, WorkspaceId};
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
}

impl Pending {
    pub fn event(&mut self, workspace: &WorkspaceId, frame: &EventFrame) {
        self.events.push((workspace.clone(), frame.clone()));
    }

    /// A message posted by the event numbered `seq`.
    pub fn message(&mut self, message: &Message, seq: u64) {
        if let (Some(author), Some(client_id)) = (&message.author_id, &message.client_id) {
            self.client_ids.insert((author.clone(), client_id.clone()));
        }
        self.messages.push((message.clone(), seq));
    }

    /// Whether this batch stores a message of `author` under `client_id` already.
    pub fn has_client_id(&self, author: &str, client_id: &str) -> bool {
        self.client_ids.contains(&(author.to_owned(), client_id.to_owned()))
    }

    pub async fn write(self, tx: &mut Transaction<'_, Any>) -> Result<()> {
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
    let mut sql = format!("INSERT INTO {table} VALUES ");
    for row in 0..rows {
        sql.push_str(if row == 0 { "(" } else { ", (" });
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            match numbered {
                true => sql.push_str(&format!("${}", row * columns + column + 1)),
                false => sql.push('?'),
            }
        }
        sql.push(')');
    }
    sql
}

#[cfg(test)]
mod tests {
    #[test]
    fn rows_of_numbered_parameters() {
        let numbered = super::insert("t (a, b)", 2, 2, true);
        assert_eq!(numbered, "INSERT INTO t (a, b) VALUES ($1, $2), ($3, $4)");
        assert_eq!(super::insert("t (a)", 1, 2, false), "INSERT INTO t (a) VALUES (?), (?)");
    }
}

//! The one write path: decide and record a batch of commands in a single transaction.

use porch_domain::ConversationState;
use porch_protocol::{Actor, ConversationId, Event, EventFrame, Millis, WorkspaceId};
use std::collections::HashMap;

use sqlx::{Any, AnyPool, Row, Transaction};

use super::pending::Pending;
use super::prefetch::Prefetched;
use super::project::project;
use super::rows::{self, STATE_COLUMNS, WORKSPACE_COLUMNS};
use crate::{Command, Context, Result, StoreError, Workspace};

/// A workspace locked by the batch: its row as the batch's commands leave it, and the last
/// sequence number used.
struct Locked {
    workspace: Workspace,
    seq: u64,
    changed: bool,
    /// A deadline was armed, moved or ended (other servers' schedulers are told).
    deadlines: bool,
}

pub async fn record_batch(
    pool: &AnyPool,
    now: Millis,
    commands: Vec<Command>,
) -> Result<Vec<Result<Vec<EventFrame>>>> {
    let mut tx = pool.begin().await?;
    // Every workspace of the batch is locked first, in one order, so that batches of two
    // servers never wait for each other in a circle.
    let mut ids: Vec<&WorkspaceId> = commands.iter().map(|c| &c.workspace).collect();
    ids.sort();
    ids.dedup();
    let mut locked = HashMap::with_capacity(ids.len());
    for id in ids {
        if let Some(workspace) = lock(&mut tx, id).await? {
            locked.insert(id.clone(), workspace);
        }
    }
    let mut answers = Vec::with_capacity(commands.len());
    let mut pending = Pending::default();
    let mut read = Prefetched::read(&mut tx, Prefetched::wanted(&commands)).await?;
    for command in commands {
        let Some(space) = locked.get_mut(&command.workspace) else {
            answers.push(Err(StoreError::NotFound));
            continue;
        };
        answers.push(decide_one(&mut tx, &mut pending, &mut read, space, command, now).await?);
    }
    pending.write(&mut tx).await?;
    // A token taken is committed even when nothing else is.
    let mut wrote = read.buckets.write(&mut tx).await?;
    for (id, space) in &locked {
        if space.changed {
            sqlx::query(
                "UPDATE workspaces SET last_seq = $2, deadline_moves = deadline_moves + $3
                 WHERE id = $1",
            )
            .bind(id.as_str())
            .bind(i64::try_from(space.seq).unwrap_or(i64::MAX))
            .bind(i64::from(space.deadlines))
            .execute(&mut *tx)
            .await?;
            wrote = true;
        }
    }
    if wrote {
        tx.commit().await?;
    }
    Ok(answers)
}

/// Takes the workspace's lock by writing first, before anything is read: the SQLite write
/// lock, or the PostgreSQL row lock. Decisions within a workspace are thereby serialised,
/// across processes too, and sequence numbers can never be handed out twice. Returns the
/// workspace as it is under the lock, and the last sequence number used.
async fn lock(tx: &mut Transaction<'_, Any>, workspace: &WorkspaceId) -> Result<Option<Locked>> {
    let row = sqlx::query(&format!(
        "UPDATE workspaces SET last_seq = last_seq WHERE id = $1
         RETURNING last_seq, {WORKSPACE_COLUMNS}"
    ))
    .bind(workspace.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let seq = rows::seq(row.try_get("last_seq")?);
    let workspace = rows::workspace(&row)?;
    Ok(Some(Locked { workspace, seq, changed: false, deadlines: false }))
}

/// One command: loads its target, decides, appends the events with the next sequence numbers
/// and projects them. The outer error is the batch's; the inner one is the command's own, and
/// then nothing of it is written.
/// `pending` holds the rows the batch appends at its end, `read` what it read up front.
async fn decide_one(
    tx: &mut Transaction<'_, Any>,
    pending: &mut Pending,
    read: &mut Prefetched,
    space: &mut Locked,
    command: Command,
    now: Millis,
) -> Result<Result<Vec<EventFrame>>> {
    let Command { workspace, target, actor, retry_of, owner, takes, decide } = command;
    for take in &takes {
        if let Err(limited) = read.buckets.take(take, now) {
            return Ok(Err(limited));
        }
    }
    let state = match &target {
        Some(id) => {
            let found = match read.state(id) {
                Some((of, state)) => (of == workspace).then_some(state),
                None => {
                    pending.touched(tx).await?;
                    load_state(tx, &workspace, id).await?
                }
            };
            match found {
                Some(state) if owner.as_ref().is_none_or(|o| *o == state.contact_id) => Some(state),
                _ => return Ok(Err(StoreError::NotFound)),
            }
        }
        None => None,
    };
    if let Some((author, client_id)) = &retry_of {
        if client_id_taken(tx, pending, read, author, client_id).await? {
            return Ok(Err(StoreError::Conflict("client_id")));
        }
    }
    let context = Context { now, workspace: &space.workspace };
    let events = match decide(&context, state.as_ref()) {
        Ok(events) if events.is_empty() => return Ok(Ok(Vec::new())),
        Ok(events) => events,
        Err(refused) => return Ok(Err(refused.into())),
    };
    // What the unique indexes would refuse is refused before anything is written: an error
    // while writing (PostgreSQL then aborts the transaction) fails the whole batch.
    for event in &events {
        if let Event::MessagePosted { message: m } = event {
            if let (Some(author), Some(client_id)) = (&m.author_id, &m.client_id) {
                let checked = retry_of.as_ref().is_some_and(|(a, c)| a == author && c == client_id);
                if !checked && client_id_taken(tx, pending, read, author, client_id).await? {
                    return Ok(Err(StoreError::Conflict("client_id")));
                }
            }
        }
    }
    let mut seq = space.seq;
    let frames =
        write(tx, pending, space, &workspace, state.as_ref(), &actor, now, events, &mut seq)
            .await?;
    (space.seq, space.changed) = (seq, true);
    read.written(&frames);
    Ok(Ok(frames))
}

/// Appends a decision's events and projects them; keeps the workspace the batch sees in step
/// with what they change.
#[allow(clippy::too_many_arguments)]
async fn write(
    tx: &mut Transaction<'_, Any>,
    pending: &mut Pending,
    space: &mut Locked,
    workspace: &WorkspaceId,
    state: Option<&ConversationState>,
    actor: &Actor,
    now: Millis,
    events: Vec<Event>,
    seq: &mut u64,
) -> Result<Vec<EventFrame>> {
    let mut frames = Vec::with_capacity(events.len());
    let mut contact_id = state.map(|s| s.contact_id.clone());
    for event in events {
        *seq += 1;
        match &event {
            Event::ConversationStarted { conversation } => {
                contact_id = Some(conversation.contact_id.clone());
            }
            Event::ContactUpdated { contact_id: contact, .. } => contact_id = Some(contact.clone()),
            _ => {}
        }
        let contact_id = contact_id.clone();
        let frame = EventFrame { seq: *seq, at: now, actor: actor.clone(), contact_id, event };
        pending.event(workspace, &frame);
        project(tx, pending, workspace, &frame).await?;
        frames.push(frame);
    }
    for frame in &frames {
        space.deadlines |= frame.event.moves_deadline();
        match &frame.event {
            Event::SettingsChanged { settings } => space.workspace.settings = settings.clone(),
            Event::LeadOptionsChanged { saved: Some(saved), .. } => {
                space.workspace.lead_options = saved.clone();
            }
            Event::PlanChanged { plan } => space.workspace.plan = *plan,
            _ => {}
        }
    }
    Ok(frames)
}

async fn load_state(
    tx: &mut Transaction<'_, Any>,
    workspace: &WorkspaceId,
    id: &ConversationId,
) -> Result<Option<ConversationState>> {
    let row = sqlx::query(&format!(
        "SELECT {STATE_COLUMNS} FROM conversations c JOIN contacts k ON k.id = c.contact_id
         WHERE c.workspace_id = $1 AND c.id = $2"
    ))
    .bind(workspace.as_str())
    .bind(id.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(rows::state).transpose()
}

/// Whether a sender stored a message under `client_id` already (or does in this batch).
async fn client_id_taken(
    tx: &mut Transaction<'_, Any>,
    pending: &Pending,
    read: &Prefetched,
    author: &str,
    client_id: &str,
) -> Result<bool> {
    if pending.has_client_id(author, client_id) {
        return Ok(true);
    }
    match read.client_id_stored(author, client_id) {
        Some(stored) => Ok(stored),
        None => super::conversations::client_id_taken(tx, author, client_id).await,
    }
}

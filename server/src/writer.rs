//! Group commit: every write of this server goes through one writer, which takes the commands
//! waiting (of any workspaces), has the store decide and commit them in one transaction, and
//! hands the batch to the publisher, which pushes the frames in commit order and answers each
//! command. While one batch commits the next one gathers, so under load a transaction carries
//! many commands and the disk's commit cost is shared.

use std::collections::{HashMap, HashSet};
use std::time::Instant;

use porch_protocol::{EventFrame, WorkspaceId};
use porch_store::{Command, StoreError};
use tokio::sync::{mpsc, oneshot};

use crate::AppState;

/// Commands waiting at most; a full queue makes callers wait (back-pressure).
const QUEUE: usize = 8_192;
/// Groups of commands in one transaction at most.
const MAX_BATCH: usize = 512;

type Answers = Vec<Result<Vec<EventFrame>, StoreError>>;

/// Commands recorded together, in one transaction, answered together.
struct Job {
    commands: Vec<Command>,
    submitted: Instant,
    reply: oneshot::Sender<Answers>,
}

/// A committed batch on its way to the sockets and the callers.
struct Committed {
    jobs: Vec<(Instant, oneshot::Sender<Answers>)>,
    /// Per job, the workspace of each command.
    workspaces: Vec<Vec<WorkspaceId>>,
    answers: Vec<Answers>,
    committed: Instant,
}

#[derive(Default)]
pub struct Writer {
    queue: std::sync::OnceLock<mpsc::Sender<Job>>,
    /// This server's latest commits, (workspace, its last seq), while other servers' commits
    /// are heard ([`Writer::hear_commits`]): the relay knows its own among them.
    own: std::sync::Mutex<Option<HashSet<(WorkspaceId, u64)>>>,
}

/// Own commits remembered at most (each is forgotten when heard back; the rest when full).
const OWN_COMMITS: usize = 10_000;

impl Writer {
    /// Commits are heard back from the store from now on: remember this server's.
    pub fn hear_commits(&self) {
        *self.own.lock().unwrap_or_else(|e| e.into_inner()) = Some(HashSet::new());
    }

    /// Whether the commit of `workspace` up to `seq` was this server's (forgets it).
    pub fn was_own(&self, workspace: &WorkspaceId, seq: u64) -> bool {
        let mut own = self.own.lock().unwrap_or_else(|e| e.into_inner());
        own.as_mut().is_some_and(|own| own.remove(&(workspace.clone(), seq)))
    }

    /// A committed batch's answers (with each command's workspace): remembers each
    /// workspace's last seq in it, while commits are heard.
    fn remember(&self, answers: &[Answers], workspaces: &[Vec<WorkspaceId>]) {
        let mut own = self.own.lock().unwrap_or_else(|e| e.into_inner());
        let Some(own) = own.as_mut() else { return };
        if own.len() >= OWN_COMMITS {
            own.clear();
        }
        own.extend(last_seqs(answers, workspaces));
    }
}

impl AppState {
    /// Records `commands` in one transaction (with the other commands waiting), publishes what
    /// was committed, and answers each command: its frames, or why it recorded nothing.
    pub async fn submit(&self, commands: Vec<Command>) -> Result<Answers, StoreError> {
        let queue = self.writer.queue.get_or_init(|| {
            let (tx, rx) = mpsc::channel(QUEUE);
            tokio::spawn(write(self.clone(), rx));
            tx
        });
        let (reply, answer) = oneshot::channel();
        let job = Job { commands, submitted: Instant::now(), reply };
        let gone = || StoreError::Unsupported("the writer has stopped");
        queue.send(job).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())
    }
}

/// Takes what is waiting, records it as one batch, passes it on; until the process ends.
async fn write(state: AppState, mut queue: mpsc::Receiver<Job>) {
    let (done, committed) = mpsc::channel(2);
    tokio::spawn(publish(state.clone(), committed));
    let mut jobs = Vec::with_capacity(MAX_BATCH);
    while queue.recv_many(&mut jobs, MAX_BATCH).await > 0 {
        let mut sizes = Vec::with_capacity(jobs.len());
        let mut workspaces = Vec::with_capacity(jobs.len());
        let mut commands = Vec::new();
        let mut replies = Vec::with_capacity(jobs.len());
        for job in jobs.drain(..) {
            sizes.push(job.commands.len());
            workspaces.push(job.commands.iter().map(|c| c.workspace.clone()).collect());
            commands.extend(job.commands);
            replies.push((job.submitted, job.reply));
        }
        // One reading of the clock for the whole batch: every decision, message and event
        // of it carries the same time.
        let now = state.clock.now();
        let started = Instant::now();
        let answers = match state.store.record_batch(now, commands).await {
            Ok(answers) => split(answers, &sizes),
            // A batch of one command: its own error, as it was.
            Err(e) if sizes == [1] => vec![vec![Err(e)]],
            Err(e) => {
                tracing::error!(error = %e, commands = sizes.iter().sum::<usize>(), "batch failed");
                let message = e.to_string();
                let failed = |n: usize| -> Answers {
                    (0..n).map(|_| Err(StoreError::Failed(message.clone()))).collect()
                };
                sizes.iter().map(|n| failed(*n)).collect()
            }
        };
        state.metrics.batch(started.elapsed(), sizes.iter().sum());
        // Before the commit's notification can come back to the relay.
        state.writer.remember(&answers, &workspaces);
        let batch = Committed { jobs: replies, workspaces, answers, committed: Instant::now() };
        if done.send(batch).await.is_err() {
            return;
        }
    }
}

/// The answers of a batch, back in their jobs.
fn split(answers: Vec<Result<Vec<EventFrame>, StoreError>>, sizes: &[usize]) -> Vec<Answers> {
    let mut answers = answers.into_iter();
    sizes.iter().map(|n| answers.by_ref().take(*n).collect()).collect()
}

/// Each workspace's last seq in a committed batch.
fn last_seqs(answers: &[Answers], workspaces: &[Vec<WorkspaceId>]) -> HashMap<WorkspaceId, u64> {
    let mut last = HashMap::new();
    for (answer, workspace) in answers.iter().flatten().zip(workspaces.iter().flatten()) {
        if let Some(seq) = answer.as_ref().ok().and_then(|f| f.last()).map(|f| f.seq) {
            let at = last.entry(workspace.clone()).or_insert(seq);
            *at = (*at).max(seq);
        }
    }
    last
}

/// Pushes each batch's frames to the scheduler and the sockets, in commit order, then answers.
async fn publish(state: AppState, mut committed: mpsc::Receiver<Committed>) {
    while let Some(batch) = committed.recv().await {
        for (answers, workspaces) in batch.answers.iter().zip(&batch.workspaces) {
            for (answer, workspace) in answers.iter().zip(workspaces) {
                match answer {
                    Ok(frames) if !frames.is_empty() => {
                        let order = state.order(workspace);
                        let _ordered = order.lock().await;
                        state.committed(workspace, frames).await;
                    }
                    Err(StoreError::Limited { .. }) => state.limits.refused_in_store(),
                    _ => {}
                }
            }
        }
        state.metrics.published(batch.committed.elapsed());
        for ((submitted, reply), answers) in batch.jobs.into_iter().zip(batch.answers) {
            state.metrics.command(submitted.elapsed());
            // A caller that gave up (its request was dropped) needs no answer.
            let _ = reply.send(answers);
        }
    }
}

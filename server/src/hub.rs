//! Fan-out of committed events to the sockets that may see them.
//!
//! Pure bookkeeping: who listens to which workspace, for which audience. No lock is held across
//! an `.await`; each socket has a bounded queue of commits (a commit's frames, however many,
//! take one place), and a socket that falls that far behind is dropped (its client reconnects
//! and resumes from the store) rather than allowed to grow memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::ws::Utf8Bytes;
use porch_protocol::{ApiError, ContactId, EventFrame, LeadServerFrame, ServerFrame, WorkspaceId};
use tokio::sync::mpsc;

/// Commits a socket may have queued before it counts as too slow.
pub const QUEUE: usize = 256;

/// One commit's frames as one socket may see them, queued together: a batch of any size (500
/// auto-closes at once) takes one place in the queue.
pub type Batch = Arc<[Seen]>;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Every agent of the workspace sees every event.
    Agents,
    /// A lead sees their own events and workspace-wide ones.
    Contact(ContactId),
}

impl Audience {
    /// The frame as this audience may see it, if at all: agents see everything; a lead sees
    /// their own and workspace-wide events, without the team's bookkeeping.
    pub fn view(&self, frame: &EventFrame) -> Option<Seen> {
        match (self, &frame.contact_id) {
            (Audience::Agents, _) => Some(Seen::for_agents(frame)),
            (Audience::Contact(me), Some(contact)) if me != contact => None,
            (Audience::Contact(_), _) => Seen::for_leads(frame),
        }
    }

    pub fn contact(&self) -> Option<&ContactId> {
        match self {
            Audience::Agents => None,
            Audience::Contact(c) => Some(c),
        }
    }

    /// "Everything up to `seq` has been sent", in this audience's wire format.
    pub fn ready(&self, seq: u64) -> String {
        match self {
            Audience::Agents => json(&ServerFrame::Ready { seq }),
            Audience::Contact(_) => json(&LeadServerFrame::Ready { seq }),
        }
    }

    pub fn error(&self, error: ApiError) -> String {
        match self {
            Audience::Agents => json(&ServerFrame::Error(error)),
            Audience::Contact(_) => json(&LeadServerFrame::Error(error)),
        }
    }
}

/// A frame as one audience sees it, serialised once for all the sockets of that audience
/// (the text is shared, not copied).
#[derive(Clone, Debug)]
pub struct Seen {
    seq: u64,
    pub text: Utf8Bytes,
}

impl Seen {
    /// A signal's frame: not an event, so outside the seq order (seq 0: always sent).
    fn fleeting(text: &str) -> Seen {
        Seen { seq: 0, text: text.into() }
    }

    fn for_agents(frame: &EventFrame) -> Seen {
        let text = json(&ServerFrame::Event(Box::new(frame.clone())));
        Seen { seq: frame.seq, text: text.into() }
    }

    /// What a lead may see of it, if anything.
    fn for_leads(frame: &EventFrame) -> Option<Seen> {
        let lead = frame.for_lead()?;
        Some(Seen { seq: frame.seq, text: json(&LeadServerFrame::Event(lead)).into() })
    }

    pub fn seq(&self) -> u64 {
        self.seq
    }
}

/// Wire frames are plain data: serialising them cannot fail.
fn json(frame: &impl serde::Serialize) -> String {
    serde_json::to_string(frame).unwrap_or_default()
}

struct Subscriber {
    id: u64,
    tx: mpsc::Sender<Batch>,
}

/// A workspace's sockets here: the agents', and the leads' by lead, so that a lead's event
/// finds that lead's sockets without looking at anyone else's.
#[derive(Default)]
struct Sockets {
    agents: Vec<Subscriber>,
    leads: HashMap<ContactId, Vec<Subscriber>>,
}

impl Sockets {
    fn is_empty(&self) -> bool {
        self.agents.is_empty() && self.leads.is_empty()
    }

    fn len(&self) -> usize {
        self.agents.len() + self.leads.values().map(Vec::len).sum::<usize>()
    }
}

/// Queues `batch` for each subscriber, dropping those whose queue is full.
fn send(subscribers: &mut Vec<Subscriber>, batch: &Batch) {
    subscribers.retain(|s| s.tx.try_send(batch.clone()).is_ok());
}

#[derive(Default)]
struct Inner {
    next_id: u64,
    workspaces: HashMap<WorkspaceId, Sockets>,
    /// For each workspace with sockets here, the last seq handed to them (once known): frames
    /// go out in seq order without gaps, whichever server committed them.
    published: HashMap<WorkspaceId, u64>,
}

impl Inner {
    /// A workspace without sockets here: nothing to follow.
    fn forget(&mut self, workspace: &WorkspaceId) {
        self.workspaces.remove(workspace);
        self.published.remove(workspace);
    }
}

#[derive(Default)]
pub struct Hub {
    inner: Mutex<Inner>,
}

/// A socket's place in the hub; leaving it on drop.
pub struct Subscription {
    hub: Arc<Hub>,
    workspace: WorkspaceId,
    audience: Audience,
    id: u64,
    pub frames: mpsc::Receiver<Batch>,
}

impl Drop for Subscription {
    fn drop(&mut self) {
        self.hub.remove(&self.workspace, &self.audience, self.id);
    }
}

impl Hub {
    pub fn subscribe(
        self: &Arc<Self>,
        workspace: &WorkspaceId,
        audience: Audience,
    ) -> Subscription {
        let (tx, frames) = mpsc::channel(QUEUE);
        let mut inner = self.lock();
        inner.next_id += 1;
        let id = inner.next_id;
        let sockets = inner.workspaces.entry(workspace.clone()).or_default();
        match &audience {
            Audience::Agents => sockets.agents.push(Subscriber { id, tx }),
            Audience::Contact(c) => {
                sockets.leads.entry(c.clone()).or_default().push(Subscriber { id, tx })
            }
        }
        Subscription { hub: self.clone(), workspace: workspace.clone(), audience, id, frames }
    }

    /// Where the workspace's sockets here stand: `None` when it has none, `Some(None)` before
    /// the first [`Hub::track`].
    pub fn published(&self, workspace: &WorkspaceId) -> Option<Option<u64>> {
        let inner = self.lock();
        inner.workspaces.contains_key(workspace).then(|| inner.published.get(workspace).copied())
    }

    /// Starts following a workspace with sockets here from `seq` (its last committed one, read
    /// before any of its sockets reads its backlog); a no-op when already followed.
    pub fn track(&self, workspace: &WorkspaceId, seq: u64) {
        let mut inner = self.lock();
        if inner.workspaces.contains_key(workspace) {
            inner.published.entry(workspace.clone()).or_insert(seq);
        }
    }

    /// Queues a commit's frames for every socket that may see them, as one batch; drops
    /// sockets whose queue is full. Frames already handed out are skipped. Each frame is
    /// serialised once per audience; a lead's frames reach that lead's sockets by lookup.
    pub fn publish(&self, workspace: &WorkspaceId, frames: &[EventFrame]) {
        let mut inner = self.lock();
        let done = inner.published.get(workspace).copied().unwrap_or(0);
        let frames: Vec<&EventFrame> = frames.iter().filter(|f| f.seq > done).collect();
        let Some(last) = frames.last().map(|f| f.seq) else { return };
        if let Some(published) = inner.published.get_mut(workspace) {
            *published = last;
        }
        let Some(sockets) = inner.workspaces.get_mut(workspace) else { return };
        if !sockets.agents.is_empty() {
            let batch: Batch = frames.iter().map(|f| Seen::for_agents(f)).collect();
            send(&mut sockets.agents, &batch);
        }
        if !sockets.leads.is_empty() {
            // Each lead's own frames, and those for every lead (workspace-wide), in seq order.
            let mut own: HashMap<&ContactId, Vec<Seen>> = HashMap::new();
            let mut wide = Vec::new();
            for frame in &frames {
                match &frame.contact_id {
                    Some(c) if !sockets.leads.contains_key(c) => {}
                    Some(c) => own.entry(c).or_default().extend(Seen::for_leads(frame)),
                    None => wide.extend(Seen::for_leads(frame)),
                }
            }
            if wide.is_empty() {
                for (contact, seen) in own {
                    if seen.is_empty() {
                        continue;
                    }
                    let batch: Batch = seen.into();
                    if let Some(subscribers) = sockets.leads.get_mut(contact) {
                        send(subscribers, &batch);
                    }
                }
            } else {
                for (contact, subscribers) in sockets.leads.iter_mut() {
                    let mut seen: Vec<Seen> = own.remove(contact).unwrap_or_default();
                    seen.extend(wide.iter().cloned());
                    seen.sort_by_key(Seen::seq);
                    send(subscribers, &seen.into());
                }
            }
            sockets.leads.retain(|_, subscribers| !subscribers.is_empty());
        }
        if sockets.is_empty() {
            inner.forget(workspace);
        }
    }

    /// Hands a fleeting signal to the sockets here that hear it: the workspace's agents', and
    /// the lead's own. Like an event, it drops sockets whose queue is full.
    pub fn signal(&self, signal: &crate::signals::Signal) {
        let mut inner = self.lock();
        let Some(sockets) = inner.workspaces.get_mut(&signal.workspace) else { return };
        if let Some(text) = &signal.agents {
            if !sockets.agents.is_empty() {
                send(&mut sockets.agents, &Batch::from([Seen::fleeting(text)]));
            }
        }
        if let Some(text) = &signal.lead {
            if let Some(subscribers) = sockets.leads.get_mut(&signal.contact) {
                send(subscribers, &Batch::from([Seen::fleeting(text)]));
                if subscribers.is_empty() {
                    sockets.leads.remove(&signal.contact);
                }
            }
        }
        if sockets.is_empty() {
            inner.forget(&signal.workspace);
        }
    }

    /// Drops every socket of a workspace, as a network outage would; their clients reconnect
    /// and resume from the store.
    pub fn disconnect(&self, workspace: &WorkspaceId) {
        self.lock().forget(workspace);
    }

    /// The workspaces followed here (those with sockets and a known position).
    pub fn followed(&self) -> Vec<WorkspaceId> {
        self.lock().published.keys().cloned().collect()
    }

    /// Open sockets here: (agents', leads').
    pub fn sockets(&self) -> (usize, usize) {
        let inner = self.lock();
        let agents: usize = inner.workspaces.values().map(|s| s.agents.len()).sum();
        let all: usize = inner.workspaces.values().map(Sockets::len).sum();
        (agents, all - agents)
    }

    pub fn subscribers(&self, workspace: &WorkspaceId) -> usize {
        self.lock().workspaces.get(workspace).map_or(0, Sockets::len)
    }

    fn remove(&self, workspace: &WorkspaceId, audience: &Audience, id: u64) {
        let mut inner = self.lock();
        let Some(sockets) = inner.workspaces.get_mut(workspace) else { return };
        match audience {
            Audience::Agents => sockets.agents.retain(|s| s.id != id),
            Audience::Contact(c) => {
                if let Some(subscribers) = sockets.leads.get_mut(c) {
                    subscribers.retain(|s| s.id != id);
                    if subscribers.is_empty() {
                        sockets.leads.remove(c);
                    }
                }
            }
        }
        if sockets.is_empty() {
            inner.forget(workspace);
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding this lock cannot leave the maps half-updated, so poisoning is
        // safe to ignore.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// No empty workspace or lead entries; subscriber ids unique; positions only where
    /// sockets are.
    #[cfg(test)]
    fn check_invariants(&self) {
        let inner = self.lock();
        assert!(inner.published.keys().all(|w| inner.workspaces.contains_key(w)));
        let mut ids = std::collections::HashSet::new();
        for sockets in inner.workspaces.values() {
            assert!(!sockets.is_empty());
            assert!(sockets.leads.values().all(|s| !s.is_empty()));
            let all = sockets.agents.iter().chain(sockets.leads.values().flatten());
            assert!(all.clone().all(|s| ids.insert(s.id)));
        }
    }
}

#[cfg(test)]
mod tests;

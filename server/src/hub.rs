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
mod tests {
    use super::*;
    use porch_protocol::{Actor, Event, LeadOptions};

    fn frame(seq: u64, contact: Option<&str>) -> EventFrame {
        EventFrame {
            seq,
            at: 0,
            actor: Actor::System,
            contact_id: contact.map(|c| ContactId(c.into())),
            event: Event::LeadOptionsChanged { options: LeadOptions::default(), saved: None },
        }
    }

    #[test]
    fn leads_get_the_lead_view_of_a_frame() {
        let hub = Arc::new(Hub::default());
        let ws = WorkspaceId("w".into());
        let mut ann = hub.subscribe(&ws, Audience::Contact(ContactId("ann".into())));
        let mut agents = hub.subscribe(&ws, Audience::Agents);
        let mut assigned = frame(1, Some("ann"));
        assigned.event = Event::Assigned {
            conversation_id: porch_protocol::ConversationId("c".into()),
            agent_id: porch_protocol::AgentId("a".into()),
            previous: None,
        };
        hub.publish(&ws, &[assigned, frame(2, Some("ann"))]);
        assert_eq!(seqs(&mut ann), [2], "assignment is the team's business");
        assert_eq!(seqs(&mut agents), [1, 2]);
    }

    #[test]
    fn leads_receive_their_own_and_workspace_wide_events_agents_everything() {
        let hub = Arc::new(Hub::default());
        let ws = WorkspaceId("w".into());
        let mut ann = hub.subscribe(&ws, Audience::Contact(ContactId("ann".into())));
        let mut agents = hub.subscribe(&ws, Audience::Agents);
        let mut elsewhere = hub.subscribe(&WorkspaceId("x".into()), Audience::Agents);
        hub.publish(&ws, &[frame(1, Some("bob")), frame(2, Some("ann")), frame(3, None)]);
        assert_eq!(seqs(&mut ann), [2, 3]);
        assert_eq!(seqs(&mut agents), [1, 2, 3]);
        assert!(seqs(&mut elsewhere).is_empty());
        hub.check_invariants();
    }

    #[test]
    fn a_leads_frames_reach_all_their_tabs_and_no_one_else() {
        let hub = Arc::new(Hub::default());
        let ws = WorkspaceId("w".into());
        let lead = |c: &str| Audience::Contact(ContactId(c.into()));
        let (mut tab1, mut tab2) =
            (hub.subscribe(&ws, lead("ann")), hub.subscribe(&ws, lead("ann")));
        let mut bob = hub.subscribe(&ws, lead("bob"));
        hub.publish(&ws, &[frame(1, Some("ann")), frame(2, Some("carl")), frame(3, Some("bob"))]);
        hub.publish(&ws, &[frame(4, Some("ann")), frame(5, None), frame(6, Some("bob"))]);
        assert_eq!(seqs(&mut tab1), [1, 4, 5]);
        assert_eq!(seqs(&mut tab2), [1, 4, 5]);
        assert_eq!(seqs(&mut bob), [3, 5, 6]);
        drop(tab1);
        hub.publish(&ws, &[frame(7, Some("ann"))]);
        assert_eq!(seqs(&mut tab2), [7]);
        assert_eq!(hub.sockets(), (0, 2));
        hub.check_invariants();
    }

    /// Every frame queued for a subscription, in order.
    fn seqs(s: &mut Subscription) -> Vec<u64> {
        std::iter::from_fn(|| s.frames.try_recv().ok())
            .flat_map(|batch| batch.iter().map(Seen::seq).collect::<Vec<_>>())
            .collect()
    }

    #[test]
    fn a_followed_workspace_hands_out_each_seq_once_and_is_forgotten_with_its_sockets() {
        let hub = Arc::new(Hub::default());
        let ws = WorkspaceId("w".into());
        assert_eq!(hub.published(&ws), None, "no sockets here");
        hub.track(&ws, 7);
        assert_eq!(hub.published(&ws), None, "nothing to follow without sockets");
        let mut socket = hub.subscribe(&ws, Audience::Agents);
        assert_eq!(hub.published(&ws), Some(None));
        hub.track(&ws, 7);
        hub.track(&ws, 3);
        assert_eq!(hub.published(&ws), Some(Some(7)), "the first position stays");
        hub.publish(&ws, &[frame(6, None), frame(7, None), frame(8, None)]);
        hub.publish(&ws, &[frame(8, None), frame(9, None)]);
        let seqs: Vec<u64> = std::iter::from_fn(|| socket.frames.try_recv().ok())
            .flat_map(|batch| batch.iter().map(Seen::seq).collect::<Vec<_>>())
            .collect();
        assert_eq!(seqs, [8, 9]);
        assert_eq!(hub.followed(), vec![ws.clone()]);
        hub.check_invariants();
        drop(socket);
        assert_eq!((hub.published(&ws), hub.followed()), (None, vec![]));
        hub.check_invariants();
    }

    #[test]
    fn a_batch_of_any_size_reaches_a_healthy_socket() {
        let hub = Arc::new(Hub::default());
        let ws = WorkspaceId("w".into());
        let mut agents = hub.subscribe(&ws, Audience::Agents);
        let frames: Vec<_> = (1..=10 * QUEUE as u64).map(|s| frame(s, None)).collect();
        hub.publish(&ws, &frames);
        assert_eq!(hub.subscribers(&ws), 1, "one commit takes one place in the queue");
        assert_eq!(seqs(&mut agents), (1..=10 * QUEUE as u64).collect::<Vec<_>>());
    }

    #[test]
    fn a_slow_socket_is_dropped_instead_of_growing() {
        let hub = Arc::new(Hub::default());
        let ws = WorkspaceId("w".into());
        let mut slow = hub.subscribe(&ws, Audience::Agents);
        for seq in 1..=QUEUE as u64 + 1 {
            hub.publish(&ws, &[frame(seq, None)]);
        }
        assert_eq!(hub.subscribers(&ws), 0);
        // What was queued is still delivered, then the stream ends so the client resumes.
        assert_eq!(seqs(&mut slow).len(), QUEUE);
        assert!(slow.frames.is_closed());
        hub.check_invariants();
    }

    #[test]
    fn dropping_a_subscription_leaves_the_hub() {
        let hub = Arc::new(Hub::default());
        let ws = WorkspaceId("w".into());
        let a = hub.subscribe(&ws, Audience::Agents);
        let b = hub.subscribe(&ws, Audience::Agents);
        assert_eq!(hub.subscribers(&ws), 2);
        drop(a);
        assert_eq!(hub.subscribers(&ws), 1);
        drop(b);
        assert_eq!(hub.subscribers(&ws), 0);
        hub.check_invariants();
    }
}

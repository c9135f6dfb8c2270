//! The hub's bookkeeping: who receives what, once, in order, and who is dropped.

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
    let (mut tab1, mut tab2) = (hub.subscribe(&ws, lead("ann")), hub.subscribe(&ws, lead("ann")));
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

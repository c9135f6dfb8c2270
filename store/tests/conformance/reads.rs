//! Each member's read marks and unread counts.

use super::*;

fn count(id: &ConversationId, count: u32) -> UnreadCount {
    UnreadCount { conversation_id: id.clone(), count }
}

pub async fn unread_counts_follow_each_members_read_marks(store: Arc<dyn Store>) {
    let (ws, other) = (workspace(&store).await, workspace(&store).await);
    let (ann, bob) = (contact(&store, &ws).await, contact(&store, &ws).await);
    let (first, frames) = start_conversation(&store, &ws, &ann, "Hello").await;
    let started = frames.last().unwrap().seq;
    let decide = lead_posts(lead_message(&ann, "Anyone?", None), NOW + 1);
    store.record(&ws.id, Some(&first), Actor::System, NOW + 1, decide).await.unwrap();
    let (second, _) = start_conversation(&store, &ws, &bob, "Prices?").await;
    let (me, you) = (AgentId(id("agent")), AgentId(id("agent")));
    let sorted = |mut v: Vec<UnreadCount>| {
        v.sort_by(|a, b| a.conversation_id.0.cmp(&b.conversation_id.0));
        v
    };
    let everything = sorted(vec![count(&first, 2), count(&second, 1)]);
    assert_eq!(store.unread(&ws.id, &me).await.unwrap(), everything);
    assert_eq!(store.seen_until(&ws.id, &first).await.unwrap(), None, "nobody read it");

    // Read up to the first message: one is left. Marks are per member, and never move back.
    assert!(store.mark_read(&ws.id, &me, &first, started).await.unwrap());
    assert!(store.mark_read(&ws.id, &me, &first, 0).await.unwrap());
    let after = sorted(vec![count(&first, 1), count(&second, 1)]);
    assert_eq!(store.unread(&ws.id, &me).await.unwrap(), after);
    assert_eq!(store.unread(&ws.id, &you).await.unwrap(), everything);
    // The lead's first message is seen (it was posted at NOW), the second not yet.
    assert_eq!(store.seen_until(&ws.id, &first).await.unwrap(), Some(NOW));
    assert_eq!(store.seen_until(&other.id, &first).await.unwrap(), None, "not theirs");
    assert_eq!(store.seen_until(&ws.id, &second).await.unwrap(), None);

    // A mark past the log stops at its end: what comes later is unread.
    assert!(store.mark_read(&ws.id, &me, &second, u64::MAX).await.unwrap());
    let decide = lead_posts(lead_message(&bob, "Hello?", None), NOW + 2);
    store.record(&ws.id, Some(&second), Actor::System, NOW + 2, decide).await.unwrap();
    assert!(store.unread(&ws.id, &me).await.unwrap().contains(&count(&second, 1)));
    // Seen until the message read, not the one after it; the furthest mark of anyone counts.
    assert_eq!(store.seen_until(&ws.id, &second).await.unwrap(), Some(NOW));
    let them = AgentId(id("agent"));
    assert!(store.mark_read(&ws.id, &them, &second, u64::MAX).await.unwrap());
    assert_eq!(store.seen_until(&ws.id, &second).await.unwrap(), Some(NOW + 2));

    // Another workspace's conversation is not found, and its counts are its own.
    assert!(!store.mark_read(&other.id, &me, &first, 1).await.unwrap());
    let missing = ConversationId(id("conv"));
    assert!(!store.mark_read(&ws.id, &me, &missing, 1).await.unwrap());
    assert!(store.unread(&other.id, &me).await.unwrap().is_empty());

    // Closed conversations have nothing unread.
    let by = AgentId(id("agent"));
    let decide = agent_closes(by, Some(Outcome::Resolved));
    store.record(&ws.id, Some(&first), Actor::System, NOW + 3, decide).await.unwrap();
    assert_eq!(store.unread(&ws.id, &you).await.unwrap(), vec![count(&second, 2)]);
}

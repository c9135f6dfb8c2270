//! Group commit: many commands of several workspaces in one transaction, each decided on what
//! the ones before it left and answered on its own.

use super::*;

pub async fn a_batch_commits_what_is_decided_and_answers_each_refusal(store: Arc<dyn Store>) {
    let (a, b) = (workspace(&store).await, workspace(&store).await);
    let (lead_a, lead_b) = (contact(&store, &a).await, contact(&store, &b).await);
    let (c1, _) = start_conversation(&store, &a, &lead_a, "Hello").await;
    let (c2, _) = start_conversation(&store, &b, &lead_b, "Hi").await;
    let kept = lead_posts(lead_message(&lead_a, "kept", Some("dup")), NOW);
    store.record(&a.id, Some(&c1), Actor::Contact(lead_a.clone()), NOW, kept).await.unwrap();
    let (seq_a, seq_b) =
        (store.last_seq(&a.id).await.unwrap(), store.last_seq(&b.id).await.unwrap());

    let at = NOW + 10;
    let mut retry =
        command(&a, Some(&c1), lead_posts(lead_message(&lead_a, "again", Some("dup")), at));
    retry.retry_of = Some((lead_a.0.clone(), "dup".into()));
    let categories = vec!["billing".to_owned()];
    let saved = categories.clone();
    let save: Decision = Box::new(move |c, _| {
        let mut settings = c.workspace.settings.clone();
        settings.closing_notes.categories = saved;
        Ok(vec![Event::SettingsChanged { settings }])
    });
    // Decided after the save in the same batch: it must see the saved categories.
    let (seen_by_next, lead) = (std::sync::Arc::new(std::sync::Mutex::new(None)), lead_b.clone());
    let seen = seen_by_next.clone();
    let reads: Decision = Box::new(move |c, state| {
        *seen.lock().unwrap() =
            Some((c.now, c.workspace.settings.closing_notes.categories.clone()));
        post_message(
            state.expect("target"),
            lead_message(&lead, "after", None),
            &LeadOptions::default(),
            c.now,
        )
    });
    let nowhere = Workspace { id: WorkspaceId(id("gone")), ..a.clone() };
    let by = AgentId(id("agent"));
    let commands = vec![
        command(&a, Some(&c1), lead_posts(lead_message(&lead_a, "one", None), at)),
        command(
            &a,
            Some(&ConversationId(id("missing"))),
            lead_posts(lead_message(&lead_a, "x", None), at),
        ),
        command(&a, Some(&c1), agent_closes(by.clone(), Some(Outcome::Resolved))),
        command(&a, Some(&c1), agent_closes(by, Some(Outcome::Resolved))),
        retry,
        // The same client id without saying it is a retry: the unique index refuses it, and
        // only this command is undone.
        command(&a, Some(&c1), lead_posts(lead_message(&lead_a, "clash", Some("dup")), at)),
        Command::new(b.id.clone(), None, Actor::System, save),
        Command::new(b.id.clone(), Some(c2.clone()), Actor::System, reads),
        command(&nowhere, None, Box::new(|_| Ok(vec![]))),
        command(&a, Some(&c1), Box::new(|_| Ok(vec![]))),
        // A lead's command on another lead's conversation: as if it were not there.
        Command { owner: Some(lead_b.clone()), ..command(&a, Some(&c1), Box::new(|_| Ok(vec![]))) },
    ];
    let answers = store.record_batch(at, commands).await.unwrap();
    assert_eq!(answers.len(), 11, "one answer per command");
    let kinds: Vec<String> = answers
        .iter()
        .map(|a| match a {
            Ok(frames) => format!("ok {}", frames.len()),
            Err(e) => format!("{e:?}"),
        })
        .collect();
    assert!(kinds[0].starts_with("ok 1"), "{kinds:?}");
    assert!(matches!(answers[1], Err(StoreError::NotFound)), "{kinds:?}");
    assert!(kinds[2].starts_with("ok"), "{kinds:?}");
    assert!(
        matches!(answers[3], Err(StoreError::Domain(_))),
        "closed by the one before: {kinds:?}"
    );
    assert!(matches!(answers[4], Err(StoreError::Conflict("client_id"))), "{kinds:?}");
    assert!(matches!(answers[5], Err(StoreError::Conflict("client_id"))), "{kinds:?}");
    assert!(kinds[6].starts_with("ok 1") && kinds[7].starts_with("ok"), "{kinds:?}");
    assert!(matches!(answers[8], Err(StoreError::NotFound)), "{kinds:?}");
    assert_eq!(kinds[9], "ok 0", "a decision with nothing to say records nothing");
    assert!(matches!(answers[10], Err(StoreError::NotFound)), "{kinds:?}");
    assert_eq!(
        *seen_by_next.lock().unwrap(),
        Some((at, categories)),
        "one clock, the batch's state"
    );

    // Each workspace's frames follow its last seq without a gap, all at the batch's time.
    let frames_of = |range: std::ops::Range<usize>| -> Vec<EventFrame> {
        answers[range].iter().filter_map(|a| a.as_ref().ok()).flatten().cloned().collect()
    };
    let (in_a, in_b) = (frames_of(0..6), frames_of(6..8));
    let seqs: Vec<u64> = in_a.iter().map(|f| f.seq).collect();
    assert_eq!(seqs, (seq_a + 1..=seq_a + in_a.len() as u64).collect::<Vec<_>>());
    let seqs: Vec<u64> = in_b.iter().map(|f| f.seq).collect();
    assert_eq!(seqs, (seq_b + 1..=seq_b + in_b.len() as u64).collect::<Vec<_>>());
    assert!(in_a.iter().chain(&in_b).all(|f| f.at == at));
    assert_eq!(store.last_seq(&a.id).await.unwrap(), seq_a + in_a.len() as u64);
    assert_eq!(store.last_seq(&b.id).await.unwrap(), seq_b + in_b.len() as u64);
    let logged = store.events_after(&a.id, seq_a, None, 100).await.unwrap();
    assert_eq!(logged, in_a, "the log holds exactly what was answered");

    // What was stored: the refused and undone commands left nothing behind.
    let bodies: Vec<String> =
        store.messages(&a.id, &c1).await.unwrap().into_iter().map(|m| m.body).collect();
    assert_eq!(bodies, ["Hello", "kept", "one"]);
    let closed = store.conversation(&a.id, &c1).await.unwrap().unwrap();
    assert_eq!(closed.status, ConversationStatus::Closed);
    let b_now = store.workspace(&b.id).await.unwrap().unwrap();
    assert_eq!(b_now.settings.closing_notes.categories, ["billing"]);
    assert_eq!(store.messages(&b.id, &c2).await.unwrap().len(), 2);
}

/// A command sees what the commands before it in its batch did to its conversation, even when
/// they named another one: a lead blocked through one conversation cannot write in their
/// other, and a message after a close in the same batch reopens.
pub async fn a_batch_decides_on_what_its_earlier_commands_changed(store: Arc<dyn Store>) {
    let ws = workspace(&store).await;
    let lead = contact(&store, &ws).await;
    let (first, _) = start_conversation(&store, &ws, &lead, "Hello").await;
    let (second, _) = start_conversation(&store, &ws, &lead, "Again").await;
    let block: Decide = Box::new(|state| Ok(set_blocked(state.expect("target"), true)));
    let posts = |id: &ConversationId, body: &str| {
        command(&ws, Some(id), lead_posts(lead_message(&lead, body, None), NOW))
    };
    let closes = agent_closes(AgentId("a".into()), Some(Outcome::Resolved));
    let closes = command(&ws, Some(&first), closes);
    let commands = vec![
        closes,
        posts(&first, "after the close"),
        command(&ws, Some(&first), block),
        posts(&second, "blocked by now"),
    ];
    let answers = store.record_batch(NOW, commands).await.unwrap();
    assert!(answers[0].is_ok(), "{:?}", answers[0]);
    let reopened = answers[1].as_ref().expect("a lead's message reopens");
    let reopens = |f: &EventFrame| matches!(f.event, Event::ConversationReopened { .. });
    assert!(reopened.iter().any(reopens), "{reopened:?}");
    assert!(answers[2].is_ok());
    assert!(
        matches!(answers[3], Err(StoreError::Domain(DomainError::ContactBlocked))),
        "{:?}",
        answers[3]
    );
    assert_eq!(store.messages(&ws.id, &second).await.unwrap().len(), 1);
}

/// A batch's messages change their conversations' rows as if written one by one: the latest
/// preview and time, and "awaiting the lead" set by an agent's reply and ended by the lead's;
/// a command after them in the same batch decides on those changes.
pub async fn a_batch_projects_its_messages_onto_their_conversations(store: Arc<dyn Store>) {
    let ws = workspace(&store).await;
    let lead = contact(&store, &ws).await;
    let (c1, _) = start_conversation(&store, &ws, &lead, "Hello").await;
    let (c2, _) = start_conversation(&store, &ws, &lead, "Again").await;
    let says = |id: &ConversationId, kind: AuthorKind, body: &str, at: Millis| {
        let message = NewMessage { author_kind: kind, ..lead_message(&lead, body, None) };
        command(
            &ws,
            Some(id),
            Box::new(move |s| {
                post_message(s.expect("target"), message, &LeadOptions::default(), at)
            }),
        )
    };
    let at = NOW + 10;
    let first = vec![
        says(&c1, AuthorKind::Agent, "We are here", at),
        says(&c2, AuthorKind::Contact, "Anyone?", at),
        says(&c2, AuthorKind::Agent, "Yes", at),
    ];
    for answer in store.record_batch(at, first).await.unwrap() {
        answer.unwrap();
    }
    let now = awaiting(&store, &ws).await;
    assert_eq!(now[&c1], Some(at), "awaiting the lead");
    assert_eq!(now[&c2], Some(at), "the lead, then the agent");
    let row = |id: &ConversationId| {
        let (store, ws, id) = (store.clone(), ws.id.clone(), id.clone());
        async move { store.conversation(&ws, &id).await.unwrap().unwrap() }
    };
    assert_eq!(
        (row(&c1).await.last_message, row(&c1).await.last_activity_at),
        (Some("We are here".into()), at)
    );
    assert_eq!(row(&c2).await.last_message.as_deref(), Some("Yes"));

    let later = NOW + 20;
    let seen = std::sync::Arc::new(std::sync::Mutex::new(None));
    let sees = seen.clone();
    let reads: Decision = Box::new(move |_, state| {
        let state = state.expect("target");
        *sees.lock().unwrap() = Some((state.last_human_reply_at, state.last_message_at));
        Ok(Vec::new())
    });
    let second = vec![
        says(&c1, AuthorKind::Agent, "Still there?", later),
        says(&c1, AuthorKind::Contact, "Thanks!", later),
        Command::new(ws.id.clone(), Some(c1.clone()), Actor::System, reads),
    ];
    for answer in store.record_batch(later, second).await.unwrap() {
        answer.unwrap();
    }
    assert_eq!(*seen.lock().unwrap(), Some((None, later)), "decided on the batch's messages");
    assert_eq!(awaiting(&store, &ws).await[&c1], None, "the lead answered");
    assert_eq!(row(&c1).await.last_message.as_deref(), Some("Thanks!"));
    assert_eq!(row(&c2).await.last_activity_at, at, "untouched by the second batch");
}

/// Since when each open conversation of `ws` awaits the lead.
async fn awaiting(
    store: &Arc<dyn Store>,
    ws: &Workspace,
) -> std::collections::HashMap<ConversationId, Option<Millis>> {
    let states = store.open_conversation_states(&ws.id).await.unwrap();
    states.into_iter().map(|s| (s.id, s.last_human_reply_at)).collect()
}

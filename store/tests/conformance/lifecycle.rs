//! Conversations through their lifecycle: what each event projects, blocking, settings,
//! deadlines, identities, several decisions at once.

use super::*;

pub async fn lifecycle_events_project_onto_the_conversation(store: Arc<dyn Store>) {
    let ws = workspace(&store).await;
    let lead = contact(&store, &ws).await;
    let (conversation, _) = start_conversation(&store, &ws, &lead, "Hello").await;
    let (ann, bob) = (AgentId("ann".into()), AgentId("bob".into()));
    let read = |store: Arc<dyn Store>, ws: WorkspaceId, c: ConversationId| async move {
        store.conversation(&ws, &c).await.unwrap().unwrap()
    };

    let a = ann.clone();
    act(&store, &ws, &conversation, NOW, move |s| Ok(assign(s, Some(a)))).await;
    assert_eq!(
        read(store.clone(), ws.id.clone(), conversation.clone()).await.assignee,
        Some(ann.clone())
    );
    let b = bob.clone();
    let transfer = act(&store, &ws, &conversation, NOW, move |s| Ok(assign(s, Some(b)))).await;
    assert!(matches!(&transfer[0].event, Event::Assigned { previous: Some(p), .. } if *p == ann));

    act(&store, &ws, &conversation, NOW, |s| snooze(s, NOW + 60_000, NOW)).await;
    let snoozed = read(store.clone(), ws.id.clone(), conversation.clone()).await;
    assert_eq!(snoozed.snoozed_until, Some(NOW + 60_000));
    assert!(snoozed.is_snoozed(NOW) && !snoozed.is_snoozed(NOW + 60_000));

    let settings = ClosingNotesSettings {
        mode: ClosingNotesMode::CategoryAndSummaryRequired,
        categories: vec!["Order issue".into()],
    };
    let note = ClosingNote {
        category: Some("Order issue".into()),
        summary: Some("Parcel lost".into()),
        generated: true,
    };
    let (by, n) = (bob.clone(), note.clone());
    act(&store, &ws, &conversation, NOW + 1, move |s| {
        close(s, &by, Some(Outcome::Unresolved), Some(n), &settings)
    })
    .await;
    let closed = read(store.clone(), ws.id.clone(), conversation.clone()).await;
    assert_eq!(closed.closing_note, Some(note));
    assert_eq!(closed.outcome, Some(Outcome::Unresolved));
    assert_eq!(closed.snoozed_until, None, "closing ends a snooze");

    act(&store, &ws, &conversation, NOW + 2, |s| change_outcome(s, Outcome::Resolved)).await;
    assert_eq!(
        read(store.clone(), ws.id.clone(), conversation.clone()).await.outcome,
        Some(Outcome::Resolved)
    );

    let frames = act(&store, &ws, &conversation, NOW + 3, reopen).await;
    assert!(matches!(frames[0].event, Event::ConversationReopened { cycle: 2, .. }));
    let reopened = read(store.clone(), ws.id.clone(), conversation.clone()).await;
    assert_eq!((reopened.cycle, reopened.outcome, reopened.closing_note), (2, None, None));
    assert_eq!(reopened.assignee, Some(bob), "assignment survives a reopen");

    // The timeline is the conversation's own log, in order.
    let timeline = store.conversation_events(&ws.id, &conversation).await.unwrap();
    let kinds: Vec<_> = timeline.iter().map(|f| f.event.kind()).collect();
    assert_eq!(
        kinds,
        [
            "conversation_started",
            "message_posted",
            "assigned",
            "assigned",
            "snoozed",
            "conversation_closed",
            "outcome_changed",
            "conversation_reopened",
        ]
    );
}

pub async fn blocking_and_handing_to_the_bot(store: Arc<dyn Store>) {
    let ws = workspace(&store).await;
    let lead = contact(&store, &ws).await;
    let (first, _) = start_conversation(&store, &ws, &lead, "one").await;
    let (second, _) = start_conversation(&store, &ws, &lead, "two").await;
    let frames = act(&store, &ws, &first, NOW, |s| Ok(set_blocked(s, true))).await;
    assert_eq!(frames[0].contact_id.as_ref(), Some(&lead));
    for id in [&first, &second] {
        assert!(store.conversation(&ws.id, id).await.unwrap().unwrap().contact_blocked);
    }
    // The block is the lead's, so it shows on all their conversations and in every decision.
    let refused = store
        .record(
            &ws.id,
            Some(&second),
            Actor::System,
            NOW,
            agent_closes(AgentId("a".into()), Some(Outcome::Resolved)),
        )
        .await;
    assert!(matches!(refused, Err(StoreError::Domain(DomainError::ContactBlocked))));
    act(&store, &ws, &second, NOW, |s| Ok(set_blocked(s, false))).await;
    assert!(!store.conversation(&ws.id, &first).await.unwrap().unwrap().contact_blocked);

    act(&store, &ws, &first, NOW, |s| Ok(assign(s, Some(AgentId("ann".into()))))).await;
    let frames = act(&store, &ws, &first, NOW, hand_to_bot).await;
    assert_eq!(
        frames.iter().map(|f| f.event.kind()).collect::<Vec<_>>(),
        ["unassigned", "handed_to_bot"]
    );
    let handed = store.conversation(&ws.id, &first).await.unwrap().unwrap();
    assert_eq!(
        (handed.kind, handed.assignee, handed.status),
        (ConversationKind::Bot, None, ConversationStatus::Open)
    );
}

pub async fn settings_and_agents(store: Arc<dyn Store>) {
    let ws = workspace(&store).await;
    let other = workspace(&store).await;
    assert_eq!(ws.settings, WorkspaceSettings::default());
    let settings = WorkspaceSettings {
        closing_notes: ClosingNotesSettings {
            mode: ClosingNotesMode::CategoryRequired,
            categories: vec!["Order issue".into(), "Payment issue".into()],
        },
        auto_close: AutoCloseSettings { enabled: true, ..Default::default() },
        ..Default::default()
    };
    let changed = Event::SettingsChanged { settings: settings.clone() };
    store.record_workspace_event(&ws.id, Actor::System, NOW, changed).await.unwrap();
    assert_eq!(store.workspace(&ws.id).await.unwrap().unwrap().settings, settings);
    assert_eq!(
        store.workspace(&other.id).await.unwrap().unwrap().settings,
        WorkspaceSettings::default()
    );

    for (name, workspace) in [("Zoe", &ws), ("Adam", &ws), ("Eve", &other)] {
        let agent = Agent {
            id: AgentId(id("agent")),
            name: name.into(),
            email: format!("{}@x.io", id(name)),
            role: Role::Agent,
        };
        let new = NewAgent {
            workspace_id: workspace.id.clone(),
            agent,
            password_hash: "h".into(),
            created_at: NOW,
        };
        store.create_agent(&new).await.unwrap();
    }
    let names: Vec<_> = store.agents(&ws.id).await.unwrap().into_iter().map(|a| a.name).collect();
    assert_eq!(names, ["Adam", "Zoe"]);
}

pub async fn deadlines_are_stored_and_listed_for_the_scheduler(store: Arc<dyn Store>) {
    let ws = workspace(&store).await;
    let lead = contact(&store, &ws).await;
    let (conversation, _) = start_conversation(&store, &ws, &lead, "Hello").await;
    let state = |store: Arc<dyn Store>, ws: WorkspaceId| async move {
        store.open_conversation_states(&ws).await.unwrap().remove(0)
    };
    assert_eq!(state(store.clone(), ws.id.clone()).await.last_human_reply_at, None);

    // An agent's reply is the anchor of after-reply deadlines; the lead's clears it.
    let reply = NewMessage { author_kind: AuthorKind::Agent, ..lead_message(&lead, "Hi", None) };
    act(&store, &ws, &conversation, NOW + 10, move |s| {
        let mut events = post_message(s, reply, &LeadOptions::default(), NOW + 10)?;
        events.push(Event::AutoCloseArmed {
            conversation_id: s.id.clone(),
            deadline: NOW + 1_000,
            previous: None,
            reason: TimerReason::AgentReplied,
        });
        Ok(events)
    })
    .await;
    let s = state(store.clone(), ws.id.clone()).await;
    assert_eq!(
        (s.last_human_reply_at, s.auto_close_at, s.last_message_at),
        (Some(NOW + 10), Some(NOW + 1_000), NOW + 10)
    );
    assert_eq!(
        store.conversation(&ws.id, &conversation).await.unwrap().unwrap().auto_close_at,
        Some(NOW + 1_000)
    );

    act(&store, &ws, &conversation, NOW, |s| snooze(s, NOW + 5_000, NOW)).await;
    let mut timers: Vec<_> =
        store.timers().await.unwrap().into_iter().filter(|t| t.workspace == ws.id).collect();
    timers.sort_by_key(|t| t.kind);
    assert_eq!(
        timers.iter().map(|t| (t.conversation.clone(), t.kind, t.at)).collect::<Vec<_>>(),
        [
            (conversation.clone(), TimerKind::AutoClose, NOW + 1_000),
            (conversation.clone(), TimerKind::SnoozeEnd, NOW + 5_000)
        ]
    );

    // Closing clears both; the conversation leaves the scheduler's list.
    let closing = agent_closes(AgentId("a".into()), Some(Outcome::Resolved));
    store.record(&ws.id, Some(&conversation), Actor::System, NOW, closing).await.unwrap();
    let closed = store.conversation(&ws.id, &conversation).await.unwrap().unwrap();
    assert_eq!((closed.auto_close_at, closed.snoozed_until), (None, None));
    assert!(store.timers().await.unwrap().iter().all(|t| t.workspace != ws.id));
    assert!(store.open_conversation_states(&ws.id).await.unwrap().is_empty());

    let lead_reply = lead_message(&lead, "again", None);
    act(&store, &ws, &conversation, NOW + 20, move |s| {
        post_message(s, lead_reply, &LeadOptions::default(), NOW + 20)
    })
    .await;
    assert_eq!(state(store.clone(), ws.id.clone()).await.last_human_reply_at, None);
}

pub async fn identities_join_browsers_to_one_lead(store: Arc<dyn Store>) {
    let (ws, other) = (workspace(&store).await, workspace(&store).await);
    assert_eq!(ws.identity_secret.len(), 64, "each workspace gets its own secret");
    assert_ne!(ws.identity_secret, other.identity_secret);
    let (laptop, phone) = (contact(&store, &ws).await, contact(&store, &ws).await);
    let ada = Identity { external_id: "ada".into(), name: Some("Ada".into()), email: None };
    assert_eq!(store.identify_contact(&ws.id, &laptop, &ada).await.unwrap(), laptop);
    // The phone claims the same identity: the laptop's contact is the lead.
    assert_eq!(store.identify_contact(&ws.id, &phone, &ada).await.unwrap(), laptop);
    store.add_visitor_token("phone-token", &laptop, NOW).await.unwrap();
    assert_eq!(store.contact_by_token("phone-token", 0).await.unwrap().unwrap().0.id, laptop);
    let dup = store.add_visitor_token("phone-token", &phone, NOW).await;
    assert!(matches!(dup, Err(StoreError::Conflict("visitor_token"))));
    // The same external id in another workspace is another person.
    let stranger = contact(&store, &other).await;
    assert_eq!(store.identify_contact(&other.id, &stranger, &ada).await.unwrap(), stranger);
}

pub async fn batches_record_what_applies_and_skip_the_rest(store: Arc<dyn Store>) {
    let ws = workspace(&store).await;
    let lead = contact(&store, &ws).await;
    let (open, _) = start_conversation(&store, &ws, &lead, "one").await;
    let (done, _) = start_conversation(&store, &ws, &lead, "two").await;
    let closing = agent_closes(AgentId("a".into()), Some(Outcome::Resolved));
    store.record(&ws.id, Some(&done), Actor::System, NOW, closing).await.unwrap();
    let before = store.last_seq(&ws.id).await.unwrap();
    let items = vec![
        (open.clone(), agent_closes(AgentId("a".into()), Some(Outcome::Resolved))),
        (done.clone(), agent_closes(AgentId("a".into()), Some(Outcome::Resolved))), // refused
        (ConversationId("missing".into()), agent_closes(AgentId("a".into()), None)), // skipped
    ];
    let frames = store.record_each(&ws.id, Actor::System, NOW, items).await.unwrap();
    assert_eq!(
        frames.iter().map(|f| (f.seq, f.event.kind())).collect::<Vec<_>>(),
        [(before + 1, "conversation_closed")]
    );
    assert_eq!(store.last_seq(&ws.id).await.unwrap(), before + 1);
    let closed = store.conversation(&ws.id, &open).await.unwrap().unwrap();
    assert_eq!(closed.status, ConversationStatus::Closed);
    let nothing = store.record_each(&ws.id, Actor::System, NOW, Vec::new()).await.unwrap();
    assert!(nothing.is_empty());
}

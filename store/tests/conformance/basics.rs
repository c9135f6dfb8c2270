//! The basics: workspaces, people and contacts, the log's numbering, refusals, and each
//! workspace and lead kept to their own.

use super::*;

pub async fn workspaces_are_found_by_id_and_key(store: Arc<dyn Store>) {
    let ws = workspace(&store).await;
    assert_eq!(store.workspace(&ws.id).await.unwrap().as_ref(), Some(&ws));
    assert_eq!(store.workspace_by_key(&ws.widget_key).await.unwrap().as_ref(), Some(&ws));
    assert_eq!(store.workspace_by_key("nope").await.unwrap(), None);
    assert!(ws.lead_options.disable_input_on_close);
    let again = store
        .create_workspace(&NewWorkspace {
            id: WorkspaceId(id("ws")),
            name: "Copy".into(),
            widget_key: ws.widget_key.clone(),
            plan: Plan::Free,
            lead_options: LeadOptions::default(),
            settings: WorkspaceSettings::default(),
            created_at: NOW,
        })
        .await;
    assert!(matches!(again, Err(StoreError::Conflict("widget_key"))), "{again:?}");
    store.set_plan(&ws.id, Plan::Starter).await.unwrap();
    assert_eq!(store.workspace(&ws.id).await.unwrap().unwrap().plan, Plan::Starter);
    assert!(matches!(
        store.set_plan(&WorkspaceId("missing".into()), Plan::Free).await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(store.last_seq(&ws.id).await.unwrap(), 0);
}

pub async fn agents_sessions_and_contacts(store: Arc<dyn Store>) {
    let ws = workspace(&store).await;
    let email = format!("{}@example.com", id("Agent"));
    let agent = Agent {
        id: AgentId(id("agent")),
        name: "Ann".into(),
        email: email.clone(),
        role: Role::Agent,
    };
    let new = NewAgent {
        workspace_id: ws.id.clone(),
        agent: agent.clone(),
        password_hash: "h".into(),
        created_at: NOW,
    };
    store.create_agent(&new).await.unwrap();
    let dup = NewAgent { agent: Agent { id: AgentId(id("agent")), ..agent.clone() }, ..new };
    assert!(matches!(store.create_agent(&dup).await, Err(StoreError::Conflict("email"))));

    // E-mail lookups ignore case and surrounding space.
    let shouted = format!(" {} ", email.to_uppercase());
    assert_eq!(store.person(&shouted).await.unwrap().unwrap().password_hash, "h");
    let record = store.membership(&shouted, None).await.unwrap().unwrap();
    assert_eq!(record.agent.id, agent.id);
    assert_eq!(record.workspace_id, ws.id);

    store.create_session("session-hash", &record, NOW + 1000).await.unwrap();
    assert_eq!(store.session_agent("session-hash", NOW).await.unwrap(), Some(record.clone()));
    assert_eq!(store.session_agent("session-hash", NOW + 1000).await.unwrap(), None, "expired");
    assert_eq!(store.session_agent("other", NOW).await.unwrap(), None);
    store.delete_session("session-hash").await.unwrap();
    assert_eq!(store.session_agent("session-hash", NOW).await.unwrap(), None);

    // Expired sessions are purged; live ones stay.
    store.create_session("old", &record, NOW - 1).await.unwrap();
    store.create_session("live", &record, NOW + 1_000).await.unwrap();
    assert!(store.purge_expired_sessions(NOW).await.unwrap() >= 1);
    assert_eq!(
        store.session_agent("live", NOW).await.unwrap().map(|r| r.workspace_id),
        Some(ws.id.clone())
    );

    let contact = ContactId(id("contact"));
    let new_contact = NewContact {
        id: contact.clone(),
        workspace_id: ws.id.clone(),
        token_hash: "t1".into(),
        created_at: NOW,
    };
    store.create_contact(&new_contact).await.unwrap();
    let (found, used_at) = store.contact_by_token("t1", NOW).await.unwrap().unwrap();
    assert_eq!(used_at, NOW, "a new token counts as used when it is made");
    let expected = ContactRecord {
        id: contact.clone(),
        workspace_id: ws.id.clone(),
        blocked: false,
        email: None,
        name: None,
    };
    assert_eq!(found, expected);
    let email = Some("ann@shop.example".to_owned());
    let updated = Event::ContactUpdated { contact_id: contact.clone(), name: None, email };
    let frame = store.record_workspace_event(&ws.id, Actor::System, NOW, updated).await.unwrap();
    assert_eq!(frame.contact_id.as_ref(), Some(&contact), "the frame names the lead");
    let (found, _) = store.contact_by_token("t1", NOW).await.unwrap().unwrap();
    assert_eq!(found.email.as_deref(), Some("ann@shop.example"));
    assert_eq!(store.contact_by_token("t2", 0).await.unwrap(), None);
    // A token unused since before `used_since` has expired; using it again renews it.
    assert_eq!(store.contact_by_token("t1", NOW + 1).await.unwrap(), None);
    store.touch_visitor_token("t1", NOW + 5).await.unwrap();
    let renewed = store.contact_by_token("t1", NOW + 5).await.unwrap();
    assert_eq!(renewed.map(|(_, used_at)| used_at), Some(NOW + 5));
}

pub async fn starting_a_conversation_appends_numbered_events_and_projects_them(
    store: Arc<dyn Store>,
) {
    let ws = workspace(&store).await;
    let lead = contact(&store, &ws).await;
    let (conversation, frames) = start_conversation(&store, &ws, &lead, "Hello").await;
    assert_eq!(frames.iter().map(|f| f.seq).collect::<Vec<_>>(), [1, 2]);
    assert!(frames.iter().all(|f| f.contact_id.as_ref() == Some(&lead) && f.at == NOW));
    assert_eq!(store.last_seq(&ws.id).await.unwrap(), 2);

    let read = store.conversation(&ws.id, &conversation).await.unwrap().unwrap();
    assert_eq!(read.status, ConversationStatus::Open);
    assert_eq!(read.cycle, 1);
    assert_eq!(read.last_message.as_deref(), Some("Hello"));
    let messages = store.messages(&ws.id, &conversation).await.unwrap();
    assert_eq!(messages.iter().map(|m| m.body.as_str()).collect::<Vec<_>>(), ["Hello"]);

    // The log replays exactly what was returned to the caller.
    assert_eq!(store.events_after(&ws.id, 0, None, 100).await.unwrap(), frames);
    assert_eq!(store.events_after(&ws.id, 1, None, 100).await.unwrap(), frames[1..]);
    assert_eq!(store.events_after(&ws.id, 0, None, 1).await.unwrap(), frames[..1]);
    let open = ConversationFilter { status: Some(ConversationStatus::Open), ..Default::default() };
    assert_eq!(store.conversations(&ws.id, &open).await.unwrap(), [read]);
    let closed =
        ConversationFilter { status: Some(ConversationStatus::Closed), ..Default::default() };
    assert!(store.conversations(&ws.id, &closed).await.unwrap().is_empty());
}

pub async fn refusals_and_conflicts_record_nothing(store: Arc<dyn Store>) {
    let ws = workspace(&store).await;
    let lead = contact(&store, &ws).await;
    let (conversation, _) = start_conversation(&store, &ws, &lead, "Hello").await;

    let refused = store
        .record(
            &ws.id,
            Some(&conversation),
            Actor::System,
            NOW,
            Box::new(|_| Err(DomainError::AlreadyClosed)),
        )
        .await;
    assert!(matches!(refused, Err(StoreError::Domain(DomainError::AlreadyClosed))));

    let missing = ConversationId("missing".into());
    let missing =
        store.record(&ws.id, Some(&missing), Actor::System, NOW, Box::new(|_| Ok(vec![]))).await;
    assert!(matches!(missing, Err(StoreError::NotFound)));

    // A retried send with the same client id is refused by the store, atomically.
    let actor = Actor::Contact(lead.clone());
    let first = lead_posts(lead_message(&lead, "again", Some("c1")), NOW);
    store.record(&ws.id, Some(&conversation), actor.clone(), NOW, first).await.unwrap();
    let retry = lead_posts(lead_message(&lead, "again", Some("c1")), NOW);
    let dup = store.record(&ws.id, Some(&conversation), actor, NOW, retry).await;
    assert!(matches!(dup, Err(StoreError::Conflict("client_id"))), "{dup:?}");
    let stored = store.message_by_client_id(&ws.id, lead.as_str(), "c1").await.unwrap().unwrap();
    assert_eq!(stored.body, "again");
    // Another workspace names the conversation and the client id, and finds nothing.
    let other = workspace(&store).await;
    assert_eq!(store.message_by_client_id(&other.id, lead.as_str(), "c1").await.unwrap(), None);
    assert!(store.messages(&other.id, &conversation).await.unwrap().is_empty());

    assert_eq!(store.last_seq(&ws.id).await.unwrap(), 3);
    assert_eq!(store.events_after(&ws.id, 0, None, 100).await.unwrap().len(), 3);
    assert_eq!(store.messages(&ws.id, &conversation).await.unwrap().len(), 2);
}

pub async fn close_and_lead_reopen_update_the_read_model(store: Arc<dyn Store>) {
    let ws = workspace(&store).await;
    let lead = contact(&store, &ws).await;
    let (conversation, _) = start_conversation(&store, &ws, &lead, "Hello").await;
    let agent = AgentId("agent-1".into());
    let closing = agent_closes(agent.clone(), Some(Outcome::Resolved));
    let actor = Actor::Agent(agent.clone());
    store.record(&ws.id, Some(&conversation), actor, NOW + 5, closing).await.unwrap();
    let closed = store.conversation(&ws.id, &conversation).await.unwrap().unwrap();
    assert_eq!(closed.status, ConversationStatus::Closed);
    assert_eq!(closed.outcome, Some(Outcome::Resolved));
    assert_eq!(closed.closing_source, Some(ClosingSource::Manual));
    assert_eq!(closed.closed_by, Some(agent));
    assert_eq!(closed.closed_at, Some(NOW + 5));
    let open = ConversationFilter { status: Some(ConversationStatus::Open), ..Default::default() };
    assert!(store.conversations(&ws.id, &open).await.unwrap().is_empty());

    let again = lead_posts(lead_message(&lead, "one more thing", None), NOW + 9);
    let actor = Actor::Contact(lead.clone());
    let frames = store.record(&ws.id, Some(&conversation), actor, NOW + 9, again).await.unwrap();
    assert!(matches!(frames[0].event, Event::ConversationReopened { cycle: 2, .. }));
    let reopened = store.conversation(&ws.id, &conversation).await.unwrap().unwrap();
    assert_eq!(reopened.status, ConversationStatus::Open);
    assert_eq!(reopened.cycle, 2);
    assert_eq!((reopened.outcome, reopened.closed_at), (None, None));
    assert_eq!(reopened.last_activity_at, NOW + 9);
}

pub async fn sequences_are_per_workspace_and_gapless_under_concurrency(store: Arc<dyn Store>) {
    let (a, b) = (workspace(&store).await, workspace(&store).await);
    let lead = contact(&store, &a).await;
    let (conversation, _) = start_conversation(&store, &a, &lead, "Hello").await;
    let tasks: Vec<_> = (0..16)
        .map(|i| {
            let (store, ws) = (store.clone(), a.id.clone());
            let (conversation, actor) = (conversation.clone(), Actor::Contact(lead.clone()));
            let decide = lead_posts(lead_message(&lead, &format!("m{i}"), None), NOW);
            tokio::spawn(async move {
                store.record(&ws, Some(&conversation), actor, NOW, decide).await.unwrap()
            })
        })
        .collect();
    let mut seqs: Vec<u64> = Vec::new();
    for task in tasks {
        seqs.extend(task.await.unwrap().iter().map(|f| f.seq));
    }
    seqs.sort();
    assert_eq!(seqs, (3..=18).collect::<Vec<_>>());
    assert_eq!(store.last_seq(&a.id).await.unwrap(), 18);
    assert_eq!(store.messages(&a.id, &conversation).await.unwrap().len(), 17);

    let other = contact(&store, &b).await;
    let (_, frames) = start_conversation(&store, &b, &other, "Hi").await;
    assert_eq!(frames[0].seq, 1, "each workspace numbers its own log");
}

pub async fn leads_resume_only_their_own_events(store: Arc<dyn Store>) {
    let ws = workspace(&store).await;
    let (ann, bob) = (contact(&store, &ws).await, contact(&store, &ws).await);
    start_conversation(&store, &ws, &ann, "from Ann").await;
    start_conversation(&store, &ws, &bob, "from Bob").await;
    let changed = Event::LeadOptionsChanged { options: LeadOptions::default(), saved: None };
    let options = store.record_workspace_event(&ws.id, Actor::System, NOW, changed).await.unwrap();
    assert_eq!((options.seq, options.contact_id), (5, None));

    let anns = store.events_after(&ws.id, 0, Some(&ann), 100).await.unwrap();
    assert_eq!(anns.iter().map(|f| f.seq).collect::<Vec<_>>(), [1, 2, 5]);
    let bobs_after_3 = store.events_after(&ws.id, 3, Some(&bob), 100).await.unwrap();
    assert_eq!(bobs_after_3.iter().map(|f| f.seq).collect::<Vec<_>>(), [4, 5]);
    assert_eq!(store.events_after(&ws.id, 0, None, 100).await.unwrap().len(), 5);
}

pub async fn a_foreign_workspace_cannot_reach_a_conversation(store: Arc<dyn Store>) {
    let (ours, theirs) = (workspace(&store).await, workspace(&store).await);
    let lead = contact(&store, &ours).await;
    let (conversation, _) = start_conversation(&store, &ours, &lead, "Hello").await;
    assert_eq!(store.conversation(&theirs.id, &conversation).await.unwrap(), None);
    let by = AgentId("x".into());
    let closing = agent_closes(by.clone(), None);
    let foreign =
        store.record(&theirs.id, Some(&conversation), Actor::Agent(by), NOW, closing).await;
    assert!(matches!(foreign, Err(StoreError::NotFound)));
    let ours_now = store.conversation(&ours.id, &conversation).await.unwrap().unwrap();
    assert_eq!(ours_now.status, ConversationStatus::Open);
    assert_eq!(store.last_seq(&theirs.id).await.unwrap(), 0);
}

pub async fn conversations_are_found_by_text_and_paged(store: Arc<dyn Store>) {
    let (ws, other) = (workspace(&store).await, workspace(&store).await);
    let (ada, bob, cy) =
        (contact(&store, &ws).await, contact(&store, &ws).await, contact(&store, &ws).await);
    let identity = Identity {
        external_id: "ada".into(),
        name: Some("Ada Lovelace".into()),
        email: Some("ada@shop.example".into()),
    };
    store.identify_contact(&ws.id, &ada, &identity).await.unwrap();
    let (oslo, _) = start_conversation(&store, &ws, &ada, "Do you ship to Oslo?").await;
    let (cotton, _) = start_conversation(&store, &ws, &bob, "Is it 100% cotton_blend?").await;
    let (hello, _) = start_conversation(&store, &ws, &cy, "hello").await;
    let stranger = contact(&store, &other).await;
    start_conversation(&store, &other, &stranger, "Oslo as well").await;

    let found = |text: &str| {
        let (store, ws) = (store.clone(), ws.id.clone());
        let filter = ConversationFilter { text: Some(text.into()), ..Default::default() };
        async move {
            let list = store.conversations(&ws, &filter).await.unwrap();
            list.into_iter().map(|c| c.id).collect::<Vec<_>>()
        }
    };
    let (just_oslo, just_cotton) = (vec![oslo.clone()], vec![cotton.clone()]);
    assert_eq!(found("OSLO").await, just_oslo, "a message, in any case, in this workspace");
    assert_eq!(found("lovelace").await, just_oslo, "the contact's name");
    assert_eq!(found("shop.example").await, just_oslo, "the contact's e-mail");
    assert_eq!(found("100%").await, just_cotton, "% is taken literally");
    assert_eq!(found("_").await, just_cotton, "_ is taken literally");
    assert_eq!(found("\\").await, Vec::<ConversationId>::new(), "\\ is taken literally");
    assert!(found("nothing like it").await.is_empty());

    // Pages follow one another without gap or overlap, ties (same activity time) by id.
    let all = store.conversations(&ws.id, &ConversationFilter::default()).await.unwrap();
    let mut ids: Vec<_> = all.iter().map(|c| c.id.clone()).collect();
    ids.sort_by(|a, b| a.0.cmp(&b.0));
    assert_eq!(all.iter().map(|c| c.id.clone()).collect::<Vec<_>>(), ids);
    assert_eq!(ids.len(), 3);
    assert!([&oslo, &cotton, &hello].iter().all(|c| ids.contains(c)));
    let mut paged = Vec::new();
    let mut after = None;
    loop {
        let filter =
            ConversationFilter { after: after.clone(), limit: Some(2), ..Default::default() };
        let page = store.conversations(&ws.id, &filter).await.unwrap();
        let Some(last) = page.last() else { break };
        after = Some((last.last_activity_at, last.id.clone()));
        paged.extend(page.into_iter().map(|c| c.id));
    }
    assert_eq!(paged, ids);
}

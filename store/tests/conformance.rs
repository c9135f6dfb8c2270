//! Every storage behaviour, written once, run on SQLite always and on PostgreSQL when
//! `PORCH_TEST_POSTGRES_URL` names a server (a fresh database per test, dropped after).

use std::sync::Arc;

use porch_domain::{
    assign, change_outcome, close, hand_to_bot, post_message, reopen, set_blocked, snooze, start,
    ConversationState, DomainError, NewMessage,
};
use porch_protocol::*;
use porch_store::*;

macro_rules! conformance {
    ($($name:ident),* $(,)?) => {
        mod sqlite {$(
            #[tokio::test]
            async fn $name() {
                let db = porch_store::testing::TestDatabase::sqlite();
                super::$name(porch_store::connect(&db.url).await.unwrap()).await;
            }
        )*}
        mod postgres {$(
            #[tokio::test]
            async fn $name() {
                let Some(db) = porch_store::testing::TestDatabase::postgres().await else { return };
                super::$name(porch_store::connect(&db.url).await.unwrap()).await;
                db.drop_database().await;
            }
        )*}
    };
}

conformance!(
    workspaces_are_found_by_id_and_key,
    agents_sessions_and_contacts,
    starting_a_conversation_appends_numbered_events_and_projects_them,
    refusals_and_conflicts_record_nothing,
    close_and_lead_reopen_update_the_read_model,
    sequences_are_per_workspace_and_gapless_under_concurrency,
    leads_resume_only_their_own_events,
    a_foreign_workspace_cannot_reach_a_conversation,
    lifecycle_events_project_onto_the_conversation,
    blocking_and_handing_to_the_bot,
    settings_and_agents,
    deadlines_are_stored_and_listed_for_the_scheduler,
    identities_join_browsers_to_one_lead,
    batches_record_what_applies_and_skip_the_rest,
    reports_fold_the_log_as_the_domain_defines,
    report_days_are_the_workspace_days,
    active_users_count_each_lead_once,
    missed_waits_are_online_within_half_open_presence,
    concurrent_sign_in_attempts_are_counted_exactly,
    sign_in_waits_grow_and_a_success_forgets,
    a_client_id_names_one_message_of_its_sender,
    a_password_link_works_once_before_it_expires,
    changing_a_password_ends_the_other_sessions,
    widget_origins_and_keys,
    an_invitation_is_accepted_once_renewed_or_revoked,
    a_workspace_keeps_an_active_owner,
    one_person_belongs_to_several_workspaces,
    a_batch_commits_what_is_decided_and_answers_each_refusal,
    a_batch_decides_on_what_its_earlier_commands_changed,
    a_batch_projects_its_messages_onto_their_conversations,
    a_rate_limit_grants_its_burst_then_one_per_period,
    concurrent_takes_are_counted_exactly,
    a_command_over_its_limit_records_nothing,
);

#[path = "conformance/batch.rs"]
mod batch;
use batch::*;
#[path = "conformance/hardening.rs"]
mod hardening;
use hardening::*;
#[path = "conformance/limits.rs"]
mod limits;
use limits::*;
#[path = "conformance/team.rs"]
mod team;
use team::*;

/// Records one decision on a conversation, as `actor`, at `now`.
async fn act(
    store: &Arc<dyn Store>,
    ws: &Workspace,
    conversation: &ConversationId,
    now: Millis,
    decide: impl FnOnce(&ConversationState) -> Result<Vec<Event>, DomainError> + Send + 'static,
) -> Vec<EventFrame> {
    let decide: Decide = Box::new(move |state| decide(state.expect("target")));
    store.record(&ws.id, Some(conversation), Actor::System, now, decide).await.unwrap()
}

const NOW: Millis = 1_700_000_000_000;

/// Unique within the test process, so tests sharing nothing but a database never collide.
fn id(prefix: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!("{prefix}-{}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed))
}

async fn workspace(store: &Arc<dyn Store>) -> Workspace {
    store
        .create_workspace(&NewWorkspace {
            id: WorkspaceId(id("ws")),
            name: "Acme".into(),
            widget_key: id("key"),
            plan: Plan::Professional,
            lead_options: LeadOptions { disable_input_on_close: true, ..LeadOptions::default() },
            settings: WorkspaceSettings::default(),
            created_at: NOW,
        })
        .await
        .unwrap()
}

async fn contact(store: &Arc<dyn Store>, ws: &Workspace) -> ContactId {
    let contact = ContactId(id("contact"));
    store
        .create_contact(&NewContact {
            id: contact.clone(),
            workspace_id: ws.id.clone(),
            token_hash: id("token"),
            created_at: NOW,
        })
        .await
        .unwrap();
    contact
}

fn lead_message(contact: &ContactId, body: &str, client_id: Option<&str>) -> NewMessage {
    NewMessage {
        id: MessageId(id("msg")),
        author_kind: AuthorKind::Contact,
        author_id: Some(contact.0.clone()),
        author_name: None,
        body: body.into(),
        client_id: client_id.map(str::to_owned),
    }
}

/// A decision posting `message` as the lead would, with default (all off) lead options.
fn lead_posts(message: NewMessage, now: Millis) -> Decide {
    Box::new(move |state: Option<&ConversationState>| {
        post_message(state.expect("target"), message, &LeadOptions::default(), now)
    })
}

fn agent_closes(by: AgentId, outcome: Option<Outcome>) -> Decide {
    Box::new(move |state: Option<&ConversationState>| {
        close(state.expect("target"), &by, outcome, None, &ClosingNotesSettings::default())
    })
}

/// A member of `ws` with `role` (password hash "h"), signed in as session `session`.
async fn member(store: &Arc<dyn Store>, ws: &Workspace, role: Role, session: &str) -> AgentRecord {
    let agent = Agent {
        id: AgentId(id("agent")),
        name: format!("{role:?}"),
        email: format!("{}@example.com", id("m")),
        role,
    };
    let new = NewAgent {
        workspace_id: ws.id.clone(),
        agent: agent.clone(),
        password_hash: "h".into(),
        created_at: NOW,
    };
    store.create_agent(&new).await.unwrap();
    let record = AgentRecord { workspace_id: ws.id.clone(), agent };
    store.create_session(session, &record, NOW + 1_000_000).await.unwrap();
    record
}

async fn start_conversation(
    store: &Arc<dyn Store>,
    ws: &Workspace,
    contact: &ContactId,
    body: &str,
) -> (ConversationId, Vec<EventFrame>) {
    let conversation = ConversationId(id("conv"));
    let (c, first, cid) =
        (contact.clone(), lead_message(contact, body, None), conversation.clone());
    let frames = store
        .record(
            &ws.id,
            None,
            Actor::Contact(contact.clone()),
            NOW,
            Box::new(move |_| start(cid, c, false, ConversationKind::Live, Some(first), NOW)),
        )
        .await
        .unwrap();
    (conversation, frames)
}

async fn workspaces_are_found_by_id_and_key(store: Arc<dyn Store>) {
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

async fn agents_sessions_and_contacts(store: Arc<dyn Store>) {
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
    let found = store.contact_by_token("t1", NOW).await.unwrap().unwrap();
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
    let found = store.contact_by_token("t1", NOW).await.unwrap().unwrap();
    assert_eq!(found.email.as_deref(), Some("ann@shop.example"));
    assert_eq!(store.contact_by_token("t2", 0).await.unwrap(), None);
    // A token unused since before `used_since` has expired; using it again renews it.
    assert_eq!(store.contact_by_token("t1", NOW + 1).await.unwrap(), None);
    store.touch_visitor_token("t1", NOW + 5).await.unwrap();
    assert!(store.contact_by_token("t1", NOW + 5).await.unwrap().is_some());
}

async fn starting_a_conversation_appends_numbered_events_and_projects_them(store: Arc<dyn Store>) {
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

async fn refusals_and_conflicts_record_nothing(store: Arc<dyn Store>) {
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

async fn close_and_lead_reopen_update_the_read_model(store: Arc<dyn Store>) {
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

async fn sequences_are_per_workspace_and_gapless_under_concurrency(store: Arc<dyn Store>) {
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

async fn leads_resume_only_their_own_events(store: Arc<dyn Store>) {
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

async fn a_foreign_workspace_cannot_reach_a_conversation(store: Arc<dyn Store>) {
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

async fn lifecycle_events_project_onto_the_conversation(store: Arc<dyn Store>) {
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

async fn blocking_and_handing_to_the_bot(store: Arc<dyn Store>) {
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

async fn settings_and_agents(store: Arc<dyn Store>) {
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

async fn deadlines_are_stored_and_listed_for_the_scheduler(store: Arc<dyn Store>) {
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

async fn identities_join_browsers_to_one_lead(store: Arc<dyn Store>) {
    let (ws, other) = (workspace(&store).await, workspace(&store).await);
    assert_eq!(ws.identity_secret.len(), 64, "each workspace gets its own secret");
    assert_ne!(ws.identity_secret, other.identity_secret);
    let (laptop, phone) = (contact(&store, &ws).await, contact(&store, &ws).await);
    let ada = Identity { external_id: "ada".into(), name: Some("Ada".into()), email: None };
    assert_eq!(store.identify_contact(&ws.id, &laptop, &ada).await.unwrap(), laptop);
    // The phone claims the same identity: the laptop's contact is the lead.
    assert_eq!(store.identify_contact(&ws.id, &phone, &ada).await.unwrap(), laptop);
    store.add_visitor_token("phone-token", &laptop, NOW).await.unwrap();
    assert_eq!(store.contact_by_token("phone-token", 0).await.unwrap().unwrap().id, laptop);
    let dup = store.add_visitor_token("phone-token", &phone, NOW).await;
    assert!(matches!(dup, Err(StoreError::Conflict("visitor_token"))));
    // The same external id in another workspace is another person.
    let stranger = contact(&store, &other).await;
    assert_eq!(store.identify_contact(&other.id, &stranger, &ada).await.unwrap(), stranger);
}

async fn batches_record_what_applies_and_skip_the_rest(store: Arc<dyn Store>) {
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

/// Whether an agent was online when a missed lead started waiting follows the domain's
/// half-open presence intervals exactly, at their edges too.
async fn missed_waits_are_online_within_half_open_presence(store: Arc<dyn Store>) {
    use porch_domain::reports::{self, ReportParts, MINUTE};
    let ws = workspace(&store).await;
    let agent = AgentId("on-duty".into());
    let t = NOW + 60 * MINUTE;
    // Two sockets: [t, t+10) and [t+10, t+20), touching; a third [t+30, t+40).
    for (socket, from, to) in [("a", 0, 10), ("b", 10, 20), ("c", 30, 40)] {
        store.agent_present(socket, &ws.id, &agent, t + from * MINUTE).await.unwrap();
        store.agent_present(socket, &ws.id, &agent, t + to * MINUTE).await.unwrap();
    }
    // Leads start waiting (and are never answered) at the edges and between.
    let waits = [-1, 0, 5, 10, 20, 25, 30, 40, 41];
    for minutes in waits {
        let (lead, id) = (contact(&store, &ws).await, ConversationId(id("conv")));
        let at = t + minutes * MINUTE;
        let (c, first) = (lead.clone(), lead_message(&lead, "Anyone there?", None));
        let decide: Decide =
            Box::new(move |_| start(id, c, false, ConversationKind::Live, Some(first), at));
        store.record(&ws.id, None, Actor::Contact(lead), at, decide).await.unwrap();
    }
    store.catch_up_reports(&ws.id).await.unwrap();
    let (range, now) = ((t - 2 * MINUTE, t + 60 * MINUTE), t + 120 * MINUTE);
    let parts = ReportParts { responses: true, agents: true, ..ReportParts::NONE };
    let data = store.report_data(&ws.id, range, parts, MINUTE, now).await.unwrap();
    assert_eq!(data.totals.missed, waits.len() as u64);
    // Online at 0, 5, 10 (the second socket), 30; not at -1, 20, 25, 40 (ends are open), 41.
    assert_eq!(data.totals.missed_online, 4);
    let (listed, _) = store
        .report_list(
            &ws.id,
            &ReportQuery { from: range.0, to: range.1, per_page: 50, ..ReportQuery::default() },
            MINUTE,
            now,
        )
        .await
        .unwrap();
    let facts: Vec<_> = listed.into_iter().map(|l| l.facts).collect();
    let defined = reports::CycleTotals::of(&facts, MINUTE, now, &data.presence, &data.calendar);
    assert_eq!(data.totals.missed_online, defined.missed_online);
}

/// Active users are distinct leads, whatever order their days were folded in.
async fn active_users_count_each_lead_once(store: Arc<dyn Store>) {
    use porch_domain::reports::{ReportParts, DAY};
    let ws = workspace(&store).await;
    let (ada, bob) = (contact(&store, &ws).await, contact(&store, &ws).await);
    let day = NOW - NOW.rem_euclid(DAY);
    let (conversation, _) = start_conversation(&store, &ws, &ada, "Hello").await;
    let post = |lead: &ContactId, conversation: &ConversationId, at: Millis| {
        let (store, ws, lead, conversation) =
            (store.clone(), ws.id.clone(), lead.clone(), conversation.clone());
        async move {
            let decide = lead_posts(lead_message(&lead, "Still there?", None), at);
            let by = Actor::Contact(lead);
            store.record(&ws, Some(&conversation), by, at, decide).await.unwrap();
            store.catch_up_reports(&ws).await.unwrap();
        }
    };
    // Ada writes on days 0 and 5, then (folded last, as another server might) on day 2.
    post(&ada, &conversation, day + 5 * DAY).await;
    post(&ada, &conversation, day + 2 * DAY).await;
    let (other, _) = start_conversation(&store, &ws, &bob, "Hi").await;
    post(&bob, &other, day + 2 * DAY + 1).await;
    // Bob wrote on days 0 and 2.
    let users = |from: Millis, to: Millis| {
        let (store, ws) = (store.clone(), ws.id.clone());
        async move {
            let parts = ReportParts { users: true, ..ReportParts::NONE };
            let data = store.report_data(&ws, (from, to), parts, DAY, NOW).await.unwrap();
            data.active_users
        }
    };
    assert_eq!(users(day, day + DAY).await, 2);
    assert_eq!(users(day + DAY, day + 2 * DAY).await, 0);
    assert_eq!(users(day + 2 * DAY, day + 3 * DAY).await, 2);
    assert_eq!(users(day + 3 * DAY, day + 6 * DAY).await, 1, "Ada on day 5");
    assert_eq!(users(day + DAY, day + 6 * DAY).await, 2, "Ada once, on days 2 and 5");
    assert_eq!(users(day, day + 6 * DAY).await, 2);
    assert_eq!(users(day + 5 * DAY, day + 6 * DAY).await, 1);
    // A range within a day counts the whole day.
    assert_eq!(users(day + 5 * DAY + 1, day + 5 * DAY + 2).await, 1);
}

fn keyed(
    mut cycles: Vec<porch_domain::reports::CycleFacts>,
) -> Vec<porch_domain::reports::CycleFacts> {
    cycles.sort_by_key(|c| (c.conversation_id.clone(), c.cycle));
    cycles
}

async fn reports_fold_the_log_as_the_domain_defines(store: Arc<dyn Store>) {
    use porch_domain::reports;
    let (ws, agents) = testing::busy_workspace(store.as_ref(), &["Ann", "Bob"]).await.unwrap();
    let plan = generate::HistoryPlan { conversations: 80, start: NOW, days: 3, seed: 7, agents };
    let made = generate::history(&*store, &ws, &plan).await.unwrap();
    assert!(made.conversations >= 75 && made.messages > 200, "{made:?}");
    let seq = store.last_seq(&ws.id).await.unwrap();
    assert_eq!(store.catch_up_reports(&ws.id).await.unwrap(), seq);
    assert_eq!(store.catch_up_reports(&ws.id).await.unwrap(), 0, "nothing new, nothing folded");

    // Later events on conversations folded earlier continue from the stored cycle.
    let frames = store.events_after(&ws.id, 0, None, u32::MAX).await.unwrap();
    let later = NOW + 10 * reports::DAY;
    let (mut touched, mut answered) = (0, 0);
    for c in reports::cycles(&frames).iter().rev().take(30) {
        let lead = c.contact_id.clone();
        let message = lead_message(&lead, "One more thing about my order, please.", None);
        let decide = lead_posts(message, later);
        if store
            .record(&ws.id, Some(&c.conversation_id), Actor::Contact(lead), later, decide)
            .await
            .is_ok()
        {
            touched += 1;
        }
        // Its agent answers: a conversation span folded earlier grows (and moves its day's
        // conversation time in the roll-up).
        let Some(agent) = c.assignee.clone() else { continue };
        let reply = NewMessage {
            author_kind: AuthorKind::Agent,
            author_id: Some(agent.0.clone()),
            ..lead_message(&c.contact_id, "Sorted, thanks for waiting.", None)
        };
        let at = later + reports::MINUTE;
        let decide: Decide = Box::new(move |state: Option<&ConversationState>| {
            post_message(state.expect("target"), reply, &LeadOptions::default(), at)
        });
        let by = Actor::Agent(agent);
        if store.record(&ws.id, Some(&c.conversation_id), by, at, decide).await.is_ok() {
            answered += 1;
        }
    }
    assert!(touched > 0 && answered > 0, "{touched} {answered}");
    let more = store.last_seq(&ws.id).await.unwrap() - seq;
    assert_eq!(store.catch_up_reports(&ws.id).await.unwrap(), more);

    let frames = store.events_after(&ws.id, 0, None, u32::MAX).await.unwrap();
    let expected = reports::cycles(&frames);
    let flows: std::collections::HashSet<_> = expected.iter().map(|c| c.start_flow).collect();
    assert!(flows.len() >= 5, "the history exercises the start flows: {flows:?}");
    assert!(expected.iter().any(|c| c.closing_source == Some(ClosingSource::AutoClose)));
    assert!(expected.iter().any(|c| c.cycle > 1), "and reopens");
    let manual = |outcome| {
        expected.iter().any(|c| {
            c.closing_source == Some(ClosingSource::Manual)
                && c.outcome == Some(outcome)
                && c.category.is_some()
        })
    };
    assert!(manual(Outcome::Resolved) && manual(Outcome::Unresolved), "closes with notes");

    // The folded cycles are the domain's fold of the whole log (read back through the list).
    let (threshold, now) = (reports::DEFAULT_MISSED_AFTER, later + reports::DAY);
    let everything =
        ReportQuery { from: 0, to: Millis::MAX, page: 1, per_page: 500, ..ReportQuery::default() };
    let (listed, total) = store.report_list(&ws.id, &everything, threshold, now).await.unwrap();
    assert!(total < 500, "one page holds them all");
    let folded: Vec<_> = listed.into_iter().map(|l| l.facts).collect();
    assert_eq!(keyed(folded), keyed(expected.clone()));
    // The summaries' SQL aggregates are the domain's totals over those facts, for the whole
    // log (whole days, read from the daily roll-ups) and for a window that cuts through days
    // (NOW is 22:13 UTC: a part of a day, a whole day, a part of a day).
    let data = store
        .report_data(&ws.id, (0, Millis::MAX), reports::ReportParts::ALL, threshold, now)
        .await
        .unwrap();
    let totals = |from: Millis, to: Millis| {
        let within: Vec<_> = expected
            .iter()
            .filter(|c| c.started_at >= from && c.started_at < to)
            .cloned()
            .collect();
        reports::CycleTotals::of(&within, threshold, now, &data.presence, &data.calendar)
    };
    assert_eq!(data.totals, totals(0, Millis::MAX));
    assert!(data.totals.missed > 0 && data.totals.missed_online > 0 && data.totals.handled > 0);
    let (from, to) = (NOW + reports::DAY, NOW + 3 * reports::DAY);
    let window = store
        .report_data(&ws.id, (from, to), reports::ReportParts::ALL, threshold, now)
        .await
        .unwrap();
    assert_eq!(window.totals, totals(from, to));
    assert!(window.totals.cycles > 0 && window.totals.cycles < data.totals.cycles);
    // Each page reads only its parts and shows what it would with all of them.
    let parts = |parts| store.report_data(&ws.id, (from, to), parts, threshold, now);
    use reports::ReportParts as Parts;
    let closing = reports::closing(&parts(Parts::CLOSING).await.unwrap());
    assert_eq!(closing, reports::closing(&window));
    assert!(closing.closed > 0 && !closing.by_category.is_empty());
    let centre = reports::contact_centre(&parts(Parts::CONTACT_CENTRE).await.unwrap());
    assert_eq!(centre, reports::contact_centre(&window));
    assert!(centre.first_response.median_ms.is_some() && !centre.agents.is_empty());
    let activity = reports::activity(&parts(Parts::ACTIVITY).await.unwrap());
    assert_eq!(activity, reports::activity(&window));
    let chatbot = reports::chatbot(&parts(Parts::CHATBOT).await.unwrap());
    assert_eq!(chatbot, reports::chatbot(&window));
    assert!(!chatbot.start_flows.is_empty() && !chatbot.intents.is_empty());
    let agents = parts(Parts { agents: true, ..Parts::NONE }).await.unwrap();
    assert_eq!(reports::contact_centre(&agents).agents, centre.agents, "the agent charts' part");
    let posted = frames.iter().filter(|f| matches!(f.event, Event::MessagePosted { .. })).count();
    assert_eq!(data.messages.total, posted as u64);
    let mut minutes: std::collections::BTreeMap<Millis, (u64, u64)> = Default::default();
    for f in &frames {
        if let Event::MessagePosted { message } = &f.event {
            let minute = minutes.entry(f.at - f.at.rem_euclid(reports::MINUTE)).or_default();
            minute.0 += 1;
            minute.1 += u64::from(message.author_kind == AuthorKind::Contact);
        }
    }
    let minutes: Vec<_> = minutes.into_iter().map(|(m, (n, lead))| (m, n, lead)).collect();
    let utc = porch_domain::Calendar::default();
    assert_eq!(
        data.messages,
        reports::MessageTotals::of(&minutes, &utc),
        "summed in SQL as defined"
    );
    let within: Vec<_> = minutes.iter().filter(|m| m.0 >= from && m.0 < to).copied().collect();
    assert_eq!(window.messages, reports::MessageTotals::of(&within, &utc));
    assert!(window.messages.peak.is_some());
    let assigned = |from: Millis, to: Millis| {
        let within = |f: &&EventFrame| f.at >= from && f.at < to;
        frames.iter().filter(within).filter(|f| matches!(f.event, Event::Assigned { .. })).count()
    };
    assert_eq!(data.assignments.iter().map(|a| a.2).sum::<u64>(), assigned(0, Millis::MAX) as u64);
    assert_eq!(window.assignments.iter().map(|a| a.2).sum::<u64>(), assigned(from, to) as u64);
    // Conversation time per agent and day: each agent's first to last message in each
    // conversation, by the day of the first.
    let mut spans: std::collections::BTreeMap<(String, String), (Millis, Millis)> =
        Default::default();
    for f in &frames {
        if let (Event::MessagePosted { message }, Some(id)) = (&f.event, f.event.conversation_id())
        {
            if let (AuthorKind::Agent, Some(agent)) = (message.author_kind, &message.author_id) {
                let span = spans.entry((agent.clone(), id.0.clone())).or_insert((f.at, f.at));
                span.1 = f.at;
            }
        }
    }
    // (Days whose spans sum to nothing, single messages, are left out.)
    let per_day = |from: Millis, to: Millis| {
        let mut per_day: std::collections::BTreeMap<(String, Millis), Millis> = Default::default();
        for ((agent, _), (first, last)) in &spans {
            if *first >= from && *first < to && last > first {
                *per_day.entry((agent.clone(), utc.day_of(*first))).or_default() += last - first;
            }
        }
        per_day.into_iter().collect::<Vec<_>>()
    };
    let got = |data: &reports::ReportData| {
        let mut got: Vec<_> =
            data.spans.iter().map(|(a, day, ms)| ((a.0.clone(), *day), *ms)).collect();
        got.sort();
        got
    };
    assert_eq!(got(&data), per_day(0, Millis::MAX));
    assert_eq!(got(&window), per_day(from, to));
    // An intent: a quick answer picked, or the lead asking for a person.
    let intent = |f: &EventFrame| match (&f.event, &f.actor) {
        (Event::QuickAnswerChosen { question, .. }, _) => Some(question.clone()),
        (Event::HandedToHuman { .. }, Actor::Contact(_)) => Some(reports::TALK_TO_A_PERSON.into()),
        _ => None,
    };
    // Intents picked in the range, by intent.
    let intents = |from: Millis, to: Millis| {
        let mut counts: std::collections::BTreeMap<String, u64> = Default::default();
        for f in frames.iter().filter(|f| f.at >= from && f.at < to) {
            if let Some(intent) = intent(f) {
                *counts.entry(intent).or_default() += 1;
            }
        }
        counts.into_iter().collect::<Vec<_>>()
    };
    // Intents of cycles started in the range and closed as unresolved: each intent belongs to
    // the cycle that was current when it was picked.
    let unresolved = |from: Millis, to: Millis| {
        let mut counts: std::collections::BTreeMap<String, u64> = Default::default();
        for f in &frames {
            let Some(intent) = intent(f) else { continue };
            let id = f.event.conversation_id();
            let cycle = expected
                .iter()
                .filter(|c| Some(&c.conversation_id) == id && c.started_at <= f.at)
                .max_by_key(|c| c.cycle);
            if cycle.is_some_and(|c| {
                c.outcome == Some(Outcome::Unresolved) && c.started_at >= from && c.started_at < to
            }) {
                *counts.entry(intent).or_default() += 1;
            }
        }
        counts.into_iter().collect::<Vec<_>>()
    };
    let sorted = |mut counts: Vec<(String, u64)>| {
        counts.sort();
        counts
    };
    assert_eq!(sorted(data.intents.clone()), intents(0, Millis::MAX));
    assert_eq!(sorted(window.intents.clone()), intents(from, to));
    assert_eq!(sorted(data.unresolved_intents.clone()), unresolved(0, Millis::MAX));
    assert_eq!(sorted(window.unresolved_intents.clone()), unresolved(from, to));
    assert!(
        !window.unresolved_intents.is_empty(),
        "the history has unresolved conversations with intents"
    );
    assert_eq!(data.new_users, made.contacts);
    // Leads who wrote on the days the range touches.
    let active = |from: Millis, to: Millis| {
        let wrote = |f: &&EventFrame| match &f.event {
            Event::MessagePosted { message } => message.author_kind == AuthorKind::Contact,
            _ => false,
        };
        let days = |f: &&EventFrame| f.at >= utc.day_of(from) && f.at < to;
        let leads = frames.iter().filter(wrote).filter(days).filter_map(|f| match &f.actor {
            Actor::Contact(lead) => Some(lead.clone()),
            _ => None,
        });
        leads.collect::<std::collections::HashSet<_>>().len() as u64
    };
    assert_eq!(data.active_users, active(0, Millis::MAX));
    assert_eq!(window.active_users, active(from, to));
    assert!(window.active_users > 0 && window.active_users < data.active_users);
    assert!(data.languages.len() >= 3, "{:?}", data.languages);
    assert_eq!(data.agents.len(), 2);

    // The list's SQL filters give exactly the domain's verdicts, page by page.
    for missed in [true, false] {
        let want: std::collections::BTreeSet<_> = expected
            .iter()
            .filter(|c| c.missed(threshold, now) == Some(missed))
            .map(|c| (c.conversation_id.clone(), c.cycle))
            .collect();
        assert!(!want.is_empty(), "missed={missed} happens in the history");
        let mut got = std::collections::BTreeSet::new();
        for page in 1.. {
            let query = ReportQuery {
                from: 0,
                to: Millis::MAX,
                missed: Some(missed),
                page,
                per_page: 7,
                ..ReportQuery::default()
            };
            let (rows, total) = store.report_list(&ws.id, &query, threshold, now).await.unwrap();
            assert_eq!(total, want.len() as u64);
            if rows.is_empty() {
                break;
            }
            got.extend(rows.into_iter().map(|r| (r.facts.conversation_id, r.facts.cycle)));
        }
        assert_eq!(got, want, "missed={missed}");
    }
    // Filters and sorting: the slowest first responses of Ann's unresolved cycles.
    let ann = data.agents[0].0.clone();
    let query = ReportQuery {
        from: 0,
        to: Millis::MAX,
        agent: Some(ann.clone()),
        outcome: Some(Outcome::Unresolved),
        sort: ReportSort::FirstResponse,
        desc: true,
        page: 1,
        per_page: 500,
        ..ReportQuery::default()
    };
    let (rows, total) = store.report_list(&ws.id, &query, threshold, now).await.unwrap();
    let want = expected
        .iter()
        .filter(|c| c.assignee.as_ref() == Some(&ann) && c.outcome == Some(Outcome::Unresolved))
        .count();
    assert_eq!((rows.len() as u64, total), (want as u64, want as u64));
    assert!(rows.iter().all(|r| r.agent_name.as_deref() == Some(data.agents[0].1.as_str())));
    let times: Vec<_> = rows.iter().filter_map(|r| r.facts.first_response_time()).collect();
    assert!(times.windows(2).all(|w| w[0] >= w[1]), "{times:?}");
}

/// Report days are the workspace's: midnight to midnight in its time zone, a 25-hour day where
/// clocks go back; a new time zone folds the log again into its days.
async fn report_days_are_the_workspace_days(store: Arc<dyn Store>) {
    use porch_domain::reports::{self, ReportParts, DAY, MINUTE};
    use porch_domain::Calendar;
    const HOUR: Millis = 3_600_000;
    let ws = workspace(&store).await;
    let set_zone = |zone: &str, at: Millis| {
        let settings = WorkspaceSettings {
            time_zone: TimeZoneName(zone.into()),
            ..WorkspaceSettings::default()
        };
        let decide: Decide = Box::new(move |_| Ok(vec![Event::SettingsChanged { settings }]));
        let store = store.clone();
        let ws = ws.id.clone();
        async move { store.record(&ws, None, Actor::System, at, decide).await.unwrap() }
    };
    let new_york = Calendar::named("America/New_York").unwrap();
    // New York's 2023-11-05 is 25 hours long (clocks go back at 02:00).
    let (nov_4, nov_5) =
        (new_york.start_of(2023, 11, 4).unwrap(), new_york.start_of(2023, 11, 5).unwrap());
    let nov_6 = new_york.start_of(2023, 11, 6).unwrap();
    assert_eq!(nov_6 - nov_5, 25 * HOUR);
    set_zone("America/New_York", nov_4 - DAY).await;
    // Leads write at 23:30 on the 4th, 00:30 and 23:30 on the 5th (New York time): UTC puts
    // all three on the 5th and 6th differently.
    let times = [nov_5 - 30 * 60_000, nov_5 + 30 * 60_000, nov_6 - 30 * 60_000];
    for at in times {
        let (lead, id) = (contact(&store, &ws).await, ConversationId(id("conv")));
        let (c, first) = (lead.clone(), lead_message(&lead, "Hello?", None));
        let decide: Decide =
            Box::new(move |_| start(id, c, false, ConversationKind::Live, Some(first), at));
        store.record(&ws.id, None, Actor::Contact(lead), at, decide).await.unwrap();
    }
    store.catch_up_reports(&ws.id).await.unwrap();
    let range = (nov_4, nov_6 + DAY);
    let now = nov_6 + 2 * DAY;
    let data = store.report_data(&ws.id, range, ReportParts::ALL, MINUTE, now).await.unwrap();
    assert_eq!(data.calendar, new_york);
    assert_eq!(data.totals.per_day, [(nov_4, 1), (nov_5, 2)]);
    let daily: Vec<_> =
        reports::activity(&data).daily.iter().map(|d| (d.day, d.conversations)).collect();
    assert_eq!(daily, [(nov_4, 1), (nov_5, 2), (nov_6, 0)], "empty days listed, by local day");
    // A window cutting through days gives what the domain defines over its rows.
    let window = (nov_5 + 12 * HOUR, nov_6 + 12 * HOUR);
    let cut = store.report_data(&ws.id, window, ReportParts::ALL, MINUTE, now).await.unwrap();
    assert_eq!(cut.totals.per_day, [(nov_5, 1)]);
    assert_eq!(cut.messages.per_day, [(nov_5, 1, 1)]);

    // In UTC the same log has other days: folded again from the start.
    let seq = store.last_seq(&ws.id).await.unwrap();
    set_zone("UTC", now).await;
    assert_eq!(store.catch_up_reports(&ws.id).await.unwrap(), seq + 1, "the whole log again");
    let utc = Calendar::default();
    let data = store.report_data(&ws.id, range, ReportParts::ALL, MINUTE, now).await.unwrap();
    let by_utc_day = |at: Millis| utc.day_of(at);
    let expected: Vec<(Millis, u64)> = {
        let mut days: std::collections::BTreeMap<Millis, u64> = Default::default();
        times.iter().for_each(|at| *days.entry(by_utc_day(*at)).or_default() += 1);
        days.into_iter().collect()
    };
    assert_eq!(data.totals.per_day, expected);
    assert_ne!(data.totals.per_day, [(nov_4, 1), (nov_5, 2)]);
}

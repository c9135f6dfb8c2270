//! What keeps Porch safe on the internet and needs the store: sign-in attempts counted across
//! servers, and a sender's `client_id` naming one message.

use super::*;

const POLICY: SignInPolicy =
    SignInPolicy { free: 5, first_wait: 1_000, max_wait: 60_000, window: 3_600_000 };

pub async fn concurrent_sign_in_attempts_are_counted_exactly(store: Arc<dyn Store>) {
    let tasks: Vec<_> = (0..40)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move { store.reserve_sign_in("k", &POLICY, NOW).await.unwrap() })
        })
        .collect();
    let mut allowed = 0;
    for task in tasks {
        match task.await.unwrap() {
            Ok(()) => allowed += 1,
            Err(until) => assert_eq!(until, NOW + 1_000),
        }
    }
    assert_eq!(allowed, POLICY.free, "only the free attempts go ahead, however many race");
    assert!(store.reserve_sign_in("other", &POLICY, NOW).await.unwrap().is_ok(), "per key");
}

pub async fn sign_in_waits_grow_and_a_success_forgets(store: Arc<dyn Store>) {
    for _ in 0..POLICY.free {
        store.reserve_sign_in("k", &POLICY, NOW).await.unwrap().unwrap();
    }
    assert_eq!(store.reserve_sign_in("k", &POLICY, NOW + 999).await.unwrap(), Err(NOW + 1_000));
    store.reserve_sign_in("k", &POLICY, NOW + 1_000).await.unwrap().unwrap();
    let doubled = store.reserve_sign_in("k", &POLICY, NOW + 1_000).await.unwrap();
    assert_eq!(doubled, Err(NOW + 3_000));

    // A success on a key that keeps count takes one failure off and lifts the wait.
    store.sign_in_succeeded("k", false).await.unwrap();
    store.reserve_sign_in("k", &POLICY, NOW + 1_000).await.unwrap().unwrap();
    let again = store.reserve_sign_in("k", &POLICY, NOW + 1_000).await.unwrap();
    assert_eq!(again, Err(NOW + 3_000), "still counting: the wait is back");
    // One that forgets starts over.
    store.sign_in_succeeded("k", true).await.unwrap();
    for _ in 0..POLICY.free {
        store.reserve_sign_in("k", &POLICY, NOW + 1_000).await.unwrap().unwrap();
    }
    // A window after the last attempt, the count starts over too; old rows are purged.
    let later = NOW + 1_000 + POLICY.window + 1_000;
    store.reserve_sign_in("k", &POLICY, later).await.unwrap().unwrap();
    assert_eq!(store.purge_sign_ins(later).await.unwrap(), 0, "just used");
    assert_eq!(store.purge_sign_ins(later + 1).await.unwrap(), 1);
}

pub async fn a_client_id_names_one_message_of_its_sender(store: Arc<dyn Store>) {
    let ws = workspace(&store).await;
    let lead = contact(&store, &ws).await;
    let (first, _) = start_conversation(&store, &ws, &lead, "Hello").await;
    let (second, _) = start_conversation(&store, &ws, &lead, "Hello again").await;
    let actor = Actor::Contact(lead.clone());
    let once = lead_posts(lead_message(&lead, "once", Some("c1")), NOW);
    store.record(&ws.id, Some(&first), actor.clone(), NOW, once).await.unwrap();
    let elsewhere = lead_posts(lead_message(&lead, "elsewhere", Some("c1")), NOW);
    let refused = store.record(&ws.id, Some(&second), actor, NOW, elsewhere).await;
    assert!(matches!(refused, Err(StoreError::Conflict("client_id"))), "{refused:?}");
    let stored = store.message_by_client_id(&ws.id, lead.as_str(), "c1").await.unwrap().unwrap();
    assert_eq!((stored.body.as_str(), &stored.conversation_id), ("once", &first));
    assert_eq!(store.messages(&ws.id, &second).await.unwrap().len(), 1, "nothing stored");

    // Another sender's client id is theirs: an agent's reply and a lead's message may carry
    // the same one in one conversation (a lead sees the agent's in their frames), in one batch
    // with another lead's message, which must not fail with them.
    let other = contact(&store, &ws).await;
    let (theirs, _) = start_conversation(&store, &ws, &other, "Hi").await;
    let reply = NewMessage {
        author_kind: AuthorKind::Agent,
        author_id: Some("agent-1".into()),
        ..lead_message(&lead, "from us", Some("r1"))
    };
    store.record(&ws.id, Some(&first), Actor::System, NOW, lead_posts(reply, NOW)).await.unwrap();
    let same = lead_posts(lead_message(&lead, "same id", Some("r1")), NOW);
    let bystander = lead_posts(lead_message(&other, "unrelated", Some("b1")), NOW);
    let commands = vec![command(&ws, Some(&first), same), command(&ws, Some(&theirs), bystander)];
    let answers = store.record_batch(NOW, commands).await.expect("the batch commits");
    assert!(answers.iter().all(|a| a.is_ok()), "{answers:?}");
    assert_eq!(store.messages(&ws.id, &theirs).await.unwrap().len(), 2);
}

pub async fn a_password_link_works_once_before_it_expires(store: Arc<dyn Store>) {
    let ws = workspace(&store).await;
    let ann = member(&store, &ws, Role::Owner, "s-ann").await;
    let id = ann.agent.id.clone();
    store.create_password_link("l1", &id, PasswordLink::Setup, NOW, NOW + 10).await.unwrap();
    store.create_password_link("l2", &id, PasswordLink::Reset, NOW, NOW + 10).await.unwrap();
    store.create_password_link("old", &id, PasswordLink::Reset, NOW, NOW).await.unwrap();

    assert_eq!(store.use_password_link("old", "x", NOW).await.unwrap(), None, "expired");
    assert_eq!(store.use_password_link("nope", "x", NOW).await.unwrap(), None, "unknown");
    let used = store.use_password_link("l1", "h2", NOW + 5).await.unwrap();
    assert_eq!(used, Some(ann.clone()));
    let person = store.person(&ann.agent.email).await.unwrap().unwrap();
    assert_eq!(person.password_hash, "h2");
    assert_eq!(store.session_agent("s-ann", NOW).await.unwrap(), None, "sessions ended");
    assert_eq!(store.use_password_link("l1", "h3", NOW + 5).await.unwrap(), None, "used");
    assert_eq!(store.use_password_link("l2", "h3", NOW + 5).await.unwrap(), None, "died with l1");
    let person = store.person(&ann.agent.email).await.unwrap().unwrap();
    assert_eq!(person.password_hash, "h2", "nothing changed on a refusal");
}

pub async fn changing_a_password_ends_the_other_sessions(store: Arc<dyn Store>) {
    let ws = workspace(&store).await;
    let ann = member(&store, &ws, Role::Owner, "laptop").await;
    store.create_session("phone", &ann, NOW + 1_000_000).await.unwrap();
    store.set_password(&ann.agent.id, "h2", Some("laptop")).await.unwrap();
    assert_eq!(store.session_agent("laptop", NOW).await.unwrap(), Some(ann.clone()));
    assert_eq!(store.session_agent("phone", NOW).await.unwrap(), None);
    let person = store.person(&ann.agent.email).await.unwrap().unwrap();
    assert_eq!(person.password_hash, "h2");
}

pub async fn widget_origins_and_keys(store: Arc<dyn Store>) {
    let ws = workspace(&store).await;
    store.widget_seen(&ws.id, "https://a.example", NOW).await.unwrap();
    store.widget_seen(&ws.id, "https://b.example", NOW + 1).await.unwrap();
    store.widget_seen(&ws.id, "https://a.example", NOW + 2).await.unwrap();
    let seen = store.widget_origins(&ws.id).await.unwrap();
    assert_eq!(
        seen,
        [("https://a.example".to_owned(), NOW + 2), ("https://b.example".to_owned(), NOW + 1)]
    );
    let other = workspace(&store).await;
    assert!(store.widget_origins(&other.id).await.unwrap().is_empty());

    store.rotate_widget_key(&ws.id, "fresh-key").await.unwrap();
    assert!(store.workspace_by_key(&ws.widget_key).await.unwrap().is_none());
    assert_eq!(store.workspace_by_key("fresh-key").await.unwrap().unwrap().id, ws.id);
    let taken = store.rotate_widget_key(&other.id, "fresh-key").await;
    assert!(matches!(taken, Err(StoreError::Conflict("widget_key"))), "{taken:?}");
    let missing = store.rotate_widget_key(&WorkspaceId("missing".into()), "k2").await;
    assert!(matches!(missing, Err(StoreError::NotFound)));
}

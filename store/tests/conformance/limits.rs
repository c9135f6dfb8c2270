//! Rate limits shared by every server: a bucket per (limit, key) in the store.

use super::*;

const LIMIT: RateLimit = RateLimit { what: "things", burst: 3, every: 1_000 };

fn take(key: &str) -> Take {
    Take { limit: LIMIT, key: key.into() }
}

/// The wait a refusal names, or a failure naming what came instead.
fn refused(answer: Result<()>) -> Millis {
    match answer {
        Err(StoreError::Limited { what: "things", wait }) => wait,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

pub async fn a_rate_limit_grants_its_burst_then_one_per_period(store: Arc<dyn Store>) {
    for _ in 0..3 {
        store.take(&take("ann"), NOW).await.unwrap();
    }
    assert_eq!(refused(store.take(&take("ann"), NOW).await), 1_000);
    store.take(&take("bob"), NOW).await.expect("another key has its own bucket");
    let other = Take { limit: RateLimit { what: "other things", ..LIMIT }, key: "ann".into() };
    store.take(&other, NOW).await.expect("another limit has its own bucket");
    assert_eq!(refused(store.take(&take("ann"), NOW + 999).await), 1, "not quite a period");
    store.take(&take("ann"), NOW + 1_000).await.expect("a period later, one more");
    assert_eq!(refused(store.take(&take("ann"), NOW + 1_000).await), 1_000, "and only one");
    let later = NOW + 1_000_000;
    for _ in 0..3 {
        store.take(&take("ann"), later).await.expect("refilled to the burst");
    }
    refused(store.take(&take("ann"), later).await);

    // Buckets full again are forgotten; one still waiting is kept.
    assert_eq!(store.purge_rate_limits(later, 1).await.unwrap(), 1, "at most as many as asked");
    assert_eq!(store.purge_rate_limits(later, 10).await.unwrap(), 1, "bob's and the other's");
    refused(store.take(&take("ann"), later).await);
}

pub async fn concurrent_takes_are_counted_exactly(store: Arc<dyn Store>) {
    let takes = (0..20).map(|_| {
        let store = store.clone();
        async move { store.take(&take("flood"), NOW).await }
    });
    let answers = futures_util::future::join_all(takes).await;
    let granted = answers.iter().filter(|a| a.is_ok()).count();
    assert_eq!(granted, 3, "{answers:?}");
    assert!(answers.iter().all(|a| matches!(a, Ok(()) | Err(StoreError::Limited { .. }))));
}

pub async fn a_command_over_its_limit_records_nothing(store: Arc<dyn Store>) {
    let ws = workspace(&store).await;
    let lead = contact(&store, &ws).await;
    let (conversation, _) = start_conversation(&store, &ws, &lead, "Hello").await;
    let before = store.last_seq(&ws.id).await.unwrap();
    let post = |n: usize| {
        let decide = lead_posts(lead_message(&lead, &format!("#{n}"), None), NOW);
        let mut command = command(&ws, Some(&conversation), decide);
        command.takes = vec![take(&lead.0)];
        command
    };
    let answers = store.record_batch(NOW, (0..5).map(post).collect()).await.unwrap();
    let kinds: Vec<_> = answers.iter().map(|a| a.as_ref().map(|f| f.len())).collect();
    assert!(kinds[..3].iter().all(|k| matches!(k, Ok(1))), "{kinds:?}");
    assert!(answers[3..].iter().all(|a| matches!(a, Err(StoreError::Limited { .. }))));
    assert_eq!(store.last_seq(&ws.id).await.unwrap(), before + 3, "the refused wrote nothing");
    let bodies: Vec<_> =
        store.messages(&ws.id, &conversation).await.unwrap().into_iter().map(|m| m.body).collect();
    assert_eq!(bodies, ["Hello", "#0", "#1", "#2"]);
    // What the batch took is committed: the bucket is as empty outside it.
    refused(store.take(&take(&lead.0), NOW).await);
    // A period later a batch reads the stored bucket: one more, and only one.
    let later = NOW + 1_000;
    let answers = store.record_batch(later, (5..7).map(post).collect()).await.unwrap();
    assert!(answers[0].is_ok(), "{:?}", answers[0]);
    assert_eq!(refused(answers.into_iter().nth(1).unwrap().map(|_| ())), 1_000);
}

//! Webhook endpoints: created after the log's end, due when events follow, leased to one
//! owner at a time, advanced or failed only by the lease holder, turned off and on, and their
//! delivery log kept per workspace.

use super::*;

fn endpoint(ws: &Workspace) -> StoredWebhook {
    StoredWebhook {
        workspace_id: ws.id.clone(),
        endpoint: WebhookEndpoint {
            id: id("wh"),
            url: "https://crm.example/hook".into(),
            event_types: vec!["conversation.closed".into()],
            enabled: true,
            disabled_reason: None,
            created_at: NOW,
            failing_since: None,
            next_attempt_at: None,
            previous_secret_until: None,
        },
        secret: "whsec_one".into(),
        previous_secret: None,
        after_seq: 0,
        attempts: 0,
    }
}

fn attempt(n: u32, at: Millis) -> WebhookDelivery {
    WebhookDelivery {
        id: id("del"),
        message_id: "msg_1".into(),
        event_type: "conversation.closed".into(),
        seq: Some(3),
        attempt: n,
        at,
        status: DeliveryStatus::Failed,
        response_code: Some(500),
        latency_ms: 12,
        error: None,
        next_attempt_at: Some(at + 5_000),
    }
}

pub async fn webhook_endpoints_are_leased_advanced_and_logged(store: Arc<dyn Store>) {
    let ws = workspace(&store).await;
    let other = workspace(&store).await;
    let lead = contact(&store, &ws).await;
    start_conversation(&store, &ws, &lead, "before the endpoint").await;
    let hook = endpoint(&ws);
    let id = hook.endpoint.id.clone();
    assert!(store.create_webhook(&hook, 1).await.unwrap());
    assert!(!store.create_webhook(&endpoint(&ws), 1).await.unwrap(), "at most one here");
    let stored = store.webhook(&ws.id, &id).await.unwrap().unwrap();
    assert_eq!(stored.after_seq, store.last_seq(&ws.id).await.unwrap(), "starts at the end");
    assert_eq!(stored.endpoint, hook.endpoint);
    assert_eq!(store.webhook(&other.id, &id).await.unwrap(), None);
    assert!(!store.due_webhooks(NOW, 10).await.unwrap().contains(&id), "nothing new yet");

    start_conversation(&store, &ws, &lead, "after").await;
    assert!(store.due_webhooks(NOW, 10).await.unwrap().contains(&id));
    let leased = store.lease_webhook(&id, "a", NOW, NOW + 30_000).await.unwrap().unwrap();
    assert_eq!(leased.secret, "whsec_one");
    assert_eq!(store.lease_webhook(&id, "b", NOW + 1, NOW + 30_000).await.unwrap(), None);
    assert!(!store.due_webhooks(NOW, 10).await.unwrap().contains(&id), "leased");
    let failure = WebhookFailure {
        attempts: 1,
        failing_since: NOW,
        next_attempt_at: NOW + 5_000,
        disable: None,
    };
    let failed = attempt(1, NOW);
    assert!(!store.webhook_failed(&id, "b", &failure, &failed).await.unwrap(), "b holds no lease");
    assert_eq!(store.webhook_deliveries(&ws.id, &id, 10).await.unwrap(), [], "nor logs");
    assert!(store.webhook_failed(&id, "a", &failure, &failed).await.unwrap());
    assert_eq!(store.webhook_deliveries(&ws.id, &id, 10).await.unwrap(), [failed]);
    store.release_webhook(&id, "a").await.unwrap();
    assert!(!store.due_webhooks(NOW + 4_999, 10).await.unwrap().contains(&id), "waits");
    assert!(store.due_webhooks(NOW + 5_000, 10).await.unwrap().contains(&id));
    let shown = store.webhook(&ws.id, &id).await.unwrap().unwrap().endpoint;
    assert_eq!((shown.failing_since, shown.next_attempt_at), (Some(NOW), Some(NOW + 5_000)));

    // An expired lease passes to another owner, who advances to the end.
    store.lease_webhook(&id, "a", NOW + 5_000, NOW + 6_000).await.unwrap().unwrap();
    let b = store.lease_webhook(&id, "b", NOW + 6_000, NOW + 9_000).await.unwrap().unwrap();
    assert_eq!(b.attempts, 1);
    let last = store.last_seq(&ws.id).await.unwrap();
    let delivered =
        WebhookDelivery { status: DeliveryStatus::Delivered, ..attempt(2, NOW + 6_000) };
    assert!(!store.webhook_advanced(&id, "a", last, Some(&delivered)).await.unwrap(), "lost");
    assert!(store.webhook_advanced(&id, "b", last, Some(&delivered)).await.unwrap());
    assert_eq!(store.webhook_deliveries(&ws.id, &id, 10).await.unwrap().len(), 2);
    let done = store.webhook(&ws.id, &id).await.unwrap().unwrap();
    assert_eq!((done.after_seq, done.attempts, done.endpoint.failing_since), (last, 0, None));
    store.release_webhook(&id, "b").await.unwrap();
    assert!(!store.due_webhooks(NOW + 10_000, 10).await.unwrap().contains(&id), "all sent");

    // Failing for too long turns it off, with the reason; turning it on forgets the failures.
    start_conversation(&store, &ws, &lead, "more").await;
    store.lease_webhook(&id, "a", NOW + 10_000, NOW + 20_000).await.unwrap().unwrap();
    let off = WebhookFailure { disable: Some("failed for a day".into()), ..failure };
    assert!(store.webhook_failed(&id, "a", &off, &attempt(1, NOW + 10_000)).await.unwrap());
    let shown = store.webhook(&ws.id, &id).await.unwrap().unwrap().endpoint;
    assert_eq!(
        (shown.enabled, shown.disabled_reason.as_deref()),
        (false, Some("failed for a day"))
    );
    assert!(!store.due_webhooks(NOW + 100_000, 10).await.unwrap().contains(&id), "off");
    assert_eq!(store.lease_webhook(&id, "c", NOW + 100_000, NOW + 1).await.unwrap(), None);
    let on = SaveWebhook {
        url: "https://crm.example/v2".into(),
        event_types: vec!["message.created".into()],
        enabled: true,
    };
    assert_eq!(store.save_webhook(&other.id, &id, &on, NOW).await.unwrap(), None);
    let saved = store.save_webhook(&ws.id, &id, &on, NOW + 20_000).await.unwrap().unwrap();
    assert_eq!((saved.attempts, saved.endpoint.failing_since), (0, None));
    assert_eq!(
        (saved.endpoint.url.as_str(), saved.endpoint.disabled_reason),
        ("https://crm.example/v2", None)
    );
    assert!(store.due_webhooks(NOW + 20_000, 10).await.unwrap().contains(&id));

    // The secret rotates with an overlap.
    assert!(!store.rotate_webhook_secret(&other.id, &id, "whsec_x", NOW).await.unwrap());
    assert!(store.rotate_webhook_secret(&ws.id, &id, "whsec_two", NOW + 86_400_000).await.unwrap());
    let rotated = store.webhook(&ws.id, &id).await.unwrap().unwrap();
    assert_eq!(
        (rotated.secret.as_str(), rotated.previous_secret.as_deref()),
        ("whsec_two", Some("whsec_one"))
    );
    assert_eq!(rotated.endpoint.previous_secret_until, Some(NOW + 86_400_000));

    // The log: newest first, its own workspace only, purged by age; deleting takes it along.
    let pinged = attempt(1, NOW + 30_000);
    store.record_webhook_delivery(&id, &pinged).await.unwrap();
    let log = store.webhook_deliveries(&ws.id, &id, 10).await.unwrap();
    assert_eq!((log.len(), &log[0]), (4, &pinged));
    assert!(log.windows(2).all(|w| w[0].at >= w[1].at), "newest first");
    assert_eq!(store.webhook_deliveries(&other.id, &id, 10).await.unwrap(), []);
    assert!(store.purge_webhook_deliveries(NOW + 30_000, 100).await.unwrap() >= 3);
    assert_eq!(store.webhook_deliveries(&ws.id, &id, 10).await.unwrap(), [pinged]);
    assert!(!store.delete_webhook(&other.id, &id).await.unwrap());
    assert!(store.delete_webhook(&ws.id, &id).await.unwrap());
    assert_eq!(store.webhooks(&ws.id).await.unwrap(), []);
    assert_eq!(store.webhook_deliveries(&ws.id, &id, 10).await.unwrap(), []);
}

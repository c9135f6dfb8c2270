//! What the reports count beside the fold: agents online while a lead waited, active users,
//! and the days reports are cut into, on both backends the same.

use super::*;

/// Whether an agent was online when a missed lead started waiting follows the domain's
/// half-open presence intervals exactly, at their edges too.
pub async fn missed_waits_are_online_within_half_open_presence(store: Arc<dyn Store>) {
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
pub async fn active_users_count_each_lead_once(store: Arc<dyn Store>) {
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

/// Report days are the workspace's: midnight to midnight in its time zone, a 25-hour day where
/// clocks go back; a new time zone folds the log again into its days.
pub async fn report_days_are_the_workspace_days(store: Arc<dyn Store>) {
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

//! The report tables: the fold of the log into them, what the report pages read back, on
//! both backends the same. Presence, active users and report days: `report_counts.rs`.

use super::*;

/// Cycles in one order, to compare sets of them.
fn keyed(
    mut cycles: Vec<porch_domain::reports::CycleFacts>,
) -> Vec<porch_domain::reports::CycleFacts> {
    cycles.sort_by_key(|c| (c.conversation_id.clone(), c.cycle));
    cycles
}

pub async fn reports_fold_the_log_as_the_domain_defines(store: Arc<dyn Store>) {
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
    let end = NOW + 3 * reports::DAY;
    let late: Vec<_> = frames.iter().filter(|f| f.at > end).map(|f| f.at - end).collect();
    assert!(late.is_empty(), "history past its end (now, for the demo): {late:?}");
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

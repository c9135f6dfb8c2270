//! Reports over the API: who may read them, the list's filters, the CSV, the summaries, and
//! the owner's missed threshold, on a history made through the real endpoints and the manual
//! clock.

use porch_protocol::{self as wire, Millis};
use porch_server::demo;
use porch_tests::browser::eventually;
use porch_tests::{AgentClient, LeadClient, TestServer};
use serde_json::json;

const MIN: Millis = 60_000;

fn range(server: &TestServer) -> String {
    let now = server.clock_now();
    format!("from={}&to={}", now - 60 * MIN, now + 24 * 60 * MIN)
}

#[tokio::test]
async fn only_owners_and_managers_read_reports_and_bad_queries_are_refused() {
    let server = TestServer::start().await;
    let (owner, agent) = (AgentClient::owner(&server).await, AgentClient::demo(&server).await);
    let q = range(&server);
    for report in
        ["conversations", "conversations.csv", "closing", "contact-centre", "activity", "chatbot"]
    {
        let path = format!("/api/v1/agent/reports/{report}?{q}");
        agent.http.get(&path).await.assert_error(403, "forbidden");
        porch_tests::Http::new(&server).get(&path).await.assert_error(401, "unauthorized");
        assert_eq!(owner.http.get(&path).await.status, 200, "{report}");
        let backwards = format!("/api/v1/agent/reports/{report}?from=10&to=5");
        owner.http.get(&backwards).await.assert_error(422, "invalid_range");
        let junk = format!("/api/v1/agent/reports/{report}?from=yesterday&to=5");
        owner.http.get(&junk).await.assert_error(400, "invalid_query");
    }
    let unknown_sort = format!("/api/v1/agent/reports/conversations?{q}&sort=mood");
    owner.http.get(&unknown_sort).await.assert_error(400, "invalid_query");
    set_missed_after(&agent, 60).await.assert_error(403, "forbidden");
    set_missed_after(&owner, 1).await.assert_error(422, "invalid_settings");
    assert_eq!(set_missed_after(&owner, 60).await.status, 200);
}

async fn set_missed_after(who: &AgentClient, minutes: u32) -> porch_tests::Answer {
    let body = json!({"missed_after_minutes": minutes});
    who.http.send(reqwest::Method::PUT, "/api/v1/agent/settings/reports", Some(body)).await
}

#[tokio::test]
async fn the_reports_count_a_real_history() {
    let server = TestServer::start().await;
    let q = range(&server);
    let (owner, agent) = (AgentClient::owner(&server).await, AgentClient::demo(&server).await);
    // The owner has the inbox open for the first ten minutes.
    let owner_socket = owner.socket(&server, 0).await;

    // A: answered after 2 minutes by Sam, closed unresolved with a category.
    let a_lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let a = a_lead.start("Hello, my parcel never arrived and the tracking is stuck.").await;
    agent.act(&a.id, "assign", json!({"agent_id": agent.me.agent.id})).await;
    server.advance(2 * MIN);
    agent.reply(&a.id, "Sorry about that, I am looking into it.").await;
    let note = json!({"category": "Order issue", "summary": "Parcel lost, refund, order 1042"});
    let closed = agent.act(&a.id, "close", json!({"outcome": "unresolved", "note": note})).await;
    assert_eq!(closed.status, 200, "{}", closed.body);
    // B: nobody answers while the owner is online.
    let b = LeadClient::open(&server, demo::WIDGET_KEY).await.start("Anyone there?").await;
    server.advance(8 * MIN);
    drop(owner_socket);
    eventually("the owner's connection to end", || async {
        let centre: wire::ContactCentreReport =
            owner.http.get(&format!("/api/v1/agent/reports/contact-centre?{q}")).await.json();
        let olivia = centre.agents.iter().find(|a| a.agent_id == owner.me.agent.id)?;
        (olivia.connection_ms == 10 * MIN).then_some(())
    })
    .await;
    // C: nobody answers and nobody is online.
    server.advance(MIN);
    let c = LeadClient::open(&server, demo::WIDGET_KEY).await.start("Hello?").await;
    server.advance(4 * 60 * MIN);

    let list = |filter: &'static str| {
        let (http, q) = (&owner.http, q.clone());
        async move {
            http.get(&format!("/api/v1/agent/reports/conversations?{q}{filter}"))
                .await
                .json::<wire::ReportList>()
        }
    };
    let all = list("").await;
    assert_eq!(all.total, 3);
    let ids =
        |l: &wire::ReportList| l.rows.iter().map(|r| r.conversation_id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(&all), [a.id.clone(), b.id.clone(), c.id.clone()], "oldest first by default");
    let unresolved = list("&outcome=unresolved").await;
    let [row] = &unresolved.rows[..] else { panic!("{unresolved:?}") };
    assert_eq!(row.conversation_id, a.id);
    assert_eq!(row.first_response_ms, Some(2 * MIN));
    assert_eq!(row.resolution_ms, Some(2 * MIN));
    assert_eq!(row.agent_name.as_deref(), Some(demo::AGENT.0));
    assert_eq!(row.category.as_deref(), Some("Order issue"));
    assert_eq!(row.missed, Some(false));
    assert_eq!(ids(&list("&missed=true").await), [b.id.clone(), c.id.clone()]);
    assert_eq!(ids(&list("&missed=false").await), vec![a.id.clone()]);
    assert_eq!(ids(&list("&source=manual").await), vec![a.id.clone()]);
    assert_eq!(
        ids(&list("&sort=started_at&desc=true&per_page=2").await),
        [c.id.clone(), b.id.clone()]
    );
    let second = list("&sort=started_at&desc=true&per_page=2&page=2").await;
    assert_eq!((ids(&second), second.total), (vec![a.id.clone()], 3));

    // The CSV holds the same rows, in the same order, with the figures in seconds.
    let csv = owner.http.get(&format!("/api/v1/agent/reports/conversations.csv?{q}")).await;
    assert_eq!(csv.headers["content-type"], "text/csv; charset=utf-8");
    let lines: Vec<&str> = csv.text.lines().collect();
    assert!(lines[0].starts_with("conversation_id,cycle,lead,agent,started_at"), "{}", lines[0]);
    assert_eq!(lines.len(), 4);
    for (line, row) in lines[1..].iter().zip(&all.rows) {
        // A lead who never said their name is listed by their stable visitor label.
        let lead = wire::visitor_label(&row.contact_id);
        assert!(line.starts_with(&format!("{},1,{lead},", row.conversation_id)), "{line}");
    }
    assert!(lines[1].contains(",120,120,120,") && lines[1].contains("Order issue"), "{}", lines[1]);
    assert!(lines[1].contains("\"Parcel lost, refund, order 1042\""), "quoted: {}", lines[1]);

    let get = |report: &'static str| {
        let (http, q) = (&owner.http, q.clone());
        async move { http.get(&format!("/api/v1/agent/reports/{report}?{q}")).await }
    };
    let centre: wire::ContactCentreReport = get("contact-centre").await.json();
    assert_eq!((centre.cycles, centre.handled, centre.missed), (3, 1, 2));
    assert_eq!((centre.missed_with_agent_online, centre.missed_with_nobody_online), (1, 1));
    assert_eq!(centre.total_conversations, 1, "one assignment");
    assert_eq!(centre.first_response.median_ms, Some(2 * MIN));
    assert_eq!((centre.total_messages, centre.unique_users), (4, 3));
    let sam = centre.agents.iter().find(|a| a.agent_id == agent.me.agent.id).unwrap();
    assert_eq!(sam.conversations, 1);

    let activity: wire::ActivityReport = get("activity").await.json();
    assert_eq!((activity.total_messages, activity.incoming_messages), (4, 3));
    assert_eq!((activity.new_users, activity.conversations), (3, 3));
    assert_eq!(activity.peak_messages, 2, "Sam's reply and B's first message share a minute");

    let closing: wire::ClosingReport = get("closing").await.json();
    assert_eq!((closing.closed, closing.resolved, closing.unresolved), (1, 0, 1));
    assert_eq!(closing.by_category, [wire::Count { label: "Order issue".into(), count: 1 }]);

    let bot: wire::ChatbotReport = get("chatbot").await.json();
    assert_eq!(bot.start_flows, [wire::Count { label: "Lead wrote first".into(), count: 3 }]);
    assert!(bot.languages.iter().any(|l| l.label == "eng"), "{:?}", bot.languages);

    // Every chart draws, as SVG for the pages and PNG for e-mails.
    for name in [
        "messages",
        "peak",
        "conversations",
        "agent-conversations",
        "agent-minutes",
        "agent-connection",
        "intents",
        "languages",
        "start-flows",
        "outcomes",
        "categories",
        "closing-sources",
    ] {
        let svg = get_chart(&owner, &q, name, "").await;
        assert_eq!(svg.headers["content-type"], "image/svg+xml", "{name}");
        assert!(svg.text.starts_with("<svg"), "{name}");
        let png = get_chart(&owner, &q, name, "&format=png").await;
        assert_eq!(png.headers["content-type"], "image/png", "{name}");
    }
    let categories = get_chart(&owner, &q, "categories", "").await;
    assert!(categories.text.contains("Order issue"));
    get_chart(&owner, &q, "horoscope", "").await.assert_error(404, "not_found");
    get_chart(&owner, &q, "messages", "&format=gif").await.assert_error(400, "invalid_query");

    // The owner allows five hours: B and C are now still within it, not missed.
    assert_eq!(set_missed_after(&owner, 300).await.status, 200);
    let centre: wire::ContactCentreReport = get("contact-centre").await.json();
    assert_eq!((centre.handled, centre.missed, centre.missed_threshold_ms), (1, 0, 300 * MIN));
}

async fn get_chart(who: &AgentClient, q: &str, name: &str, extra: &str) -> porch_tests::Answer {
    who.http.get(&format!("/api/v1/agent/reports/charts/{name}?{q}{extra}")).await
}

/// The server folds the log into the report tables on its own, at start and every
/// `folder::EVERY` of its clock, so a report page has (almost) nothing left to fold.
#[tokio::test]
async fn the_log_is_folded_in_the_background() {
    use std::sync::atomic::Ordering;
    let server = TestServer::start().await;
    let store = server.state.store.clone();
    let made = server.demo_history(40).await;
    assert!(made.events > 100, "{made:?}");
    let mut logged = 0;
    for workspace in store.workspaces().await.unwrap() {
        logged += store.last_seq(&workspace.id).await.unwrap();
    }
    server.advance(porch_server::folder::EVERY);
    // No page was read: each event was folded once, by the background fold.
    eventually("the log folded in the background", || async {
        (server.state.folded.load(Ordering::Relaxed) >= logged).then_some(())
    })
    .await;
    let demo = store.workspace_by_key(demo::WIDGET_KEY).await.unwrap().expect("demo workspace");
    assert_eq!(store.catch_up_reports(&demo.id).await.unwrap(), 0, "nothing left for a page");
}

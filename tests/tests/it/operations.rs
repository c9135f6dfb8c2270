//! Running Porch (issue 15): readiness for a load balancer, and a stop that sends sockets
//! elsewhere.

use porch_server::demo;
use porch_tests::*;

#[tokio::test]
async fn ready_once_the_store_answers_and_the_deadlines_are_loaded() {
    let server = TestServer::start().await;
    let http = Http::new(&server);
    let ready = browser::eventually("the server to be ready", || async {
        let answer = http.get("/readyz").await;
        (answer.status == 200).then_some(answer)
    })
    .await;
    assert_eq!(ready.text, "ready");
    assert!(server.state.scheduler.loaded.load(std::sync::atomic::Ordering::Relaxed));
    assert_eq!(http.get("/healthz").await.status, 200);
}

#[tokio::test]
async fn stopping_tells_every_socket_to_come_back() {
    let server = TestServer::start().await;
    let agent = AgentClient::demo(&server).await;
    let mut agents = agent.socket(&server, agent.me.last_seq).await;
    agents.until_ready().await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let mut leads = lead.socket(&server, 0).await;
    leads.until_ready().await;
    server.state.shutdown.cancel();
    assert_eq!(close_code(&mut agents.stream).await, Some(1012), "service restart");
    assert_eq!(close_code(&mut leads.stream).await, Some(1012));
}

#[tokio::test]
async fn metrics_count_sockets_commands_and_refusals_behind_their_token() {
    let token = "a metrics token of some length";
    let server = TestServer::start_with(|state| state.metrics_token = Some(token.into())).await;
    let http = Http::new(&server);
    http.get("/metrics").await.assert_error(401, "unauthorized");
    let agent = AgentClient::demo(&server).await;
    let mut socket = agent.socket(&server, agent.me.last_seq).await;
    socket.until_ready().await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let started = lead.start("count me").await;
    // A flood of starts is refused by its rate limit.
    let refused = loop {
        let answer = lead.http.post("/api/v1/widget/conversations", serde_json::json!({})).await;
        if answer.status == 429 {
            break answer;
        }
    };
    assert_eq!(refused.body["code"], "rate_limited");
    assert_eq!(agent.reply(&started.id, "counted").await.status, 201);

    let scrape =
        reqwest::Client::new().get(server.url("/metrics")).bearer_auth(token).send().await.unwrap();
    assert_eq!(scrape.status(), 200);
    let text = scrape.text().await.unwrap();
    let value = |line: &str| -> f64 {
        let found = text.lines().find(|l| l.starts_with(line)).unwrap_or_else(|| panic!("{line}"));
        found.rsplit(' ').next().unwrap().parse().unwrap()
    };
    assert_eq!(value("porch_sockets_open{audience=\"agents\"}"), 1.0);
    assert!(value("porch_rate_limited_total") >= 1.0);
    assert!(value("porch_command_seconds_count") >= 2.0, "{text}");
    assert!(value("porch_command_seconds_bucket{le=\"+Inf\"}") >= 2.0);
    assert!(text.contains("# TYPE porch_command_seconds histogram"));
}

/// Two servers on one PostgreSQL database; A stops with a lead's socket open (1012), the lead
/// comes back on B from the last seq it applied while the team keeps writing: it receives
/// everything after that seq, once each, in order, and nothing before it.
#[tokio::test]
async fn a_stopped_servers_sockets_resume_on_another_losing_nothing() {
    use porch_protocol::Event;
    let Some(db) = porch_store::testing::TestDatabase::postgres().await else { return };
    let a = TestServer::start_on(db).await;
    let b = TestServer::start_at(&a.database_url, a.clock_now()).await;
    let agent = AgentClient::login(&b, demo::AGENT.1, demo::AGENT.2).await;
    let lead = LeadClient::open(&a, demo::WIDGET_KEY).await;
    let started = lead.start("hello").await;
    let mut on_a = lead.socket(&a, 0).await;
    on_a.until_ready().await;
    assert_eq!(agent.reply(&started.id, "reply 1").await.status, 201);
    // The last seq the lead applied: that of the reply.
    let applied = loop {
        let frame = on_a.event().await;
        if matches!(&frame.event, Event::MessagePosted { message } if message.body == "reply 1") {
            break frame.seq;
        }
    };
    a.state.shutdown.cancel();
    assert_eq!(close_code(&mut on_a.stream).await, Some(1012));
    // While the lead is away, the team writes on.
    for i in 2..=4 {
        assert_eq!(agent.reply(&started.id, &format!("reply {i}")).await.status, 201);
    }
    let mut on_b = lead.socket(&b, applied).await;
    let (resumed, _) = on_b.until_ready().await;
    assert_eq!(agent.reply(&started.id, "reply 5").await.status, 201);
    let mut seqs: Vec<u64> = resumed.iter().map(|f| f.seq).collect();
    let mut bodies: Vec<String> = resumed
        .iter()
        .filter_map(|f| match &f.event {
            Event::MessagePosted { message } => Some(message.body.clone()),
            _ => None,
        })
        .collect();
    while bodies.last().map(String::as_str) != Some("reply 5") {
        let frame = on_b.event().await;
        seqs.push(frame.seq);
        if let Event::MessagePosted { message } = frame.event {
            bodies.push(message.body);
        }
    }
    assert!(seqs.iter().all(|s| *s > applied), "nothing already applied: {seqs:?}");
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "in order, once each: {seqs:?}");
    assert_eq!(bodies, ["reply 2", "reply 3", "reply 4", "reply 5"]);
    b.state.shutdown.cancel();
    a.stop_and_drop_database().await;
}

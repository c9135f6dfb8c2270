//! Regression tests for the defects found by trying Porch as an attacker would (issue 13): each
//! fails on the code before its fix.

use porch_protocol as wire;
use porch_server::demo;
use porch_tests::*;
use serde_json::json;

/// Report ranges whose difference overflows, or that are absurdly wide or far, are refused with
/// 422 on every report and chart, and the server keeps serving.
#[tokio::test]
async fn hostile_report_ranges_are_refused_and_the_server_survives() {
    let server = TestServer::start().await;
    let owner = AgentClient::owner(&server).await;
    let routes = [
        "conversations",
        "conversations.csv",
        "closing",
        "contact-centre",
        "activity",
        "chatbot",
        "charts/messages",
        "charts/agent-minutes",
        "charts/intents",
        "charts/outcomes",
    ];
    let ranges = [
        "from=-5000000000000000000&to=5000000000000000000",
        "from=-9223372036854775808&to=9223372036854775807",
        "from=9223372036854775000&to=9223372036854775807",
        "from=-9223372036854775808&to=0",
    ];
    for route in routes {
        for range in ranges {
            let path = format!("/api/v1/agent/reports/{route}?{range}");
            owner.http.get(&path).await.assert_error(422, "invalid_range");
        }
    }
    let me = owner.http.get("/api/v1/agent/me").await;
    assert_eq!(me.status, 200, "the server still answers");
}

/// Another workspace's agent naming a conversation and a `client_id` of this workspace gets
/// 404, not the stored message (the retry lookup ran before the workspace check).
#[tokio::test]
async fn a_client_id_does_not_reach_across_workspaces() {
    let server = TestServer::start().await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("Hello").await;
    let path = format!("/api/v1/widget/conversations/{}/messages", conversation.id);
    let secret = json!({"body": "my card is 4111", "client_id": "c-secret"});
    assert_eq!(lead.http.post(&path, secret).await.status, 201);

    let (_, stranger) = server.workspace(wire::Plan::Free, Default::default()).await;
    let stranger = AgentClient::login(&server, &stranger, PASSWORD).await;
    let probe = json!({"body": "x", "client_id": "c-secret"});
    let answer = stranger.act(&conversation.id, "messages", probe).await;
    answer.assert_error(404, "not_found");
    assert!(!answer.text.contains("4111"), "{}", answer.text);
}

/// A lead sees their own ids and none of the team's (which agent wrote, their client ids).
/// Posting with one of the team's client ids (a client id is its sender's) is an ordinary
/// message and fails nobody else's: it once broke a per-conversation index, and with it the
/// whole batch.
#[tokio::test]
async fn the_teams_client_ids_stay_with_the_team() {
    let server = TestServer::start().await;
    let agent = AgentClient::demo(&server).await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("Hello").await;
    let mut socket = lead.socket(&server, 0).await;
    socket.until_ready().await;
    let reply = json!({"body": "On it", "client_id": "team-7"});
    assert_eq!(agent.act(&conversation.id, "messages", reply).await.status, 201);
    let path = format!("/api/v1/widget/conversations/{}/messages", conversation.id);
    let mine = json!({"body": "Thanks", "client_id": "team-7"});
    assert_eq!(lead.http.post(&path, mine).await.status, 201, "the lead's own client id");

    // (body, author id, client id)
    let seen = |m: wire::Message| (m.body, m.author_id, m.client_id);
    let mut pushed = Vec::new();
    while pushed.len() < 2 {
        if let wire::Event::MessagePosted { message } = socket.event().await.event {
            pushed.push(seen(message));
        }
    }
    let (me, team) = (Some(lead.session.contact_id.0.clone()), Some("team-7".to_owned()));
    let expected = [("On it".to_owned(), None, None), ("Thanks".to_owned(), me, team)];
    assert_eq!(pushed, expected, "the agent's ids withheld, the lead's own kept");
    let read = lead.http.get(&format!("/api/v1/widget/conversations/{}", conversation.id)).await;
    let detail: wire::LeadConversationDetail = read.json();
    let stored: Vec<_> = detail.messages.into_iter().map(seen).collect();
    assert_eq!(stored[1..], expected);
}

/// A commit of hundreds of frames (deadlines armed on every open conversation, then all of them
/// auto-closing in one batch) reaches a healthy agent socket whole, without dropping it.
#[tokio::test]
async fn a_large_batch_reaches_a_healthy_agent_socket() {
    const OPEN: usize = 300; // more than a socket's queue of 256
    let server = TestServer::start().await;
    server.state.limits.set_unlimited();
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    for i in 0..OPEN {
        lead.start(&format!("question {i}")).await;
    }
    let owner = AgentClient::owner(&server).await;
    let mut socket = owner.socket(&server, owner.me.last_seq).await;
    let (_, ready) = socket.until_ready().await;

    let inactivity = json!({"enabled": true, "period_minutes": 30, "mode": "inactivity"});
    let apply = json!({"settings": inactivity, "apply_to_open": true});
    let answer =
        owner.http.send(reqwest::Method::PUT, "/api/v1/agent/settings/auto-close", Some(apply));
    assert_eq!(answer.await.status, 200);
    server.advance(31 * 60_000);

    let (mut armed, mut closed, mut last) = (0, 0, ready);
    while closed < OPEN {
        let frame = socket.event().await;
        assert_eq!(frame.seq, last + 1, "every frame, in order, on the same socket");
        last = frame.seq;
        match frame.event {
            wire::Event::AutoCloseArmed { .. } => armed += 1,
            wire::Event::ConversationClosed { .. } => closed += 1,
            _ => {}
        }
    }
    assert_eq!(armed, OPEN);
}

/// Floods are answered 429 `rate_limited` with `Retry-After`, while another lead's message
/// still lands; the limits refill on the server's clock.
#[tokio::test]
async fn floods_are_limited_per_lead_and_address_and_others_carry_on() {
    let server = TestServer::start().await;
    let flooder = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = flooder.start("hi").await;
    let (flooding, id) = (&flooder, &conversation.id);
    let (at, answer) =
        until_refused(40, 201, |i| async move { flooding.say(id, &format!("spam {i}")).await })
            .await;
    assert_eq!(at, 30, "a burst of 30 messages, then the limit");
    answer.assert_error(429, "rate_limited");
    assert_eq!(answer.headers["retry-after"], "1");

    let other = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let theirs = other.start("I need help").await;
    assert_eq!(other.say(&theirs.id, "still here").await.status, 201, "others carry on");
    server.advance(1_000);
    assert_eq!(flooder.say(&conversation.id, "one more").await.status, 201, "refilled");

    // Starts per lead: 10 (one made above), then refused.
    for i in 1..10 {
        flooder.start(&format!("topic {i}")).await;
    }
    let eleventh = flooder.http.post("/api/v1/widget/conversations", json!({"body": "x"})).await;
    eleventh.assert_error(429, "rate_limited");
    assert_eq!(eleventh.headers["retry-after"], "30");

    // New widget sessions per address: 20 (two made above), then refused; a returning lead
    // with their token is not a new session.
    for _ in 2..20 {
        LeadClient::open(&server, demo::WIDGET_KEY).await;
    }
    let session = json!({"workspace_key": demo::WIDGET_KEY});
    let refused = Http::new(&server).post("/api/v1/widget/session", session).await;
    refused.assert_error(429, "rate_limited");
    assert_eq!(flooder.reopen(demo::WIDGET_KEY).await.contact_id, flooder.session.contact_id);
}

/// A conversation start re-sent with the same `client_id` (the answer was lost) starts one
/// conversation; a `client_id` is bounded.
#[tokio::test]
async fn a_resent_start_starts_one_conversation() {
    let server = TestServer::start().await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let start = json!({"body": "Hello", "client_id": "m-1"});
    let first = lead.http.post("/api/v1/widget/conversations", start.clone()).await;
    assert_eq!(first.status, 201);
    let again = lead.http.post("/api/v1/widget/conversations", start).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["id"], first.body["id"]);
    let session = lead.reopen(demo::WIDGET_KEY).await;
    assert_eq!(session.conversations.len(), 1);

    let id = first.body["id"].as_str().unwrap();
    let reused = json!({"body": "another", "client_id": "m-1"});
    let second = lead.http.post("/api/v1/widget/conversations", json!({"body": "x"})).await;
    let second = second.body["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/widget/conversations/{second}/messages");
    lead.http.post(&path, reused).await.assert_error(409, "conflict");
    for bad in ["", "has space", "é", &"x".repeat(65)] {
        let body = json!({"body": "x", "client_id": bad});
        let path = format!("/api/v1/widget/conversations/{id}/messages");
        lead.http.post(&path, body.clone()).await.assert_error(422, "invalid_client_id");
        let start = lead.http.post("/api/v1/widget/conversations", body).await;
        start.assert_error(422, "invalid_client_id");
    }
}

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

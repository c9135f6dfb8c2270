//! The e-mailed performance report, end to end: a real SMTP server process (aiosmtpd, which
//! `cargo xtask test` installs from PyPI) receives it; Python's `email` package reads it back.

use std::sync::Arc;

use porch_server::demo;
use porch_server::mailer::{deliver_due, Mailer};
use porch_server::AppState;
use porch_tests::browser::eventually;
use porch_tests::smtp::SmtpServer;
use porch_tests::{AgentClient, Http, TestServer};
use serde_json::{json, Value};

/// The server's state with a mailer to `smtp_url`, trusting `ca` besides the public roots.
fn with_mailer(server: &TestServer, smtp_url: &str, ca: Option<&[u8]>) -> AppState {
    let mut state = server.state.clone();
    let mailer = Mailer::new(smtp_url, ca, "Porch <reports@porch.test>");
    state.mailer = Some(Arc::new(mailer.unwrap()));
    state
}

/// The owner asks for the e-mailed report with `settings`.
async fn save_report_settings(server: &TestServer, settings: Value) {
    let owner = AgentClient::owner(server).await;
    let saved = owner
        .http
        .send(reqwest::Method::PUT, "/api/v1/agent/settings/reports", Some(settings))
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);
}

#[tokio::test]
async fn the_weekly_report_is_mailed_once_with_its_charts_and_retried_when_smtp_fails() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let server = TestServer::start().await;
    server.demo_history(60).await;
    let settings = json!({"missed_after_minutes": 180, "email": {"cadence": "weekly",
        "recipients": ["owner@shop.example", "boss@shop.example"]}});
    save_report_settings(&server, settings).await;
    let smtp_url = format!("smtp://127.0.0.1:{port}");

    // The SMTP server is down: the report fails, and waits five minutes before trying again.
    let state = with_mailer(&server, &smtp_url, None);
    assert_eq!(deliver_due(&state).await.unwrap(), 0);
    let Some(smtp) = SmtpServer::start(port) else { return };
    assert_eq!(deliver_due(&state).await.unwrap(), 0, "the retry is not due yet");
    assert!(smtp.messages().is_empty());
    server.advance(5 * 60_000);
    assert_eq!(deliver_due(&state).await.unwrap(), 1);
    assert_eq!(deliver_due(&state).await.unwrap(), 0, "a period is sent once");

    // A restarted server does not send it again either.
    let server = server.restart().await;
    let state = with_mailer(&server, &smtp_url, None);
    assert_eq!(deliver_due(&state).await.unwrap(), 0);

    let messages = smtp.messages();
    let [mail] = &messages[..] else { panic!("one message: {messages:?}") };
    let to = mail["to"].as_str().unwrap();
    assert!(to.contains("owner@shop.example") && to.contains("boss@shop.example"), "{to}");
    assert!(mail["subject"].as_str().unwrap().starts_with("Demo Shop: performance report"));
    let html = mail["html"].as_str().unwrap();
    for section in ["<h2", "Activity", "Chatbot", "Contact centre", "First response"] {
        assert!(html.contains(section), "{section} in the HTML");
    }
    let images = mail["images"].as_array().unwrap();
    assert_eq!(images.len(), 5, "two activity charts, two chatbot charts, one per agent");
    for image in images {
        assert_eq!(image["type"], "image/png");
        assert_eq!(image["png"], true, "a real PNG");
        let cid = image["cid"].as_str().unwrap().trim_matches(['<', '>']);
        assert!(html.contains(&format!("src=\"cid:{cid}\"")), "the HTML shows {cid}");
    }
    assert!(html.matches("alt=\"").count() >= 5, "every chart has a text equivalent");
    assert!(mail["text"].as_str().unwrap().contains("Total messages"));
}

/// A relay that wants TLS and a login: the report goes out only to a server whose certificate
/// is trusted, with the right password, and arrives whole.
#[tokio::test]
async fn the_report_goes_out_over_starttls_with_a_login() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let Some((smtp, authority)) = SmtpServer::start_tls(port) else { return };
    let server = TestServer::start().await;
    server.demo_history(30).await;
    let settings = json!({"email": {"cadence": "weekly", "recipients": ["owner@shop.example"]}});
    save_report_settings(&server, settings).await;
    let mailing = |password: &str, ca: Option<&[u8]>| {
        let url = format!("smtp://porch:{password}@127.0.0.1:{port}?tls=required");
        with_mailer(&server, &url, ca)
    };
    // The test authority is not a public one: the certificate is refused, nothing is sent.
    assert_eq!(deliver_due(&mailing("s3cret", None)).await.unwrap(), 0);
    // Trusted, but the wrong password.
    server.advance(5 * 60_000);
    assert_eq!(deliver_due(&mailing("guess", Some(&authority))).await.unwrap(), 0);
    assert!(smtp.messages().is_empty());
    // Trusted, and the right one (the retry after the second failure waits ten minutes).
    server.advance(10 * 60_000);
    assert_eq!(deliver_due(&mailing("s3cret", Some(&authority))).await.unwrap(), 1);
    let messages = smtp.messages();
    let [mail] = &messages[..] else { panic!("one message: {messages:?}") };
    assert!(mail["subject"].as_str().unwrap().contains("performance report"));
    assert_eq!(mail["images"].as_array().unwrap().len(), 5);
}

/// "Forgot your password?" e-mails a single-use link through the configured SMTP server; the
/// link sets a new password.
#[tokio::test]
async fn a_forgotten_password_is_reset_through_an_emailed_link() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let Some(smtp) = SmtpServer::start(port) else { return };
    let server = TestServer::start_with(|state| {
        let mailer = Mailer::new(&format!("smtp://127.0.0.1:{port}"), None, "Porch <p@porch.test>");
        state.mailer = Some(Arc::new(mailer.unwrap()));
        state.public_url = "https://chat.example".into();
    })
    .await;
    let body = json!({"email": demo::AGENT.1.to_uppercase()});
    let answer = Http::new(&server).post("/api/v1/agent/password/forgot", body).await;
    assert_eq!(answer.status, 202);
    let mail =
        eventually("the reset e-mail", || async { smtp.messages().into_iter().next() }).await;
    assert_eq!(mail["to"], demo::AGENT.1);
    let text = mail["text"].as_str().unwrap();
    let link = text.split_whitespace().find(|w| w.contains("/app/#reset=")).expect("a link");
    assert!(link.starts_with("https://chat.example/app/#reset="), "{link}");
    let token = link.rsplit_once('=').unwrap().1;
    let set = json!({"token": token, "password": "a brand new passphrase"});
    let done = Http::new(&server).post("/api/v1/agent/password/link", set).await;
    assert_eq!(done.status, 200, "{}", done.body);
    let login = json!({"email": demo::AGENT.1, "password": "a brand new passphrase"});
    assert_eq!(Http::new(&server).post("/api/v1/agent/login", login).await.status, 200);
}

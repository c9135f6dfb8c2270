//! The e-mailed performance report, end to end: a real SMTP server process (aiosmtpd, which
//! `cargo xtask test` installs from PyPI) receives it; Python's `email` package reads it back.

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use porch_server::mailer::{deliver_due, Mailer};
use porch_server::AppState;
use porch_store::testing::TempDir;
use porch_tests::{AgentClient, TestServer};
use serde_json::{json, Value};

fn python_path() -> String {
    std::env::var("PORCH_PYTHONPATH").unwrap_or_else(|_| {
        format!("{}/.cache/porch/tools/python", std::env::var("HOME").unwrap_or_default())
    })
}

/// aiosmtpd on `port`, keeping what it receives in a Maildir.
struct SmtpServer {
    child: Child,
    maildir: TempDir,
}

impl SmtpServer {
    /// `None` (the test is skipped, except under CI) when aiosmtpd is not installed.
    fn start(port: u16) -> Option<SmtpServer> {
        if !std::path::Path::new(&python_path()).join("aiosmtpd").exists() {
            assert!(
                std::env::var("CI").is_err(),
                "aiosmtpd must be installed in CI (cargo xtask test)"
            );
            eprintln!("aiosmtpd is not installed (cargo xtask test installs it): skipping");
            return None;
        }
        let maildir = TempDir::new();
        let child = Command::new("python3")
            .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir.0.join("mail"))
            .env("PYTHONPATH", python_path())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("python3 runs");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(15), "aiosmtpd did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Some(SmtpServer { child, maildir })
    }

    /// Each message received, as Python's `email` package reads it.
    fn messages(&self) -> Vec<Value> {
        let script = r#"
import email, email.policy, json, mailbox, sys
out = []
for msg in mailbox.Maildir(sys.argv[1], create=False):
    msg = email.message_from_bytes(msg.as_bytes(), policy=email.policy.default)
    html = msg.get_body(("html",)).get_content()
    images = [{"cid": p["Content-ID"], "type": p.get_content_type(), "png": p.get_content()[:8] == b"\x89PNG\r\n\x1a\n"}
              for p in msg.walk() if p.get_content_maintype() == "image"]
    out.append({"to": msg["To"], "subject": msg["Subject"], "html": html, "images": images,
                "text": msg.get_body(("plain",)).get_content()})
print(json.dumps(out))
"#;
        let out = Command::new("python3")
            .args(["-c", script])
            .arg(self.maildir.0.join("mail"))
            .output()
            .expect("python3 runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice::<Vec<Value>>(&out.stdout).expect("JSON")
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn with_mailer(server: &TestServer, port: u16) -> AppState {
    let mut state = server.state.clone();
    let mailer = Mailer::new(&format!("smtp://127.0.0.1:{port}"), "Porch <reports@porch.test>");
    state.mailer = Some(Arc::new(mailer.unwrap()));
    state
}

#[tokio::test]
async fn the_weekly_report_is_mailed_once_with_its_charts_and_retried_when_smtp_fails() {
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let server = TestServer::start().await;
    server.demo_history(60).await;
    let owner = AgentClient::owner(&server).await;
    let settings = json!({"missed_after_minutes": 180, "email": {"cadence": "weekly",
        "recipients": ["owner@shop.example", "boss@shop.example"]}});
    let saved = owner
        .http
        .send(reqwest::Method::PUT, "/api/v1/agent/settings/reports", Some(settings))
        .await;
    assert_eq!(saved.status, 200, "{}", saved.body);

    // The SMTP server is down: the report fails, and waits five minutes before trying again.
    let state = with_mailer(&server, port);
    assert_eq!(deliver_due(&state).await.unwrap(), 0);
    let Some(smtp) = SmtpServer::start(port) else { return };
    assert_eq!(deliver_due(&state).await.unwrap(), 0, "the retry is not due yet");
    assert!(smtp.messages().is_empty());
    server.advance(5 * 60_000);
    assert_eq!(deliver_due(&state).await.unwrap(), 1);
    assert_eq!(deliver_due(&state).await.unwrap(), 0, "a period is sent once");

    // A restarted server does not send it again either.
    let server = server.restart().await;
    let state = with_mailer(&server, port);
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

//! The API against its own OpenAPI document, driven by schemathesis (PyPI, installed by
//! `cargo xtask test`): generated requests to every operation, as an API token, as the
//! owner's session, as a lead and as the operator, a bounded number of examples each. No
//! answer may be a 5xx, and every answer must conform to the document (status, content type,
//! headers, body schema).
//! Requests the API refuses though the schema allows them (an e-mail that is no e-mail, a
//! report range of 500 days) are not failures: the document cannot say everything.

use std::process::Command;

use porch_server::demo;
use porch_tests::*;
use serde_json::json;

/// `schemathesis run` against `server` with `header`, leaving out the operations matching
/// `exclude`: its exit status and output.
fn run(server: &TestServer, header: &str, exclude: &str) -> (bool, String) {
    let out = Command::new("python3")
        .args(["-m", "schemathesis.cli", "run"])
        .arg(server.url("/api/v1/openapi.json"))
        .args(["--header", header, "--max-examples", "15", "--seed", "1"])
        .args(["--exclude-path-regex", exclude])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,\
             response_headers_conformance,response_schema_conformance",
        ])
        .env("PYTHONPATH", porch_tests::python::path())
        .env("NO_COLOR", "1")
        .output()
        .expect("python3 runs");
    let text =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    (out.status.success(), text)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_answers_as_documented() {
    if !porch_tests::python::installed("schemathesis") {
        return;
    }
    let server = TestServer::start().await;
    server.state.limits.set_unlimited();
    let owner = AgentClient::owner(&server).await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    lead.start("A conversation to find").await;
    let token = owner
        .http
        .post("/api/v1/agent/tokens", json!({"name": "schemathesis", "scope": "write"}))
        .await;
    let secret = token.body["secret"].as_str().expect("a token").to_owned();
    // A run as each kind of caller; a run leaves out what would end its own credential, and
    // the operator's covers the operator's route only.
    let runs = [
        (format!("Authorization: Bearer {secret}"), "^$"),
        (format!("Cookie: {}", owner.cookie()), "logout|password|switch|members|signup|accept"),
        (format!("Authorization: Bearer {}", lead.session.visitor_token), "session/end"),
        (format!("Authorization: Bearer {OPERATOR_TOKEN}"), "^/api/v1/(?!operator/)"),
    ];
    for (header, exclude) in runs {
        let (passed, output) = tokio::task::block_in_place(|| run(&server, &header, exclude));
        let summary = output.lines().rev().take(30).collect::<Vec<_>>();
        assert!(passed, "schemathesis failed:\n{output}");
        let counted = summary.iter().any(|l| l.contains("generated") && l.contains("passed"));
        assert!(counted, "schemathesis ran no test case:\n{output}");
        println!("{}", summary.into_iter().rev().collect::<Vec<_>>().join("\n"));
    }
}

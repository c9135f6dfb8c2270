//! The OpenAPI document (issue 16) and the router are equal both ways: every documented
//! operation reaches a route (not the "no such endpoint" fallback), every route in the source
//! is documented, and a method a documented path does not list is refused 405. Every error
//! code written in the server and the domain is in the document.

use std::collections::BTreeSet;

use porch_tests::*;
use serde_json::Value;

const METHODS: [&str; 4] = ["get", "post", "put", "delete"];

async fn document(server: &TestServer) -> Value {
    let answer = Http::new(server).get("/api/v1/openapi.json").await;
    assert_eq!(answer.status.as_u16(), 200, "{}", answer.text);
    answer.body
}

/// `/api/v1/agent/conversations/{id}` with its parameters filled in.
fn concrete(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some((before, after)) = rest.split_once('{') {
        out.push_str(before);
        out.push_str("x1");
        rest = after.split_once('}').map_or("", |(_, tail)| tail);
    }
    out.push_str(rest);
    out
}

fn is_fallback(answer: &Answer) -> bool {
    (answer.status == 404 && answer.body["message"] == "endpoint not found")
        || answer.body["code"] == "method_not_allowed"
}

#[tokio::test]
async fn the_document_and_the_router_are_equal_both_ways() {
    let server = TestServer::start().await;
    let doc = document(&server).await;
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().expect("paths");
    let http = Http::new(&server);
    let mut operations = 0;
    for (path, item) in paths {
        for method in METHODS {
            let method_name =
                reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let answer = http.send(method_name, &concrete(path), None).await;
            match item.get(method) {
                Some(op) => {
                    operations += 1;
                    assert!(
                        !is_fallback(&answer),
                        "{method} {path} is documented but has no route"
                    );
                    assert!(op["responses"]["default"].is_object(), "{method} {path}: errors");
                    assert!(op["operationId"].is_string());
                }
                None => assert_eq!(
                    answer.body["code"], "method_not_allowed",
                    "{method} {path} answers but is not documented: {}",
                    answer.text
                ),
            }
        }
    }
    // Every route the source declares is a documented path.
    let documented: BTreeSet<String> =
        paths.keys().map(|p| p.trim_start_matches("/api/v1").to_owned()).collect();
    let declared = crate::isolation::routes_in_source();
    let missing: Vec<_> = declared.difference(&documented).collect();
    assert!(missing.is_empty(), "routes without documentation: {missing:?}");
    assert!(operations >= 75, "{operations} operations");
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in
        ["Conversation", "ServerFrame", "LeadServerFrame", "Event", "ApiError", "WebhookDelivery"]
    {
        assert!(schemas.contains_key(name), "schema {name}");
    }
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    assert_eq!(
        schemes.keys().collect::<Vec<_>>(),
        ["apiToken", "operatorToken", "session", "visitorToken"]
    );
}

/// The codes a source file writes: after `code: `, `unprocessable(`, `bad_request(`,
/// `invalid(` and `=> ` (the `code()` tables), a quoted snake_case word.
fn codes_in(source: &str) -> BTreeSet<String> {
    let mut codes = BTreeSet::new();
    for marker in ["code: ", "unprocessable(", "bad_request(", "invalid(", "=> "] {
        for rest in source.split(marker).skip(1) {
            let rest = rest.trim_start();
            let Some(quoted) = rest.strip_prefix('"') else { continue };
            let Some((word, _)) = quoted.split_once('"') else { continue };
            if !word.is_empty() && word.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                codes.insert(word.to_owned());
            }
        }
    }
    codes
}

#[tokio::test]
async fn every_error_code_is_documented() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut written = BTreeSet::new();
    let mut stack = vec![root.join("server/src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if !path.to_string_lossy().contains("openapi") {
                written.extend(codes_in(&std::fs::read_to_string(path).unwrap()));
            }
        }
    }
    written.extend(codes_in(&std::fs::read_to_string(root.join("domain/src/lib.rs")).unwrap()));
    // Words after `=> "` that are not error codes (event kinds, enum names, formats).
    let documented: BTreeSet<String> =
        porch_server::openapi::ERROR_CODES.iter().map(|(c, _, _)| (*c).to_owned()).collect();
    let missing: Vec<_> =
        written.iter().filter(|c| !documented.contains(*c) && !not_a_code(c)).collect();
    assert!(missing.is_empty(), "error codes missing from the document: {missing:?}");
    let server = TestServer::start().await;
    let description = document(&server).await["info"]["description"].as_str().unwrap().to_owned();
    for code in &documented {
        assert!(description.contains(&format!("`{code}`")), "{code}");
    }
}

/// Quoted words after `=> ` in the scanned files that name something else.
fn not_a_code(word: &str) -> bool {
    porch_protocol::WEBHOOK_EVENT_TYPES.contains(&word)
        || porch_protocol::Event::KINDS.contains(&word)
        || ["get", "post", "put", "delete", "other", "agents", "leads", "svg", "png", "api"]
            .contains(&word)
}

//! Hostile and random JSON for every JSON endpoint, sent by its rightful caller, on SQLite and
//! PostgreSQL: never a 5xx, every refusal `{code, message}`, nothing stored on refusal.

use porch_server::demo;
use porch_store::testing::TestDatabase;
use porch_tests::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use reqwest::Method;
use serde_json::Value;

use crate::isolation::cases;

/// Random JSON with the values that break parsers and stores: NUL and other control
/// characters, huge and negative numbers, long strings, nesting.
fn hostile_json() -> impl Strategy<Value = Value> {
    let text = prop_oneof![
        Just(String::new()),
        Just("\u{0}".to_owned()),
        Just("a\u{0}b".to_owned()),
        Just("\u{feff}\u{202e}\u{fffd}".to_owned()),
        Just("x".repeat(70_000)),
        Just("é".repeat(4_001)),
        "[a-z]{1,12}",
        any::<String>(),
    ];
    let number = prop_oneof![
        Just(serde_json::json!(i64::MIN)),
        Just(serde_json::json!(u64::MAX)),
        Just(serde_json::json!(-1)),
        Just(serde_json::json!(1e300)),
        any::<i64>().prop_map(Value::from),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        number,
        text.prop_map(Value::String)
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("body".to_owned()),
                    Just("client_id".to_owned()),
                    Just("outcome".to_owned()),
                    Just("settings".to_owned()),
                    Just("until".to_owned()),
                    Just("email".to_owned()),
                    "[a-z_]{1,10}",
                ],
                inner,
                0..5,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Bodies no generator makes: broken syntax, lone surrogates, nesting past any limit.
fn raw_bodies() -> Vec<String> {
    vec![
        "{".into(),
        "".into(),
        "null".into(),
        r#"{"body": "\ud800"}"#.into(),
        r#"{"body": "a\u0000b", "client_id": "x"}"#.into(),
        format!("{}{}", "[".repeat(100_000), "]".repeat(100_000)),
        r#"{"body": 1e99999}"#.into(),
        r#"{"until": 99999999999999999999999999}"#.into(),
    ]
}

async fn fuzz(server: TestServer) {
    server.state.limits.set_unlimited();
    let victim = server.demo_workspace().await;
    let lead = LeadClient::open(&server, demo::WIDGET_KEY).await;
    let conversation = lead.start("Hello").await;
    let owner = AgentClient::owner(&server).await;
    let mut runner = TestRunner::deterministic();
    let strategy = hostile_json();
    let mut sent = 0;
    for (method, path, _) in cases() {
        if method == Method::GET
            || path.starts_with("/dev/")
            || path.ends_with("/logout")
            || path.ends_with("/end")
        {
            continue;
        }
        let http = if path.starts_with("/widget/") { &lead.http } else { &owner.http };
        let url = format!("/api/v1{}", path.replace("{id}", conversation.id.as_str()));
        let mut bodies: Vec<String> = raw_bodies();
        for _ in 0..12 {
            bodies.push(strategy.new_tree(&mut runner).unwrap().current().to_string());
        }
        for body in bodies {
            let before = server.state.store.last_seq(&victim).await.unwrap();
            let answer =
                http.send_raw(method.clone(), &url, "application/json", body.clone()).await;
            let status = answer.status.as_u16();
            let shown: String = body.chars().take(200).collect();
            let case = format!("{method} {path} {shown}: {status} {}", answer.text);
            assert!(status < 500, "{case}");
            if status >= 400 {
                assert!(
                    answer.body["code"].is_string() && answer.body["message"].is_string(),
                    "{case}"
                );
                let after = server.state.store.last_seq(&victim).await.unwrap();
                assert_eq!(after, before, "a refusal stored something: {case}");
            }
            sent += 1;
        }
    }
    assert!(sent > 300, "{sent}");
}

#[tokio::test]
async fn hostile_json_on_sqlite() {
    fuzz(TestServer::start().await).await;
}

#[tokio::test]
async fn hostile_json_on_postgres() {
    let Some(db) = TestDatabase::postgres().await else { return };
    let mut server = TestServer::start_on(db).await;
    let db = server.take_database();
    fuzz(server).await;
    if let Some(db) = db {
        db.drop_database().await;
    }
}

//! Durable messages per second (run by `cargo xtask bench`; prints figures, asserts nothing):
//! leads posting messages as fast as they are answered, each answer meaning committed, against
//! the real server binary started with `--lift-lead-limits`; beside it, in the same run, the
//! floor of the same disk: plain one-row transactions (SQLite in WAL with synchronous=NORMAL,
//! as Porch runs it; PostgreSQL with 50 connections at once).
//! 1. 50 leads in one workspace; 2. 1,000 leads across 100 workspaces.
//!
//! Usage: `write_load PATH_TO_PORCH_SERVER`; the PostgreSQL rows need `PORCH_TEST_POSTGRES_URL`.

use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use porch_store::testing::TestDatabase;
use porch_tests::bench::{self, percentile, Server};
use serde_json::json;
use sqlx::ConnectOptions;

const SECONDS: u64 = 5;

/// 99 more workspaces beside the demo one (made before the server starts); their widget keys.
async fn workspaces(database_url: &str) -> Vec<String> {
    let store = porch_store::connect(database_url).await.unwrap();
    let mut keys = Vec::new();
    for n in 0..99 {
        let created = porch_server::setup::create_workspace(
            store.as_ref(),
            &format!("Shop {n}"),
            &format!("owner{n}@example.com"),
            None,
            porch_protocol::Plan::Free,
            "http://127.0.0.1",
            1_700_000_000_000,
        )
        .await
        .unwrap();
        keys.push(created.widget_key);
    }
    keys
}

/// A lead of the workspace `key` with a conversation started: (visitor token, conversation).
async fn lead(client: &reqwest::Client, base: &str, key: &str) -> (String, String) {
    let token = bench::lead(client, base, key).await;
    let conversation = bench::start_conversation(client, base, &token).await;
    (token, conversation)
}

/// Every lead posts, one message after another, for [`SECONDS`]: messages committed a second,
/// and the post latency p50 and p99 in ms.
async fn post_for_a_while(base: &str, keys: &[String], leads: usize) -> (f64, f64, f64) {
    let client = reqwest::Client::builder().pool_max_idle_per_host(leads).build().unwrap();
    let mut made = Vec::with_capacity(leads);
    for n in 0..leads {
        made.push(lead(&client, base, &keys[n % keys.len()]).await);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let tasks: Vec<_> = made
        .into_iter()
        .map(|(token, conversation)| {
            let (client, stop) = (client.clone(), stop.clone());
            let url = format!("{base}/api/v1/widget/conversations/{conversation}/messages");
            tokio::spawn(async move {
                let (mut took, mut failed) = (Vec::new(), 0u32);
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let at = Instant::now();
                    let answer = client
                        .post(&url)
                        .bearer_auth(&token)
                        .json(
                            &json!({"body": format!("message {i}"), "client_id": format!("m{i}")}),
                        )
                        .send()
                        .await;
                    match answer {
                        Ok(a) if a.status() == 201 => {
                            took.push(at.elapsed().as_secs_f64() * 1000.0)
                        }
                        _ => failed += 1,
                    }
                    i += 1;
                }
                (took, failed)
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_secs(SECONDS)).await;
    stop.store(true, Ordering::Relaxed);
    let (mut took, mut failed) = (Vec::new(), 0);
    for task in tasks {
        let (t, f) = task.await.unwrap();
        took.extend(t);
        failed += f;
    }
    let elapsed = started.elapsed().as_secs_f64();
    if failed > 0 {
        println!("  ({failed} posts failed)");
    }
    took.sort_by(f64::total_cmp);
    (took.len() as f64 / elapsed, percentile(&took, 0.5), percentile(&took, 0.99))
}

/// From `/metrics`: batches committed, commands in them, seconds they took.
async fn batches(base: &str) -> (f64, f64, f64) {
    let text = reqwest::get(format!("{base}/metrics")).await.unwrap().text().await.unwrap();
    let value = |name: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(name)?.strip_prefix(' ')?.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (
        value("porch_batch_seconds_count"),
        value("porch_batched_commands_total"),
        value("porch_batch_seconds_sum"),
    )
}

/// One-row transactions, one after another, for [`SECONDS`] (SQLite has one writer).
async fn sqlite_floor(dir: &std::path::Path) -> f64 {
    let options = sqlx::sqlite::SqliteConnectOptions::from_str(&format!(
        "sqlite://{}/floor.db",
        dir.display()
    ))
    .unwrap()
    .create_if_missing(true)
    .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
    .synchronous(sqlx::sqlite::SqliteSynchronous::Normal);
    let mut conn = options.connect().await.unwrap();
    sqlx::query(
        "CREATE TABLE rows (id INTEGER PRIMARY KEY, conversation TEXT, body TEXT, at INTEGER)",
    )
    .execute(&mut conn)
    .await
    .unwrap();
    let started = Instant::now();
    let mut n = 0u64;
    while started.elapsed() < Duration::from_secs(SECONDS) {
        sqlx::query("INSERT INTO rows (conversation, body, at) VALUES ($1, $2, $3)")
            .bind("conversation")
            .bind(format!("message {n}"))
            .bind(n as i64)
            .execute(&mut conn)
            .await
            .unwrap();
        n += 1;
    }
    n as f64 / started.elapsed().as_secs_f64()
}

/// One-row transactions from 50 connections at once, for [`SECONDS`].
async fn postgres_floor(url: &str) -> f64 {
    let pool = sqlx::postgres::PgPoolOptions::new().max_connections(50).connect(url).await.unwrap();
    sqlx::query("CREATE TABLE floor_rows (id BIGSERIAL PRIMARY KEY, conversation TEXT, body TEXT, at BIGINT)")
        .execute(&pool)
        .await
        .unwrap();
    let started = Instant::now();
    let tasks: Vec<_> = (0..50)
        .map(|_| {
            let pool = pool.clone();
            tokio::spawn(async move {
                let mut n = 0u64;
                while started.elapsed() < Duration::from_secs(SECONDS) {
                    sqlx::query(
                        "INSERT INTO floor_rows (conversation, body, at) VALUES ($1, $2, $3)",
                    )
                    .bind("conversation")
                    .bind(format!("message {n}"))
                    .bind(n as i64)
                    .execute(&pool)
                    .await
                    .unwrap();
                    n += 1;
                }
                n
            })
        })
        .collect();
    let mut n = 0;
    for task in tasks {
        n += task.await.unwrap();
    }
    sqlx::query("DROP TABLE floor_rows").execute(&pool).await.unwrap();
    n as f64 / started.elapsed().as_secs_f64()
}

async fn run(binary: &str, backend: &str, database_url: &str, dir: &std::path::Path, floor: f64) {
    let mut keys = vec![porch_server::demo::WIDGET_KEY.to_owned()];
    keys.extend(workspaces(database_url).await);
    let server = Server::start(binary, database_url, dir, &["--lift-lead-limits"]).await;
    println!("{backend}: raw floor {floor:.0} one-row transactions/s");
    for (what, keys, leads) in [
        ("50 leads, 1 workspace", &keys[..1], 50),
        ("1,000 leads, 100 workspaces", &keys[..], 1_000),
    ] {
        let before = batches(&server.base).await;
        let (rate, p50, p99) = post_for_a_while(&server.base, keys, leads).await;
        let after = batches(&server.base).await;
        let (n, commands, seconds) = (after.0 - before.0, after.1 - before.1, after.2 - before.2);
        println!(
            "{backend}: {what}: {rate:.0} durable messages/s ({:.2}x the floor), post p50 \
             {p50:.1} ms, p99 {p99:.1} ms; {:.1} commands a transaction, {:.2} ms each",
            rate / floor,
            commands / n.max(1.0),
            seconds * 1000.0 / n.max(1.0),
        );
    }
}

#[tokio::main]
async fn main() {
    let binary = std::env::args().nth(1).expect("usage: write_load PATH_TO_PORCH_SERVER");
    let dir = std::env::temp_dir().join(format!("porch-write-load-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let floor = sqlite_floor(&dir).await;
    let url = format!("sqlite://{}/porch.db", dir.display());
    run(&binary, "SQLite", &url, &dir, floor).await;
    match TestDatabase::postgres().await {
        Some(db) => {
            let floor = postgres_floor(&db.url).await;
            run(&binary, "PostgreSQL", &db.url, &dir, floor).await;
            db.drop_database().await;
        }
        None => println!("PostgreSQL: skipped (set PORCH_TEST_POSTGRES_URL)"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}

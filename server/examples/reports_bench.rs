//! Reports benchmark (run by `cargo xtask bench`; prints figures, asserts nothing).
//!
//! 1. A generated history written through the real write path (domain decisions, auto-close
//!    deadlines, the event log): conversations and events per second.
//! 2. Folding that log into the report tables (`catch_up_reports`): events per second.
//! 3. The report tables scaled up to `REPORT_BENCH_CYCLES` cycles (default 1,000,000) by
//!    copying the folded rows, doubling each round and spreading the copies over a year (the
//!    write path would need hours for that many); then the time of the conversation list
//!    page, each summary and each chart, for the last 30 days and for the whole year, on
//!    SQLite and (when `PORCH_TEST_POSTGRES_URL` names a server) PostgreSQL.

use std::sync::Arc;
use std::time::{Duration, Instant};

use porch_domain::reports::{self, DAY};
use porch_protocol::{Millis, ReportQuery, ReportSort};
use porch_store::generate;
use porch_store::testing::TestDatabase;

const NOW: Millis = 1_790_000_000_000;

fn env(name: &str, default: u64) -> u64 {
    std::env::var(name).ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

/// Median of `runs` timings of `f`, in milliseconds.
async fn time<F, Fut>(runs: usize, mut f: F) -> f64
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut took: Vec<Duration> = Vec::new();
    for _ in 0..runs {
        let started = Instant::now();
        f().await;
        took.push(started.elapsed());
    }
    took.sort();
    took[took.len() / 2].as_secs_f64() * 1000.0
}

async fn bench(label: &str, url: &str, base: u64, target: u64) {
    println!("\n{label}:");
    let store = porch_store::connect(url).await.unwrap();
    let names = ["Ann", "Bob", "Cleo", "Dev"];
    let (ws, agents) = porch_store::testing::busy_workspace(store.as_ref(), &names).await.unwrap();
    let days = 14;
    let plan = generate::HistoryPlan {
        conversations: base,
        start: NOW - days * DAY,
        days: days as u32,
        seed: 1,
        agents,
    };
    let started = Instant::now();
    let made = generate::history(store.as_ref(), &ws, &plan).await.unwrap();
    let took = started.elapsed().as_secs_f64();
    println!(
        "  write path: {} conversations, {} messages, {} events in {took:.1} s ({:.0} events/s)",
        made.conversations,
        made.messages,
        made.events,
        made.events as f64 / took
    );
    let started = Instant::now();
    let folded = store.catch_up_reports(&ws.id).await.unwrap();
    let took = started.elapsed().as_secs_f64();
    println!(
        "  fold into report tables: {folded} events in {took:.2} s ({:.0} events/s)",
        folded as f64 / took
    );

    let threshold = reports::DEFAULT_MISSED_AFTER;
    let all = |store: &Arc<dyn porch_store::Store>| {
        let (store, ws) = (store.clone(), ws.id.clone());
        async move {
            store
                .report_data(&ws, (0, Millis::MAX), reports::ReportParts::ALL, threshold, NOW)
                .await
                .unwrap()
        }
    };
    let base_cycles = all(&store).await.totals.cycles;
    let rounds = (target as f64 / base_cycles.max(1) as f64).log2().ceil().max(0.0) as u32;
    let started = Instant::now();
    let year = 365 * DAY;
    for round in 0..rounds {
        // Whole days (minute and day keys stay aligned), at least one.
        let shift = ((year >> (rounds - round)) / DAY).max(1) * DAY;
        porch_store::testing::double_report_rows(url, &ws.id, shift, &format!(".{round}"))
            .await
            .unwrap();
    }
    porch_store::testing::settle(url).await.unwrap();
    let data = all(&store).await;
    let messages = data.messages.total;
    println!(
        "  scaled by copying ({rounds} doublings, {:.0} s): {} cycles, {messages} messages, on {} days",
        started.elapsed().as_secs_f64(),
        data.totals.cycles,
        data.totals.per_day.len()
    );
    drop(data);
    let end = NOW + year + DAY;
    for (range_label, from) in [("last 30 days", end - 30 * DAY), ("whole year", 0)] {
        let query = ReportQuery { from, to: end, page: 1, per_page: 50, ..ReportQuery::default() };
        let (rows, total) = store.report_list(&ws.id, &query, threshold, end).await.unwrap();
        println!("  {range_label}: {total} cycles");
        let list = time(5, || async {
            store.report_list(&ws.id, &query, threshold, end).await.unwrap();
        })
        .await;
        let sorted = ReportQuery { sort: ReportSort::FirstResponse, desc: true, ..query.clone() };
        let list_sorted = time(5, || async {
            store.report_list(&ws.id, &sorted, threshold, end).await.unwrap();
        })
        .await;
        let last_page = ReportQuery { page: (total / 50).max(1) as u32, ..query.clone() };
        let list_last = time(5, || async {
            store.report_list(&ws.id, &last_page, threshold, end).await.unwrap();
        })
        .await;
        println!(
            "    list page (50 of {total}, {} shown): {list:.0} ms; sorted by first response: {list_sorted:.0} ms; last page: {list_last:.0} ms",
            rows.len()
        );
        // Each page: its parts of the data read (SQL), then its summary computed.
        use reports::ReportParts as Parts;
        let page = |parts: Parts, summary: fn(&reports::ReportData)| {
            let (store, ws) = (store.clone(), ws.id.clone());
            time(5, move || {
                let (store, ws) = (store.clone(), ws.clone());
                async move {
                    let data = store.report_data(&ws, (from, end), parts, threshold, end).await;
                    summary(&data.unwrap());
                }
            })
        };
        let pages = [
            ("closing", page(Parts::CLOSING, |d| drop(reports::closing(d))).await),
            (
                "contact centre",
                page(Parts::CONTACT_CENTRE, |d| drop(reports::contact_centre(d))).await,
            ),
            ("activity", page(Parts::ACTIVITY, |d| drop(reports::activity(d))).await),
            ("chatbot", page(Parts::CHATBOT, |d| drop(reports::chatbot(d))).await),
            ("all four (the e-mail's data)", page(Parts::ALL, |_| ()).await),
        ];
        let pages: Vec<String> =
            pages.iter().map(|(name, ms)| format!("{name} {ms:.0} ms")).collect();
        println!("    summary pages (data read and summary computed): {}", pages.join(", "));
        let data =
            store.report_data(&ws.id, (from, end), Parts::ALL, threshold, end).await.unwrap();
        let activity = reports::activity(&data);
        let chart =
            porch_server::charts::activity(&activity, "messages", &Default::default()).unwrap();
        let svg = time(3, || async { drop(chart.svg().unwrap()) }).await;
        let png = time(3, || async { drop(chart.png().unwrap()) }).await;
        println!("    a chart: SVG {svg:.0} ms, PNG {png:.0} ms");
        let (chatbot, centre) = (reports::chatbot(&data), reports::contact_centre(&data));
        let email = time(3, || async {
            let rendered = porch_server::mailer::render(
                ("Bench", &Default::default()),
                (from, end),
                &activity,
                &chatbot,
                &centre,
            )
            .unwrap();
            drop(rendered);
        })
        .await;
        println!("    the e-mail (HTML and 5 PNG charts, after the summaries): {email:.0} ms");
    }
}

#[tokio::main]
async fn main() {
    // `RUST_LOG=sqlx=debug` prints each statement with its time.
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let base = env("REPORT_BENCH_CONVERSATIONS", 2_000);
    let target = env("REPORT_BENCH_CYCLES", 1_000_000);
    let sqlite = TestDatabase::sqlite();
    bench("SQLite", &sqlite.url, base, target).await;
    match TestDatabase::postgres().await {
        Some(db) => {
            bench("PostgreSQL", &db.url, base, target).await;
            db.drop_database().await;
        }
        None => println!("\nPostgreSQL: skipped (set PORCH_TEST_POSTGRES_URL to run it)"),
    }
}

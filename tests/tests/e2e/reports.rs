//! The report pages on a generated history: the list matches the API page by page, the CSV
//! download matches the list, figures drill down to their conversations, every chart loads,
//! and axe-core finds nothing wrong.

use porch_protocol as wire;
use porch_server::demo;
use porch_tests::browser::{eventually, Browser};
use porch_tests::{AgentClient, TestServer};

use crate::accessibility::{axe_source, violations};

const DAY: i64 = 86_400_000;

/// The page's default range: the last seven UTC days, today included.
fn default_range(now: i64) -> String {
    let today = now - now.rem_euclid(DAY);
    format!("from={}&to={}", today - 6 * DAY, today + DAY)
}

async fn charts_loaded(browser: &Browser) -> usize {
    let loaded = eventually("the charts to load", || async {
        let state = browser
            .run(
                "const imgs = [...document.querySelectorAll('[data-testid=chart]')];
                 return imgs.length > 0 && imgs.every(i => i.complete)
                     ? imgs.filter(i => i.naturalWidth === 720).length : null;",
            )
            .await;
        state.as_u64()
    })
    .await;
    loaded as usize
}

#[tokio::test]
#[ignore = "needs the built UI and chromedriver: run by cargo xtask test"]
async fn the_report_pages_show_the_demo_history() {
    let server = TestServer::start().await;
    let made = server.demo_history(150).await;
    assert!(made.conversations > 100, "{made:?}");
    let api = AgentClient::owner(&server).await;
    let range = default_range(server.clock_now());
    let expected: wire::ReportList = api
        .http
        .get(&format!("/api/v1/agent/reports/conversations?{range}&desc=true&per_page=25"))
        .await
        .json();
    assert!(expected.total > 25, "more than a page in the last week: {}", expected.total);

    let owner = Browser::start().await;
    owner.sign_in(&server.base, demo::OWNER.1, demo::OWNER.2).await;
    owner.click("open-reports").await;
    owner.wait_for_text("list-total", &format!("{} conversations", expected.total)).await;
    let want: Vec<String> = expected.rows.iter().map(|r| r.conversation_id.0.clone()).collect();
    assert_eq!(shown(&owner).await, want, "the first page, newest first");
    owner.wait_for_text("page-of", "Page 1 of").await;
    owner.click("page-next").await;
    let second: wire::ReportList = api
        .http
        .get(&format!("/api/v1/agent/reports/conversations?{range}&desc=true&per_page=25&page=2"))
        .await
        .json();
    let want_second: Vec<String> =
        second.rows.iter().map(|r| r.conversation_id.0.clone()).collect();
    eventually("the second page", || async { (shown(&owner).await == want_second).then_some(()) })
        .await;

    // The CSV download holds the same conversations in the same order, every page of them.
    let csv = owner
        .run("return fetch(document.querySelector('[data-testid=csv]').href).then(r => r.text());")
        .await;
    let csv = csv.as_str().expect("CSV text");
    let lines: Vec<&str> = csv.lines().skip(1).collect();
    assert_eq!(lines.len() as u64, expected.total);
    let csv_ids: Vec<&str> = lines.iter().take(25).map(|l| l.split(',').next().unwrap()).collect();
    assert_eq!(csv_ids, want);

    // Sorting by first response, slowest first (descending stays on), as the API sorts it.
    owner.select("filter-sort", "first_response").await;
    let sorted: wire::ReportList = api
        .http
        .get(&format!(
            "/api/v1/agent/reports/conversations?{range}&sort=first_response&desc=true&per_page=25"
        ))
        .await
        .json();
    let want: Vec<String> = sorted.rows.iter().map(|r| r.conversation_id.0.clone()).collect();
    eventually("the sorted list", || async { (shown(&owner).await == want).then_some(()) }).await;

    // Contact centre: its figures drill down to the missed conversations.
    let centre: wire::ContactCentreReport =
        api.http.get(&format!("/api/v1/agent/reports/contact-centre?{range}")).await.json();
    owner.click("tab-contact-centre").await;
    owner.wait_for_text("drill-missed", &centre.missed.to_string()).await;
    assert_eq!(charts_loaded(&owner).await, 3);
    assert_eq!(violations(&owner, &axe_source()).await, Vec::<String>::new(), "contact centre");
    owner.click("drill-missed").await;
    owner.wait_for_text("list-total", &format!("{} conversations", centre.missed)).await;

    for (tab, figures) in [
        ("tab-closing", Some("closing-figures")),
        ("tab-activity", Some("activity-figures")),
        ("tab-chatbot", None),
    ] {
        owner.click(tab).await;
        if let Some(figures) = figures {
            owner.find(figures).await;
        }
        assert_eq!(charts_loaded(&owner).await, 3, "{tab}");
    }
    assert_eq!(violations(&owner, &axe_source()).await, Vec::<String>::new(), "chatbot");
    owner.click("tab-conversations").await;
    owner.find("report-table").await;
    assert_eq!(violations(&owner, &axe_source()).await, Vec::<String>::new(), "the list");

    // The owner asks for the weekly e-mail in Settings.
    owner.click("open-settings").await;
    owner.select("report-cadence", "weekly").await;
    owner.type_into("report-recipients", "owner@shop.example").await;
    owner.click("reports-save").await;
    owner.wait_for_text("reports-status", "Saved").await;
    let view: wire::WorkspaceView = api.http.get("/api/v1/agent/workspace").await.json();
    assert_eq!(view.settings.reports.email.cadence, wire::ReportCadence::Weekly);
    assert_eq!(view.settings.reports.email.recipients, ["owner@shop.example"]);
    owner.close().await;
}

/// The conversation ids of the list's rows, top to bottom.
async fn shown(browser: &Browser) -> Vec<String> {
    let mut ids = Vec::new();
    for row in browser.all("report-row").await {
        ids.push(row.attr("data-conversation").await.unwrap().unwrap_or_default());
    }
    ids
}

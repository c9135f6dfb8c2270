//! What browsers download (issue 15): the brotli or gzip copy made at build time when the
//! browser accepts it, hashed files cached for a year, pages and the loader revalidated, and
//! JSON answers above 1 KB gzipped.

use porch_tests::*;
use reqwest::header;

const HASHED: &str = "porch-widget-0123456789abcdef.js";

/// A built widget folder: a page, a hashed script and its two compressed copies (marked, so
/// the test sees which one was sent).
fn built() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("porch-assets-{}", uuid()));
    let widget = dir.join("widget");
    std::fs::create_dir_all(&widget).unwrap();
    std::fs::write(widget.join("index.html"), "<!doctype html><title>w</title>").unwrap();
    std::fs::write(widget.join(HASHED), "console.log('porch');".repeat(100)).unwrap();
    std::fs::write(widget.join(format!("{HASHED}.br")), "brotli copy").unwrap();
    std::fs::write(widget.join(format!("{HASHED}.gz")), "gzip copy").unwrap();
    dir
}

#[tokio::test]
async fn browsers_get_the_compressed_copy_they_accept_and_long_lived_hashed_files() {
    let assets = built();
    let server = TestServer::start_with(|state| state.assets_dir = assets.clone()).await;
    let client = reqwest::Client::new();
    let get = |path: String, accept: &'static str| {
        let request = client.get(format!("{}{path}", server.base));
        let request = if accept.is_empty() {
            request
        } else {
            request.header(header::ACCEPT_ENCODING, accept)
        };
        async move { request.send().await.unwrap() }
    };
    let script = format!("/widget/{HASHED}");
    for (accept, encoding, body) in [
        ("br, gzip", Some("br"), "brotli copy"),
        ("gzip", Some("gzip"), "gzip copy"),
        ("", None, "console.log('porch');"),
    ] {
        let answer = get(script.clone(), accept).await;
        let headers = answer.headers().clone();
        let encoding_sent = headers.get(header::CONTENT_ENCODING).map(|v| v.to_str().unwrap());
        assert_eq!(encoding_sent, encoding, "{accept:?}");
        assert!(headers[header::CONTENT_TYPE].to_str().unwrap().contains("javascript"));
        assert_eq!(headers[header::CACHE_CONTROL], "public, max-age=31536000, immutable");
        assert!(answer.text().await.unwrap().starts_with(body), "{accept:?}");
    }
    for page in ["/widget/", "/widget.js"] {
        let answer = get(page.to_owned(), "br, gzip").await;
        assert_eq!(answer.status(), 200, "{page}");
        assert_eq!(answer.headers()[header::CACHE_CONTROL], "no-cache", "{page}");
    }

    // JSON above 1 KB goes gzipped to a client that accepts it; below, as it is.
    server.demo_history(30).await;
    let agent = AgentClient::demo(&server).await;
    let list = |accept: &'static str| {
        let request = client
            .get(format!("{}/api/v1/agent/conversations", server.base))
            .header(header::COOKIE, agent.cookie())
            .header(header::ACCEPT_ENCODING, accept);
        async move { request.send().await.unwrap() }
    };
    let gzipped = list("gzip").await;
    assert_eq!(gzipped.status(), 200);
    assert_eq!(gzipped.headers()[header::CONTENT_ENCODING], "gzip");
    let plain = list("identity").await;
    assert!(plain.headers().get(header::CONTENT_ENCODING).is_none());
    assert!(plain.text().await.unwrap().len() > 1024, "a list worth compressing");
    let small = client
        .get(format!("{}/api/v1/agent/me", server.base))
        .header(header::COOKIE, agent.cookie())
        .header(header::ACCEPT_ENCODING, "gzip")
        .send()
        .await
        .unwrap();
    assert!(small.headers().get(header::CONTENT_ENCODING).is_none(), "under 1 KB");
    let _ = std::fs::remove_dir_all(&assets);
}

/// Every page of Porch names its icon, and the icon is there: no 404 in any page's console.
#[tokio::test]
async fn every_page_has_an_icon() {
    let server = TestServer::start().await;
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build();
    let client = client.unwrap();
    let icon = client.get(format!("{}/favicon.svg", server.base)).send().await.unwrap();
    assert_eq!(icon.status(), 200);
    assert_eq!(icon.headers()[header::CONTENT_TYPE], "image/svg+xml");
    assert!(icon.text().await.unwrap().starts_with("<svg"));
    let legacy = client.get(format!("{}/favicon.ico", server.base)).send().await.unwrap();
    assert_eq!(legacy.status(), 308);
    assert_eq!(legacy.headers()[header::LOCATION], "/favicon.svg");
    let inbox =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../inbox/index.html"));
    for (page, html) in [
        ("/demo", Http::new(&server).get("/demo").await.text),
        ("/api/docs", Http::new(&server).get("/api/docs").await.text),
        ("inbox/index.html", inbox.unwrap()),
    ] {
        assert!(html.contains(r#"<link rel="icon" href="/favicon.svg""#), "{page}");
    }
}

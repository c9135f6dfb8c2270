//! Headless Chromium driven through chromedriver (fantoccini), with `data-testid` helpers.
//!
//! Each [`Browser`] is its own chromedriver and Chromium with a fresh profile, so two of them are
//! two unrelated people (a lead and an agent).

use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::{Client, ClientBuilder, Locator};
use porch_store::testing::TempDir;
use serde_json::json;

/// How long a step may wait for the page to get there; a liveness guard, not a measurement.
pub const PATIENCE: Duration = Duration::from_secs(15);

pub struct Browser {
    pub client: Client,
    driver: Child,
    /// chromedriver's port, for the commands fantoccini does not wrap.
    port: u16,
    _profile: TempDir,
}

impl Browser {
    pub async fn start() -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver_path =
            std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "/usr/bin/chromedriver".into());
        let driver = Command::new(&driver_path)
            .arg(format!("--port={port}"))
            // The widget speaks the browser's clock and language: the same ones on every machine.
            .env("TZ", "UTC")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("start {driver_path} (cargo xtask test installs it): {e}"));
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < PATIENCE, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile = TempDir::new();
        let binary = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let options = json!({
            "binary": binary,
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-quic", "--no-first-run", "--window-size=1280,900", "--lang=en-US",
                format!("--user-data-dir={}", profile.0.display()),
            ]
        });
        let mut capabilities = serde_json::Map::new();
        capabilities.insert("goog:chromeOptions".into(), options);
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        let client = ClientBuilder::new(connector)
            .capabilities(capabilities)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a Chromium session");
        Browser { client, driver, port, _profile: profile }
    }

    pub async fn goto(&self, url: &str) {
        self.client.goto(url).await.expect("navigate");
    }

    /// The element with this `data-testid`, waiting for it to appear.
    pub async fn find(&self, test_id: &str) -> Element {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(Locator::Css(&format!("[data-testid=\"{test_id}\"]")))
            .await
            .unwrap_or_else(|e| panic!("no [data-testid={test_id}]: {e}"))
    }

    pub async fn all(&self, test_id: &str) -> Vec<Element> {
        self.client
            .find_all(Locator::Css(&format!("[data-testid=\"{test_id}\"]")))
            .await
            .unwrap_or_default()
    }

    pub async fn click(&self, test_id: &str) {
        self.find(test_id).await.click().await.unwrap_or_else(|e| panic!("click {test_id}: {e}"));
    }

    pub async fn type_into(&self, test_id: &str, text: &str) {
        self.find(test_id)
            .await
            .send_keys(text)
            .await
            .unwrap_or_else(|e| panic!("type into {test_id}: {e}"));
    }

    /// Chooses the `<option value=…>` of a `<select>`.
    pub async fn select(&self, test_id: &str, value: &str) {
        self.find(test_id)
            .await
            .select_by_value(value)
            .await
            .unwrap_or_else(|e| panic!("select {value} in {test_id}: {e}"));
    }

    /// The `value` property of an input, select or textarea.
    pub async fn value(&self, test_id: &str) -> String {
        self.find(test_id).await.prop("value").await.ok().flatten().unwrap_or_default()
    }

    /// Signs in to the inbox at `base` and waits until its socket is live.
    pub async fn sign_in(&self, base: &str, email: &str, password: &str) {
        self.goto(&format!("{base}/app/")).await;
        self.type_into("login-email", email).await;
        self.type_into("login-password", password).await;
        self.click("login-submit").await;
        self.wait_live().await;
    }

    /// Opens (or reloads) the inbox of an agent already signed in.
    pub async fn open_inbox(&self, base: &str) {
        self.goto(&format!("{base}/app/")).await;
        self.wait_live().await;
    }

    /// Waits until the inbox's socket is live (after a sign-in of any kind).
    pub async fn wait_live(&self) {
        eventually("the inbox socket to be live", || async {
            let state = self.find("connection").await.attr("data-state").await.ok().flatten();
            (state.as_deref() == Some("live")).then_some(())
        })
        .await;
    }

    /// Opens the widget on the demo site for `key` and enters its iframe.
    pub async fn open_widget(&self, base: &str, key: &str) {
        self.goto(&format!("{base}/demo?key={key}")).await;
        self.open_widget_here().await;
    }

    /// Opens the widget of the page shown (by its launcher) and enters its iframe.
    pub async fn open_widget_here(&self) {
        self.click("porch-launcher").await;
        let frame = self.find("porch-frame").await;
        frame.enter_frame().await.expect("enter the widget iframe");
    }

    /// A new lead of the workspace `key` who opened the widget and wrote `first`, shown.
    pub async fn lead_who_wrote(base: &str, key: &str, first: &str) -> Browser {
        let lead = Browser::start().await;
        lead.open_widget(base, key).await;
        lead.click("start-conversation").await;
        lead.type_into("composer-input", first).await;
        lead.click("send").await;
        lead.wait_for_text("message", first).await;
        lead
    }

    /// Opens a new tab of the same browser (same storage: the same lead) and switches to it.
    pub async fn new_tab(&self) -> fantoccini::wd::WindowHandle {
        let tab = self.client.new_window(true).await.expect("new tab");
        self.client.switch_to_window(tab.handle.clone()).await.expect("switch tab");
        tab.handle
    }

    pub async fn switch_to(&self, tab: fantoccini::wd::WindowHandle) {
        self.client.switch_to_window(tab).await.expect("switch tab");
    }

    /// Re-enters the widget iframe after switching tabs.
    pub async fn enter_widget(&self) {
        self.client.enter_parent_frame().await.ok();
        let frame = self.find("porch-frame").await;
        frame.enter_frame().await.expect("enter the widget iframe");
    }

    /// The texts of every element with this `data-testid`.
    pub async fn texts(&self, test_id: &str) -> Vec<String> {
        let mut texts = Vec::new();
        for element in self.all(test_id).await {
            texts.push(element.text().await.unwrap_or_default());
        }
        texts
    }

    /// Waits until some element with this `data-testid` contains `text`.
    pub async fn wait_for_text(&self, test_id: &str, text: &str) {
        eventually(&format!("[data-testid={test_id}] showing {text:?}"), || async {
            self.texts(test_id).await.iter().any(|t| t.contains(text)).then_some(())
        })
        .await
    }

    /// Waits until no element has this `data-testid`.
    pub async fn wait_gone(&self, test_id: &str) {
        eventually(&format!("[data-testid={test_id}] to go"), || async {
            self.all(test_id).await.is_empty().then_some(())
        })
        .await
    }

    /// Whether an element's `disabled` property is set.
    pub async fn is_disabled(&self, test_id: &str) -> bool {
        let element = self.find(test_id).await;
        element.prop("disabled").await.ok().flatten().is_some_and(|v| v == "true")
    }

    /// Sends a Chrome DevTools Protocol command (`Emulation.setCPUThrottlingRate`, say)
    /// through chromedriver; answers its result.
    pub async fn cdp(&self, cmd: &str, params: serde_json::Value) -> serde_json::Value {
        let session = self.client.session_id().await.ok().flatten().expect("a session");
        let url = format!("http://127.0.0.1:{}/session/{session}/goog/cdp/execute", self.port);
        let body = json!({ "cmd": cmd, "params": params });
        let answer = reqwest::Client::new().post(url).json(&body).send().await.expect("cdp");
        answer.json::<serde_json::Value>().await.expect("a cdp answer")["value"].clone()
    }

    /// Sizes the window so that the page gets `width` × `height` CSS pixels.
    pub async fn set_inner_size(&self, width: u32, height: u32) {
        self.client.set_window_size(width, height).await.expect("a window size");
        let inner = self.run("return [window.innerWidth, window.innerHeight]").await;
        let inner: (u32, u32) = serde_json::from_value(inner).expect("the inner size");
        let (w, h) = (2 * width - inner.0.min(width), 2 * height - inner.1.min(height));
        self.client.set_window_size(w, h).await.expect("a window size");
    }

    pub async fn run(&self, script: &str) -> serde_json::Value {
        self.client.execute(script, vec![]).await.expect("script runs")
    }

    pub async fn close(self) {
        let _ = self.client.clone().close().await;
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // The driver leads its own process group; ending the group takes Chromium with it even
        // when a failing test never reached `close`.
        let _ = Command::new("kill").arg("--").arg(format!("-{}", self.driver.id())).status();
        let _ = self.driver.wait();
    }
}

/// Polls `check` until it yields a value, failing after [`PATIENCE`].
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> T
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Option<T>>,
{
    let started = Instant::now();
    loop {
        if let Some(value) = check().await {
            return value;
        }
        assert!(started.elapsed() < PATIENCE, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A customer's site on its own origin (a port of 127.0.0.1), serving `page` at `/`: its
/// origin.
pub async fn customer_site(page: String) -> String {
    let app = axum::Router::new().route(
        "/",
        axum::routing::get(move || {
            let page = page.clone();
            async move { axum::response::Html(page) }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await });
    origin
}

impl Browser {
    /// Opens the widget's frame on the current page and says whether the browser refused to
    /// frame it (its own error page instead of the widget), once the frame has settled.
    pub async fn widget_frame_refused(&self) -> bool {
        self.click("porch-launcher").await;
        self.find("porch-frame").await.enter_frame().await.expect("enter the frame");
        let shown = eventually("the frame to settle", || async {
            let href = self.run("return location.href").await;
            let href = href.as_str().unwrap_or_default().to_owned();
            (href != "about:blank" && !href.is_empty()).then_some(href)
        })
        .await;
        self.client.enter_parent_frame().await.expect("back to the page");
        shown.starts_with("chrome-error://")
    }
}

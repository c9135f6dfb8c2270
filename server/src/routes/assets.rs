//! What browsers load: the loader script customers embed, the widget's iframe page, the inbox,
//! and a demo host page that embeds the widget exactly as a customer's site would.

use axum::extract::Request;
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use tower_http::services::{ServeDir, ServeFile};
use tower_http::set_header::SetResponseHeaderLayer;

use crate::{security, ApiError, AppState};

/// The loader customers paste; small, dependency-free, exposes only `window.Porch`.
pub const LOADER_JS: &str = include_str!("../../../widget/loader.js");

pub fn router(state: &AppState) -> Router<AppState> {
    // Brotli or gzip copies made at build time go to browsers that accept them.
    let dir = |name: &str| {
        let root = state.assets_dir.join(name);
        let index = ServeFile::new(root.join("index.html")).precompressed_br().precompressed_gzip();
        ServeDir::new(&root).precompressed_br().precompressed_gzip().fallback(index)
    };
    let app_policy =
        format!("{}; frame-ancestors 'none'", security::page_policy(&state.assets_dir.join("app")));
    let app_policy = HeaderValue::from_str(&app_policy)
        .unwrap_or(HeaderValue::from_static("default-src 'self'; frame-ancestors 'none'"));
    let widget_policy = security::page_policy(&state.assets_dir.join("widget"));
    let widget_state = state.clone();
    Router::new()
        .route("/", get(|| async { Redirect::to("/app/") }))
        .route("/widget.js", get(loader))
        .route("/favicon.svg", get(favicon))
        // Browsers ask for this on pages that name no icon (the customer's own pages do).
        .route("/favicon.ico", get(|| async { Redirect::permanent("/favicon.svg") }))
        .route("/demo", get(demo))
        // The API reference: Swagger UI (npm swagger-ui-dist, copied into `docs/` by
        // `cargo xtask`) over `/api/v1/openapi.json`; nothing from a CDN.
        .route("/api/docs", get(docs_page))
        .route("/api/docs/init.js", get(docs_init))
        .nest_service("/api/docs/assets", dir("docs"))
        // The widget runs inside customers' pages: framed by the origins its workspace allows
        // (any, when it allows none in particular).
        .nest_service(
            "/widget",
            Router::new()
                .fallback_service(dir("widget"))
                .layer(middleware::from_fn(cache_policy))
                .layer(middleware::from_fn(move |request: Request, next: Next| {
                    let (state, policy) = (widget_state.clone(), widget_policy.clone());
                    async move {
                        let key = widget_key(&request);
                        let ancestors = frame_ancestors(&state, key).await;
                        let mut response = next.run(request).await;
                        let policy = format!("{policy}; frame-ancestors {ancestors}");
                        if let Ok(value) = HeaderValue::from_str(&policy) {
                            response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, value);
                        }
                        response
                    }
                })),
        )
        .nest_service(
            "/app",
            Router::new()
                .fallback_service(dir("app"))
                .layer(middleware::from_fn(cache_policy))
                .layer(SetResponseHeaderLayer::overriding(
                    header::CONTENT_SECURITY_POLICY,
                    app_policy,
                ))
                .layer(SetResponseHeaderLayer::overriding(
                    header::X_FRAME_OPTIONS,
                    HeaderValue::from_static("DENY"),
                )),
        )
}

const DOCS_POLICY: &str =
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
                           img-src 'self' data:; font-src 'self' data:; connect-src 'self'; \
                           base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

async fn docs_page() -> Response {
    let page = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Porch API reference</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css"></head>
<body><main id="api-docs"><noscript>The reference needs JavaScript; the document itself is
<a href="/api/v1/openapi.json">/api/v1/openapi.json</a>.</noscript></main>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/init.js"></script></body></html>"#;
    ([(header::CONTENT_SECURITY_POLICY, DOCS_POLICY)], Html(page)).into_response()
}

async fn docs_init() -> Response {
    let script = "window.ui = SwaggerUIBundle({ url: '/api/v1/openapi.json', dom_id: '#api-docs', \
                  deepLinking: true, tryItOutEnabled: false });";
    ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], script).into_response()
}

/// Hashed build outputs (`porch-widget-c3c22b5fab4bc6e1_bg.wasm`) never change: cached for a
/// year. The pages naming them, and anything else, are revalidated on every use.
async fn cache_policy(request: Request, next: Next) -> Response {
    let immutable = hashed(request.uri().path());
    let mut response = next.run(request).await;
    if response.status().is_success() || response.status() == StatusCode::NOT_MODIFIED {
        let policy = if immutable { "public, max-age=31536000, immutable" } else { "no-cache" };
        response.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(policy));
    }
    response
}

/// Whether a path names a file whose name carries Trunk's content hash (16 hex digits after
/// the last `-` of its stem, before any `_bg`).
fn hashed(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or_default();
    let stem = name.split('.').next().unwrap_or_default();
    let stem = stem.strip_suffix("_bg").unwrap_or(stem);
    stem.rsplit_once('-').is_some_and(|(_, hash)| {
        hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// The `?key=` of a widget page request.
fn widget_key(request: &Request) -> Option<String> {
    let query = request.uri().query()?;
    let mut pairs = url::form_urlencoded::parse(query.as_bytes());
    pairs.find(|(k, _)| k == "key").map(|(_, v)| v.into_owned())
}

/// Who may frame the widget page of workspace `key`: the origins it allows, or any.
async fn frame_ancestors(state: &AppState, key: Option<String>) -> String {
    let Some(key) = key else { return "*".into() };
    match state.store.workspace_by_key(&key).await {
        Ok(Some(w)) if !w.settings.install.allowed_origins.is_empty() => {
            w.settings.install.allowed_origins.join(" ")
        }
        _ => "*".into(),
    }
}

async fn loader() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            // Revalidated on every page: a new release reaches visitors at once.
            (header::CACHE_CONTROL, "no-cache"),
        ],
        LOADER_JS,
    )
        .into_response()
}

#[cfg(test)]
#[test]
fn hashed_names_are_trunks_outputs() {
    for name in ["/widget/porch-widget-c3c22b5fab4bc6e1_bg.wasm", "/app/style-ba484a128cc2d54b.css"]
    {
        assert!(hashed(name), "{name}");
    }
    for name in
        ["/widget/", "/widget/index.html", "/app/style-ba484a12.css", "/app/x-ZZZZZZZZZZZZZZZZ.js"]
    {
        assert!(!hashed(name), "{name}");
    }
}

#[derive(serde::Deserialize)]
struct DemoParams {
    key: Option<String>,
}

/// The demo site, embedding the demo workspace's widget or, with `?key=`, any workspace's
/// (widget keys are public: every customer page carries one). Served only in demo mode.
async fn demo(
    axum::extract::State(state): axum::extract::State<AppState>,
    axum::extract::Query(params): axum::extract::Query<DemoParams>,
) -> Response {
    let Some(demo_key) = state.demo_key else {
        return (StatusCode::NOT_FOUND, ApiError::NotFound("demo workspace")).into_response();
    };
    let key = params.key.unwrap_or(demo_key);
    // The key lands in an HTML attribute: only characters keys are made of may pass.
    if !key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
        return ApiError::bad_request("invalid_key", "widget keys are letters, digits, - and _")
            .into_response();
    }
    Html(DEMO_PAGE.replace("{KEY}", &key)).into_response()
}

/// Porch's icon: a speech bubble on the brand's teal.
const FAVICON: &str = r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#0f766e"/><path d="M8 9h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2h-9l-5 4v-4H8a2 2 0 0 1-2-2v-9a2 2 0 0 1 2-2z" fill="#fff"/></svg>"##;

async fn favicon() -> Response {
    let headers =
        [(header::CONTENT_TYPE, "image/svg+xml"), (header::CACHE_CONTROL, "public, max-age=86400")];
    (headers, FAVICON).into_response()
}

const DEMO_PAGE: &str = r#"<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Demo Shop — Porch demo</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>
  body { font: 16px/1.5 system-ui, sans-serif; margin: 0; color: #1f2328; }
  header { background: #0f766e; color: white; padding: 1rem 2rem; }
  main { max-width: 48rem; margin: 2rem auto; padding: 0 1rem; }
  .products { display: grid; grid-template-columns: repeat(auto-fill, minmax(12rem, 1fr)); gap: 1rem; }
  .product { border: 1px solid #d0d7de; border-radius: .5rem; padding: 1rem; }
  pre { white-space: pre-wrap; overflow-wrap: anywhere; }
</style>
</head>
<body>
<header><h1>Demo Shop</h1></header>
<main>
  <p>This page is a customer's website. The chat launcher in the corner comes from one script tag:</p>
  <pre><code>&lt;script src="/widget.js" data-workspace="{KEY}" async&gt;&lt;/script&gt;</code></pre>
  <div class="products">
    <div class="product"><h2>Tea kettle</h2><p>€39</p></div>
    <div class="product"><h2>Mug set</h2><p>€24</p></div>
    <div class="product"><h2>Teapot</h2><p>€45</p></div>
  </div>
</main>
<script src="/widget.js" data-workspace="{KEY}" async></script>
</body>
</html>
"#;

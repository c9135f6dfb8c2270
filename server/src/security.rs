//! What a browser is told and checked for: security headers on every answer, a strict
//! Content-Security-Policy on the two pages (`/app/`, `/widget/`), and same-origin checks on
//! everything an agent's cookie could be made to do from another site.

use std::path::Path;

use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::ApiError;

/// Headers every answer carries.
pub fn common_headers(response: &mut Response) {
    let headers = response.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
}

pub async fn with_common_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    common_headers(&mut response);
    response
}

/// The policy of a Trunk-built page in `dir`: its own files only, WebAssembly compiled, and
/// the page's inline bootstrap scripts by hash (read from its `index.html` at start); who may
/// frame it is added by the caller (`; frame-ancestors …`).
pub fn page_policy(dir: &Path) -> String {
    let html = std::fs::read_to_string(dir.join("index.html")).unwrap_or_default();
    let hashes: String = inline_scripts(&html)
        .map(|script| format!(" 'sha256-{}'", base64(&Sha256::digest(script))))
        .collect();
    format!(
        "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'{hashes}; style-src 'self'; \
         img-src 'self' data:; font-src 'self'; connect-src 'self'; base-uri 'none'; \
         form-action 'none'"
    )
}

/// The text of each `<script>` without a `src`.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attributes, rest) = rest.split_once('>')?;
        let (body, _) = rest.split_once("</script>")?;
        (!attributes.contains("src=")).then_some(body)
    })
}

/// Standard base64 with padding (what CSP hashes are written in).
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(match i <= chunk.len() {
                true => char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]),
                false => '=',
            });
        }
    }
    out
}

/// Refuses what a page on another site could make a signed-in agent's browser do: a request
/// that changes something, or the agent socket, whose `Origin` (or, without one,
/// `Sec-Fetch-Site`) says it comes from elsewhere. Clients that are not browsers send neither
/// and are not affected; they carry no ambient cookie to abuse.
pub async fn same_origin(request: Request, next: Next) -> Response {
    let changes = !matches!(*request.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let socket = request.headers().contains_key(header::UPGRADE);
    if (changes || socket) && !from_this_site(request.headers()) {
        return ApiError::BadRequest {
            status: axum::http::StatusCode::FORBIDDEN,
            code: "cross_origin",
            message: "this request must come from Porch's own pages".into(),
        }
        .into_response();
    }
    next.run(request).await
}

fn from_this_site(headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    match (text("origin"), text("host")) {
        (Some(origin), Some(host)) => origin
            .split_once("://")
            .is_some_and(|(_, authority)| authority.eq_ignore_ascii_case(host)),
        (Some(_), None) => false,
        (None, _) => {
            text("sec-fetch-site").is_none_or(|site| matches!(site, "same-origin" | "none"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_standard() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64(&[0xff, 0xfe, 0xfd]), "//79");
    }

    #[test]
    fn only_inline_scripts_are_hashed() {
        let html = r#"<script src="/a.js"></script><script type="module">go()</script>"#;
        assert_eq!(inline_scripts(html).collect::<Vec<_>>(), ["go()"]);
    }

    #[test]
    fn cross_site_requests_are_told_apart() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut map = HeaderMap::new();
            for (k, v) in pairs {
                map.insert(*k, HeaderValue::from_static(v));
            }
            map
        };
        assert!(from_this_site(&headers(&[("origin", "https://porch.io"), ("host", "porch.io")])));
        assert!(!from_this_site(&headers(&[("origin", "https://evil.io"), ("host", "porch.io")])));
        assert!(!from_this_site(&headers(&[("origin", "null"), ("host", "porch.io")])));
        assert!(from_this_site(&headers(&[("host", "porch.io")])), "not a browser");
        assert!(!from_this_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(from_this_site(&headers(&[("sec-fetch-site", "same-origin")])));
    }
}

//! Every endpoint of `/api/v1` described once: its method, its path, the body it takes and the
//! body it answers. The server routes these paths, its OpenAPI document takes the schemas from
//! these types, and the widget, the inbox and the tests call through them — so a path or a
//! body type changes in one place, and the compiler finds every caller.
//!
//! A body of `()` is none (no request body; an answer with status 202 or 204). Answers that are
//! not JSON (CSV, charts, sockets) have marker types: [`Csv`], [`Chart`], [`Socket`].

use std::marker::PhantomData;

pub mod agent;
pub mod lead;

pub use lead::{dev, operator, widget, OPENAPI};

/// Where every path below is mounted.
pub const PREFIX: &str = "/api/v1";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Put,
    Delete,
}

impl Method {
    pub const fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

/// One endpoint: `Req` is the JSON body it takes, `Res` the body of a success.
pub struct Endpoint<Req, Res> {
    pub method: Method,
    /// Under [`PREFIX`], with `{name}` for each path parameter (the router's and OpenAPI's
    /// syntax).
    pub path: &'static str,
    /// The status of a success.
    pub status: u16,
    types: PhantomData<fn(Req) -> Res>,
}

// By hand: derived impls would ask `Req` and `Res` to be `Copy` too.
impl<Req, Res> Clone for Endpoint<Req, Res> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<Req, Res> Copy for Endpoint<Req, Res> {}

impl<Req, Res> Endpoint<Req, Res> {
    const fn new(method: Method, path: &'static str) -> Self {
        Endpoint { method, path, status: 200, types: PhantomData }
    }

    pub const fn get(path: &'static str) -> Self {
        Self::new(Method::Get, path)
    }

    pub const fn post(path: &'static str) -> Self {
        Self::new(Method::Post, path)
    }

    pub const fn put(path: &'static str) -> Self {
        Self::new(Method::Put, path)
    }

    pub const fn delete(path: &'static str) -> Self {
        Self::new(Method::Delete, path)
    }

    /// A success answers `status` rather than 200.
    pub const fn answers(self, status: u16) -> Self {
        Endpoint { status, ..self }
    }

    /// A call of this endpoint: the path's parameters filled in order.
    pub fn at(&self, params: &[&str]) -> Call<Req, Res> {
        Call {
            method: self.method,
            url: fill(self.path, params),
            status: self.status,
            types: PhantomData,
        }
    }
}

/// An endpoint with its parameters: what a client sends.
pub struct Call<Req, Res> {
    pub method: Method,
    /// From `/api/v1`, with any query string.
    pub url: String,
    /// The status of a success.
    pub status: u16,
    types: PhantomData<fn(Req) -> Res>,
}

impl<Req, Res> Call<Req, Res> {
    /// With a query string (`a=1&b=2`, already encoded).
    pub fn query(mut self, query: &str) -> Self {
        if !query.is_empty() {
            self.url.push('?');
            self.url.push_str(query);
        }
        self
    }
}

/// `/api/v1` + `path` with each `{…}` replaced by the next of `params`. Not generic, so the
/// browser bundles carry it once.
fn fill(path: &str, params: &[&str]) -> String {
    let mut url = String::with_capacity(PREFIX.len() + path.len() + 40);
    url.push_str(PREFIX);
    let mut params = params.iter();
    let mut in_name = false;
    // Byte by byte: paths are ASCII, and this keeps string searching out of the bundles.
    for byte in path.bytes() {
        match byte {
            b'{' => {
                in_name = true;
                url.push_str(params.next().copied().unwrap_or_default());
            }
            b'}' => in_name = false,
            _ if !in_name => url.push(char::from(byte)),
            _ => {}
        }
    }
    url
}

/// A CSV answer.
pub struct Csv;

/// A chart: SVG, or PNG when asked.
pub struct Chart;

/// The OpenAPI document itself.
pub struct Document;

/// A WebSocket (101) whose server frames are `F`.
pub struct Socket<F>(PhantomData<F>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_call_fills_the_path_parameters_in_order() {
        let resend = agent::RESEND_DELIVERY.at(&["w1", "d2"]);
        assert_eq!(resend.url, "/api/v1/agent/webhooks/w1/deliveries/d2/resend");
        assert_eq!(resend.method, Method::Post);
        assert_eq!(agent::ME.at(&[]).url, "/api/v1/agent/me");
        let page = agent::REPORT_CONVERSATIONS.at(&[]).query("page=2");
        assert_eq!(page.url, "/api/v1/agent/reports/conversations?page=2");
        assert_eq!(agent::CONVERSATIONS.at(&[]).query("").url, "/api/v1/agent/conversations");
    }

    #[test]
    fn created_and_empty_answers_say_their_status() {
        assert_eq!(widget::START.status, 201);
        assert_eq!(agent::LOGOUT.status, 204);
        assert_eq!(agent::FORGOT_PASSWORD.status, 202);
        assert_eq!(agent::ME.status, 200);
    }
}

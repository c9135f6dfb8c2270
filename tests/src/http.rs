//! HTTP calls as a client sends them, and their answers read whole.

use porch_protocol::api;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::*;

/// An HTTP answer: status and JSON body (or `Null`).
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub body: Value,
    pub headers: reqwest::header::HeaderMap,
    /// The body as sent.
    pub text: String,
}

impl Answer {
    pub fn json<T: DeserializeOwned>(&self) -> T {
        serde_json::from_value(self.body.clone())
            .unwrap_or_else(|e| panic!("{e}: unexpected body {} ({})", self.body, self.status))
    }

    /// Asserts an error answer: its status and `code`, and that it has a message.
    pub fn assert_error(&self, status: u16, code: &str) {
        assert_eq!(self.status.as_u16(), status, "body: {}", self.body);
        assert_eq!(self.body["code"], code, "body: {}", self.body);
        assert!(self.body["message"].as_str().is_some_and(|m| !m.is_empty()), "{}", self.body);
    }
}

#[derive(Clone)]
pub struct Http {
    client: reqwest::Client,
    base: String,
    /// `Authorization` for leads, `Cookie` for agents.
    auth: Option<(&'static str, String)>,
}

impl Http {
    pub fn new(server: &TestServer) -> Http {
        Http { client: reqwest::Client::new(), base: server.base.clone(), auth: None }
    }

    /// This client, signed in as it is, talking to another server (of the same database).
    pub fn on(&self, server: &TestServer) -> Http {
        Http { base: server.base.clone(), ..self.clone() }
    }

    /// This client with an agent's session cookie (`porch_session=…`).
    pub fn with_cookie(self, cookie: &str) -> Http {
        Http { auth: Some(("cookie", cookie.to_owned())), ..self }
    }

    /// This client with `Authorization: Bearer <secret>` (an API token, a visitor token).
    pub fn with_bearer(self, secret: &str) -> Http {
        Http { auth: Some(("authorization", format!("Bearer {secret}"))), ..self }
    }

    pub async fn send(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Answer {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some((name, value)) = &self.auth {
            request = request.header(*name, value);
        }
        if let Some(body) = body {
            request = request.json(&body);
        }
        answer(request.send().await.expect("request")).await
    }

    /// One call of an endpoint of `porch_protocol::api`, its body as JSON (none for `()`).
    pub async fn call<Req: Serialize, Res>(&self, call: api::Call<Req, Res>, body: &Req) -> Answer {
        let method = reqwest::Method::from_bytes(call.method.as_str().as_bytes()).unwrap();
        let body = serde_json::to_value(body).expect("a JSON body");
        self.send(method, &call.url, (!body.is_null()).then_some(body)).await
    }

    /// The same, asserting it succeeded with the endpoint's status: its answer as `Res`.
    pub async fn expect<Req: Serialize, Res: DeserializeOwned>(
        &self,
        call: api::Call<Req, Res>,
        body: &Req,
    ) -> Res {
        let (status, url) = (call.status, call.url.clone());
        let answer = self.call(call, body).await;
        assert_eq!(answer.status.as_u16(), status, "{url}: {}", answer.text);
        answer.json()
    }

    pub async fn get(&self, path: &str) -> Answer {
        self.send(reqwest::Method::GET, path, None).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Answer {
        self.send(reqwest::Method::POST, path, Some(body)).await
    }

    /// Any method with a raw body and content type, for hostile-input tests.
    pub async fn send_raw(
        &self,
        method: reqwest::Method,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Answer {
        let mut request = self
            .client
            .request(method, format!("{}{path}", self.base))
            .header(reqwest::header::CONTENT_TYPE, content_type)
            .body(body);
        if let Some((name, value)) = &self.auth {
            request = request.header(*name, value);
        }
        answer(request.send().await.expect("request")).await
    }

    /// A POST with a raw body and content type, for malformed-input tests.
    pub async fn post_raw(
        &self,
        path: &str,
        content_type: &str,
        body: impl Into<reqwest::Body>,
    ) -> Answer {
        self.send_raw(reqwest::Method::POST, path, content_type, body).await
    }
}

/// Sends `send(0)`, `send(1)`, … until one is refused with 429, every answer before it
/// `accepted` (at most `tries` sends): the refused one's index and answer.
pub async fn until_refused<F, Fut>(tries: usize, accepted: u16, mut send: F) -> (usize, Answer)
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = Answer>,
{
    for i in 0..tries {
        let answer = send(i).await;
        if answer.status == 429 {
            return (i, answer);
        }
        assert_eq!(answer.status, accepted, "{}", answer.body);
    }
    panic!("not refused in {tries} tries");
}

pub(crate) async fn answer(response: reqwest::Response) -> Answer {
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Answer { status, body, headers, text }
}

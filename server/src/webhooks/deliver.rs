//! One HTTP attempt: POST the signed message, within a time limit, reading at most a little
//! of the answer, following no redirect, and never to a loopback, private or link-local
//! address unless the operator allowed it (`--webhooks-allow-private`): the addresses a name
//! resolves to are checked as it is resolved, so a name cannot point elsewhere between a
//! check and the connection.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use reqwest::header::{HeaderValue, CONTENT_TYPE};

use super::payload::{signature, Message};

/// Most of an answer's body read (the rest is dropped unread).
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// How an attempt went.
#[derive(Debug)]
pub struct Attempt {
    pub status: Option<u16>,
    pub error: Option<String>,
    pub latency_ms: u64,
}

impl Attempt {
    pub fn delivered(&self) -> bool {
        self.status.is_some_and(|s| (200..300).contains(&s))
    }
}

#[derive(Clone)]
pub struct Deliverer {
    client: reqwest::Client,
    allow_private: bool,
}

impl Deliverer {
    pub fn new(allow_private: bool, timeout: Duration) -> Deliverer {
        let client = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .pool_max_idle_per_host(4)
            .user_agent(concat!("Porch-Webhooks/", env!("CARGO_PKG_VERSION")))
            .dns_resolver(std::sync::Arc::new(Guard { allow_private }))
            .build()
            .unwrap_or_default();
        Deliverer { client, allow_private }
    }

    /// Whether `url`'s host may be delivered to: a literal address must be public, and (when
    /// `resolve`) a name must resolve to a public one, unless private targets are allowed.
    /// Names are checked again as each connection resolves them. The refusal: the error code
    /// and why.
    pub async fn check_target(
        &self,
        url: &url::Url,
        resolve: bool,
    ) -> Result<(), (&'static str, String)> {
        let private = || ("private_address", PRIVATE.to_owned());
        match url.host() {
            None => Err(("invalid_url", "the URL has no host".to_owned())),
            Some(_) if self.allow_private => Ok(()),
            Some(url::Host::Ipv4(ip)) if !is_public(IpAddr::V4(ip)) => Err(private()),
            Some(url::Host::Ipv6(ip)) if !is_public(IpAddr::V6(ip)) => Err(private()),
            Some(url::Host::Domain(host)) if resolve => {
                let port = url.port_or_known_default().unwrap_or(443);
                let lookup = tokio::time::timeout(RESOLVING, allowed(host, port, false));
                match lookup.await {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err(Refused::Private)) => Err(private()),
                    Ok(Err(Refused::Unresolved)) | Err(_) => {
                        Err(("invalid_url", format!("{host} does not resolve")))
                    }
                }
            }
            Some(_) => Ok(()),
        }
    }

    /// Sends `message` to `url`, signed with each of `secrets`.
    pub async fn send(&self, url: &str, secrets: &[&str], message: &Message) -> Attempt {
        let started = Instant::now();
        let result = self.post(url, secrets, message).await;
        let latency_ms = u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        match result {
            Ok(status) => Attempt { status: Some(status), error: None, latency_ms },
            Err(error) => Attempt { status: None, error: Some(error), latency_ms },
        }
    }

    async fn post(&self, url: &str, secrets: &[&str], message: &Message) -> Result<u16, String> {
        let parsed = url::Url::parse(url).map_err(|e| format!("invalid URL: {e}"))?;
        self.check_target(&parsed, false).await.map_err(|(_, why)| why)?;
        // The real time of sending: receivers compare it with their clock.
        let timestamp = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        let mut response = self
            .client
            .post(parsed)
            .header(CONTENT_TYPE, HeaderValue::from_static("application/json"))
            .header("webhook-id", &message.id)
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature(secrets, &message.id, timestamp, &message.body))
            .body(message.body.clone())
            .send()
            .await
            .map_err(describe)?;
        let status = response.status().as_u16();
        let mut read = 0;
        while read < MAX_ANSWER_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => read += chunk.len(),
                Ok(None) | Err(_) => break,
            }
        }
        Ok(status)
    }
}

/// A short reason for a failed request, with its causes.
fn describe(error: reqwest::Error) -> String {
    let kind = if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let mut text = kind.to_owned();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    text.chars().take(300).collect()
}

/// Why a name gives no address to deliver to.
enum Refused {
    Unresolved,
    Private,
}

const PRIVATE: &str = "the URL points to a private, loopback or link-local address";
/// How long a name may take to resolve when an endpoint is saved.
const RESOLVING: Duration = Duration::from_secs(5);

/// The addresses `host` resolves to that deliveries may go to (all of them when private ones
/// are allowed); refused when there are none.
async fn allowed(host: &str, port: u16, allow_private: bool) -> Result<Vec<SocketAddr>, Refused> {
    let found: Vec<SocketAddr> =
        tokio::net::lookup_host((host, port)).await.map_err(|_| Refused::Unresolved)?.collect();
    if found.is_empty() {
        return Err(Refused::Unresolved);
    }
    let allowed: Vec<SocketAddr> =
        found.into_iter().filter(|a| allow_private || is_public(a.ip())).collect();
    match allowed.is_empty() {
        true => Err(Refused::Private),
        false => Ok(allowed),
    }
}

/// Resolves names for the HTTP client, keeping only the addresses deliveries may go to.
struct Guard {
    allow_private: bool,
}

impl Resolve for Guard {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            match allowed(name.as_str(), 0, allow_private).await {
                Ok(addresses) => Ok(Box::new(addresses.into_iter()) as Addrs),
                Err(Refused::Private) => {
                    Err(format!("{} resolves to no public address", name.as_str()).into())
                }
                Err(Refused::Unresolved) => {
                    Err(format!("{} does not resolve", name.as_str()).into())
                }
            }
        })
    }
}

/// Whether `ip` is a public unicast address: not loopback, private, link-local, shared,
/// documentation, benchmarking, multicast, broadcast or reserved (and the same for an IPv4
/// address inside IPv6).
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => is_public_v4(v4),
            None => is_public_v6(v6),
        },
    }
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b))
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (18..20).contains(&b))
        || a >= 240)
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_unspecified()
        || ip.is_loopback()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        || (first == 0x0064 && ip.segments()[1] == 0xff9b)
        || ip.to_ipv4().is_some_and(|v4| !is_public_v4(v4)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_public() {
        let private = [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "255.255.255.255",
            "224.0.0.1",
            "::1",
            "::",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2001:db8::1",
        ];
        for text in private {
            assert!(!is_public(text.parse().unwrap()), "{text}");
        }
        for text in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8"] {
            assert!(is_public(text.parse().unwrap()), "{text}");
        }
    }

    #[tokio::test]
    async fn private_targets_are_refused_unless_allowed() {
        let strict = Deliverer::new(false, Duration::from_secs(1));
        for url in ["http://127.0.0.1:9/x", "http://[::1]:9/", "http://169.254.169.254/latest"] {
            let parsed = url::Url::parse(url).unwrap();
            let refused = strict.check_target(&parsed, true).await.unwrap_err();
            assert_eq!(refused.0, "private_address", "{url}");
        }
        let localhost = url::Url::parse("https://localhost/hook").unwrap();
        assert_eq!(strict.check_target(&localhost, true).await.unwrap_err().0, "private_address");
        let message = Message {
            id: "msg_1".into(),
            event_type: "webhook.ping".into(),
            seq: None,
            body: "{}".into(),
        };
        let by_name = strict.send("http://localhost:9/hook", &["whsec_AAAA"], &message).await;
        assert_eq!(by_name.status, None);
        assert!(by_name.error.unwrap().contains("no public address"));
        let allowed = Deliverer::new(true, Duration::from_secs(1));
        let loopback = url::Url::parse("http://127.0.0.1:9/x").unwrap();
        assert!(allowed.check_target(&loopback, true).await.is_ok());
    }
}

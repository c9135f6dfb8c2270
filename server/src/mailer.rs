//! The e-mailed performance report: Activity, Chatbot and Contact centre for the period that
//! just ended, with their charts as inline PNG images (most mail clients drop SVG), sent over
//! SMTP to the owner's recipients. [`deliver_due`] runs every half minute on the server
//! ([`spawn`]); a period is claimed in the store before it is sent, so it goes out once, across
//! restarts and servers, and a failed send is retried later with a growing delay.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use porch_domain::reports::{self, ReportData, ReportParts};
use porch_domain::Calendar;
use porch_protocol::{ActivityReport, ChatbotReport, ContactCentreReport, Count, Millis};
use porch_store::Workspace;

use crate::charts::{self, Chart};
use crate::AppState;

/// How often due reports are looked for.
pub const EVERY: Duration = Duration::from_secs(30);

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// `smtp_url`: `smtp://host:port` (plain SMTP, for a relay on the same network),
    /// `smtp://user:password@host:587?tls=required` (STARTTLS, then the login) or
    /// `smtps://user:password@host:465` (TLS from the start). Servers are checked against the
    /// public roots, and `ca_pem` (a private relay's certificate authority) when given. `from`
    /// is the sender.
    pub fn new(smtp_url: &str, ca_pem: Option<&[u8]>, from: &str) -> Result<Mailer, String> {
        // Errors name the URL without its password.
        let url = url::Url::parse(smtp_url).map_err(|e| format!("--smtp-url: {e}"))?;
        let shown = format!("{}://{}", url.scheme(), url.host_str().unwrap_or_default());
        let bad = |e: &dyn std::fmt::Display| format!("--smtp-url {shown}: {e}");
        if !matches!(url.scheme(), "smtp" | "smtps") {
            return Err(bad(&"use smtp:// or smtps://"));
        }
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(smtp_url)
            .map_err(|e| bad(&e))?
            .timeout(Some(Duration::from_secs(20)));
        if let Some(pem) = ca_pem {
            if !String::from_utf8_lossy(pem).contains("-----BEGIN CERTIFICATE-----") {
                return Err("--smtp-ca: not a PEM certificate".into());
            }
            let authority = Certificate::from_pem(pem).map_err(|e| format!("--smtp-ca: {e}"))?;
            let params = TlsParameters::builder(url.host_str().unwrap_or_default().to_owned())
                .add_root_certificate(authority)
                .build_rustls()
                .map_err(|e| format!("--smtp-ca: {e}"))?;
            let opportunistic = url.query_pairs().any(|(k, v)| k == "tls" && v == "opportunistic");
            builder = builder.tls(match url.scheme() {
                "smtps" => Tls::Wrapper(params),
                _ if opportunistic => Tls::Opportunistic(params),
                _ => Tls::Required(params),
            });
        }
        let from = from.parse().map_err(|e| format!("--mail-from {from:?}: {e}"))?;
        Ok(Mailer { transport: builder.build(), from })
    }

    /// A plain-text e-mail to one person (password links).
    pub async fn send_text(&self, to: &str, subject: &str, body: String) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("recipient {to:?}: {e}"))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(lettre::message::header::ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| e.to_string())?;
        self.send(message).await
    }

    async fn send(&self, message: Message) -> Result<(), String> {
        self.transport.send(message).await.map(|_| ()).map_err(|e| e.to_string())
    }
}

/// A report ready to send: subject, HTML and text bodies, and the charts the HTML refers to
/// as `cid:…`.
pub struct Rendered {
    pub subject: String,
    pub html: String,
    pub text: String,
    pub images: Vec<(String, Vec<u8>)>,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

fn duration(ms: Option<Millis>) -> String {
    match ms {
        None => "—".into(),
        Some(ms) if ms < 3_600_000 => format!("{} min", ms / 60_000),
        Some(ms) => format!("{} h {:02} min", ms / 3_600_000, ms % 3_600_000 / 60_000),
    }
}

/// The report for `[from, to)`: the three sections and their charts.
pub fn render(
    (workspace, calendar): (&str, &Calendar),
    (from, to): (Millis, Millis),
    activity: &ActivityReport,
    chatbot: &ChatbotReport,
    centre: &ContactCentreReport,
) -> Result<Rendered, charts::ChartError> {
    let date = |at| calendar.format(at, "%Y-%m-%d");
    let period = format!("{} to {} ({})", date(from), date(to - 1), calendar.name());
    let mut images = Vec::new();
    let mut html = format!(
        "<!doctype html><html><body style=\"font-family:Helvetica,Arial,sans-serif;color:#1f2328;max-width:760px\">\
         <h1 style=\"font-size:20px\">{} — performance report</h1><p>{period}</p>",
        escape(workspace)
    );
    let mut text = format!("{workspace} — performance report, {period}\n");
    let mut section = |title: &str,
                       figures: Vec<(&str, String)>,
                       charts: Vec<Option<Chart>>,
                       lists: Vec<(&str, &[Count])>|
     -> Result<(), charts::ChartError> {
        html += &format!(
            "<h2 style=\"font-size:17px;margin-top:28px\">{title}</h2><table cellpadding=\"4\">"
        );
        text += &format!("\n{title}\n");
        for (label, value) in figures {
            html += &format!("<tr><td>{label}</td><td><b>{}</b></td></tr>", escape(&value));
            text += &format!("  {label}: {value}\n");
        }
        html += "</table>";
        for (label, counts) in lists {
            let top: Vec<String> =
                counts.iter().take(5).map(|c| format!("{} ({})", c.label, c.count)).collect();
            let top = if top.is_empty() { "none".to_owned() } else { top.join(", ") };
            html += &format!("<p>{label}: {}</p>", escape(&top));
            text += &format!("  {label}: {top}\n");
        }
        for chart in charts.into_iter().flatten() {
            let cid = format!("chart{}@porch", images.len() + 1);
            images.push((cid.clone(), chart.png()?));
            html += &format!(
                "<p><img src=\"cid:{cid}\" width=\"720\" height=\"320\" alt=\"{}\" style=\"max-width:100%\"></p>",
                escape(&chart.alt())
            );
        }
        Ok(())
    };
    section(
        "Activity",
        vec![
            ("New users", activity.new_users.to_string()),
            ("Active users", activity.active_users.to_string()),
            ("Total messages", activity.total_messages.to_string()),
            ("Conversations", activity.conversations.to_string()),
            (
                "Peak messages per minute",
                match activity.peak_minute {
                    Some(at) => {
                        let minute = calendar.format(at, "%Y-%m-%d %H:%M");
                        format!("{} at {minute}", activity.peak_messages)
                    }
                    None => "—".into(),
                },
            ),
        ],
        vec![
            charts::activity(activity, "messages", calendar),
            charts::activity(activity, "conversations", calendar),
        ],
        vec![],
    )?;
    section(
        "Chatbot",
        vec![],
        vec![charts::chatbot(chatbot, "intents"), charts::chatbot(chatbot, "languages")],
        vec![
            ("Most frequent intents", &chatbot.intents),
            ("Languages", &chatbot.languages),
            ("How conversations begin", &chatbot.start_flows),
        ],
    )?;
    section(
        "Contact centre",
        vec![
            ("Total conversations (assignments)", centre.total_conversations.to_string()),
            ("Handled", centre.handled.to_string()),
            (
                "Missed",
                format!(
                    "{} ({} with an agent online)",
                    centre.missed, centre.missed_with_agent_online
                ),
            ),
            ("First response (median)", duration(centre.first_response.median_ms)),
            ("Resolution (median)", duration(centre.resolution.median_ms)),
            ("Average wait", duration(centre.wait.mean_ms)),
        ],
        vec![charts::contact_centre(centre, "agent-conversations", calendar)],
        vec![],
    )?;
    html += "<p style=\"color:#57606a;font-size:12px\">Sent by Porch. How each figure is counted: \
             the Reports page of the live chat app.</p></body></html>";
    Ok(Rendered {
        subject: format!("{workspace}: performance report, {period}"),
        html,
        text,
        images,
    })
}

fn message(mailer: &Mailer, to: &[String], report: Rendered) -> Result<Message, String> {
    let mut builder = Message::builder().from(mailer.from.clone()).subject(report.subject);
    for recipient in to {
        builder = builder.to(recipient.parse().map_err(|e| format!("{recipient}: {e}"))?);
    }
    let png = ContentType::parse("image/png").map_err(|e| e.to_string())?;
    let mut related = MultiPart::related().singlepart(SinglePart::html(report.html));
    for (cid, bytes) in report.images {
        related = related.singlepart(Attachment::new_inline(cid).body(bytes, png.clone()));
    }
    let body =
        MultiPart::alternative().singlepart(SinglePart::plain(report.text)).multipart(related);
    builder.multipart(body).map_err(|e| e.to_string())
}

/// The delay before retry `attempt + 1`: 5 minutes, doubling, at most 6 hours.
fn retry_after(attempt: u32) -> Millis {
    ((5 * 60_000i64) << attempt.saturating_sub(1).min(10)).min(6 * 3_600_000)
}

async fn deliver(
    state: &AppState,
    mailer: &Mailer,
    workspace: &Workspace,
    period: (Millis, Millis),
) -> Result<(), String> {
    let failed = |e: &dyn std::fmt::Display| e.to_string();
    state.store.catch_up_reports(&workspace.id).await.map_err(|e| failed(&e))?;
    let threshold = workspace.settings.reports.missed_after_millis();
    let data: ReportData = state
        .store
        .report_data(&workspace.id, period, ReportParts::ALL, threshold, state.clock.now())
        .await
        .map_err(|e| failed(&e))?;
    let report = render(
        (&workspace.name, &data.calendar),
        period,
        &reports::activity(&data),
        &reports::chatbot(&data),
        &reports::contact_centre(&data),
    )
    .map_err(|e| failed(&e))?;
    mailer.send(message(mailer, &workspace.settings.reports.email.recipients, report)?).await
}

/// Sends every workspace's report whose period is over and not yet sent (or due for a retry);
/// returns how many went out.
pub async fn deliver_due(state: &AppState) -> Result<u32, porch_store::StoreError> {
    let Some(mailer) = state.mailer.clone() else { return Ok(0) };
    let mut sent = 0;
    for workspace in state.store.workspaces().await? {
        let email = &workspace.settings.reports.email;
        let calendar = Calendar::or_utc(&workspace.settings.time_zone.0);
        let now = state.clock.now();
        let Some(period) = reports::last_complete_period(email.cadence, now, &calendar) else {
            continue;
        };
        if email.recipients.is_empty() {
            continue;
        }
        let Some(attempt) =
            state.store.claim_delivery(&workspace.id, period, state.clock.now()).await?
        else {
            continue;
        };
        let outcome = match deliver(state, &mailer, &workspace, period).await {
            Ok(()) => {
                sent += 1;
                Ok(state.clock.now())
            }
            Err(e) => {
                state.metrics.smtp_failures.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                tracing::warn!(workspace = %workspace.id.as_str(), attempt, error = %e, "report e-mail failed");
                Err((e, state.clock.now() + retry_after(attempt)))
            }
        };
        state.store.finish_delivery(&workspace.id, period.0, outcome).await?;
    }
    Ok(sent)
}

/// Looks for due reports every [`EVERY`] until shutdown.
pub fn spawn(state: AppState) {
    if state.mailer.is_none() {
        return;
    }
    tokio::spawn(async move {
        let mut every = tokio::time::interval(EVERY);
        loop {
            tokio::select! {
                _ = every.tick() => {
                    if let Err(e) = deliver_due(&state).await {
                        tracing::error!(error = %e, "report deliveries");
                    }
                }
                _ = state.shutdown.cancelled() => return,
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_wait_longer_each_time() {
        assert_eq!(retry_after(1), 5 * 60_000);
        assert_eq!(retry_after(2), 10 * 60_000);
        assert_eq!(retry_after(30), 6 * 3_600_000);
    }

    #[test]
    fn smtp_urls() {
        let new = |url: &str, from: &str| Mailer::new(url, None, from).map(|_| ());
        assert!(new("smtp://127.0.0.1:2525", "Porch <reports@porch.example>").is_ok());
        assert!(new("smtp://mail.example", "reports@porch.example").is_ok());
        assert!(new("smtp://porch:pw@mail.example:587?tls=required", "r@porch.example").is_ok());
        assert!(new("smtps://porch:pw@mail.example", "reports@porch.example").is_ok());
        assert!(new("http://mail.example", "reports@porch.example").is_err());
        assert!(new("smtp://mail.example:port", "reports@porch.example").is_err());
        assert!(new("smtp://mail.example", "not an address").is_err());
        // The password stays out of the error.
        let error = new("smtp://porch:secret@mail.example?tls=sometimes", "r@porch.example");
        assert!(!error.unwrap_err().contains("secret"));
        let not_pem = Mailer::new("smtps://mail.example", Some(b"junk"), "r@porch.example");
        assert!(not_pem.is_err());
    }

    #[test]
    fn user_text_is_escaped_in_the_html() {
        assert_eq!(
            escape("<b>\"Tom & Jerry\"</b>"),
            "&lt;b&gt;&quot;Tom &amp; Jerry&quot;&lt;/b&gt;"
        );
    }
}

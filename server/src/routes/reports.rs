//! Reports for owners and managers: the conversation list (JSON and CSV) and the Closing,
//! Contact centre, Activity and Chatbot summaries. Each request first folds whatever the log
//! gained since the last one (`Store::catch_up_reports`); the figures are defined in
//! `porch_domain::reports`.

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use porch_domain::reports::{self, iso, CycleFacts, ReportData, ReportParts};
use porch_protocol::{self as wire, api, Millis, Permission, ReportQuery};
use porch_store::{AgentRecord, ListedCycle};

use super::Endpoints;
use crate::auth::AgentSession;
use crate::charts;
use crate::error::{Json, Query};
use crate::{ApiError, AppState};

/// Longest range a report covers.
const MAX_RANGE: Millis = 400 * reports::DAY;
/// Latest instant a range may name: the end of year 9999 (UTC), far inside what per-day series
/// and time zones can add to without overflowing.
const LATEST: Millis = 253_402_300_800_000;
/// Most rows a CSV export holds.
const MAX_CSV_ROWS: u32 = 100_000;

pub fn router() -> Router<AppState> {
    Router::new()
        .endpoint(api::agent::REPORT_CONVERSATIONS, list)
        .endpoint(api::agent::REPORT_CSV, csv)
        .endpoint(api::agent::CLOSING_REPORT, closing)
        .endpoint(api::agent::CONTACT_CENTRE_REPORT, contact_centre)
        .endpoint(api::agent::ACTIVITY_REPORT, activity)
        .endpoint(api::agent::CHATBOT_REPORT, chatbot)
        .endpoint(api::agent::REPORT_CHART, chart)
}

/// Checks the reader and the range, and brings the report tables up to date.
async fn prepare(
    state: &AppState,
    session: &AgentRecord,
    query: &ReportQuery,
) -> Result<(), ApiError> {
    crate::auth::require(session, Permission::Reports)?;
    if !valid_range(query.from, query.to) {
        return Err(ApiError::BadRequest {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            code: "invalid_range",
            message:
                "give 0 <= from < to <= 253402300800000 (milliseconds), at most 400 days apart"
                    .into(),
        });
    }
    state.store.catch_up_reports(&session.workspace_id).await?;
    Ok(())
}

/// `0 <= from < to <= LATEST`, at most [`MAX_RANGE`] apart; checked so that no pair of
/// numbers can overflow the difference.
fn valid_range(from: Millis, to: Millis) -> bool {
    (0..LATEST).contains(&from)
        && to <= LATEST
        && to.checked_sub(from).is_some_and(|span| span > 0 && span <= MAX_RANGE)
}

async fn threshold(state: &AppState, session: &AgentRecord) -> Result<Millis, ApiError> {
    Ok(state.workspace(&session.workspace_id).await?.settings.reports.missed_after_millis())
}

/// The `parts` of the report data a page or chart shows.
async fn data(
    state: &AppState,
    session: &AgentRecord,
    query: &ReportQuery,
    parts: ReportParts,
) -> Result<ReportData, ApiError> {
    prepare(state, session, query).await?;
    let (threshold, now) = (threshold(state, session).await?, state.clock.now());
    let range = (query.from, query.to);
    Ok(state.store.report_data(&session.workspace_id, range, parts, threshold, now).await?)
}

/// A listed cycle with each figure's value for it.
fn row(listed: ListedCycle, threshold: Millis, now: Millis) -> wire::ReportRow {
    let c: &CycleFacts = &listed.facts;
    wire::ReportRow {
        conversation_id: c.conversation_id.clone(),
        cycle: c.cycle,
        contact_id: c.contact_id.clone(),
        lead_name: listed.lead_name,
        agent_id: c.assignee.clone(),
        agent_name: listed.agent_name,
        started_at: c.started_at,
        start_flow: c.start_flow,
        messages: c.messages,
        first_response_ms: c.first_response_time(),
        resolution_ms: c.resolution_time(),
        active_resolution_ms: c.active_resolution_time(),
        mean_wait_ms: c.mean_wait(),
        missed: c.missed(threshold, now),
        closed_at: c.closed_at,
        closing_source: c.closing_source,
        outcome: c.outcome,
        category: c.category.clone(),
        summary: c.summary.clone(),
    }
}

async fn rows(
    state: &AppState,
    session: &AgentRecord,
    query: &ReportQuery,
) -> Result<(Vec<wire::ReportRow>, u64), ApiError> {
    prepare(state, session, query).await?;
    let (threshold, now) = (threshold(state, session).await?, state.clock.now());
    let (listed, total) =
        state.store.report_list(&session.workspace_id, query, threshold, now).await?;
    Ok((listed.into_iter().map(|l| row(l, threshold, now)).collect(), total))
}

async fn list(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Query(mut query): Query<ReportQuery>,
) -> Result<Json<wire::ReportList>, ApiError> {
    query.page = query.page.max(1);
    query.per_page = if query.per_page == 0 { 50 } else { query.per_page.min(500) };
    let (rows, total) = rows(&state, &session, &query).await?;
    Ok(Json(wire::ReportList { rows, total, page: query.page, per_page: query.per_page }))
}

/// The list with the same filters and sort, every page, as CSV (times in ISO 8601 UTC,
/// durations in seconds).
async fn csv(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Query(mut query): Query<ReportQuery>,
) -> Result<Response, ApiError> {
    (query.page, query.per_page) = (1, MAX_CSV_ROWS);
    let (rows, _) = rows(&state, &session, &query).await?;
    let mut out = String::from(
        "conversation_id,cycle,lead,agent,started_at,start_flow,messages,first_response_s,\
         resolution_s,active_resolution_s,mean_wait_s,missed,closed_at,closing_source,outcome,\
         category,summary\r\n",
    );
    for r in rows {
        let fields = [
            r.conversation_id.0,
            r.cycle.to_string(),
            r.lead_name.unwrap_or_else(|| wire::visitor_label(&r.contact_id)),
            r.agent_name.unwrap_or_default(),
            iso(r.started_at),
            r.start_flow.as_str().to_owned(),
            r.messages.to_string(),
            seconds(r.first_response_ms),
            seconds(r.resolution_ms),
            seconds(r.active_resolution_ms),
            seconds(r.mean_wait_ms),
            r.missed.map(|m| m.to_string()).unwrap_or_default(),
            r.closed_at.map(iso).unwrap_or_default(),
            r.closing_source.map(|s| s.as_str().to_owned()).unwrap_or_default(),
            r.outcome.map(|o| o.as_str().to_owned()).unwrap_or_default(),
            r.category.unwrap_or_default(),
            r.summary.unwrap_or_default(),
        ];
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        out.push_str(&line.join(","));
        out.push_str("\r\n");
    }
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8"),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"conversations.csv\""),
        ],
        out,
    )
        .into_response())
}

fn seconds(ms: Option<Millis>) -> String {
    ms.map(|ms| (ms / 1000).to_string()).unwrap_or_default()
}

/// One CSV field: quoted when it holds a separator, quote or line break; text a spreadsheet
/// would run as a formula (`=`, `+`, `-`, `@`) is prefixed with `'`.
fn csv_field(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@']) {
        format!("'{value}")
    } else {
        value.to_owned()
    };
    if value.contains([',', '"', '\r', '\n']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

async fn closing(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Query(query): Query<ReportQuery>,
) -> Result<Json<wire::ClosingReport>, ApiError> {
    let parts = ReportParts::CLOSING;
    Ok(Json(reports::closing(&data(&state, &session, &query, parts).await?)))
}

async fn contact_centre(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Query(query): Query<ReportQuery>,
) -> Result<Json<wire::ContactCentreReport>, ApiError> {
    let parts = ReportParts::CONTACT_CENTRE;
    Ok(Json(reports::contact_centre(&data(&state, &session, &query, parts).await?)))
}

async fn activity(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Query(query): Query<ReportQuery>,
) -> Result<Json<wire::ActivityReport>, ApiError> {
    let parts = ReportParts::ACTIVITY;
    Ok(Json(reports::activity(&data(&state, &session, &query, parts).await?)))
}

async fn chatbot(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    Query(query): Query<ReportQuery>,
) -> Result<Json<wire::ChatbotReport>, ApiError> {
    let parts = ReportParts::CHATBOT;
    Ok(Json(reports::chatbot(&data(&state, &session, &query, parts).await?)))
}

#[derive(Debug, Default, serde::Deserialize)]
struct ChartFormat {
    #[serde(default)]
    format: Option<String>,
}

/// One chart of a report page (named in `crate::charts::parts`) as SVG, or PNG with `format=png`.
async fn chart(
    State(state): State<AppState>,
    AgentSession(session): AgentSession,
    axum::extract::Path(name): axum::extract::Path<String>,
    Query(query): Query<ReportQuery>,
    Query(format): Query<ChartFormat>,
) -> Result<Response, ApiError> {
    let png = match format.format.as_deref() {
        None | Some("svg") => false,
        Some("png") => true,
        Some(_) => return Err(ApiError::bad_request("invalid_query", "format is svg or png")),
    };
    let parts = charts::parts(&name).ok_or(ApiError::NotFound("chart"))?;
    let data = data(&state, &session, &query, parts).await?;
    let calendar = &data.calendar;
    let chart = charts::activity(&reports::activity(&data), &name, calendar)
        .or_else(|| charts::contact_centre(&reports::contact_centre(&data), &name, calendar))
        .or_else(|| charts::chatbot(&reports::chatbot(&data), &name))
        .or_else(|| charts::closing(&reports::closing(&data), &name))
        .ok_or(ApiError::NotFound("chart"))?;
    let failed = |e: charts::ChartError| ApiError::Internal(e.to_string());
    Ok(if png {
        ([(header::CONTENT_TYPE, "image/png")], chart.png().map_err(failed)?).into_response()
    } else {
        ([(header::CONTENT_TYPE, "image/svg+xml")], chart.svg().map_err(failed)?).into_response()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_field("two\nlines"), "\"two\nlines\"");
    }

    #[test]
    fn ranges_are_checked_without_overflow() {
        assert!(valid_range(0, reports::DAY));
        assert!(valid_range(LATEST - MAX_RANGE, LATEST));
        for (from, to) in [
            (-5_000_000_000_000_000_000, 5_000_000_000_000_000_000),
            (Millis::MIN, Millis::MAX),
            (Millis::MIN, 0),
            (0, Millis::MAX),
            (5, 5),
            (6, 5),
            (-1, reports::DAY),
            (0, MAX_RANGE + 1),
            (LATEST, LATEST + 1),
        ] {
            assert!(!valid_range(from, to), "{from}..{to}");
        }
    }
}

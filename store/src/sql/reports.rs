//! Report facts: folded from the event log into tables by [`catch_up`] (the definitions are
//! `porch_domain::reports`), and the queries the report pages run over them.
//!
//! The tables are a projection: deleting their rows and the workspace's cursor rebuilds them
//! from the log on the next catch-up.

use std::collections::{HashMap, HashSet};

use porch_domain::reports::{self as facts, CycleFacts, ReportData, DAY, MINUTE};
use porch_protocol::{
    Actor, AgentId, AuthorKind, ContactId, ConversationId, Event, EventFrame, Millis, ReportQuery,
    ReportSort, StartFlow, WorkspaceId,
};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Row, Transaction};

use super::rows::{self, enum_text, parse_enum};
use crate::{Result, StoreError};

/// Events folded per transaction.
const BATCH: u32 = 2_000;

const CYCLE_COLUMNS: [&str; 26] = [
    "workspace_id",
    "conversation_id",
    "cycle",
    "contact_id",
    "started_at",
    "start_flow",
    "live",
    "first_lead_at",
    "handoff_at",
    "response_due_from",
    "first_response_at",
    "first_responder",
    "last_human_at",
    "waiting_since",
    "wait_total",
    "wait_runs",
    "messages",
    "lead_messages",
    "human_messages",
    "assignee",
    "closed_at",
    "closing_source",
    "closed_by",
    "outcome",
    "category",
    "summary",
];

/// Folds the workspace's events that are not in the report tables yet; returns how many.
/// Safe to run from several processes at once: the cursor row is locked while a batch folds.
pub async fn catch_up(pool: &AnyPool, workspace: &WorkspaceId) -> Result<u64> {
    let mut total = 0;
    loop {
        let mut tx = pool.begin().await?;
        sqlx::query(
            "INSERT INTO report_cursors (workspace_id, seq) VALUES ($1, 0)
             ON CONFLICT (workspace_id) DO NOTHING",
        )
        .bind(workspace.as_str())
        .execute(&mut *tx)
        .await?;
        let cursor: i64 = sqlx::query_scalar(
            "UPDATE report_cursors SET seq = seq WHERE workspace_id = $1 RETURNING seq",
        )
        .bind(workspace.as_str())
        .fetch_one(&mut *tx)
        .await?;
        let frames: Vec<EventFrame> = sqlx::query(
            "SELECT seq, at, actor, contact_id, payload FROM events
             WHERE workspace_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
        )
        .bind(workspace.as_str())
        .bind(cursor)
        .bind(i64::from(BATCH))
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(rows::event_frame)
        .collect::<Result<_>>()?;
        let Some(last) = frames.last().map(|f| f.seq) else {
            tx.commit().await?;
            return Ok(total);
        };
        let mut batch = Batch::default();
        for frame in &frames {
            batch.fold(&mut tx, frame).await?;
        }
        batch.write(&mut tx, workspace).await?;
        sqlx::query("UPDATE report_cursors SET seq = $2 WHERE workspace_id = $1")
            .bind(workspace.as_str())
            .bind(i64::try_from(last).unwrap_or(i64::MAX))
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        total += frames.len() as u64;
        if frames.len() < BATCH as usize {
            return Ok(total);
        }
    }
}

/// What one batch of events adds to the report tables.
#[derive(Default)]
struct Batch {
    /// Each touched conversation's current cycle.
    cycles: HashMap<ConversationId, CycleFacts>,
    /// Cycles a reopening ended within the batch.
    finished: Vec<CycleFacts>,
    /// Minute → (messages, lead messages).
    minutes: HashMap<Millis, (i64, i64)>,
    contact_days: HashSet<(Millis, ContactId)>,
    languages: HashMap<(Millis, &'static str), i64>,
    intents: Vec<(ConversationId, u32, String, Millis)>,
    assignments: Vec<(ConversationId, AgentId, Millis)>,
    spans: HashMap<(ConversationId, AgentId), (Millis, Millis)>,
}

impl Batch {
    async fn fold(&mut self, tx: &mut Transaction<'_, Any>, frame: &EventFrame) -> Result<()> {
        let Some(id) = frame.event.conversation_id() else { return Ok(()) };
        let before = match self.cycles.remove(id) {
            Some(current) => Some(current),
            None => current_cycle(tx, id).await?,
        };
        let Some(after) = facts::fold(before.clone(), frame) else { return Ok(()) };
        if let Some(before) = before.filter(|b| b.cycle != after.cycle) {
            self.finished.push(before);
        }
        let at = frame.at;
        match &frame.event {
            Event::MessagePosted { message } => {
                let minute = self.minutes.entry(at - at.rem_euclid(MINUTE)).or_default();
                minute.0 += 1;
                if message.author_kind == AuthorKind::Contact {
                    minute.1 += 1;
                    let day = at - at.rem_euclid(DAY);
                    self.contact_days.insert((day, after.contact_id.clone()));
                    if let Some(language) = facts::language_of(&message.body) {
                        *self.languages.entry((day, language)).or_default() += 1;
                    }
                }
                if let (AuthorKind::Agent, Some(agent)) = (message.author_kind, &message.author_id)
                {
                    let span =
                        self.spans.entry((id.clone(), AgentId(agent.clone()))).or_insert((at, at));
                    span.0 = span.0.min(at);
                    span.1 = span.1.max(at);
                }
            }
            Event::QuickAnswerChosen { question, .. } => {
                self.intents.push((id.clone(), after.cycle, question.clone(), at));
            }
            Event::HandedToHuman { .. } if matches!(frame.actor, Actor::Contact(_)) => {
                let intent = porch_domain::reports::TALK_TO_A_PERSON.to_owned();
                self.intents.push((id.clone(), after.cycle, intent, at));
            }
            Event::Assigned { agent_id, .. } => {
                self.assignments.push((id.clone(), agent_id.clone(), at));
            }
            _ => {}
        }
        self.cycles.insert(id.clone(), after);
        Ok(())
    }

    async fn write(self, tx: &mut Transaction<'_, Any>, workspace: &WorkspaceId) -> Result<()> {
        let ws = workspace.as_str();
        let upsert = format!(
            "INSERT INTO report_cycles ({columns}) VALUES ({params})
             ON CONFLICT (conversation_id, cycle) DO UPDATE SET {updates}",
            columns = CYCLE_COLUMNS.join(", "),
            params =
                (1..=CYCLE_COLUMNS.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", "),
            updates = CYCLE_COLUMNS[3..]
                .iter()
                .map(|c| format!("{c} = excluded.{c}"))
                .collect::<Vec<_>>()
                .join(", "),
        );
        for c in self.finished.iter().chain(self.cycles.values()) {
            let count = |n: u32| i64::from(n);
            sqlx::query(&upsert)
                .bind(ws)
                .bind(c.conversation_id.as_str())
                .bind(i64::from(c.cycle))
                .bind(c.contact_id.as_str())
                .bind(c.started_at)
                .bind(c.start_flow.as_str())
                .bind(i64::from(c.live))
                .bind(c.first_lead_at)
                .bind(c.handoff_at)
                .bind(c.response_due_from)
                .bind(c.first_response_at)
                .bind(c.first_responder.as_ref().map(|a| a.0.clone()))
                .bind(c.last_human_at)
                .bind(c.waiting_since)
                .bind(c.wait_total)
                .bind(count(c.wait_runs))
                .bind(count(c.messages))
                .bind(count(c.lead_messages))
                .bind(count(c.human_messages))
                .bind(c.assignee.as_ref().map(|a| a.0.clone()))
                .bind(c.closed_at)
                .bind(c.closing_source.map(|s| enum_text(&s)))
                .bind(c.closed_by.as_ref().map(|a| a.0.clone()))
                .bind(c.outcome.map(|o| enum_text(&o)))
                .bind(c.category.clone())
                .bind(c.summary.clone())
                .execute(&mut **tx)
                .await?;
        }
        for (minute, (messages, lead)) in self.minutes {
            sqlx::query(
                "INSERT INTO report_minutes (workspace_id, minute, messages, lead_messages)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (workspace_id, minute) DO UPDATE
                 SET messages = report_minutes.messages + excluded.messages,
                     lead_messages = report_minutes.lead_messages + excluded.lead_messages",
            )
            .bind(ws)
            .bind(minute)
            .bind(messages)
            .bind(lead)
            .execute(&mut **tx)
            .await?;
        }
        for (day, contact) in self.contact_days {
            sqlx::query(
                "INSERT INTO report_contact_days (workspace_id, day, contact_id) VALUES ($1, $2, $3)
                 ON CONFLICT (workspace_id, day, contact_id) DO NOTHING",
            )
            .bind(ws)
            .bind(day)
            .bind(contact.as_str())
            .execute(&mut **tx)
            .await?;
        }
        for ((day, language), messages) in self.languages {
            sqlx::query(
                "INSERT INTO report_languages (workspace_id, day, language, messages)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (workspace_id, day, language) DO UPDATE
                 SET messages = report_languages.messages + excluded.messages",
            )
            .bind(ws)
            .bind(day)
            .bind(language)
            .bind(messages)
            .execute(&mut **tx)
            .await?;
        }
        for (conversation, cycle, intent, at) in self.intents {
            sqlx::query(
                "INSERT INTO report_intents (workspace_id, conversation_id, cycle, intent, at)
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(ws)
            .bind(conversation.as_str())
            .bind(i64::from(cycle))
            .bind(intent)
            .bind(at)
            .execute(&mut **tx)
            .await?;
        }
        for (conversation, agent, at) in self.assignments {
            sqlx::query(
                "INSERT INTO report_assignments (workspace_id, conversation_id, agent_id, at)
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(ws)
            .bind(conversation.as_str())
            .bind(agent.as_str())
            .bind(at)
            .execute(&mut **tx)
            .await?;
        }
        for ((conversation, agent), (first, last)) in self.spans {
            sqlx::query(
                "INSERT INTO report_agent_spans (workspace_id, conversation_id, agent_id, first_at, last_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (conversation_id, agent_id) DO UPDATE
                 SET first_at = CASE WHEN excluded.first_at < report_agent_spans.first_at
                                THEN excluded.first_at ELSE report_agent_spans.first_at END,
                     last_at = CASE WHEN excluded.last_at > report_agent_spans.last_at
                               THEN excluded.last_at ELSE report_agent_spans.last_at END",
            )
            .bind(ws)
            .bind(conversation.as_str())
            .bind(agent.as_str())
            .bind(first)
            .bind(last)
            .execute(&mut **tx)
            .await?;
        }
        Ok(())
    }
}

async fn current_cycle(
    tx: &mut Transaction<'_, Any>,
    conversation: &ConversationId,
) -> Result<Option<CycleFacts>> {
    let row = sqlx::query(&format!(
        "SELECT {} FROM report_cycles WHERE conversation_id = $1 ORDER BY cycle DESC LIMIT 1",
        CYCLE_COLUMNS.join(", ")
    ))
    .bind(conversation.as_str())
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(cycle).transpose()
}

fn cycle(row: &AnyRow) -> Result<CycleFacts> {
    let agent = |column: &str| -> Result<Option<AgentId>> {
        Ok(row.try_get::<Option<String>, _>(column)?.map(AgentId))
    };
    let count = |column: &str| -> Result<u32> {
        Ok(u32::try_from(row.try_get::<i64, _>(column)?).unwrap_or_default())
    };
    let flow: String = row.try_get("start_flow")?;
    Ok(CycleFacts {
        conversation_id: ConversationId(row.try_get("conversation_id")?),
        cycle: count("cycle")?,
        contact_id: ContactId(row.try_get("contact_id")?),
        started_at: row.try_get("started_at")?,
        start_flow: start_flow(&flow)?,
        live: row.try_get::<i64, _>("live")? != 0,
        first_lead_at: row.try_get("first_lead_at")?,
        handoff_at: row.try_get("handoff_at")?,
        response_due_from: row.try_get("response_due_from")?,
        first_response_at: row.try_get("first_response_at")?,
        first_responder: agent("first_responder")?,
        last_human_at: row.try_get("last_human_at")?,
        waiting_since: row.try_get("waiting_since")?,
        wait_total: row.try_get("wait_total")?,
        wait_runs: count("wait_runs")?,
        messages: count("messages")?,
        lead_messages: count("lead_messages")?,
        human_messages: count("human_messages")?,
        assignee: agent("assignee")?,
        closed_at: row.try_get("closed_at")?,
        closing_source: row
            .try_get::<Option<String>, _>("closing_source")?
            .map(parse_enum)
            .transpose()?,
        closed_by: agent("closed_by")?,
        outcome: row.try_get::<Option<String>, _>("outcome")?.map(parse_enum).transpose()?,
        category: row.try_get("category")?,
        summary: row.try_get("summary")?,
    })
}

fn start_flow(name: &str) -> Result<StartFlow> {
    StartFlow::parse(name)
        .ok_or_else(|| StoreError::Corrupt(format!("unknown start flow {name:?}")))
}

/// A count or sum column as a number.
fn number(row: &AnyRow, column: &str) -> Result<u64> {
    Ok(u64::try_from(row.try_get::<i64, _>(column)?).unwrap_or_default())
}

/// A query with the workspace and a range bound as $1, $2 and $3.
fn ranged<'q>(
    sql: &'q str,
    workspace: &'q str,
    from: Millis,
    to: Millis,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    sqlx::query(sql).bind(workspace).bind(from).bind(to)
}

/// Everything but the list for `[from, to)`. Day-based tables (active users, languages) count
/// the whole UTC days the range touches.
pub async fn data(
    pool: &AnyPool,
    workspace: &WorkspaceId,
    (from, to): (Millis, Millis),
    (threshold, now): (Millis, Millis),
    agents: Vec<porch_protocol::Agent>,
) -> Result<ReportData> {
    let ws = workspace.as_str();
    let first_day = facts::day_of(from);
    let scalar = |sql: &'static str, low: Millis| async move {
        number(&ranged(sql, ws, low, to).fetch_one(pool).await?, "n")
    };
    let labelled = |sql: &'static str, low: Millis| async move {
        ranged(sql, ws, low, to)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|row| Ok((row.try_get::<String, _>("label")?, number(row, "n")?)))
            .collect::<Result<Vec<_>>>()
    };
    // The per-minute counts, summed here: a month of a busy workspace has ~100,000 minutes.
    const MINUTES: &str =
        "FROM report_minutes WHERE workspace_id = $1 AND minute >= $2 AND minute < $3";
    let sql = format!(
        "SELECT CAST(COALESCE(SUM(messages), 0) AS BIGINT) AS total,
                CAST(COALESCE(SUM(lead_messages), 0) AS BIGINT) AS incoming {MINUTES}"
    );
    let sums = ranged(&sql, ws, from, to).fetch_one(pool).await?;
    let sql =
        format!("SELECT minute, messages {MINUTES} ORDER BY messages DESC, minute ASC LIMIT 1");
    let peak = ranged(&sql, ws, from, to)
        .fetch_optional(pool)
        .await?
        .map(|row| {
            Ok::<_, StoreError>((row.try_get::<i64, _>("minute")?, number(&row, "messages")?))
        })
        .transpose()?;
    let sql = format!(
        "SELECT minute - (minute % {DAY}) AS day, CAST(SUM(messages) AS BIGINT) AS messages,
                MAX(messages) AS busiest {MINUTES}
         GROUP BY minute - (minute % {DAY}) ORDER BY 1"
    );
    let per_day = ranged(&sql, ws, from, to)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|row| Ok((row.try_get("day")?, number(row, "messages")?, number(row, "busiest")?)))
        .collect::<Result<_>>()?;
    let messages = facts::MessageTotals {
        total: number(&sums, "total")?,
        incoming: number(&sums, "incoming")?,
        peak,
        per_day,
    };
    let pairs = |sql: &'static str, low: Millis| async move {
        ranged(sql, ws, low, to)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|row| {
                Ok((
                    AgentId(row.try_get("agent_id")?),
                    row.try_get::<i64, _>("a")?,
                    row.try_get::<i64, _>("b")?,
                ))
            })
            .collect::<Result<Vec<_>>>()
    };
    let presence = pairs(
        "SELECT agent_id, started_at AS a, seen_at AS b FROM agent_presence
         WHERE workspace_id = $1 AND seen_at > $2 AND started_at < $3",
        from,
    )
    .await?;
    Ok(ReportData {
        from,
        to,
        missed_after: threshold,
        totals: totals(pool, workspace, (from, to), (threshold, now), &presence).await?,
        messages,
        new_users: scalar(
            "SELECT COUNT(*) AS n FROM contacts WHERE workspace_id = $1 AND created_at >= $2 AND created_at < $3",
            from,
        )
        .await?,
        active_users: scalar(
            "SELECT COUNT(DISTINCT contact_id) AS n FROM report_contact_days
             WHERE workspace_id = $1 AND day >= $2 AND day < $3",
            first_day,
        )
        .await?,
        languages: labelled(
            "SELECT language AS label, CAST(SUM(messages) AS BIGINT) AS n FROM report_languages
             WHERE workspace_id = $1 AND day >= $2 AND day < $3 GROUP BY language",
            first_day,
        )
        .await?,
        intents: labelled(
            "SELECT intent AS label, COUNT(*) AS n FROM report_intents
             WHERE workspace_id = $1 AND at >= $2 AND at < $3 GROUP BY intent",
            from,
        )
        .await?,
        unresolved_intents: labelled(
            // From the range's cycles to their intents (report_intents_by_cycle); filtering
            // intents by workspace would make SQLite scan every intent of the workspace.
            "SELECT i.intent AS label, COUNT(*) AS n FROM report_cycles r
             JOIN report_intents i ON i.conversation_id = r.conversation_id AND i.cycle = r.cycle
             WHERE r.workspace_id = $1 AND r.started_at >= $2 AND r.started_at < $3
               AND r.outcome = 'unresolved'
             GROUP BY i.intent",
            from,
        )
        .await?,
        assignments: pairs(
            "SELECT agent_id, at AS a, at AS b FROM report_assignments
             WHERE workspace_id = $1 AND at >= $2 AND at < $3",
            from,
        )
        .await?
        .into_iter()
        .map(|(agent, at, _)| (agent, at))
        .collect(),
        spans: pairs(
            "SELECT agent_id, first_at AS a, last_at AS b FROM report_agent_spans
             WHERE workspace_id = $1 AND first_at >= $2 AND first_at < $3",
            from,
        )
        .await?,
        presence,
        agents: agents.into_iter().map(|a| (a.id, a.name)).collect(),
    })
}

/// `CycleFacts::missed` in SQL, for the cycle `r`: the lead waited for the team and no human
/// wrote within `threshold` (a placeholder) of it, or it closed without one by `now`.
fn missed_sql(threshold: &str, now: &str) -> String {
    format!(
        "(r.response_due_from IS NOT NULL AND (
            (r.first_response_at IS NOT NULL AND r.first_response_at - r.response_due_from > {threshold})
         OR (r.first_response_at IS NULL
             AND (r.closed_at IS NOT NULL OR {now} - r.response_due_from > {threshold}))))"
    )
}

/// A human answered within `threshold` (a placeholder).
fn handled_sql(threshold: &str) -> String {
    format!(
        "(r.first_response_at IS NOT NULL AND r.response_due_from IS NOT NULL
          AND r.first_response_at - r.response_due_from <= {threshold})"
    )
}

/// The cycles that started in the range, `porch_domain::reports::CycleTotals` computed in SQL
/// (the conformance suite checks it equals `CycleTotals::of` over the facts).
async fn totals(
    pool: &AnyPool,
    workspace: &WorkspaceId,
    (from, to): (Millis, Millis),
    (threshold, now): (Millis, Millis),
    presence: &[(AgentId, Millis, Millis)],
) -> Result<facts::CycleTotals> {
    const BASE: &str = "r.workspace_id = $1 AND r.started_at >= $2 AND r.started_at < $3";
    let ws = workspace.as_str();
    let count = |condition: &str| {
        format!("CAST(COALESCE(SUM(CASE WHEN {condition} THEN 1 ELSE 0 END), 0) AS BIGINT)")
    };
    let missed = missed_sql("$4", "$5");
    let sql = format!(
        "SELECT COUNT(*) AS n,
             CAST(COALESCE(SUM(r.wait_total), 0) AS BIGINT) AS wait_total,
             CAST(COALESCE(SUM(r.wait_runs), 0) AS BIGINT) AS wait_runs,
             {closed} AS closed, {resolved} AS resolved, {unresolved} AS unresolved,
             {auto} AS auto_closed, {handled} AS handled, {missed_n} AS missed
         FROM report_cycles r WHERE {BASE}",
        closed = count("r.closed_at IS NOT NULL"),
        resolved = count("r.closed_at IS NOT NULL AND r.outcome = 'resolved'"),
        unresolved = count("r.closed_at IS NOT NULL AND r.outcome = 'unresolved'"),
        auto = count("r.closed_at IS NOT NULL AND r.closing_source = 'auto_close'"),
        handled = count(&handled_sql("$4")),
        missed_n = count(&missed),
    );
    let row = ranged(&sql, ws, from, to).bind(threshold).bind(now).fetch_one(pool).await?;
    // Whether an agent was online when each missed lead started waiting: their times only,
    // checked against the merged presence in memory.
    let sql =
        format!("SELECT r.response_due_from AS at FROM report_cycles r WHERE {BASE} AND {missed}");
    let waited = ranged(&sql, ws, from, to)
        .bind(threshold)
        .bind(now)
        .fetch_all(pool)
        .await?
        .iter()
        .map(|row| row.try_get::<Millis, _>("at"))
        .collect::<Result<Vec<_>, _>>()?;
    let grouped = |sql: String| async move { ranged(&sql, ws, from, to).fetch_all(pool).await };
    let per_day = grouped(format!(
        "SELECT r.started_at - (r.started_at % {DAY}) AS day, COUNT(*) AS n FROM report_cycles r
         WHERE {BASE} GROUP BY r.started_at - (r.started_at % {DAY}) ORDER BY 1"
    ))
    .await?
    .iter()
    .map(|row| Ok((row.try_get::<i64, _>("day")?, number(row, "n")?)))
    .collect::<Result<Vec<_>>>()?;
    let mut start_flows = grouped(format!(
        "SELECT r.start_flow AS flow, COUNT(*) AS n FROM report_cycles r
         WHERE {BASE} GROUP BY r.start_flow"
    ))
    .await?
    .iter()
    .map(|row| Ok((start_flow(&row.try_get::<String, _>("flow")?)?, number(row, "n")?)))
    .collect::<Result<Vec<_>>>()?;
    start_flows.sort_by_key(|(f, _)| f.as_str());
    let mut categories = grouped(format!(
        "SELECT r.category AS category, COUNT(*) AS n FROM report_cycles r
         WHERE {BASE} AND r.closed_at IS NOT NULL GROUP BY r.category"
    ))
    .await?
    .iter()
    .map(|row| Ok((row.try_get::<Option<String>, _>("category")?, number(row, "n")?)))
    .collect::<Result<Vec<_>>>()?;
    categories.sort();
    // Count, median (the lower middle, as `porch_domain::reports::median`) and mean (rounded
    // down) of a duration, in SQL.
    let durations = |value: &'static str, condition: &'static str| async move {
        let sql = format!(
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM({value}), 0) AS BIGINT) AS total
             FROM report_cycles r WHERE {BASE} AND {condition}"
        );
        let row = ranged(&sql, ws, from, to).fetch_one(pool).await?;
        let (n, total): (i64, i64) = (row.try_get("n")?, row.try_get("total")?);
        if n == 0 {
            return Ok::<_, StoreError>(porch_protocol::Durations::default());
        }
        let sql = format!(
            "SELECT {value} AS v FROM report_cycles r WHERE {BASE} AND {condition}
             ORDER BY v LIMIT 1 OFFSET $4"
        );
        let median: i64 =
            ranged(&sql, ws, from, to).bind((n - 1) / 2).fetch_one(pool).await?.try_get("v")?;
        Ok(porch_protocol::Durations {
            count: u64::try_from(n).unwrap_or_default(),
            median_ms: Some(median),
            mean_ms: Some(total / n),
        })
    };
    const CLOSED: &str = "r.closed_at IS NOT NULL";
    Ok(facts::CycleTotals {
        cycles: number(&row, "n")?,
        per_day,
        start_flows,
        closed: number(&row, "closed")?,
        resolved: number(&row, "resolved")?,
        unresolved: number(&row, "unresolved")?,
        auto_closed: number(&row, "auto_closed")?,
        categories,
        handled: number(&row, "handled")?,
        missed: number(&row, "missed")?,
        missed_online: facts::online_count(&waited, presence),
        first_response: durations(
            "r.first_response_at - r.response_due_from",
            "r.first_response_at IS NOT NULL AND r.response_due_from IS NOT NULL",
        )
        .await?,
        resolution: durations("r.closed_at - r.started_at", CLOSED).await?,
        active_resolution: durations(
            "CASE WHEN r.closing_source = 'auto_close'
                  THEN COALESCE(r.last_human_at, r.started_at) - r.started_at
                  ELSE r.closed_at - r.started_at END",
            CLOSED,
        )
        .await?,
        wait_total: row.try_get("wait_total")?,
        wait_runs: number(&row, "wait_runs")?,
    })
}

/// One page of the conversation list: the cycles matching the query's filters, sorted, with
/// the total before paging. The `missed` filter is `CycleFacts::missed` written in SQL (the
/// conformance suite checks the two agree).
pub async fn list(
    pool: &AnyPool,
    workspace: &WorkspaceId,
    query: &ReportQuery,
    threshold: Millis,
    now: Millis,
) -> Result<(Vec<ListedCycle>, u64)> {
    // PostgreSQL wants every bound parameter used: absent filters are NULL and match all.
    let missed = match query.missed {
        Some(true) => missed_sql("$8", "$9"),
        Some(false) => format!("{} AND $9 >= 0", handled_sql("$8")),
        None => "$8 >= 0 AND $9 >= 0".to_owned(),
    };
    let filter = format!(
        "r.workspace_id = $1 AND r.started_at >= $2 AND r.started_at < $3
         AND ($4 IS NULL OR r.assignee = $4) AND ($5 IS NULL OR r.category = $5)
         AND ($6 IS NULL OR r.closing_source = $6) AND ($7 IS NULL OR r.outcome = $7)
         AND ({missed})"
    );
    let order = match query.sort {
        ReportSort::StartedAt => "r.started_at",
        ReportSort::Messages => "r.messages",
        ReportSort::FirstResponse => "(r.first_response_at - r.response_due_from)",
        ReportSort::Resolution => "(r.closed_at - r.started_at)",
    };
    let direction = if query.desc { "DESC" } else { "ASC" };
    let per_page = query.per_page.clamp(1, 500);
    let page = query.page.max(1);
    let with_filters = |sql| filtered(sql, workspace, query, threshold, now);
    let count_sql = format!("SELECT COUNT(*) AS n FROM report_cycles r WHERE {filter}");
    let total: i64 = with_filters(&count_sql).fetch_one(pool).await?.try_get("n")?;
    let page_sql = format!(
        "SELECT {columns}, k.name AS lead_name, a.name AS agent_name
         FROM report_cycles r
         LEFT JOIN contacts k ON k.id = r.contact_id
         LEFT JOIN agents a ON a.id = r.assignee
         WHERE {filter}
         ORDER BY {order} {direction}, r.started_at {direction}, r.conversation_id, r.cycle
         LIMIT {per_page} OFFSET {offset}",
        columns = CYCLE_COLUMNS.iter().map(|c| format!("r.{c}")).collect::<Vec<_>>().join(", "),
        offset = u64::from(page - 1) * u64::from(per_page),
    );
    let rows = with_filters(&page_sql).fetch_all(pool).await?;
    let listed = rows
        .iter()
        .map(|row| {
            Ok(ListedCycle {
                facts: cycle(row)?,
                lead_name: row.try_get("lead_name")?,
                agent_name: row.try_get("agent_name")?,
            })
        })
        .collect::<Result<_>>()?;
    Ok((listed, u64::try_from(total).unwrap_or_default()))
}

/// A query with the list's parameters bound: $1–$3 the workspace and range, $4–$7 the optional
/// filters, $8 the missed threshold, $9 now.
fn filtered<'q>(
    sql: &'q str,
    workspace: &'q WorkspaceId,
    query: &'q ReportQuery,
    threshold: Millis,
    now: Millis,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    ranged(sql, workspace.as_str(), query.from, query.to)
        .bind(query.agent.as_ref().map(|a| a.0.clone()))
        .bind(query.category.clone())
        .bind(query.source.map(|s| enum_text(&s)))
        .bind(query.outcome.map(|o| enum_text(&o)))
        .bind(threshold)
        .bind(now)
}

/// A cycle in the conversation list, with the names to show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListedCycle {
    pub facts: CycleFacts,
    pub lead_name: Option<String>,
    pub agent_name: Option<String>,
}

/// A claim older than this is taken to have died with its server.
const CLAIM_EXPIRES: Millis = 10 * MINUTE;

pub async fn claim_delivery(
    pool: &AnyPool,
    workspace: &WorkspaceId,
    (start, end): (Millis, Millis),
    now: Millis,
) -> Result<Option<u32>> {
    let mut tx = pool.begin().await?;
    // Insert-or-nothing first: the row (new or old) is then locked by this transaction's write.
    sqlx::query(
        "INSERT INTO report_deliveries
             (workspace_id, period_start, period_end, status, attempts, claimed_at)
         VALUES ($1, $2, $3, 'new', 0, $4)
         ON CONFLICT (workspace_id, period_start) DO NOTHING",
    )
    .bind(workspace.as_str())
    .bind(start)
    .bind(end)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let claimed: Option<i64> = sqlx::query_scalar(
        "UPDATE report_deliveries
         SET status = 'sending', attempts = attempts + 1, claimed_at = $3
         WHERE workspace_id = $1 AND period_start = $2
           AND (status = 'new'
             OR (status = 'failed' AND next_attempt_at <= $3)
             OR (status = 'sending' AND claimed_at <= $4))
         RETURNING attempts",
    )
    .bind(workspace.as_str())
    .bind(start)
    .bind(now)
    .bind(now - CLAIM_EXPIRES)
    .fetch_optional(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(claimed.map(|n| u32::try_from(n).unwrap_or(u32::MAX)))
}

pub async fn finish_delivery(
    pool: &AnyPool,
    workspace: &WorkspaceId,
    start: Millis,
    outcome: std::result::Result<Millis, (String, Millis)>,
) -> Result<()> {
    let query = match outcome {
        Ok(sent_at) => sqlx::query(
            "UPDATE report_deliveries SET status = 'sent', sent_at = $3, last_error = NULL
             WHERE workspace_id = $1 AND period_start = $2",
        )
        .bind(workspace.as_str())
        .bind(start)
        .bind(sent_at),
        Err((error, retry_at)) => sqlx::query(
            "UPDATE report_deliveries SET status = 'failed', last_error = $3, next_attempt_at = $4
             WHERE workspace_id = $1 AND period_start = $2",
        )
        .bind(workspace.as_str())
        .bind(start)
        .bind(error)
        .bind(retry_at),
    };
    query.execute(pool).await?;
    Ok(())
}

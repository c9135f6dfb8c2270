//! Report facts: folded from the event log into tables by [`catch_up`] (the definitions are
//! `porch_domain::reports`), and the queries the report pages run over them.
//!
//! The tables are a projection: deleting their rows and the workspace's cursor rebuilds them
//! from the log on the next catch-up.

use std::collections::{BTreeMap, HashMap, HashSet};

use porch_domain::reports::{self as facts, CycleFacts, DaySums, ReportData, ReportParts, MINUTE};
use porch_domain::Calendar;
use porch_protocol::{
    Actor, AgentId, AuthorKind, ClosingSource, ContactId, ConversationId, Durations, Event,
    EventFrame, Millis, Outcome, ReportQuery, ReportSort, StartFlow, WorkspaceId,
};
use sqlx::any::AnyRow;
use sqlx::{Any, AnyPool, Row, Transaction};

use super::rows::{self, enum_text, parse_enum};
use crate::{Result, StoreError};

/// Events folded per transaction. On SQLite a batch holds the one write lock: 500 keep it to
/// about 25 ms (release build) while live chat writes wait, at the same events per second as
/// 2,000 (measured with `reports_bench`: 18,000–20,000 events/s either way).
const BATCH: u32 = 500;

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
    let calendar = calendar(pool, workspace).await?;
    // Read first: an idle workspace costs no write transaction (the server folds every few
    // seconds).
    let behind: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM events WHERE workspace_id = $1 AND seq > COALESCE(
             (SELECT seq FROM report_cursors WHERE workspace_id = $1 AND time_zone = $2), 0)
             LIMIT 1) new_events",
    )
    .bind(workspace.as_str())
    .bind(calendar.name())
    .fetch_one(pool)
    .await?;
    if behind == 0 {
        return Ok(0);
    }
    let mut total = 0;
    loop {
        let mut tx = pool.begin().await?;
        sqlx::query(
            "INSERT INTO report_cursors (workspace_id, seq, time_zone) VALUES ($1, 0, $2)
             ON CONFLICT (workspace_id) DO NOTHING",
        )
        .bind(workspace.as_str())
        .bind(calendar.name())
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(
            "UPDATE report_cursors SET seq = seq WHERE workspace_id = $1 RETURNING seq, time_zone",
        )
        .bind(workspace.as_str())
        .fetch_one(&mut *tx)
        .await?;
        let mut cursor: i64 = row.try_get("seq")?;
        if row.try_get::<String, _>("time_zone")? != calendar.name() {
            forget(&mut tx, workspace, calendar.name()).await?;
            cursor = 0;
        }
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
        let mut batch = Batch { calendar: calendar.clone(), ..Batch::default() };
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

/// The tables folded from the log (a projection), emptied to fold again.
const FOLDED: [&str; 11] = [
    "report_cycles",
    "report_minutes",
    "report_contact_days",
    "report_languages",
    "report_intents",
    "report_assignments",
    "report_agent_spans",
    "report_days",
    "report_agent_days",
    "report_day_counts",
    "report_returns",
];

/// The workspace's days: its time zone's (UTC if it names none that is known).
pub async fn calendar(pool: &AnyPool, workspace: &WorkspaceId) -> Result<Calendar> {
    let settings: Option<String> =
        sqlx::query_scalar("SELECT settings FROM workspaces WHERE id = $1")
            .bind(workspace.as_str())
            .fetch_optional(pool)
            .await?;
    let settings: porch_protocol::WorkspaceSettings = match settings {
        Some(json) => {
            serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string()))?
        }
        None => Default::default(),
    };
    Ok(Calendar::or_utc(&settings.time_zone.0))
}

/// Empties the workspace's folded tables and rewinds its cursor, to fold its log again in
/// `time_zone` (whose days the roll-ups then are).
async fn forget(
    tx: &mut Transaction<'_, Any>,
    workspace: &WorkspaceId,
    time_zone: &str,
) -> Result<()> {
    for table in FOLDED {
        sqlx::query(&format!("DELETE FROM {table} WHERE workspace_id = $1"))
            .bind(workspace.as_str())
            .execute(&mut **tx)
            .await?;
    }
    sqlx::query("UPDATE report_cursors SET seq = 0, time_zone = $2 WHERE workspace_id = $1")
        .bind(workspace.as_str())
        .bind(time_zone)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What one batch of events adds to the report tables.
#[derive(Default)]
struct Batch {
    /// Whose days the roll-ups are.
    calendar: Calendar,
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
    /// What each cycle as stored before the batch added to the daily roll-ups: a written
    /// cycle replaces it.
    stored: HashMap<(ConversationId, u32), Contribution>,
}

/// What one cycle adds to the daily roll-ups of the day it started.
struct Contribution {
    day: Millis,
    sums: DaySums,
    /// (kind, label) counted once in `report_day_counts`.
    labels: Vec<(&'static str, String)>,
    /// Closed as unresolved: its intents count as unresolved intents.
    unresolved: bool,
}

impl Contribution {
    fn of(c: &CycleFacts, calendar: &Calendar) -> Contribution {
        let mut labels = vec![(FLOW, c.start_flow.as_str().to_owned())];
        if c.closed_at.is_some() {
            // Categories are never empty (the settings refuse it): '' is "no category".
            labels.push((CATEGORY, c.category.clone().unwrap_or_default()));
            labels.extend(c.outcome.map(|o| (OUTCOME, enum_text(&o))));
            labels.extend(c.closing_source.map(|s| (SOURCE, enum_text(&s))));
        }
        Contribution {
            day: calendar.day_of(c.started_at),
            sums: DaySums::of(c),
            labels,
            unresolved: c.outcome == Some(Outcome::Unresolved),
        }
    }
}

/// `report_returns.previous_day` of a lead's first day.
const NEVER: Millis = -1;

// The kinds of `report_day_counts`: cycles by start flow; closed cycles by category, outcome
// and closing source; intents (by the day they were picked); intents of unresolved cycles (by
// the day the cycle started).
const FLOW: &str = "flow";
const CATEGORY: &str = "category";
const OUTCOME: &str = "outcome";
const SOURCE: &str = "source";
const INTENT: &str = "intent";
const UNRESOLVED_INTENT: &str = "unresolved_intent";

/// What a batch adds to one day's roll-up row (`report_days`).
#[derive(Default)]
struct DayDelta {
    sums: DaySums,
    messages: i64,
    incoming: i64,
    busiest: i64,
}

/// `report_days`' additive columns, in [`DaySums`]' order, then the day's messages.
const DAY_COLUMNS: [&str; 10] = [
    "cycles",
    "responded",
    "first_response",
    "closed",
    "resolution",
    "active_resolution",
    "wait_total",
    "wait_runs",
    "messages",
    "incoming",
];

impl Batch {
    async fn fold(&mut self, tx: &mut Transaction<'_, Any>, frame: &EventFrame) -> Result<()> {
        let Some(id) = frame.event.conversation_id() else { return Ok(()) };
        let before = match self.cycles.remove(id) {
            Some(current) => Some(current),
            None => {
                let stored = current_cycle(tx, id).await?;
                if let Some(c) = &stored {
                    self.stored.insert((id.clone(), c.cycle), Contribution::of(c, &self.calendar));
                }
                stored
            }
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
                    let day = self.calendar.day_of(at);
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

    async fn write(mut self, tx: &mut Transaction<'_, Any>, workspace: &WorkspaceId) -> Result<()> {
        let ws = workspace.as_str();
        let calendar = std::mem::take(&mut self.calendar);
        let mut days: BTreeMap<Millis, DayDelta> = BTreeMap::new();
        let mut agent_days: BTreeMap<(Millis, AgentId), (i64, Millis)> = BTreeMap::new();
        let mut counts: BTreeMap<(Millis, &'static str, String), i64> = BTreeMap::new();
        // Cycles closed as unresolved before or after the batch.
        let mut unresolved = Vec::new();
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
            let now = Contribution::of(c, &calendar);
            let was = self.stored.remove(&(c.conversation_id.clone(), c.cycle));
            for (part, sign) in [(Some(&now), 1), (was.as_ref(), -1)] {
                let Some(part) = part else { continue };
                days.entry(part.day).or_default().sums.add(&part.sums, sign);
                for (kind, label) in &part.labels {
                    *counts.entry((part.day, *kind, label.clone())).or_default() += sign;
                }
            }
            let before = was.filter(|w| w.unresolved).map(|w| w.day);
            if before.is_some() || now.unresolved {
                unresolved.push(Unresolved {
                    conversation: c.conversation_id.clone(),
                    cycle: c.cycle,
                    before,
                    after: now.unresolved.then_some(now.day),
                });
            }
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
            let now_in_minute: i64 = sqlx::query_scalar(
                "INSERT INTO report_minutes (workspace_id, minute, messages, lead_messages)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (workspace_id, minute) DO UPDATE
                 SET messages = report_minutes.messages + excluded.messages,
                     lead_messages = report_minutes.lead_messages + excluded.lead_messages
                 RETURNING messages",
            )
            .bind(ws)
            .bind(minute)
            .bind(messages)
            .bind(lead)
            .fetch_one(&mut **tx)
            .await?;
            // A minute's count only grows, so the day's busiest is the highest seen.
            let day = days.entry(calendar.day_of(minute)).or_default();
            day.messages += messages;
            day.incoming += lead;
            day.busiest = day.busiest.max(now_in_minute);
        }
        write_contact_days(tx, ws, self.contact_days).await?;
        each_row(
            tx,
            ws,
            "INSERT INTO report_languages (workspace_id, day, language, messages)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (workspace_id, day, language) DO UPDATE
             SET messages = report_languages.messages + excluded.messages",
            self.languages,
            |q, ((day, language), messages)| q.bind(day).bind(language).bind(messages),
        )
        .await?;
        // An unresolved cycle's intents, as the batch found them (its own not yet written) and
        // as it leaves them.
        count_unresolved_intents(tx, &mut counts, &unresolved, |u| u.before, -1).await?;
        for (_, _, intent, at) in &self.intents {
            *counts.entry((calendar.day_of(*at), INTENT, intent.clone())).or_default() += 1;
        }
        each_row(
            tx,
            ws,
            "INSERT INTO report_intents (workspace_id, conversation_id, cycle, intent, at)
             VALUES ($1, $2, $3, $4, $5)",
            self.intents,
            |q, (conversation, cycle, intent, at)| {
                q.bind(conversation.0).bind(i64::from(cycle)).bind(intent).bind(at)
            },
        )
        .await?;
        count_unresolved_intents(tx, &mut counts, &unresolved, |u| u.after, 1).await?;
        for (_, agent, at) in &self.assignments {
            agent_days.entry((calendar.day_of(*at), agent.clone())).or_default().0 += 1;
        }
        each_row(
            tx,
            ws,
            "INSERT INTO report_assignments (workspace_id, conversation_id, agent_id, at)
             VALUES ($1, $2, $3, $4)",
            self.assignments,
            |q, (conversation, agent, at)| q.bind(conversation.0).bind(agent.0).bind(at),
        )
        .await?;
        for ((conversation, agent), (mut first, mut last)) in self.spans {
            // The span widened by the batch replaces the stored one in its day's sum.
            let stored: Option<(Millis, Millis)> = sqlx::query_as(
                "SELECT first_at, last_at FROM report_agent_spans
                 WHERE conversation_id = $1 AND agent_id = $2",
            )
            .bind(conversation.as_str())
            .bind(agent.as_str())
            .fetch_optional(&mut **tx)
            .await?;
            if let Some((was_first, was_last)) = stored {
                agent_days.entry((calendar.day_of(was_first), agent.clone())).or_default().1 -=
                    was_last - was_first;
                (first, last) = (first.min(was_first), last.max(was_last));
            }
            agent_days.entry((calendar.day_of(first), agent.clone())).or_default().1 +=
                last - first;
            sqlx::query(
                "INSERT INTO report_agent_spans (workspace_id, conversation_id, agent_id, first_at, last_at)
                 VALUES ($1, $2, $3, $4, $5)
                 ON CONFLICT (conversation_id, agent_id) DO UPDATE
                 SET first_at = excluded.first_at, last_at = excluded.last_at",
            )
            .bind(ws)
            .bind(conversation.as_str())
            .bind(agent.as_str())
            .bind(first)
            .bind(last)
            .execute(&mut **tx)
            .await?;
        }
        write_days(tx, ws, days).await?;
        each_row(
            tx,
            ws,
            "INSERT INTO report_day_counts (workspace_id, day, kind, label, n)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (workspace_id, day, kind, label) DO UPDATE
             SET n = report_day_counts.n + excluded.n",
            nonzero(counts),
            |q, ((day, kind, label), n)| q.bind(day).bind(kind).bind(label).bind(n),
        )
        .await?;
        each_row(
            tx,
            ws,
            "INSERT INTO report_agent_days
                 (workspace_id, day, agent_id, assignments, conversation_ms)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (workspace_id, day, agent_id) DO UPDATE
             SET assignments = report_agent_days.assignments + excluded.assignments,
                 conversation_ms = report_agent_days.conversation_ms + excluded.conversation_ms",
            agent_days,
            |q, ((day, agent), (assignments, ms))| {
                q.bind(day).bind(agent.0).bind(assignments).bind(ms)
            },
        )
        .await
    }
}

/// Records which leads wrote on which days, and keeps `report_returns`: each new lead-day
/// counts under the lead's previous day; the lead's next day, if the new one came in between,
/// now counts under the new one.
async fn write_contact_days(
    tx: &mut Transaction<'_, Any>,
    ws: &str,
    contact_days: HashSet<(Millis, ContactId)>,
) -> Result<()> {
    let mut returns: BTreeMap<(Millis, Millis), i64> = BTreeMap::new();
    let mut contact_days: Vec<_> = contact_days.into_iter().collect();
    contact_days.sort_unstable();
    for (day, contact) in contact_days {
        let added: Option<Millis> = sqlx::query_scalar(
            "INSERT INTO report_contact_days (workspace_id, day, contact_id) VALUES ($1, $2, $3)
             ON CONFLICT (workspace_id, day, contact_id) DO NOTHING RETURNING day",
        )
        .bind(ws)
        .bind(day)
        .bind(contact.as_str())
        .fetch_optional(&mut **tx)
        .await?;
        if added.is_none() {
            continue;
        }
        let (previous, next): (Option<Millis>, Option<Millis>) = sqlx::query_as(
            "SELECT (SELECT MAX(day) FROM report_contact_days
                     WHERE contact_id = $1 AND day < $2),
                    (SELECT MIN(day) FROM report_contact_days
                     WHERE contact_id = $1 AND day > $2)",
        )
        .bind(contact.as_str())
        .bind(day)
        .fetch_one(&mut **tx)
        .await?;
        let previous = previous.unwrap_or(NEVER);
        *returns.entry((day, previous)).or_default() += 1;
        if let Some(next) = next {
            *returns.entry((next, previous)).or_default() -= 1;
            *returns.entry((next, day)).or_default() += 1;
        }
    }
    each_row(
        tx,
        ws,
        "INSERT INTO report_returns (workspace_id, day, previous_day, n)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (workspace_id, day, previous_day) DO UPDATE
         SET n = report_returns.n + excluded.n",
        nonzero(returns),
        |q, ((day, previous), n)| q.bind(day).bind(previous).bind(n),
    )
    .await
}

/// The changes that change something.
fn nonzero<K>(deltas: BTreeMap<K, i64>) -> Vec<(K, i64)> {
    deltas.into_iter().filter(|d| d.1 != 0).collect()
}

type AnyQuery<'q> = sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>;

/// Runs `sql` once per row, the workspace bound as $1 and `bind` binding the row's values.
async fn each_row<R>(
    tx: &mut Transaction<'_, Any>,
    ws: &str,
    sql: &str,
    rows: impl IntoIterator<Item = R>,
    bind: impl for<'q> Fn(AnyQuery<'q>, R) -> AnyQuery<'q>,
) -> Result<()> {
    for row in rows {
        bind(sqlx::query(sql).bind(ws), row).execute(&mut **tx).await?;
    }
    Ok(())
}

/// A cycle closed as unresolved before the batch or after it: its day each time it was.
struct Unresolved {
    conversation: ConversationId,
    cycle: u32,
    before: Option<Millis>,
    after: Option<Millis>,
}

/// Adds `sign` to the unresolved-intent count of each intent now stored for each cycle, under
/// the day `day` gives it (cycles it gives none are skipped).
async fn count_unresolved_intents(
    tx: &mut Transaction<'_, Any>,
    counts: &mut BTreeMap<(Millis, &'static str, String), i64>,
    cycles: &[Unresolved],
    day: fn(&Unresolved) -> Option<Millis>,
    sign: i64,
) -> Result<()> {
    for u in cycles {
        let Some(day) = day(u) else { continue };
        let intents: Vec<String> = sqlx::query_scalar(
            "SELECT intent FROM report_intents WHERE conversation_id = $1 AND cycle = $2",
        )
        .bind(u.conversation.as_str())
        .bind(i64::from(u.cycle))
        .fetch_all(&mut **tx)
        .await?;
        for intent in intents {
            *counts.entry((day, UNRESOLVED_INTENT, intent)).or_default() += sign;
        }
    }
    Ok(())
}

/// Adds each day's delta to its `report_days` row.
async fn write_days(
    tx: &mut Transaction<'_, Any>,
    ws: &str,
    days: BTreeMap<Millis, DayDelta>,
) -> Result<()> {
    let sql = format!(
        "INSERT INTO report_days (workspace_id, day, {columns}, busiest)
         VALUES ({params})
         ON CONFLICT (workspace_id, day) DO UPDATE SET {sums},
             busiest = CASE WHEN excluded.busiest > report_days.busiest
                       THEN excluded.busiest ELSE report_days.busiest END",
        columns = DAY_COLUMNS.join(", "),
        params =
            (1..=DAY_COLUMNS.len() + 3).map(|i| format!("${i}")).collect::<Vec<_>>().join(", "),
        sums = DAY_COLUMNS
            .iter()
            .map(|c| format!("{c} = report_days.{c} + excluded.{c}"))
            .collect::<Vec<_>>()
            .join(", "),
    );
    each_row(tx, ws, &sql, days, |q, (day, d)| {
        let s = d.sums;
        q.bind(day)
            .bind(s.cycles)
            .bind(s.responded)
            .bind(s.first_response)
            .bind(s.closed)
            .bind(s.resolution)
            .bind(s.active_resolution)
            .bind(s.wait_total)
            .bind(s.wait_runs)
            .bind(d.messages)
            .bind(d.incoming)
            .bind(d.busiest)
    })
    .await
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

/// The `parts` asked for of everything but the list, for `[from, to)`; the rest is left empty.
/// Day-based tables (active users, languages) count the whole UTC days the range touches. The
/// queries are independent and run at once, each on its own connection of the pool.
pub async fn data(
    (pool, calendar): (&AnyPool, &Calendar),
    workspace: &WorkspaceId,
    (from, to): (Millis, Millis),
    (threshold, now): (Millis, Millis),
    parts: ReportParts,
    agents: Vec<porch_protocol::Agent>,
) -> Result<ReportData> {
    let ws = workspace.as_str();
    let first_day = calendar.day_of(from);
    let scalar = |sql: &'static str, low: Millis| async move {
        number(&ranged(sql, ws, low, to).fetch_one(pool).await?, "n")
    };
    // Each query runs only for the parts asked for.
    let presence = when(
        parts.agents,
        parsed(
            pool,
            ws,
            "SELECT agent_id, started_at, seen_at FROM agent_presence
             WHERE workspace_id = $1 AND seen_at > $2 AND started_at < $3"
                .to_owned(),
            (from, to),
            |row| {
                let agent = AgentId(row.try_get("agent_id")?);
                Ok((agent, row.try_get("started_at")?, row.try_get("seen_at")?))
            },
        ),
    );
    let new_users = when(
        parts.users,
        scalar(
            "SELECT COUNT(*) AS n FROM contacts
             WHERE workspace_id = $1 AND created_at >= $2 AND created_at < $3",
            from,
        ),
    );
    let active_users = when(
        parts.users,
        scalar(
            // Each lead once: on the first day in the range they wrote, the one whose previous
            // day is before the range.
            "SELECT CAST(COALESCE(SUM(n), 0) AS BIGINT) AS n FROM report_returns
             WHERE workspace_id = $1 AND day >= $2 AND day < $3
               AND (previous_day = -1 OR previous_day < $2)",
            first_day,
        ),
    );
    let languages = when(
        parts.bot,
        parsed(
            pool,
            ws,
            "SELECT language, CAST(SUM(messages) AS BIGINT) AS n FROM report_languages
             WHERE workspace_id = $1 AND day >= $2 AND day < $3 GROUP BY language"
                .to_owned(),
            (first_day, to),
            |row| Ok((row.try_get("language")?, number(row, "n")?)),
        ),
    );
    let intents = when(
        parts.bot,
        labels(
            (pool, calendar),
            ws,
            (from, to),
            &[INTENT],
            format!(
                "SELECT '{INTENT}' AS kind, intent AS label, COUNT(*) AS n FROM report_intents
                 WHERE workspace_id = $1 AND at >= $2 AND at < $3 GROUP BY intent"
            ),
        ),
    );
    let unresolved_intents = when(
        parts.unresolved_intents,
        labels(
            (pool, calendar),
            ws,
            (from, to),
            &[UNRESOLVED_INTENT],
            // From the range's cycles to their intents (report_intents_by_cycle); filtering
            // intents by workspace would make SQLite scan every intent of the workspace.
            format!(
                "SELECT '{UNRESOLVED_INTENT}' AS kind, i.intent AS label, COUNT(*) AS n
                 FROM report_cycles r
                 JOIN report_intents i
                   ON i.conversation_id = r.conversation_id AND i.cycle = r.cycle
                 WHERE r.workspace_id = $1 AND r.started_at >= $2 AND r.started_at < $3
                   AND r.outcome = 'unresolved'
                 GROUP BY i.intent"
            ),
        ),
    );
    let agent_days = when(parts.agents, agent_days((pool, calendar), ws, (from, to)));
    let (
        totals,
        messages,
        presence,
        new_users,
        active_users,
        languages,
        intents,
        unresolved_intents,
        (assignments, spans),
    ) = tokio::try_join!(
        totals((pool, calendar), ws, (from, to), (threshold, now), parts),
        when(parts.messages, messages((pool, calendar), ws, (from, to))),
        presence,
        new_users,
        active_users,
        languages,
        intents,
        unresolved_intents,
        agent_days,
    )?;
    Ok(ReportData {
        from,
        to,
        calendar: calendar.clone(),
        missed_after: threshold,
        totals,
        messages,
        new_users,
        active_users,
        languages,
        intents: by_label(intents),
        unresolved_intents: by_label(unresolved_intents),
        assignments,
        spans,
        presence,
        agents: agents.into_iter().map(|a| (a.id, a.name)).collect(),
    })
}

/// Per agent and day: assignments (transfers included) and conversation time, in SQL (a month
/// holds tens of thousands of assignments and spans); days without any are left out.
async fn agent_days(
    (pool, calendar): (&AnyPool, &Calendar),
    ws: &str,
    range: (Millis, Millis),
) -> Result<(Vec<(AgentId, Millis, u64)>, Vec<(AgentId, Millis, Millis)>)> {
    let rows = |sql, range| {
        parsed(pool, ws, sql, range, |row| {
            let agent = AgentId(row.try_get("agent_id")?);
            Ok((agent, row.try_get("day")?, number(row, "assignments")?, row.try_get("ms")?))
        })
    };
    let days = by_days(
        calendar,
        range,
        |range| {
            rows(
                format!(
                    "SELECT agent_id, day, CAST(SUM(assignments) AS BIGINT) AS assignments,
                            CAST(SUM(ms) AS BIGINT) AS ms
                     FROM (SELECT agent_id, {day} AS day, 1 AS assignments, 0 AS ms
                           FROM report_assignments
                           WHERE workspace_id = $1 AND at >= $2 AND at < $3
                           UNION ALL
                           SELECT agent_id, {day}, 0, last_at - first_at
                           FROM report_agent_spans
                           WHERE workspace_id = $1 AND first_at >= $2 AND first_at < $3) x
                     GROUP BY agent_id, day",
                    day = day_literal(calendar, range)
                ),
                range,
            )
        },
        |range| {
            rows(
                "SELECT agent_id, day, assignments, conversation_ms AS ms FROM report_agent_days
                 WHERE workspace_id = $1 AND day >= $2 AND day < $3"
                    .to_owned(),
                range,
            )
        },
    )
    .await?;
    let assignments = days.iter().filter(|d| d.2 > 0).map(|d| (d.0.clone(), d.1, d.2)).collect();
    let spans = days.into_iter().filter(|d| d.3 > 0).map(|(a, day, _, ms)| (a, day, ms)).collect();
    Ok((assignments, spans))
}

/// `[from, to)` cut for the daily roll-ups: the whole days of `calendar` in it (read from the
/// roll-up, a row a day) and the parts of days at its ends (read from the rows), each part
/// within one day, so the rows' SQL names its day as a constant ([`day_literal`]).
fn split(calendar: &Calendar, (from, to): (Millis, Millis)) -> [Option<(Millis, Millis)>; 3] {
    let first = if calendar.day_of(from) == from { from } else { calendar.next_day(from) };
    let last = calendar.day_of(to);
    if first > last {
        return [(from < to).then_some((from, to)), None, None];
    }
    let part = |a: Millis, b: Millis| (a < b).then_some((a, b));
    [part(from, first), part(first, last), part(last, to)]
}

/// The day of a part of a day that [`split`] cut, as SQL.
fn day_literal(calendar: &Calendar, (from, _): (Millis, Millis)) -> String {
    format!("CAST({} AS BIGINT)", calendar.day_of(from))
}

/// One list from the rows of a range's partial days (`rows`) and the roll-up of its whole
/// days (`rolled`), read at once.
async fn by_days<T, R, F, Fut, G>(
    calendar: &Calendar,
    range: (Millis, Millis),
    rows: F,
    rolled: G,
) -> Result<Vec<T>>
where
    F: Fn((Millis, Millis)) -> Fut,
    G: FnOnce((Millis, Millis)) -> R,
    Fut: std::future::Future<Output = Result<Vec<T>>>,
    R: std::future::Future<Output = Result<Vec<T>>>,
{
    let [head, days, tail] = split(calendar, range);
    let (head, days, tail) = tokio::try_join!(
        when(head.is_some(), async { rows(head.unwrap_or_default()).await }),
        when(days.is_some(), async { rolled(days.unwrap_or_default()).await }),
        when(tail.is_some(), async { rows(tail.unwrap_or_default()).await }),
    )?;
    Ok([head, days, tail].into_iter().flatten().collect())
}

/// Labelled counts of some `kinds` of `report_day_counts` in a range, by kind and label, none
/// zero: the whole days' from the roll-up, the partial days' from the rows (`rows`, SQL giving
/// kind, label and n for a range bound as $2 and $3).
async fn labels(
    (pool, calendar): (&AnyPool, &Calendar),
    ws: &str,
    range: (Millis, Millis),
    kinds: &[&str],
    rows: String,
) -> Result<BTreeMap<(String, String), u64>> {
    let kinds = kinds.iter().map(|k| format!("'{k}'")).collect::<Vec<_>>().join(", ");
    let rolled = format!(
        "SELECT kind, label, CAST(SUM(n) AS BIGINT) AS n FROM report_day_counts
         WHERE workspace_id = $1 AND day >= $2 AND day < $3 AND kind IN ({kinds})
         GROUP BY kind, label"
    );
    let parse = |row: &AnyRow| Ok((row.try_get("kind")?, row.try_get("label")?, row.try_get("n")?));
    let counted: Vec<(String, String, i64)> = by_days(
        calendar,
        range,
        |range| parsed(pool, ws, rows.clone(), range, parse),
        |range| parsed(pool, ws, rolled, range, parse),
    )
    .await?;
    let mut sums = BTreeMap::new();
    for (kind, label, n) in counted {
        *sums.entry((kind, label)).or_insert(0) += n;
    }
    let positive = |n: i64| u64::try_from(n).ok().filter(|n| *n > 0);
    Ok(sums.into_iter().filter_map(|(key, n)| Some((key, positive(n)?))).collect())
}

/// The labels and counts of one kind, from [`labels`].
fn by_label(counts: BTreeMap<(String, String), u64>) -> Vec<(String, u64)> {
    counts.into_iter().map(|((_, label), n)| (label, n)).collect()
}

/// The rows of `sql`, with the workspace and `range` bound as $1 to $3, each read by `parse`.
async fn parsed<T>(
    pool: &AnyPool,
    ws: &str,
    sql: String,
    (from, to): (Millis, Millis),
    parse: fn(&AnyRow) -> Result<T>,
) -> Result<Vec<T>> {
    ranged(&sql, ws, from, to).fetch_all(pool).await?.iter().map(parse).collect()
}

/// `query`'s result when `wanted`, else nothing (the default).
async fn when<T: Default>(
    wanted: bool,
    query: impl std::future::Future<Output = Result<T>>,
) -> Result<T> {
    if wanted {
        query.await
    } else {
        Ok(T::default())
    }
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

/// The range's messages, `MessageTotals::of` in SQL: each day's sums (the whole days' from
/// their roll-up, the partial days' from the per-minute counts), then the busiest minute
/// looked up within the day that holds it.
async fn messages(
    (pool, calendar): (&AnyPool, &Calendar),
    ws: &str,
    (from, to): (Millis, Millis),
) -> Result<facts::MessageTotals> {
    const MINUTES: &str =
        "FROM report_minutes WHERE workspace_id = $1 AND minute >= $2 AND minute < $3";
    let rows = |sql, range| {
        parsed(pool, ws, sql, range, |row| {
            let day: Millis = row.try_get("day")?;
            let (n, incoming) = (number(row, "messages")?, number(row, "incoming")?);
            Ok((day, n, incoming, number(row, "busiest")?))
        })
    };
    let mut days = by_days(
        calendar,
        (from, to),
        |range| {
            let sql = format!(
                "SELECT {day} AS day, CAST(SUM(messages) AS BIGINT) AS messages,
                        CAST(SUM(lead_messages) AS BIGINT) AS incoming, MAX(messages) AS busiest
                 {MINUTES} GROUP BY 1",
                day = day_literal(calendar, range)
            );
            rows(sql, range)
        },
        |range| {
            let sql = "SELECT day, messages, incoming, busiest FROM report_days
                       WHERE workspace_id = $1 AND day >= $2 AND day < $3 AND messages > 0";
            rows(sql.to_owned(), range)
        },
    )
    .await?;
    days.sort_unstable();
    // The earliest of the busiest minutes is in the earliest day with the highest peak.
    let busiest = days.iter().map(|d| d.3).max();
    let peak = match days.iter().find(|d| Some(d.3) == busiest) {
        None => None,
        Some(&(day, ..)) => {
            let sql = format!(
                "SELECT minute, messages {MINUTES} ORDER BY messages DESC, minute ASC LIMIT 1"
            );
            let end = calendar.next_day(day).min(to);
            let row = ranged(&sql, ws, day.max(from), end).fetch_one(pool).await?;
            Some((row.try_get("minute")?, number(&row, "messages")?))
        }
    };
    Ok(facts::MessageTotals {
        total: days.iter().map(|d| d.1).sum(),
        incoming: days.iter().map(|d| d.2).sum(),
        peak,
        per_day: days.into_iter().map(|(day, n, _, busiest)| (day, n, busiest)).collect(),
    })
}

/// The cycles that started in the range, `porch_domain::reports::CycleTotals` computed in SQL
/// (the conformance suite checks it equals `CycleTotals::of` over the facts). Each of `parts`
/// is its own query, all at once: the additive figures per day (the whole days' from their
/// roll-up, the partial days' from the cycles), closed cycles by outcome, source and category,
/// start flows, the handled count, the missed count with how many of them an agent was online
/// for, and, once the counts are known, a sorted pass per median over the covering index
/// `report_cycles_by_start`. Few, small sort keys per pass: SQLite sorts every row of a GROUP
/// BY with all the values it aggregates.
async fn totals(
    (pool, calendar): (&AnyPool, &Calendar),
    ws: &str,
    (from, to): (Millis, Millis),
    (threshold, now): (Millis, Millis),
    parts: ReportParts,
) -> Result<facts::CycleTotals> {
    const BASE: &str = "r.workspace_id = $1 AND r.started_at >= $2 AND r.started_at < $3";
    const CLOSED: &str = "r.closed_at IS NOT NULL";
    const RESPONDED: &str = "r.first_response_at IS NOT NULL AND r.response_due_from IS NOT NULL";
    const FIRST_RESPONSE: &str = "r.first_response_at - r.response_due_from";
    const RESOLUTION: &str = "r.closed_at - r.started_at";
    const ACTIVE_RESOLUTION: &str = "CASE WHEN r.closing_source = 'auto_close'
        THEN COALESCE(r.last_human_at, r.started_at) - r.started_at
        ELSE r.closed_at - r.started_at END";
    let fetch = |sql: String, (from, to): (Millis, Millis), extra: Option<Millis>| async move {
        let query = ranged(&sql, ws, from, to);
        let query = match extra {
            Some(value) => query.bind(value),
            None => query,
        };
        Ok::<_, StoreError>(query.fetch_all(pool).await?)
    };
    let fetch_sums = |sql, range| parsed(pool, ws, sql, range, day_sums);
    let sums = by_days(
        calendar,
        (from, to),
        |range| {
            let sum = |value: &str| format!("CAST(COALESCE(SUM({value}), 0) AS BIGINT)");
            let when_sum = |condition: &str, value: &str| {
                sum(&format!("CASE WHEN {condition} THEN {value} ELSE 0 END"))
            };
            let sql = format!(
                "SELECT {day} AS day, COUNT(*) AS cycles, {responded} AS responded,
                        {first_response} AS first_response, COUNT(r.closed_at) AS closed,
                        {resolution} AS resolution, {active} AS active_resolution,
                        {wait_total} AS wait_total, {wait_runs} AS wait_runs
                 FROM report_cycles r WHERE {BASE} GROUP BY 1",
                day = day_literal(calendar, range),
                responded = when_sum(RESPONDED, "1"),
                first_response = when_sum(RESPONDED, FIRST_RESPONSE),
                resolution = when_sum(CLOSED, RESOLUTION),
                active = when_sum(CLOSED, ACTIVE_RESOLUTION),
                wait_total = sum("r.wait_total"),
                wait_runs = sum("r.wait_runs"),
            );
            fetch_sums(sql, range)
        },
        |range| {
            let sql = format!(
                "SELECT day, {} FROM report_days
                 WHERE workspace_id = $1 AND day >= $2 AND day < $3 AND cycles > 0",
                DAY_COLUMNS[..8].join(", ")
            );
            fetch_sums(sql, range)
        },
    );
    // The median is the lower middle, as `porch_domain::reports::median`: the value at rank
    // (count - 1) / 2 of those counted in the sums.
    let median = |value: &'static str, condition: &'static str, count: i64| {
        when(parts.responses && count > 0, async move {
            let sql = format!(
                "SELECT {value} AS v FROM report_cycles r WHERE {BASE} AND {condition}
                 ORDER BY v LIMIT 1 OFFSET $4"
            );
            let row = fetch(sql, (from, to), Some((count - 1) / 2)).await?;
            row.first().map(|row| Ok(row.try_get::<Millis, _>("v")?)).transpose()
        })
    };
    let sums_and_medians = when(parts.days || parts.responses, async {
        let mut days = sums.await?;
        days.sort_unstable_by_key(|d| d.0);
        let mut all = DaySums::default();
        for (_, sums) in &days {
            all.add(sums, 1);
        }
        let medians = tokio::try_join!(
            median(FIRST_RESPONSE, RESPONDED, all.responded),
            median(RESOLUTION, CLOSED, all.closed),
            median(ACTIVE_RESOLUTION, CLOSED, all.closed),
        )?;
        Ok::<_, StoreError>(Some((days, all, medians)))
    });
    // Closed cycles by category ('' for none), outcome and source.
    let closes = when(
        parts.closes,
        labels(
            (pool, calendar),
            ws,
            (from, to),
            &[CATEGORY, OUTCOME, SOURCE],
            format!(
                "SELECT '{CATEGORY}' AS kind, COALESCE(r.category, '') AS label, COUNT(*) AS n
                 FROM report_cycles r WHERE {BASE} AND {CLOSED} GROUP BY r.category
                 UNION ALL
                 SELECT '{OUTCOME}', r.outcome, COUNT(*) FROM report_cycles r
                 WHERE {BASE} AND {CLOSED} AND r.outcome IS NOT NULL GROUP BY r.outcome
                 UNION ALL
                 SELECT '{SOURCE}', r.closing_source, COUNT(*) FROM report_cycles r
                 WHERE {BASE} AND {CLOSED} AND r.closing_source IS NOT NULL
                 GROUP BY r.closing_source"
            ),
        ),
    );
    let flows = when(
        parts.flows,
        labels(
            (pool, calendar),
            ws,
            (from, to),
            &[FLOW],
            format!(
                "SELECT '{FLOW}' AS kind, r.start_flow AS label, COUNT(*) AS n
                 FROM report_cycles r WHERE {BASE} GROUP BY r.start_flow"
            ),
        ),
    );
    let handled = when(
        parts.responses,
        fetch(
            format!(
                "SELECT COUNT(*) AS n FROM report_cycles r WHERE {BASE} AND {}",
                handled_sql("$4")
            ),
            (from, to),
            Some(threshold),
        ),
    );
    // The missed cycles, and how many of them started waiting while an agent was online
    // (`porch_domain::reports::online_count` in SQL): one sweep, in time order, over the
    // agents' connected intervals overlapping the range (+1 at a start, -1 at an end) and the
    // missed cycles' waits; a wait is online when the running sum is positive. At equal times
    // ends come first, then starts, then waits: intervals are half-open.
    let missed = when(parts.responses, async {
        let presence = "FROM agent_presence WHERE workspace_id = $1 AND seen_at > $2
                        AND started_at < $3 AND started_at < seen_at";
        let sql = format!(
            "SELECT CAST(COALESCE(SUM(wait), 0) AS BIGINT) AS missed,
                    CAST(COALESCE(SUM(CASE WHEN wait = 1 AND online > 0 THEN 1 ELSE 0 END), 0)
                         AS BIGINT) AS online
             FROM (SELECT wait, SUM(step) OVER (ORDER BY at, rank
                                                ROWS UNBOUNDED PRECEDING) AS online
                   FROM (SELECT started_at AS at, 1 AS rank, 1 AS step, 0 AS wait {presence}
                         UNION ALL SELECT seen_at, 0, -1, 0 {presence}
                         UNION ALL SELECT r.response_due_from, 2, 0, 1 FROM report_cycles r
                                   WHERE {BASE} AND {missed}) events) swept",
            missed = missed_sql("$4", "$5"),
        );
        let row = ranged(&sql, ws, from, to).bind(threshold).bind(now).fetch_one(pool).await?;
        Ok::<_, StoreError>(Some((number(&row, "missed")?, number(&row, "online")?)))
    });
    let (sums, closes, flows, handled, missed) =
        tokio::try_join!(sums_and_medians, closes, flows, handled, missed)?;

    let mut t = facts::CycleTotals::default();
    for ((kind, label), n) in closes {
        match kind.as_str() {
            CATEGORY => {
                t.closed += n;
                // By category, none ('') first.
                t.categories.push(((!label.is_empty()).then_some(label), n));
            }
            OUTCOME => match parse_enum(label)? {
                Outcome::Resolved => t.resolved += n,
                Outcome::Unresolved => t.unresolved += n,
            },
            _ => {
                if parse_enum::<ClosingSource>(label)? == ClosingSource::AutoClose {
                    t.auto_closed += n;
                }
            }
        }
    }
    // By the flow's name, as the domain tallies them.
    t.start_flows = by_label(flows)
        .into_iter()
        .map(|(flow, n)| Ok((start_flow(&flow)?, n)))
        .collect::<Result<_>>()?;
    let count = |n: i64| u64::try_from(n).unwrap_or_default();
    if let Some((days, all, (first_median, resolution_median, active_median))) = sums {
        if parts.days {
            t.cycles = count(all.cycles);
            t.per_day = days.iter().map(|(day, s)| (*day, count(s.cycles))).collect();
        }
        if parts.responses {
            // The mean rounds down, as the domain's.
            let durations = |n: i64, total: Millis, median_ms| Durations {
                count: count(n),
                median_ms,
                mean_ms: (n > 0).then(|| total / n),
            };
            t.first_response = durations(all.responded, all.first_response, first_median);
            t.resolution = durations(all.closed, all.resolution, resolution_median);
            t.active_resolution = durations(all.closed, all.active_resolution, active_median);
            t.wait_total = all.wait_total;
            t.wait_runs = count(all.wait_runs);
        }
    }
    if let Some(row) = handled.first() {
        t.handled = number(row, "n")?;
    }
    if let Some((missed, online)) = missed {
        (t.missed, t.missed_online) = (missed, online);
    }
    Ok(t)
}

/// A row of per-day sums: the day, then [`DAY_COLUMNS`]' first eight, as [`DaySums`].
fn day_sums(row: &AnyRow) -> Result<(Millis, DaySums)> {
    let get = |column: &str| row.try_get::<i64, _>(column);
    Ok((
        get("day")?,
        DaySums {
            cycles: get("cycles")?,
            responded: get("responded")?,
            first_response: get("first_response")?,
            closed: get("closed")?,
            resolution: get("resolution")?,
            active_resolution: get("active_resolution")?,
            wait_total: get("wait_total")?,
            wait_runs: get("wait_runs")?,
        },
    ))
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
    // The page's keys first, from the covering index alone; then only its rows and names are
    // read (skipped rows of a deep page cost an index entry each, not a row and two joins).
    let order =
        format!("{order} {direction}, r.started_at {direction}, r.conversation_id, r.cycle");
    let page_sql = format!(
        "SELECT {columns}, k.name AS lead_name, a.name AS agent_name
         FROM (SELECT r.conversation_id, r.cycle FROM report_cycles r WHERE {filter}
               ORDER BY {order} LIMIT {per_page} OFFSET {offset}) page
         JOIN report_cycles r ON r.conversation_id = page.conversation_id AND r.cycle = page.cycle
         LEFT JOIN contacts k ON k.id = r.contact_id
         LEFT JOIN agents a ON a.id = r.assignee
         ORDER BY {order}",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_split_into_whole_days_and_the_parts_at_their_ends() {
        let (d, h) = (facts::DAY, facts::DAY / 24);
        let utc = Calendar::default();
        let split = |range| split(&utc, range);
        // Whole days only.
        assert_eq!(split((2 * d, 5 * d)), [None, Some((2 * d, 5 * d)), None]);
        // Parts of days at both ends.
        assert_eq!(
            split((2 * d + h, 5 * d + 3 * h)),
            [Some((2 * d + h, 3 * d)), Some((3 * d, 5 * d)), Some((5 * d, 5 * d + 3 * h))]
        );
        // No whole day: a part of each day it meets.
        assert_eq!(
            split((2 * d + h, 3 * d + h)),
            [Some((2 * d + h, 3 * d)), None, Some((3 * d, 3 * d + h))]
        );
        assert_eq!(
            split((2 * d + h, 2 * d + 2 * h)),
            [Some((2 * d + h, 2 * d + 2 * h)), None, None]
        );
        assert_eq!(split((2 * d, 2 * d)), [None, None, None]);
        // Everything.
        let last = utc.day_of(Millis::MAX);
        assert_eq!(split((0, Millis::MAX)), [None, Some((0, last)), Some((last, Millis::MAX))]);
        // In Paris (UTC+1 in January) days start at 23:00 UTC.
        let paris = Calendar::named("Europe/Paris").unwrap();
        assert_eq!(
            super::split(&paris, (2 * d, 5 * d)),
            [Some((2 * d, 3 * d - h)), Some((3 * d - h, 5 * d - h)), Some((5 * d - h, 5 * d))]
        );
        assert_eq!(
            day_literal(&paris, (2 * d, 3 * d - h)),
            format!("CAST({} AS BIGINT)", 2 * d - h)
        );
    }
}

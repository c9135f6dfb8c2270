//! Folding the event log into the report tables, in batches, in the workspace's days.

use super::*;

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

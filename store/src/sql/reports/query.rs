//! What the report pages read: the figures of a range (whole days from the roll-ups, the
//! parts of days at its ends from the rows) and the conversation list.

use super::*;

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
pub(super) fn split(
    calendar: &Calendar,
    (from, to): (Millis, Millis),
) -> [Option<(Millis, Millis)>; 3] {
    let first = if calendar.day_of(from) == from { from } else { calendar.next_day(from) };
    let last = calendar.day_of(to);
    if first > last {
        return [(from < to).then_some((from, to)), None, None];
    }
    let part = |a: Millis, b: Millis| (a < b).then_some((a, b));
    [part(from, first), part(first, last), part(last, to)]
}

/// The day of a part of a day that [`split`] cut, as SQL.
pub(super) fn day_literal(calendar: &Calendar, (from, _): (Millis, Millis)) -> String {
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

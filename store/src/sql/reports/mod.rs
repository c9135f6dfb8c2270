//! Report facts: folded from the event log into tables by [`catch_up`] (`fold`; the
//! definitions are `porch_domain::reports`), the queries the report pages run over them
//! (`query`), and the e-mailed report's deliveries (`deliveries`).
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

/// Events folded per transaction. On SQLite a batch holds the one write lock while live chat
/// writes wait. Measured with `reports_bench` (3,000 conversations, release build, one run
/// each): 64 fold 10,700 events/s and hold the lock about 6 ms a batch; 500 fold 16,800/s
/// and hold it about 30 ms.
const BATCH: u32 = 64;

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
mod deliveries;
mod fold;
mod query;

pub use deliveries::{claim_delivery, finish_delivery};
pub use fold::{calendar, catch_up};
pub use query::{data, list, ListedCycle};

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

#[cfg(test)]
mod tests {
    use super::query::{day_literal, split};
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
            super::query::split(&paris, (2 * d, 5 * d)),
            [Some((2 * d, 3 * d - h)), Some((3 * d - h, 5 * d - h)), Some((5 * d - h, 5 * d))]
        );
        assert_eq!(
            day_literal(&paris, (2 * d, 3 * d - h)),
            format!("CAST({} AS BIGINT)", 2 * d - h)
        );
    }
}

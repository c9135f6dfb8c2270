//! What the reports count, defined once: a fold of each conversation's events into the facts
//! of its cycles ([`CycleFacts`]), and the figures as functions of those facts. The store keeps
//! the facts up to date from the event log; the report pages and e-mails aggregate them.
//!
//! The definitions (also on the report pages and in `docs/reports.md`):
//! - *First response time*: from the first lead message of a cycle, or the hand-off from the
//!   bot if that came later, to the first human agent's message after it.
//! - *Resolution time*: from the cycle's start (the conversation's start, or its reopening) to
//!   its close. For auto-closed cycles the *active* variant ends at the last human message.
//! - *Wait time*: for each run of lead messages a human has not answered yet, from the first of
//!   them to the next human message. Only while the team has the conversation (not the bot).
//! - *Missed*: a cycle whose clock started (a lead waited for the team) and got no human message
//!   within the owner's threshold; a cycle closed without any human message counts as missed.

use std::collections::{BTreeMap, HashMap};

use crate::Calendar;

use porch_protocol::{
    ActivityDay, ActivityReport, Actor, AgentDay, AgentFigures, AgentId, AuthorKind, ChatbotReport,
    ClosingReport, ClosingSource, ContactCentreReport, ContactId, ConversationId, ConversationKind,
    Count, Durations, Event, EventFrame, Millis, Outcome, ReportCadence, StartFlow,
};

pub const MINUTE: Millis = 60_000;
pub const DAY: Millis = 86_400_000;

/// The intent recorded when a lead asks the bot for a person.
pub const TALK_TO_A_PERSON: &str = "Talk to a person";

/// Missed unless a human replies within this long, until the owner sets otherwise.
pub const DEFAULT_MISSED_AFTER: Millis = 3 * 60 * MINUTE;

/// Most recipients of the e-mailed report.
pub const MAX_RECIPIENTS: usize = 20;

/// The owner's missed threshold (5 minutes to 7 days) and e-mail recipients (at most 20
/// plausible addresses, at least one when the report is on).
pub fn validate_report_settings(
    mut settings: porch_protocol::ReportSettings,
) -> Result<porch_protocol::ReportSettings, crate::DomainError> {
    let invalid = |m: &str| Err(crate::DomainError::InvalidSettings(m.into()));
    if !(5..=7 * 24 * 60).contains(&settings.missed_after_minutes) {
        return invalid("the missed threshold is from 5 minutes to 7 days");
    }
    let email = &mut settings.email;
    email.recipients =
        email.recipients.iter().map(|r| r.trim().to_owned()).filter(|r| !r.is_empty()).collect();
    email.recipients.dedup();
    if email.recipients.len() > MAX_RECIPIENTS {
        return invalid("at most 20 recipients");
    }
    let plausible = |r: &String| {
        r.len() <= 254
            && !r.contains(char::is_whitespace)
            && r.split_once('@').is_some_and(|(user, host)| !user.is_empty() && host.contains('.'))
    };
    if let Some(bad) = email.recipients.iter().find(|r| !plausible(r)) {
        return Err(crate::DomainError::InvalidSettings(format!(
            "{bad:?} is not an e-mail address"
        )));
    }
    if email.cadence != ReportCadence::Off && email.recipients.is_empty() {
        return invalid("name at least one recipient for the e-mailed report");
    }
    Ok(settings)
}

/// The latest report period that is over at `now`: `[start, end)` in milliseconds, in whole
/// days of the workspace's `calendar` (weeks from Monday; halves of months from the 1st and the
/// 16th).
pub fn last_complete_period(
    cadence: ReportCadence,
    now: Millis,
    calendar: &Calendar,
) -> Option<(Millis, Millis)> {
    let (year, month, day, weekday) = calendar.date(now)?;
    let (from, to) = match cadence {
        ReportCadence::Off => return None,
        ReportCadence::Weekly => {
            let monday = calendar.start_of(year, month, day)?;
            let monday = back_days(calendar, monday, i64::from(weekday) - 1)?;
            (back_days(calendar, monday, 7)?, monday)
        }
        ReportCadence::TwiceMonthly => {
            let first = calendar.start_of(year, month, 1)?;
            let sixteenth = calendar.start_of(year, month, 16)?;
            if day >= 16 {
                (first, sixteenth)
            } else {
                let (py, pm) = if month == 1 { (year - 1, 12) } else { (year, month - 1) };
                (calendar.start_of(py, pm, 16)?, first)
            }
        }
    };
    Some((from, to))
}

/// The start of the day `n` days before the day starting at `day`.
fn back_days(calendar: &Calendar, day: Millis, n: i64) -> Option<Millis> {
    let mut at = day;
    for _ in 0..n {
        // An hour before a midnight is in the day before it, whatever clock change it holds.
        at = calendar.day_of(at - 3_600_000);
    }
    Some(at)
}

/// One cycle of one conversation: from its start or reopening to its close.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CycleFacts {
    pub conversation_id: ConversationId,
    pub cycle: u32,
    pub contact_id: ContactId,
    pub started_at: Millis,
    pub start_flow: StartFlow,
    /// The team has it (not the bot), as of the latest event.
    pub live: bool,
    pub first_lead_at: Option<Millis>,
    pub handoff_at: Option<Millis>,
    /// Where the first-response clock starts: the first lead message while the team has the
    /// conversation, or the hand-off if the lead had written before it.
    pub response_due_from: Option<Millis>,
    pub first_response_at: Option<Millis>,
    pub first_responder: Option<AgentId>,
    pub last_human_at: Option<Millis>,
    /// The first of the lead's messages no human has answered yet.
    pub waiting_since: Option<Millis>,
    pub wait_total: Millis,
    pub wait_runs: u32,
    pub messages: u32,
    pub lead_messages: u32,
    pub human_messages: u32,
    pub assignee: Option<AgentId>,
    pub closed_at: Option<Millis>,
    pub closing_source: Option<ClosingSource>,
    pub closed_by: Option<AgentId>,
    pub outcome: Option<Outcome>,
    pub category: Option<String>,
    pub summary: Option<String>,
}

impl CycleFacts {
    fn begin(
        conversation_id: ConversationId,
        cycle: u32,
        contact_id: ContactId,
        at: Millis,
        live: bool,
        start_flow: StartFlow,
    ) -> Self {
        CycleFacts {
            conversation_id,
            cycle,
            contact_id,
            started_at: at,
            start_flow,
            live,
            first_lead_at: None,
            handoff_at: None,
            response_due_from: None,
            first_response_at: None,
            first_responder: None,
            last_human_at: None,
            waiting_since: None,
            wait_total: 0,
            wait_runs: 0,
            messages: 0,
            lead_messages: 0,
            human_messages: 0,
            assignee: None,
            closed_at: None,
            closing_source: None,
            closed_by: None,
            outcome: None,
            category: None,
            summary: None,
        }
    }

    pub fn first_response_time(&self) -> Option<Millis> {
        Some(self.first_response_at? - self.response_due_from?)
    }

    pub fn resolution_time(&self) -> Option<Millis> {
        Some(self.closed_at? - self.started_at)
    }

    /// For auto-closed cycles: to the last human message, so idle waiting before the automatic
    /// close does not count. Other closed cycles: the resolution time.
    pub fn active_resolution_time(&self) -> Option<Millis> {
        let closed_at = self.closed_at?;
        let end = match self.closing_source {
            Some(ClosingSource::AutoClose) => self.last_human_at.unwrap_or(self.started_at),
            _ => closed_at,
        };
        Some(end - self.started_at)
    }

    /// Mean of this cycle's waits, if any was answered.
    pub fn mean_wait(&self) -> Option<Millis> {
        (self.wait_runs > 0).then(|| self.wait_total / Millis::from(self.wait_runs))
    }

    /// `Some(true)` missed, `Some(false)` handled in time, `None` when no lead waited for the
    /// team or the threshold has not passed yet (still pending).
    pub fn missed(&self, threshold: Millis, now: Millis) -> Option<bool> {
        let from = self.response_due_from?;
        match self.first_response_at {
            Some(answered) => Some(answered - from > threshold),
            None if self.closed_at.is_some() || now - from > threshold => Some(true),
            None => None,
        }
    }

    fn apply(&mut self, frame: &EventFrame) {
        let at = frame.at;
        match &frame.event {
            Event::MessagePosted { message } => {
                self.messages += 1;
                match message.author_kind {
                    AuthorKind::Contact => {
                        self.lead_messages += 1;
                        self.first_lead_at.get_or_insert(at);
                        if self.live {
                            if self.first_response_at.is_none() {
                                self.response_due_from.get_or_insert(at);
                            }
                            self.waiting_since.get_or_insert(at);
                        }
                    }
                    AuthorKind::Agent => {
                        self.human_messages += 1;
                        self.last_human_at = Some(at);
                        if self.response_due_from.is_some() && self.first_response_at.is_none() {
                            self.first_response_at = Some(at);
                            self.first_responder = message.author_id.clone().map(AgentId);
                        }
                        if let Some(since) = self.waiting_since.take() {
                            self.wait_total += at - since;
                            self.wait_runs += 1;
                        }
                    }
                    _ => {}
                }
            }
            Event::QuickAnswerChosen { .. } if self.start_flow == StartFlow::BotNoReply => {
                self.start_flow = StartFlow::BotQuickAnswer;
            }
            Event::HandedToHuman { .. } => {
                if self.start_flow == StartFlow::BotNoReply {
                    // The lead wrote freely (the team gets it) or asked for a person.
                    self.start_flow = if self.lead_messages > 0 {
                        StartFlow::BotFreeText
                    } else {
                        StartFlow::BotPerson
                    };
                }
                self.live = true;
                self.handoff_at = Some(at);
                if self.first_response_at.is_none() {
                    // The later of the first lead message and the hand-off; none yet if the
                    // lead has not written (their first message will start it).
                    self.response_due_from = self.first_lead_at.map(|_| at);
                    self.waiting_since = self.response_due_from;
                }
            }
            Event::HandedToBot { .. } => {
                self.live = false;
                self.waiting_since = None;
            }
            Event::ConversationClosed { outcome, source, closed_by, note, .. } => {
                self.closed_at = Some(at);
                self.closing_source = Some(*source);
                self.closed_by = closed_by.clone();
                self.outcome = *outcome;
                self.category = note.as_ref().and_then(|n| n.category.clone());
                self.summary = note.as_ref().and_then(|n| n.summary.clone());
                self.waiting_since = None;
            }
            Event::OutcomeChanged { to, .. } => self.outcome = Some(*to),
            Event::Assigned { agent_id, .. } => self.assignee = Some(agent_id.clone()),
            Event::Unassigned { .. } => self.assignee = None,
            _ => {}
        }
    }
}

/// Folds one event into the facts of its conversation's current cycle (`current`, none before
/// the conversation starts). A reopening begins the next cycle: the result then is a new one.
pub fn fold(current: Option<CycleFacts>, frame: &EventFrame) -> Option<CycleFacts> {
    match (&frame.event, current) {
        (Event::ConversationStarted { conversation: c }, _) => {
            let live = c.kind == ConversationKind::Live;
            let flow = if live { StartFlow::LeadWrote } else { StartFlow::BotNoReply };
            Some(CycleFacts::begin(
                c.id.clone(),
                c.cycle,
                c.contact_id.clone(),
                frame.at,
                live,
                flow,
            ))
        }
        (Event::ConversationReopened { conversation_id, cycle }, Some(previous)) => {
            let flow = match frame.actor {
                Actor::Contact(_) => StartFlow::ReopenedByLead,
                _ => StartFlow::ReopenedByAgent,
            };
            let mut next = CycleFacts::begin(
                conversation_id.clone(),
                *cycle,
                previous.contact_id,
                frame.at,
                previous.live,
                flow,
            );
            next.assignee = previous.assignee;
            Some(next)
        }
        (_, Some(mut facts)) => {
            facts.apply(frame);
            Some(facts)
        }
        (_, None) => None,
    }
}

/// Every cycle of a log, in order: what the store keeps, computed at once (for tests and
/// rebuilds).
pub fn cycles<'a>(frames: impl IntoIterator<Item = &'a EventFrame>) -> Vec<CycleFacts> {
    let mut done: Vec<CycleFacts> = Vec::new();
    let mut current: HashMap<ConversationId, CycleFacts> = HashMap::new();
    for frame in frames {
        let Some(id) = frame.event.conversation_id() else { continue };
        let before = current.remove(id);
        let Some(after) = fold(before.clone(), frame) else { continue };
        if let Some(before) = before.filter(|b| b.cycle != after.cycle) {
            done.push(before);
        }
        current.insert(id.clone(), after);
    }
    done.extend(current.into_values());
    done.sort_by_key(|c| (c.started_at, c.conversation_id.clone(), c.cycle));
    done
}

/// The language of a lead's message as an ISO 639-3 code, when it is long enough to tell.
pub fn language_of(body: &str) -> Option<&'static str> {
    if body.chars().filter(|c| c.is_alphabetic()).count() < 12 {
        return None;
    }
    // whatlang's own `is_reliable` refuses most chat-length messages; half confidence keeps
    // short sentences and drops guesses (see the tests).
    whatlang::detect(body).filter(|info| info.confidence() >= 0.5).map(|info| info.lang().code())
}

/// Merged presence: the total time within `[from, to)` covered by at least one interval (an
/// agent with two tabs open is connected once). Open intervals end at `to`.
pub fn connected_time(intervals: &[(Millis, Option<Millis>)], from: Millis, to: Millis) -> Millis {
    let closed = intervals.iter().map(|&(start, end)| (start, end.unwrap_or(to)));
    covered(&merge(closed), from, to)
}

/// Intervals sorted and merged where they overlap or touch; empty ones dropped.
fn merge(intervals: impl IntoIterator<Item = (Millis, Millis)>) -> Vec<(Millis, Millis)> {
    let mut sorted: Vec<(Millis, Millis)> =
        intervals.into_iter().filter(|(start, end)| start < end).collect();
    sorted.sort_unstable();
    let mut merged: Vec<(Millis, Millis)> = Vec::with_capacity(sorted.len());
    for (start, end) in sorted {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// The time within `[from, to)` covered by `merged` intervals (from [`merge`]): a binary search
/// to the first that ends after `from`, then only those that overlap.
fn covered(merged: &[(Millis, Millis)], from: Millis, to: Millis) -> Millis {
    let first = merged.partition_point(|(_, end)| *end <= from);
    merged[first..]
        .iter()
        .take_while(|(start, _)| *start < to)
        .map(|(start, end)| (*end).min(to) - (*start).max(from))
        .sum()
}

/// The median of some durations (the lower middle for an even count).
pub fn median(values: &mut [Millis]) -> Option<Millis> {
    if values.is_empty() {
        return None;
    }
    let middle = (values.len() - 1) / 2;
    Some(*values.select_nth_unstable(middle).1)
}

/// `2026-11-22T06:30:00Z`: a time as ISO 8601 UTC, for exports and labels.
pub fn iso(millis: Millis) -> String {
    let secs = millis.div_euclid(1000);
    let (days, rest) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rest / 3600,
        rest % 3600 / 60,
        rest % 60
    )
}

/// What the summaries need of the cycles that started in a range, aggregated. The store
/// computes it in SQL (so a year of a busy workspace is not read row by row); [`CycleTotals::of`]
/// is its definition over the facts, and the conformance suite holds the two equal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CycleTotals {
    pub cycles: u64,
    /// (day, cycles started that day), by day; days without any are left out.
    pub per_day: Vec<(Millis, u64)>,
    /// (flow, cycles), by the flow's name.
    pub start_flows: Vec<(StartFlow, u64)>,
    pub closed: u64,
    pub resolved: u64,
    pub unresolved: u64,
    pub auto_closed: u64,
    /// (category, closed cycles), by category, none first.
    pub categories: Vec<(Option<String>, u64)>,
    pub handled: u64,
    pub missed: u64,
    /// Missed while an agent had the live chat app open when the lead started waiting.
    pub missed_online: u64,
    pub first_response: Durations,
    pub resolution: Durations,
    pub active_resolution: Durations,
    pub wait_total: Millis,
    pub wait_runs: u64,
}

/// The additive figures of the cycles that started on one day: what the store's daily
/// roll-up keeps per day, so a range of whole days is summed from one row a day. The medians
/// and the missed verdicts are not additive (they depend on the whole range, the threshold and
/// the time), so they are read from the cycles.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DaySums {
    pub cycles: i64,
    /// Cycles with a first response time, and the sum of those times.
    pub responded: i64,
    pub first_response: Millis,
    /// Closed cycles, and the sums of their resolution and active resolution times.
    pub closed: i64,
    pub resolution: Millis,
    pub active_resolution: Millis,
    pub wait_total: Millis,
    pub wait_runs: i64,
}

impl DaySums {
    /// What one cycle adds to the day it started.
    pub fn of(c: &CycleFacts) -> DaySums {
        DaySums {
            cycles: 1,
            responded: i64::from(c.first_response_time().is_some()),
            first_response: c.first_response_time().unwrap_or(0),
            closed: i64::from(c.closed_at.is_some()),
            resolution: c.resolution_time().unwrap_or(0),
            active_resolution: c.active_resolution_time().unwrap_or(0),
            wait_total: c.wait_total,
            wait_runs: i64::from(c.wait_runs),
        }
    }

    /// Field by field, `sign` (1 or -1) times `other` added: a cycle's contribution replaced
    /// by its next version is its old one added with -1.
    pub fn add(&mut self, other: &DaySums, sign: i64) {
        self.cycles += sign * other.cycles;
        self.responded += sign * other.responded;
        self.first_response += sign * other.first_response;
        self.closed += sign * other.closed;
        self.resolution += sign * other.resolution;
        self.active_resolution += sign * other.active_resolution;
        self.wait_total += sign * other.wait_total;
        self.wait_runs += sign * other.wait_runs;
    }
}

/// How many of `times` fall while at least one agent was connected (`presence`: agent, from,
/// to): the intervals are merged once, then each time is a binary search.
pub fn online_count(times: &[Millis], presence: &[(AgentId, Millis, Millis)]) -> u64 {
    let merged = merge(presence.iter().map(|(_, s, e)| (*s, *e)));
    let online = |at: Millis| {
        let after = merged.partition_point(|(start, _)| *start <= at);
        after > 0 && at < merged[after - 1].1
    };
    times.iter().filter(|at| online(**at)).count() as u64
}

/// How many times each key occurs, by key.
fn tally<K: Ord>(keys: impl IntoIterator<Item = K>) -> BTreeMap<K, u64> {
    let mut map = BTreeMap::new();
    for key in keys {
        *map.entry(key).or_insert(0) += 1;
    }
    map
}

impl CycleTotals {
    /// The totals of `cycles` with the missed `threshold` at `now`, agents' `presence` being
    /// (agent, from, to) intervals.
    pub fn of(
        cycles: &[CycleFacts],
        threshold: Millis,
        now: Millis,
        presence: &[(AgentId, Millis, Millis)],
        calendar: &Calendar,
    ) -> CycleTotals {
        let closed: Vec<&CycleFacts> = cycles.iter().filter(|c| c.closed_at.is_some()).collect();
        let with = |outcome| closed.iter().filter(|c| c.outcome == Some(outcome)).count() as u64;
        let verdicts: Vec<(&CycleFacts, bool)> =
            cycles.iter().filter_map(|c| Some((c, c.missed(threshold, now)?))).collect();
        // Tallied by name, so in the store's order.
        let flows = tally(cycles.iter().map(|c| c.start_flow.as_str()))
            .into_iter()
            .filter_map(|(name, n)| Some((StartFlow::parse(name)?, n)))
            .collect();
        CycleTotals {
            cycles: cycles.len() as u64,
            per_day: tally(cycles.iter().map(|c| calendar.day_of(c.started_at)))
                .into_iter()
                .collect(),
            start_flows: flows,
            closed: closed.len() as u64,
            resolved: with(Outcome::Resolved),
            unresolved: with(Outcome::Unresolved),
            auto_closed: closed
                .iter()
                .filter(|c| c.closing_source == Some(ClosingSource::AutoClose))
                .count() as u64,
            categories: tally(closed.iter().map(|c| c.category.clone())).into_iter().collect(),
            handled: verdicts.iter().filter(|(_, m)| !m).count() as u64,
            missed: verdicts.iter().filter(|(_, m)| *m).count() as u64,
            missed_online: online_count(
                &verdicts
                    .iter()
                    .filter(|(_, m)| *m)
                    .filter_map(|(c, _)| c.response_due_from)
                    .collect::<Vec<_>>(),
                presence,
            ),
            first_response: durations(
                cycles.iter().filter_map(CycleFacts::first_response_time).collect(),
            ),
            resolution: durations(closed.iter().filter_map(|c| c.resolution_time()).collect()),
            active_resolution: durations(
                closed.iter().filter_map(|c| c.active_resolution_time()).collect(),
            ),
            wait_total: cycles.iter().map(|c| c.wait_total).sum(),
            wait_runs: cycles.iter().map(|c| u64::from(c.wait_runs)).sum(),
        }
    }
}

/// The messages of a range, from the per-minute counts: the store sums them in SQL;
/// [`MessageTotals::of`] is the definition over (minute, messages, lead messages) rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MessageTotals {
    pub total: u64,
    /// From leads.
    pub incoming: u64,
    /// The busiest minute (the earliest of equals) and its messages.
    pub peak: Option<(Millis, u64)>,
    /// (day, messages, the busiest minute's messages), by day; days without any left out.
    pub per_day: Vec<(Millis, u64, u64)>,
}

impl MessageTotals {
    pub fn of(minutes: &[(Millis, u64, u64)], calendar: &Calendar) -> MessageTotals {
        let mut per_day: BTreeMap<Millis, (u64, u64)> = BTreeMap::new();
        for (minute, messages, _) in minutes {
            let day = per_day.entry(calendar.day_of(*minute)).or_default();
            day.0 += messages;
            day.1 = day.1.max(*messages);
        }
        MessageTotals {
            total: minutes.iter().map(|m| m.1).sum(),
            incoming: minutes.iter().map(|m| m.2).sum(),
            peak: minutes
                .iter()
                .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
                .map(|m| (m.0, m.1)),
            per_day: per_day.into_iter().map(|(day, (n, max))| (day, n, max)).collect(),
        }
    }
}

/// Which parts of [`ReportData`] to read: each page asks for what its summary uses, the rest
/// stays empty (a page's figures are the same as with [`ReportParts::ALL`]; the conformance
/// suite checks it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ReportParts {
    /// Cycles in all and per day (`totals.cycles`, `totals.per_day`).
    pub days: bool,
    /// Closed cycles by outcome, closing source and category.
    pub closes: bool,
    /// Handled and missed (with whether an agent was online), first response, resolution and
    /// wait times.
    pub responses: bool,
    /// `totals.start_flows`.
    pub flows: bool,
    pub messages: bool,
    /// New and active users.
    pub users: bool,
    /// Intents and languages.
    pub bot: bool,
    pub unresolved_intents: bool,
    /// Assignments, conversation spans and presence, per agent.
    pub agents: bool,
}

impl ReportParts {
    pub const ALL: ReportParts = ReportParts {
        days: true,
        closes: true,
        responses: true,
        flows: true,
        messages: true,
        users: true,
        bot: true,
        unresolved_intents: true,
        agents: true,
    };
    pub const NONE: ReportParts = ReportParts {
        days: false,
        closes: false,
        responses: false,
        flows: false,
        messages: false,
        users: false,
        bot: false,
        unresolved_intents: false,
        agents: false,
    };
    /// What [`closing`] reads.
    pub const CLOSING: ReportParts =
        ReportParts { closes: true, unresolved_intents: true, ..ReportParts::NONE };
    /// What [`contact_centre`] reads.
    pub const CONTACT_CENTRE: ReportParts = ReportParts {
        days: true,
        responses: true,
        messages: true,
        users: true,
        agents: true,
        ..ReportParts::NONE
    };
    /// What [`activity`] reads.
    pub const ACTIVITY: ReportParts =
        ReportParts { days: true, messages: true, users: true, ..ReportParts::NONE };
    /// What [`chatbot`] reads.
    pub const CHATBOT: ReportParts = ReportParts { flows: true, bot: true, ..ReportParts::NONE };
}

/// Everything the report pages aggregate for a range `[from, to)`, as the store reads it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReportData {
    pub from: Millis,
    pub to: Millis,
    /// Whose days the daily figures are (the workspace's time zone).
    pub calendar: Calendar,
    /// Missed means no human reply within this long; `totals` were counted with it.
    pub missed_after: Millis,
    /// The cycles that started in the range, aggregated.
    pub totals: CycleTotals,
    /// The range's messages, from the per-minute counts.
    pub messages: MessageTotals,
    /// Leads first seen in the range.
    pub new_users: u64,
    /// Distinct leads who wrote in the range.
    pub active_users: u64,
    pub languages: Vec<(String, u64)>,
    pub intents: Vec<(String, u64)>,
    /// Intents picked in cycles that were closed as unresolved.
    pub unresolved_intents: Vec<(String, u64)>,
    /// Assignments (transfers included) in the range: (to whom, day, how many that day).
    pub assignments: Vec<(AgentId, Millis, u64)>,
    /// Conversation time: (agent, day, the sum of `last - first` over the agent's (first,
    /// last) message spans in each of their conversations whose first message fell that day).
    pub spans: Vec<(AgentId, Millis, Millis)>,
    /// Agents' connected intervals overlapping the range.
    pub presence: Vec<(AgentId, Millis, Millis)>,
    /// (id, name) of the workspace's agents.
    pub agents: Vec<(AgentId, String)>,
}

/// Labelled counts, most frequent first (then by label).
fn counts(pairs: impl IntoIterator<Item = (String, u64)>) -> Vec<Count> {
    let mut list: Vec<Count> =
        pairs.into_iter().map(|(label, count)| Count { label, count }).collect();
    list.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.label.cmp(&b.label)));
    list
}

/// Count, median (the lower middle) and mean (rounded down) of some durations.
fn durations(mut values: Vec<Millis>) -> Durations {
    let count = values.len() as u64;
    let mean_ms = (count > 0).then(|| values.iter().sum::<Millis>() / count as Millis);
    Durations { count, median_ms: median(&mut values), mean_ms }
}

pub fn closing(data: &ReportData) -> ClosingReport {
    let t = &data.totals;
    let by_source = [("Manual", t.closed - t.auto_closed), ("Auto-close", t.auto_closed)]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .map(|(label, n)| (label.to_owned(), n));
    let by_category =
        t.categories.iter().map(|(c, n)| (c.clone().unwrap_or_else(|| "No category".into()), *n));
    ClosingReport {
        closed: t.closed,
        resolved: t.resolved,
        unresolved: t.unresolved,
        by_source: counts(by_source),
        by_category: counts(by_category),
        unresolved_quick_answers: counts(data.unresolved_intents.iter().cloned()),
    }
}

pub fn contact_centre(data: &ReportData) -> ContactCentreReport {
    let t = &data.totals;
    let agents = data
        .agents
        .iter()
        .map(|(id, name)| agent_figures(data, id, name))
        .filter(|a| a.conversations > 0 || a.conversation_ms > 0 || a.connection_ms > 0)
        .collect();
    ContactCentreReport {
        total_conversations: data.assignments.iter().map(|(_, _, n)| n).sum(),
        cycles: t.cycles,
        handled: t.handled,
        missed: t.missed,
        missed_with_agent_online: t.missed_online,
        missed_with_nobody_online: t.missed - t.missed_online,
        total_messages: data.messages.total,
        unique_users: data.active_users,
        first_response: t.first_response,
        resolution: t.resolution,
        active_resolution: t.active_resolution,
        wait: Durations {
            count: t.wait_runs,
            median_ms: None,
            mean_ms: (t.wait_runs > 0).then(|| t.wait_total / t.wait_runs as Millis),
        },
        missed_threshold_ms: data.missed_after,
        agents,
    }
}

fn agent_figures(data: &ReportData, id: &AgentId, name: &str) -> AgentFigures {
    // Merged once: a year has 365 days to measure against them.
    let presence = merge(data.presence.iter().filter(|(a, ..)| a == id).map(|(_, s, e)| (*s, *e)));
    // One pass over the range's rows, bucketed by day (the ranges hold up to a year).
    let calendar = &data.calendar;
    let mut by_day: BTreeMap<Millis, AgentDay> = calendar
        .days(data.from, data.to)
        .map(|day| (day, AgentDay { day, conversations: 0, conversation_ms: 0, connection_ms: 0 }))
        .collect();
    for (_, day, n) in data.assignments.iter().filter(|(a, ..)| a == id) {
        if let Some(d) = by_day.get_mut(day) {
            d.conversations += n;
        }
    }
    for (_, day, ms) in data.spans.iter().filter(|(a, ..)| a == id) {
        if let Some(d) = by_day.get_mut(day) {
            d.conversation_ms += ms;
        }
    }
    for d in by_day.values_mut() {
        let end = calendar.next_day(d.day).min(data.to);
        d.connection_ms = covered(&presence, d.day.max(data.from), end);
    }
    let daily: Vec<AgentDay> = by_day.into_values().collect();
    AgentFigures {
        agent_id: id.clone(),
        name: name.to_owned(),
        conversations: daily.iter().map(|d| d.conversations).sum(),
        conversation_ms: daily.iter().map(|d| d.conversation_ms).sum(),
        connection_ms: covered(&presence, data.from, data.to),
        daily,
    }
}

pub fn activity(data: &ReportData) -> ActivityReport {
    let mut by_day: BTreeMap<Millis, ActivityDay> = data
        .calendar
        .days(data.from, data.to)
        .map(|day| (day, ActivityDay { day, messages: 0, conversations: 0, max_per_minute: 0 }))
        .collect();
    for (day, messages, busiest) in &data.messages.per_day {
        if let Some(d) = by_day.get_mut(day) {
            d.messages = *messages;
            d.max_per_minute = *busiest;
        }
    }
    for (day, cycles) in &data.totals.per_day {
        if let Some(d) = by_day.get_mut(day) {
            d.conversations += cycles;
        }
    }
    ActivityReport {
        new_users: data.new_users,
        active_users: data.active_users,
        total_messages: data.messages.total,
        incoming_messages: data.messages.incoming,
        conversations: data.totals.cycles,
        peak_minute: data.messages.peak.map(|m| m.0),
        peak_messages: data.messages.peak.map_or(0, |m| m.1),
        daily: by_day.into_values().collect(),
    }
}

pub fn chatbot(data: &ReportData) -> ChatbotReport {
    let flows = data.totals.start_flows.iter().map(|(flow, n)| (flow.label().to_owned(), *n));
    ChatbotReport {
        intents: counts(data.intents.iter().cloned()),
        languages: counts(data.languages.iter().cloned()),
        start_flows: counts(flows),
    }
}

#[cfg(test)]
mod tests {
    use porch_protocol::{ClosingNote, Conversation, Message, MessageId};

    use super::*;

    const MIN: Millis = MINUTE;

    /// Builds one conversation's log by hand: each call appends an event at a time.
    struct Log {
        id: ConversationId,
        frames: Vec<EventFrame>,
    }

    impl Log {
        fn start(kind: ConversationKind) -> Log {
            Log::start_at(kind, 0)
        }

        fn start_at(kind: ConversationKind, at: Millis) -> Log {
            let id = ConversationId("c".into());
            let conversation = Conversation::opened(id.clone(), ContactId("lead".into()), kind, at);
            let mut log = Log { id, frames: Vec::new() };
            log.push(
                at,
                Actor::Contact(ContactId("lead".into())),
                Event::ConversationStarted { conversation },
            );
            log
        }

        fn push(&mut self, at: Millis, actor: Actor, event: Event) -> &mut Self {
            let seq = self.frames.len() as u64 + 1;
            self.frames.push(EventFrame { seq, at, actor, contact_id: None, event });
            self
        }

        fn say(&mut self, at: Millis, kind: AuthorKind, author: Option<&str>) -> &mut Self {
            let message = Message {
                id: MessageId(format!("m{}", self.frames.len())),
                conversation_id: self.id.clone(),
                author_kind: kind,
                author_id: author.map(str::to_owned),
                author_name: None,
                body: "…".into(),
                client_id: None,
                created_at: at,
            };
            self.push(at, Actor::System, Event::MessagePosted { message })
        }

        fn lead(&mut self, at: Millis) -> &mut Self {
            self.say(at, AuthorKind::Contact, Some("lead"))
        }

        fn agent(&mut self, at: Millis, who: &str) -> &mut Self {
            self.say(at, AuthorKind::Agent, Some(who))
        }

        fn close(&mut self, at: Millis, source: ClosingSource) -> &mut Self {
            let id = self.id.clone();
            self.push(
                at,
                Actor::System,
                Event::ConversationClosed {
                    conversation_id: id,
                    outcome: Some(Outcome::Resolved),
                    source,
                    closed_by: None,
                    note: Some(ClosingNote {
                        category: Some("Billing".into()),
                        summary: None,
                        generated: false,
                    }),
                },
            )
        }

        fn event(&mut self, at: Millis, actor: Actor, event: Event) -> &mut Self {
            self.push(at, actor, event)
        }

        fn cycles(&self) -> Vec<CycleFacts> {
            cycles(&self.frames)
        }
    }

    fn id() -> ConversationId {
        ConversationId("c".into())
    }

    #[test]
    fn first_response_is_from_the_first_lead_message_to_the_first_human_reply() {
        let mut log = Log::start(ConversationKind::Live);
        log.lead(MIN).lead(2 * MIN).say(3 * MIN, AuthorKind::Bot, None).agent(5 * MIN, "ann");
        log.agent(9 * MIN, "bob");
        let [c] = &log.cycles()[..] else { panic!("one cycle") };
        assert_eq!(c.first_response_time(), Some(4 * MIN), "bots do not answer for the team");
        assert_eq!(c.first_responder, Some(AgentId("ann".into())));
        assert_eq!(c.start_flow, StartFlow::LeadWrote);
        assert_eq!((c.messages, c.lead_messages, c.human_messages), (5, 2, 2));
    }

    #[test]
    fn after_a_bot_hand_off_the_clock_starts_at_the_later_of_message_and_hand_off() {
        // The lead wrote to the bot at 1 min, asked for a person at 10: the team's clock
        // starts at 10.
        let mut log = Log::start(ConversationKind::Bot);
        log.say(0, AuthorKind::Bot, None).lead(MIN);
        log.event(
            10 * MIN,
            Actor::Contact(ContactId("lead".into())),
            Event::HandedToHuman { conversation_id: id() },
        );
        log.agent(12 * MIN, "ann");
        let [c] = &log.cycles()[..] else { panic!() };
        assert_eq!(c.first_response_time(), Some(2 * MIN));
        assert_eq!(c.start_flow, StartFlow::BotFreeText);
        assert_eq!(c.mean_wait(), Some(2 * MIN), "the lead waited from the hand-off");

        // Asked for a person before writing: the clock starts at their first message after.
        let mut log = Log::start(ConversationKind::Bot);
        log.event(
            MIN,
            Actor::Contact(ContactId("lead".into())),
            Event::HandedToHuman { conversation_id: id() },
        );
        log.lead(4 * MIN).agent(7 * MIN, "ann");
        let [c] = &log.cycles()[..] else { panic!() };
        assert_eq!(c.first_response_time(), Some(3 * MIN));
        assert_eq!(c.start_flow, StartFlow::BotPerson);
    }

    #[test]
    fn a_quick_answer_sets_the_start_flow_and_never_starts_the_teams_clock() {
        let mut log = Log::start(ConversationKind::Bot);
        log.event(
            MIN,
            Actor::Contact(ContactId("lead".into())),
            Event::QuickAnswerChosen { conversation_id: id(), question: "Hours?".into() },
        );
        log.lead(MIN).say(MIN, AuthorKind::Bot, None).close(30 * MIN, ClosingSource::AutoClose);
        let [c] = &log.cycles()[..] else { panic!() };
        assert_eq!(c.start_flow, StartFlow::BotQuickAnswer);
        assert_eq!(c.response_due_from, None);
        assert_eq!(c.missed(3 * 60 * MIN, 100 * MIN), None, "nobody waited for the team");
    }

    #[test]
    fn each_reopen_is_a_new_cycle_with_its_own_figures() {
        let mut log = Log::start(ConversationKind::Live);
        log.lead(0).agent(2 * MIN, "ann").close(10 * MIN, ClosingSource::Manual);
        log.event(
            60 * MIN,
            Actor::Contact(ContactId("lead".into())),
            Event::ConversationReopened { conversation_id: id(), cycle: 2 },
        );
        log.lead(60 * MIN).agent(61 * MIN, "bob").close(70 * MIN, ClosingSource::Manual);
        log.event(
            80 * MIN,
            Actor::System,
            Event::OutcomeChanged {
                conversation_id: id(),
                from: Some(Outcome::Resolved),
                to: Outcome::Unresolved,
            },
        );
        let cycles = log.cycles();
        assert_eq!(cycles.len(), 2);
        let (first, second) = (&cycles[0], &cycles[1]);
        assert_eq!(
            (first.cycle, first.resolution_time(), first.outcome),
            (1, Some(10 * MIN), Some(Outcome::Resolved))
        );
        assert_eq!(first.category.as_deref(), Some("Billing"));
        assert_eq!(
            (second.cycle, second.started_at, second.start_flow),
            (2, 60 * MIN, StartFlow::ReopenedByLead)
        );
        assert_eq!(second.first_response_time(), Some(MIN));
        assert_eq!(second.resolution_time(), Some(10 * MIN));
        assert_eq!(second.outcome, Some(Outcome::Unresolved), "the changed outcome counts");
    }

    #[test]
    fn auto_closed_cycles_have_an_active_resolution_ending_at_the_last_human_message() {
        let mut log = Log::start(ConversationKind::Live);
        log.lead(0).agent(5 * MIN, "ann").close(24 * 60 * MIN, ClosingSource::AutoClose);
        let [c] = &log.cycles()[..] else { panic!() };
        assert_eq!(c.resolution_time(), Some(24 * 60 * MIN));
        assert_eq!(c.active_resolution_time(), Some(5 * MIN));
        // A manual close: both are the same.
        let mut log = Log::start(ConversationKind::Live);
        log.lead(0).agent(5 * MIN, "ann").close(8 * MIN, ClosingSource::Manual);
        let [c] = &log.cycles()[..] else { panic!() };
        assert_eq!(c.active_resolution_time(), c.resolution_time());
    }

    #[test]
    fn wait_time_is_per_run_of_unanswered_lead_messages() {
        let mut log = Log::start(ConversationKind::Live);
        // Run 1: 0 and 1 min, answered at 4 (4 min). Run 2: 10, answered at 12 (2 min).
        log.lead(0).lead(MIN).agent(4 * MIN, "ann").agent(5 * MIN, "ann");
        log.lead(10 * MIN).agent(12 * MIN, "bob");
        // Run 3 is never answered: it does not count as a wait (it shows as missed if first).
        log.lead(20 * MIN);
        let [c] = &log.cycles()[..] else { panic!() };
        assert_eq!((c.wait_runs, c.wait_total), (2, 6 * MIN));
        assert_eq!(c.mean_wait(), Some(3 * MIN));
    }

    #[test]
    fn handing_back_to_the_bot_stops_the_wait() {
        let mut log = Log::start(ConversationKind::Live);
        log.lead(0);
        log.event(MIN, Actor::System, Event::HandedToBot { conversation_id: id() });
        log.agent(30 * MIN, "ann");
        let [c] = &log.cycles()[..] else { panic!() };
        assert_eq!(c.wait_runs, 0);
        assert!(!c.live);
    }

    #[test]
    fn missed_means_no_human_reply_within_the_threshold() {
        let threshold = 3 * 60 * MIN;
        let mut answered_late = Log::start(ConversationKind::Live);
        answered_late.lead(0).agent(threshold + 1, "ann");
        let mut answered_in_time = Log::start(ConversationKind::Live);
        answered_in_time.lead(0).agent(threshold, "ann");
        let mut waiting = Log::start(ConversationKind::Live);
        waiting.lead(0);
        let mut closed_unanswered = Log::start(ConversationKind::Live);
        closed_unanswered.lead(0).close(MIN, ClosingSource::Manual);
        let missed = |log: &Log, now| log.cycles()[0].missed(threshold, now);
        assert_eq!(missed(&answered_late, threshold + 1), Some(true));
        assert_eq!(missed(&answered_in_time, threshold), Some(false));
        assert_eq!(missed(&waiting, threshold), None, "still within the threshold");
        assert_eq!(missed(&waiting, threshold + 1), Some(true));
        assert_eq!(missed(&closed_unanswered, 2 * MIN), Some(true));
    }

    #[test]
    fn a_snooze_does_not_change_the_figures() {
        let mut log = Log::start(ConversationKind::Live);
        log.lead(0);
        log.event(MIN, Actor::System, Event::Snoozed { conversation_id: id(), until: 60 * MIN });
        log.event(60 * MIN, Actor::System, Event::Unsnoozed { conversation_id: id() });
        log.agent(61 * MIN, "ann");
        let [c] = &log.cycles()[..] else { panic!() };
        assert_eq!(c.first_response_time(), Some(61 * MIN), "the lead waited all along");
    }

    #[test]
    fn transfers_follow_the_assignee() {
        let mut log = Log::start(ConversationKind::Live);
        let assign = |to: &str, previous: Option<&str>| Event::Assigned {
            conversation_id: id(),
            agent_id: AgentId(to.into()),
            previous: previous.map(|p| AgentId(p.into())),
        };
        log.event(MIN, Actor::System, assign("ann", None));
        log.event(2 * MIN, Actor::System, assign("bob", Some("ann")));
        let [c] = &log.cycles()[..] else { panic!() };
        assert_eq!(c.assignee, Some(AgentId("bob".into())));
    }

    #[test]
    fn connected_time_merges_overlapping_tabs_and_clips_to_the_range() {
        let intervals = [(0, Some(10)), (5, Some(20)), (30, None), (100, Some(120))];
        assert_eq!(connected_time(&intervals, 0, 50), 20 + 20);
        assert_eq!(connected_time(&intervals, 8, 35), 12 + 5);
        assert_eq!(connected_time(&[], 0, 50), 0);
    }

    #[test]
    fn iso_dates() {
        assert_eq!(iso(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso(1_795_326_740_435), "2026-11-22T05:52:20Z");
        assert_eq!(iso(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(iso(-1), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn report_periods_are_whole_weeks_and_half_months() {
        let utc = Calendar::default();
        let at = |date: &str| {
            let (y, m, d) = (
                date[0..4].parse().unwrap(),
                date[5..7].parse().unwrap(),
                date[8..10].parse().unwrap(),
            );
            utc.start_of(y, m, d).unwrap()
        };
        let period = |cadence, now| {
            let (from, to) = last_complete_period(cadence, now, &utc).unwrap();
            (iso(from)[..10].to_owned(), iso(to)[..10].to_owned())
        };
        // Sunday 2026-11-22, noon: the last full week is Monday 9th to Monday 16th.
        let sunday = at("2026-11-22") + 12 * 3_600_000;
        assert_eq!(
            period(ReportCadence::Weekly, sunday),
            ("2026-11-09".into(), "2026-11-16".into())
        );
        // Monday 00:00 exactly: the week that just ended.
        assert_eq!(
            period(ReportCadence::Weekly, at("2026-11-23")),
            ("2026-11-16".into(), "2026-11-23".into())
        );
        assert_eq!(
            period(ReportCadence::TwiceMonthly, sunday),
            ("2026-11-01".into(), "2026-11-16".into())
        );
        assert_eq!(
            period(ReportCadence::TwiceMonthly, at("2026-11-15")),
            ("2026-10-16".into(), "2026-11-01".into())
        );
        assert_eq!(
            period(ReportCadence::TwiceMonthly, at("2027-01-03")),
            ("2026-12-16".into(), "2027-01-01".into())
        );
        assert_eq!(
            period(ReportCadence::TwiceMonthly, at("2028-03-01")),
            ("2028-02-16".into(), "2028-03-01".into())
        );
        assert_eq!(last_complete_period(ReportCadence::Off, sunday, &utc), None);
        // In Paris (UTC+1 in November) the periods start at its midnights, an hour earlier.
        let paris = Calendar::named("Europe/Paris").unwrap();
        let week = last_complete_period(ReportCadence::Weekly, sunday, &paris).unwrap();
        assert_eq!(week, (at("2026-11-09") - 3_600_000, at("2026-11-16") - 3_600_000));
        // Across the clock change of 2026-10-25 the week is 7 days and an hour long.
        let (from, to) =
            last_complete_period(ReportCadence::Weekly, at("2026-10-27"), &paris).unwrap();
        assert_eq!((to - from, iso(from)), (7 * DAY + 3_600_000, "2026-10-18T22:00:00Z".into()));
    }

    #[test]
    fn report_recipients_are_checked() {
        use porch_protocol::{ReportEmail, ReportSettings};
        let with = |cadence, recipients: &[&str]| ReportSettings {
            email: ReportEmail {
                cadence,
                recipients: recipients.iter().map(|r| r.to_string()).collect(),
            },
            ..ReportSettings::default()
        };
        let ok =
            validate_report_settings(with(ReportCadence::Weekly, &[" owner@shop.example ", ""]))
                .unwrap();
        assert_eq!(ok.email.recipients, ["owner@shop.example"]);
        assert!(validate_report_settings(with(ReportCadence::Weekly, &[])).is_err());
        assert!(validate_report_settings(with(ReportCadence::Off, &[])).is_ok());
        for bad in ["owner", "a b@shop.example", "@shop.example", "owner@localhost"] {
            assert!(
                validate_report_settings(with(ReportCadence::Weekly, &[bad])).is_err(),
                "{bad}"
            );
        }
        let many: Vec<String> = (0..21).map(|i| format!("a{i}@shop.example")).collect();
        let many: Vec<&str> = many.iter().map(String::as_str).collect();
        assert!(validate_report_settings(with(ReportCadence::Weekly, &many)).is_err());
    }

    #[test]
    fn online_count_finds_times_inside_merged_presence() {
        let a = AgentId("a".into());
        let presence = [(a.clone(), 10, 20), (a.clone(), 15, 30), (a.clone(), 40, 50)];
        // 10 and 29 inside the merged 10–30, 40 inside 40–50; 30 and 50 are ends (excluded).
        assert_eq!(online_count(&[5, 10, 29, 30, 35, 40, 50, 60], &presence), 3);
        assert_eq!(online_count(&[1], &[]), 0);
    }

    #[test]
    fn median_takes_the_lower_middle() {
        assert_eq!(median(&mut []), None);
        assert_eq!(median(&mut [5, 1, 3]), Some(3));
        assert_eq!(median(&mut [4, 1, 3, 2]), Some(2));
    }

    #[test]
    fn languages_are_detected_on_long_enough_messages() {
        assert_eq!(
            language_of("Where is my parcel? It should have arrived last week."),
            Some("eng")
        );
        assert_eq!(
            language_of("¿Dónde está mi paquete? Debería haber llegado la semana pasada."),
            Some("spa")
        );
        assert_eq!(
            language_of("Wo ist mein Paket? Es hätte letzte Woche ankommen sollen."),
            Some("deu")
        );
        assert_eq!(language_of("ok thanks"), None);
        assert_eq!(language_of("Hola, necesito ayuda con mi pedido"), None, "too unsure");
    }

    #[test]
    fn the_summaries_add_up_the_facts() {
        let threshold = 3 * 60 * MIN;
        let mut answered = Log::start(ConversationKind::Live);
        answered.lead(0).agent(2 * MIN, "ann").close(10 * MIN, ClosingSource::Manual);
        let mut ignored = Log::start_at(ConversationKind::Live, DAY);
        ignored.lead(DAY + MIN);
        let mut cycles = answered.cycles();
        cycles.extend(ignored.cycles());
        let ann = AgentId("ann".into());
        let presence = vec![(ann.clone(), 0, 30 * MIN), (ann.clone(), 20 * MIN, 40 * MIN)];
        let utc = Calendar::default();
        let data = ReportData {
            from: 0,
            to: 2 * DAY,
            calendar: utc.clone(),
            missed_after: threshold,
            totals: CycleTotals::of(&cycles, threshold, 2 * DAY, &presence, &utc),
            messages: MessageTotals::of(&[(0, 1, 1), (2 * MIN, 1, 0), (DAY + MIN, 3, 3)], &utc),
            new_users: 2,
            active_users: 2,
            languages: vec![("eng".into(), 3), ("spa".into(), 1)],
            intents: vec![("Hours?".into(), 1), (TALK_TO_A_PERSON.into(), 4)],
            unresolved_intents: vec![],
            // One assignment on the first day; on the second, one and a transfer back.
            assignments: vec![(ann.clone(), 0, 1), (ann.clone(), DAY, 2)],
            spans: vec![(ann.clone(), 0, 7 * MIN)],
            // Ann was online for the first conversation, nobody for the second.
            presence,
            agents: vec![(ann.clone(), "Ann".into()), (AgentId("idle".into()), "Idle".into())],
        };
        let centre = contact_centre(&data);
        assert_eq!((centre.total_conversations, centre.cycles), (3, 2));
        assert_eq!((centre.handled, centre.missed), (1, 1));
        assert_eq!((centre.missed_with_agent_online, centre.missed_with_nobody_online), (0, 1));
        assert_eq!(
            centre.first_response,
            Durations { count: 1, median_ms: Some(2 * MIN), mean_ms: Some(2 * MIN) }
        );
        assert_eq!(centre.total_messages, 5);
        let [agent] = &centre.agents[..] else { panic!("idle agents are left out") };
        assert_eq!(
            (agent.conversations, agent.conversation_ms, agent.connection_ms),
            (3, 7 * MIN, 40 * MIN)
        );
        assert_eq!(
            agent.daily.iter().map(|d| (d.conversations, d.conversation_ms)).collect::<Vec<_>>(),
            [(1, 7 * MIN), (2, 0)]
        );

        let activity = activity(&data);
        assert_eq!((activity.peak_minute, activity.peak_messages), (Some(DAY + MIN), 3));
        assert_eq!((activity.total_messages, activity.incoming_messages), (5, 4));
        assert_eq!(
            activity.daily.iter().map(|d| (d.messages, d.conversations)).collect::<Vec<_>>(),
            [(2, 1), (3, 1)]
        );

        let closing = closing(&data);
        assert_eq!((closing.closed, closing.resolved, closing.unresolved), (1, 1, 0));
        assert_eq!(closing.by_category, [Count { label: "Billing".into(), count: 1 }]);

        let bot = chatbot(&data);
        assert_eq!(bot.intents[0], Count { label: TALK_TO_A_PERSON.into(), count: 4 });
        assert_eq!(
            bot.start_flows,
            [Count { label: StartFlow::LeadWrote.label().into(), count: 2 }]
        );
    }
}

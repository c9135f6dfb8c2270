-- Daily roll-ups of the report facts, kept up to date by the fold: a report over whole days
-- reads one row per day (and per agent and day) instead of every cycle, minute, assignment
-- and span in the range; only partial days at the ends are read from the rows.

-- Per UTC day: the cycles that started that day (sums of their figures, as
-- `porch_domain::reports::DaySums`) and that day's messages.
CREATE TABLE report_days (
    workspace_id TEXT NOT NULL,
    day BIGINT NOT NULL,
    cycles BIGINT NOT NULL,
    responded BIGINT NOT NULL,
    first_response BIGINT NOT NULL,
    closed BIGINT NOT NULL,
    resolution BIGINT NOT NULL,
    active_resolution BIGINT NOT NULL,
    wait_total BIGINT NOT NULL,
    wait_runs BIGINT NOT NULL,
    messages BIGINT NOT NULL,
    incoming BIGINT NOT NULL,
    -- The day's busiest minute's messages.
    busiest BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, day)
);

-- Per agent and UTC day: assignments (transfers included) and conversation time (the
-- agent's spans whose first message fell that day).
CREATE TABLE report_agent_days (
    workspace_id TEXT NOT NULL,
    day BIGINT NOT NULL,
    agent_id TEXT NOT NULL,
    assignments BIGINT NOT NULL,
    conversation_ms BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, day, agent_id)
);

-- Per UTC day, labelled counts: cycles by start flow; closed cycles by category ('' for none),
-- outcome and closing source (by the day the cycle started); intents (by the day they were
-- picked); intents of cycles closed as unresolved (by the day the cycle started).
CREATE TABLE report_day_counts (
    workspace_id TEXT NOT NULL,
    day BIGINT NOT NULL,
    kind TEXT NOT NULL,
    label TEXT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, day, kind, label)
);

-- Leads who wrote on a UTC day, by the day they last wrote before it (-1: never), so the
-- distinct leads of a range of days are those counted under a day before the range.
CREATE TABLE report_returns (
    workspace_id TEXT NOT NULL,
    day BIGINT NOT NULL,
    previous_day BIGINT NOT NULL,
    n BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, day, previous_day)
);
-- A lead's days in order (their previous and next day around a new one).
CREATE INDEX report_contact_days_by_contact ON report_contact_days (contact_id, day);

-- The report tables are a projection of the event log: emptied with their cursors, they are
-- folded again (roll-ups included) on the next catch-up.
DELETE FROM report_cycles;
DELETE FROM report_minutes;
DELETE FROM report_contact_days;
DELETE FROM report_languages;
DELETE FROM report_intents;
DELETE FROM report_assignments;
DELETE FROM report_agent_spans;
DELETE FROM report_cursors;

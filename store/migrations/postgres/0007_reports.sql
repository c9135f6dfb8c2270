-- Report facts, folded from the event log by `Store::catch_up_reports` (definitions in
-- porch-domain::reports). A projection: deleting these rows and the cursor rebuilds them.
CREATE TABLE report_cursors (
    workspace_id TEXT PRIMARY KEY REFERENCES workspaces (id),
    seq BIGINT NOT NULL
);

-- One row per conversation cycle (start or reopening to close).
CREATE TABLE report_cycles (
    workspace_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    cycle BIGINT NOT NULL,
    contact_id TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    start_flow TEXT NOT NULL,
    live BIGINT NOT NULL,
    first_lead_at BIGINT,
    handoff_at BIGINT,
    response_due_from BIGINT,
    first_response_at BIGINT,
    first_responder TEXT,
    last_human_at BIGINT,
    waiting_since BIGINT,
    wait_total BIGINT NOT NULL,
    wait_runs BIGINT NOT NULL,
    messages BIGINT NOT NULL,
    lead_messages BIGINT NOT NULL,
    human_messages BIGINT NOT NULL,
    assignee TEXT,
    closed_at BIGINT,
    closing_source TEXT,
    closed_by TEXT,
    outcome TEXT,
    category TEXT,
    summary TEXT,
    PRIMARY KEY (conversation_id, cycle)
);
CREATE INDEX report_cycles_by_start ON report_cycles (workspace_id, started_at);

-- Messages per minute: peak volume and the activity charts.
CREATE TABLE report_minutes (
    workspace_id TEXT NOT NULL,
    minute BIGINT NOT NULL,
    messages BIGINT NOT NULL,
    lead_messages BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, minute)
);

-- Which leads wrote on which day (UTC): active and unique users.
CREATE TABLE report_contact_days (
    workspace_id TEXT NOT NULL,
    day BIGINT NOT NULL,
    contact_id TEXT NOT NULL,
    PRIMARY KEY (workspace_id, day, contact_id)
);

CREATE TABLE report_languages (
    workspace_id TEXT NOT NULL,
    day BIGINT NOT NULL,
    language TEXT NOT NULL,
    messages BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, day, language)
);

-- The bot's intents: quick answers picked, and leads asking for a person.
CREATE TABLE report_intents (
    workspace_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    cycle BIGINT NOT NULL,
    intent TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX report_intents_by_time ON report_intents (workspace_id, at);
-- Intents of the cycles in a range (quick answers in unresolved conversations).
CREATE INDEX report_intents_by_cycle ON report_intents (conversation_id, cycle);

-- Every assignment and transfer (the contact centre's total conversations).
CREATE TABLE report_assignments (
    workspace_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX report_assignments_by_time ON report_assignments (workspace_id, at);

-- Each agent's first and last message in each conversation (conversation minutes).
CREATE TABLE report_agent_spans (
    workspace_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    first_at BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, agent_id)
);
CREATE INDEX report_agent_spans_by_time ON report_agent_spans (workspace_id, first_at);

-- When agents had the live chat app open (connection hours): one row per agent socket,
-- `seen_at` moved forward while it stays open, so a crashed server leaves a closed interval.
CREATE TABLE agent_presence (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    started_at BIGINT NOT NULL,
    seen_at BIGINT NOT NULL
);
CREATE INDEX agent_presence_by_time ON agent_presence (workspace_id, started_at);

CREATE INDEX contacts_by_created ON contacts (workspace_id, created_at);

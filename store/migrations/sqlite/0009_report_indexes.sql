-- Covering indexes for the report pages: each summary reads a range of rows from the index
-- alone, in time order, instead of looking every row up in its table (measured with
-- `cargo xtask bench`: the table lookups were most of a summary's time at a million cycles).
DROP INDEX report_cycles_by_start;
CREATE INDEX report_cycles_by_start ON report_cycles (
    workspace_id, started_at, start_flow, closed_at, outcome, closing_source, category,
    response_due_from, first_response_at, last_human_at, wait_total, wait_runs, assignee,
    messages, conversation_id, cycle
);

CREATE INDEX report_minutes_by_time ON report_minutes (workspace_id, minute, messages, lead_messages);

DROP INDEX report_assignments_by_time;
CREATE INDEX report_assignments_by_time ON report_assignments (workspace_id, at, agent_id);

DROP INDEX report_agent_spans_by_time;
CREATE INDEX report_agent_spans_by_time ON report_agent_spans (workspace_id, first_at, agent_id, last_at);

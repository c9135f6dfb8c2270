-- Webhooks (issue 16). An endpoint reads its workspace's log after `after_seq`, in sequence
-- order, delivering the events it wants at least once; `attempts` and `failing_since` are
-- those of the event waiting at its head, tried again at `next_attempt_at`. One server at a
-- time delivers to an endpoint: the one whose lease (`lease_owner` until `lease_until`) holds.
-- The secret signs (Standard Webhooks); after a rotation the previous one signs too until
-- `previous_until`.
CREATE TABLE webhook_endpoints (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    url TEXT NOT NULL,
    event_types TEXT NOT NULL,
    secret TEXT NOT NULL,
    previous_secret TEXT,
    previous_until BIGINT,
    enabled BIGINT NOT NULL,
    disabled_reason TEXT,
    created_at BIGINT NOT NULL,
    after_seq BIGINT NOT NULL,
    attempts BIGINT NOT NULL DEFAULT 0,
    failing_since BIGINT,
    next_attempt_at BIGINT NOT NULL DEFAULT 0,
    lease_owner TEXT,
    lease_until BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX webhook_endpoints_by_workspace ON webhook_endpoints (workspace_id, created_at);

-- Every attempt, for the owner's delivery log (kept 30 days).
CREATE TABLE webhook_deliveries (
    id TEXT PRIMARY KEY,
    endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints (id),
    message_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    seq BIGINT,
    attempt BIGINT NOT NULL,
    at BIGINT NOT NULL,
    status TEXT NOT NULL,
    response_code BIGINT,
    latency_ms BIGINT NOT NULL,
    error TEXT,
    next_attempt_at BIGINT
);
CREATE INDEX webhook_deliveries_by_endpoint ON webhook_deliveries (endpoint_id, at);
CREATE INDEX webhook_deliveries_by_time ON webhook_deliveries (at);

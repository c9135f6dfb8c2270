-- E-mailed performance reports: one row per workspace and period, claimed before sending so
-- a period is sent at most once (see Store::claim_delivery).
CREATE TABLE report_deliveries (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    period_start BIGINT NOT NULL,
    period_end BIGINT NOT NULL,
    -- sending, sent or failed
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    claimed_at BIGINT NOT NULL,
    next_attempt_at BIGINT,
    sent_at BIGINT,
    last_error TEXT,
    PRIMARY KEY (workspace_id, period_start)
);

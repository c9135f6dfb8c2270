-- Workspace API tokens (issue 16): integrations call the agent API with
-- `Authorization: Bearer <secret>`. Only the secret's hash is kept, with its first characters
-- to tell tokens apart. A revoked token keeps its row: the event log names it as an actor.
CREATE TABLE api_tokens (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    name TEXT NOT NULL,
    scope TEXT NOT NULL,
    prefix TEXT NOT NULL,
    secret_hash TEXT NOT NULL UNIQUE,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX api_tokens_by_workspace ON api_tokens (workspace_id, created_at);

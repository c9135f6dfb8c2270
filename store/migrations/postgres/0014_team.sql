-- The team (issue 14): members can be deactivated (kept for the history they made), and
-- owners invite people by e-mail with single-use links (only the token's hash is kept).
ALTER TABLE agents ADD COLUMN active BIGINT NOT NULL DEFAULT 1;

CREATE TABLE invitations (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    invited_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    accepted_at BIGINT,
    revoked_at BIGINT
);
CREATE INDEX invitations_by_workspace ON invitations (workspace_id, created_at);

-- Single-use links that set an agent's password: the first owner's setup link, and resets.
-- Only the token's hash is kept.
CREATE TABLE password_links (
    token_hash TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL REFERENCES agents (id),
    purpose TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);
CREATE INDEX password_links_by_agent ON password_links (agent_id);

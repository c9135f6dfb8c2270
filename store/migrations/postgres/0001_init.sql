-- Times are milliseconds since the Unix epoch; ids are UUID text; enums are snake_case text.
CREATE TABLE workspaces (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    widget_key TEXT NOT NULL UNIQUE,
    plan TEXT NOT NULL,
    lead_options TEXT NOT NULL,
    last_seq BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL
);

CREATE TABLE agents (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    name TEXT NOT NULL,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE agent_sessions (
    token_hash TEXT PRIMARY KEY,
    agent_id TEXT NOT NULL REFERENCES agents (id),
    expires_at BIGINT NOT NULL
);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    token_hash TEXT NOT NULL UNIQUE,
    blocked BIGINT NOT NULL DEFAULT 0, -- 0 or 1: sqlx's Any driver reads no SQLite BOOLEAN
    created_at BIGINT NOT NULL
);

CREATE TABLE conversations (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    contact_id TEXT NOT NULL REFERENCES contacts (id),
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    cycle BIGINT NOT NULL,
    outcome TEXT,
    closing_source TEXT,
    closed_by TEXT,
    closed_at BIGINT,
    created_at BIGINT NOT NULL,
    last_activity_at BIGINT NOT NULL,
    last_message TEXT
);
CREATE INDEX conversations_by_status ON conversations (workspace_id, status, last_activity_at);
CREATE INDEX conversations_by_contact ON conversations (contact_id, last_activity_at);

CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    seq BIGINT NOT NULL,
    author_kind TEXT NOT NULL,
    author_id TEXT,
    author_name TEXT,
    body TEXT NOT NULL,
    client_id TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX messages_by_conversation ON messages (conversation_id, seq);
CREATE UNIQUE INDEX messages_by_client_id ON messages (conversation_id, client_id);

-- The append-only log every report is computed from; seq grows by one per workspace.
CREATE TABLE events (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    seq BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor TEXT NOT NULL,
    contact_id TEXT,
    conversation_id TEXT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    PRIMARY KEY (workspace_id, seq)
);
CREATE INDEX events_by_contact ON events (workspace_id, contact_id, seq);

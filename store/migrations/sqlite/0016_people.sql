-- One person (one e-mail, one password) may belong to several workspaces: the password moves to
-- `people`, and each `agents` row becomes one membership (its own id, name, role and active
-- flag per workspace), unique per workspace and e-mail.
CREATE TABLE people (
    email TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
INSERT INTO people (email, password_hash, created_at)
SELECT email, password_hash, created_at FROM agents;

-- SQLite cannot drop a column's UNIQUE, so the table is rebuilt; the store runs migrations with
-- foreign keys off and checks them all afterwards (SQLite's own recipe for this).
CREATE TABLE agents_new (
    id TEXT PRIMARY KEY,
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    name TEXT NOT NULL,
    email TEXT NOT NULL REFERENCES people (email),
    role TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    active BIGINT NOT NULL DEFAULT 1,
    UNIQUE (workspace_id, email)
);
INSERT INTO agents_new (id, workspace_id, name, email, role, created_at, active)
SELECT id, workspace_id, name, email, role, created_at, active FROM agents;
DROP TABLE agents;
ALTER TABLE agents_new RENAME TO agents;
CREATE INDEX agents_by_email ON agents (email);

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

ALTER TABLE agents DROP CONSTRAINT agents_email_key;
ALTER TABLE agents DROP COLUMN password_hash;
ALTER TABLE agents ADD CONSTRAINT agents_workspace_email UNIQUE (workspace_id, email);
ALTER TABLE agents ADD CONSTRAINT agents_person FOREIGN KEY (email) REFERENCES people (email);
CREATE INDEX agents_by_email ON agents (email);

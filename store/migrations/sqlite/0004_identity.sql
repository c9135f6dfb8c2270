-- Identified leads: the owner's backend signs the lead's id with the workspace's secret.
ALTER TABLE workspaces ADD COLUMN identity_secret TEXT NOT NULL DEFAULT '';
ALTER TABLE contacts ADD COLUMN external_id TEXT;
ALTER TABLE contacts ADD COLUMN name TEXT;
ALTER TABLE contacts ADD COLUMN email TEXT;
CREATE UNIQUE INDEX contacts_by_external_id ON contacts (workspace_id, external_id);
-- One lead, several browsers: a visitor token per browser.
CREATE TABLE visitor_tokens (
    token_hash TEXT PRIMARY KEY,
    contact_id TEXT NOT NULL REFERENCES contacts (id),
    created_at BIGINT NOT NULL
);
INSERT INTO visitor_tokens (token_hash, contact_id, created_at)
    SELECT token_hash, id, created_at FROM contacts;

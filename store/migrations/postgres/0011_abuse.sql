-- Hardening (issue 13).

-- Sign-in attempts, counted per key (an e-mail from one client address, or the address alone)
-- and shared by every server: an attempt is reserved before the password is checked, and
-- after a few failures each further one must wait longer (`wait_until`).
CREATE TABLE sign_in_attempts (
    throttle_key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    wait_until BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Visitor tokens expire after a while unused (a sliding lifetime).
ALTER TABLE visitor_tokens ADD COLUMN last_used_at BIGINT NOT NULL DEFAULT 0;
UPDATE visitor_tokens SET last_used_at = created_at;

-- A sender's client_id names one message across all their conversations, so a conversation
-- started twice with the same first message is started once. Older duplicates (none are
-- expected) keep their text and lose the id.
UPDATE messages SET client_id = NULL
WHERE client_id IS NOT NULL AND id NOT IN (
    SELECT MIN(id) FROM messages WHERE client_id IS NOT NULL GROUP BY author_id, client_id
);
CREATE UNIQUE INDEX messages_by_author_client_id ON messages (author_id, client_id);

-- Conversation lifecycle: assignment, snooze, closing notes, workspace settings.
ALTER TABLE workspaces ADD COLUMN settings TEXT NOT NULL DEFAULT '{}';
ALTER TABLE conversations ADD COLUMN assignee TEXT;
ALTER TABLE conversations ADD COLUMN snoozed_until BIGINT;
ALTER TABLE conversations ADD COLUMN closing_category TEXT;
ALTER TABLE conversations ADD COLUMN closing_summary TEXT;
ALTER TABLE conversations ADD COLUMN closing_generated BIGINT NOT NULL DEFAULT 0;
CREATE INDEX events_by_conversation ON events (conversation_id, seq);

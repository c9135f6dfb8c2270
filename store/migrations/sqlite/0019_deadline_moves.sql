-- Counts the commits that armed, moved or ended a deadline, so that other servers (on
-- PostgreSQL) hear which commits their schedulers need to read.
ALTER TABLE workspaces ADD COLUMN deadline_moves INTEGER NOT NULL DEFAULT 0;

-- Report days are the workspace's days: the roll-ups remember the time zone they were folded
-- in, and are folded again from the log when the workspace's time zone changes.
ALTER TABLE report_cursors ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';

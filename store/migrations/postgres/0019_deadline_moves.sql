-- Counts the commits that armed, moved or ended a deadline. The commit notification now says
-- "<workspace> <last seq> <previous last seq> <1 if deadlines moved, else 0>": every server's
-- scheduler reads exactly the commits that move deadlines, so any live server fires a
-- deadline armed on one that stopped. (Servers from before this migration cannot read the
-- longer payload: stop them all before upgrading, as for 0016.)
ALTER TABLE workspaces ADD COLUMN deadline_moves BIGINT NOT NULL DEFAULT 0;

CREATE OR REPLACE FUNCTION porch_notify_commit() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('porch_commits', NEW.id || ' ' || NEW.last_seq || ' ' || OLD.last_seq
        || ' ' || CASE WHEN NEW.deadline_moves <> OLD.deadline_moves THEN 1 ELSE 0 END);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

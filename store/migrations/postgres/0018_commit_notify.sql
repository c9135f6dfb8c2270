-- Several servers on one database: each commit that moves a workspace's last sequence number
-- notifies `porch_commits` with "<workspace id> <last seq>", delivered when (and only if) the
-- transaction commits, in commit order. Every server listens and pushes the events to its own
-- sockets.
CREATE FUNCTION porch_notify_commit() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('porch_commits', NEW.id || ' ' || NEW.last_seq);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER workspaces_commit_notify
    AFTER UPDATE OF last_seq ON workspaces
    FOR EACH ROW WHEN (NEW.last_seq > OLD.last_seq)
    EXECUTE FUNCTION porch_notify_commit();

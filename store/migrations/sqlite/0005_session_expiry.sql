-- Expired sessions are purged at each login.
CREATE INDEX agent_sessions_by_expiry ON agent_sessions (expires_at);

-- Where each workspace's widget was last seen booting: the installation check.
CREATE TABLE widget_origins (
    workspace_id TEXT NOT NULL REFERENCES workspaces (id),
    origin TEXT NOT NULL,
    last_seen_at BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, origin)
);

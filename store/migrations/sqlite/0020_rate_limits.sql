-- Request rate limits shared by every server (issue 15): one row per (limit, key), holding
-- the time its bucket is full again (`tat`, the generic cell rate algorithm's theoretical
-- arrival time) and whether the last take was granted. A take is one conditional upsert, so
-- concurrent takes on several servers are counted exactly. Keys are hashed by the server.
CREATE TABLE rate_limits (
    limit_key TEXT PRIMARY KEY,
    tat BIGINT NOT NULL,
    granted BIGINT NOT NULL
);

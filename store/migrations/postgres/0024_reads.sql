-- How far each member has read each conversation (issue 17): the last sequence number of the
-- workspace's log they saw in it. The lead's messages after it are that member's unread ones.
CREATE TABLE conversation_reads (
    agent_id TEXT NOT NULL,
    conversation_id TEXT NOT NULL REFERENCES conversations (id),
    seq BIGINT NOT NULL,
    PRIMARY KEY (agent_id, conversation_id)
);

-- A client id is its sender's name for one message (messages_by_author_client_id, 0011).
-- The first index, one client id per conversation, also refused another sender's message
-- with the same id (a lead sees the agent's ids in their frames): such a message failed the
-- whole batch it was committed in, other people's messages included. It also cost every
-- message an index entry.
DROP INDEX messages_by_client_id;

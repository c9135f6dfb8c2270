-- Auto-close: the exact deadline lives on the conversation; in-process timers only cache it.
ALTER TABLE conversations ADD COLUMN auto_close_at BIGINT;
-- When a human agent last wrote, unless the lead wrote after: the anchor of after-reply deadlines.
ALTER TABLE conversations ADD COLUMN last_human_reply_at BIGINT;
CREATE INDEX conversations_by_auto_close ON conversations (auto_close_at);
CREATE INDEX conversations_by_snooze ON conversations (snoozed_until);

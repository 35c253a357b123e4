-- Calls turned off in a chat, per member (see migrations/sqlite/0012_calls_off.sql).
ALTER TABLE members ADD COLUMN calls_off BOOLEAN NOT NULL DEFAULT FALSE;

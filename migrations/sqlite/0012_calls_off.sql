-- A member who turned calls off in a chat: calls placed there do not ring them, and the caller
-- is told so (the chat keeps a missed call). Muting a chat silences its messages only.
ALTER TABLE members ADD COLUMN calls_off INTEGER NOT NULL DEFAULT 0;

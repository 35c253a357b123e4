-- The resend check's index leads with the client id instead of the sender. Clients make their
-- ids time-first (the web app does), so new entries land at the end of the index like the
-- message ids do; led by the sender, every send dirtied a random page of it and doubled what a
-- batch of sends writes to the WAL. Uniqueness is the same pair.
DROP INDEX messages_by_client_id;
CREATE UNIQUE INDEX messages_by_client_id ON messages (client_id, sender_id) WHERE client_id IS NOT NULL;

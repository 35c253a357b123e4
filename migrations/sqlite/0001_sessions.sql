-- Browser sessions (tower-sessions records). Kept in the database, not in memory, so a restart
-- keeps people signed in. The device columns are filled in at sign-in for the Devices page.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY NOT NULL,
    data         TEXT NOT NULL,          -- the record's data map, as JSON
    expires_at   INTEGER NOT NULL,       -- unix seconds
    user_id      TEXT,                   -- set once the session is signed in
    user_agent   TEXT,
    ip           TEXT,
    created_at   INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
CREATE INDEX sessions_by_user ON sessions (user_id) WHERE user_id IS NOT NULL;

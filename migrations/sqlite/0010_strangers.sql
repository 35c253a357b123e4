-- Talk to a stranger. The conversations themselves live in the server's memory and are gone
-- when they end; what stays is who may take part, who must never be matched again, and the
-- reports (each with the reported conversation's transcript, kept for moderators).

-- People who confirmed they are 18 or older and accepted the rules.
CREATE TABLE stranger_members (
    user_id            TEXT PRIMARY KEY NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    adult_confirmed_at INTEGER NOT NULL
) WITHOUT ROWID;

-- `user_id` reported or blocked `other_id` in a stranger chat: the two are never matched again
-- (looked up both ways).
CREATE TABLE stranger_avoids (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    other_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, other_id)
) WITHOUT ROWID;
CREATE INDEX stranger_avoids_by_other ON stranger_avoids (other_id);

-- A report: `transcript` is the conversation as JSON ([{"seq", "from": "reporter"|"reported",
-- "body", "created_at"}]), the only stranger conversations ever written down.
CREATE TABLE stranger_reports (
    id          TEXT PRIMARY KEY NOT NULL,
    reporter_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reported_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason      TEXT NOT NULL,
    note        TEXT NOT NULL,
    transcript  TEXT NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX stranger_reports_by_reported ON stranger_reports (reported_id, created_at);

-- SQLite migration 0010 (strangers) in PostgreSQL's terms; see there for why each table exists.
CREATE TABLE stranger_members (
    user_id            TEXT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    adult_confirmed_at BIGINT NOT NULL
);

CREATE TABLE stranger_avoids (
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    other_id   TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, other_id)
);
CREATE INDEX stranger_avoids_by_other ON stranger_avoids (other_id);

CREATE TABLE stranger_reports (
    id          TEXT PRIMARY KEY,
    reporter_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reported_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason      TEXT NOT NULL,
    note        TEXT NOT NULL,
    transcript  TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX stranger_reports_by_reported ON stranger_reports (reported_id, created_at);

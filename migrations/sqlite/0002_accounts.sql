-- People. `id` is the short public user ID (8 characters of Crockford base32, no dash), random
-- rather than sequential so IDs reveal nothing about sign-up order or volume.
CREATE TABLE users (
    id           TEXT PRIMARY KEY NOT NULL,
    username     TEXT NOT NULL UNIQUE,     -- stored lower-case: unique regardless of case
    display_name TEXT NOT NULL,
    phone        TEXT UNIQUE,              -- E.164; one account per phone
    created_at   INTEGER NOT NULL
);

-- One-time codes in flight. Only a keyed hash of the code is kept; `payload` holds what the
-- code will complete (e.g. the username being registered).
CREATE TABLE one_time_codes (
    id           TEXT PRIMARY KEY NOT NULL,  -- the pending_id the client holds
    purpose      TEXT NOT NULL,              -- register | login
    channel      TEXT NOT NULL,              -- sms | email
    destination  TEXT NOT NULL,
    code_hash    TEXT NOT NULL,
    payload      TEXT NOT NULL,
    attempts     INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    sent_at      INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER
);
CREATE INDEX one_time_codes_by_expiry ON one_time_codes (expires_at);

-- Refresh tokens of API clients, stored hashed. Each login starts a family; a refresh uses up
-- its token and issues the next one in the family. Reusing a spent token revokes the family.
CREATE TABLE refresh_tokens (
    token_hash   TEXT PRIMARY KEY NOT NULL,
    family       TEXT NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_agent   TEXT,
    ip           TEXT,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    used_at      INTEGER,
    revoked_at   INTEGER
);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family);
CREATE INDEX refresh_tokens_by_user ON refresh_tokens (user_id);

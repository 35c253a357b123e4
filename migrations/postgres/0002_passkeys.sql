-- SQLite migration 0009 (passkeys) in PostgreSQL's terms; see there for why each column exists.
CREATE TABLE passkeys (
    credential_id TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_handle   TEXT NOT NULL,
    name          TEXT NOT NULL,
    device        TEXT NOT NULL,
    passkey       TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT
);
CREATE INDEX passkeys_by_user ON passkeys (user_id);

CREATE TABLE passkey_ceremonies (
    id          TEXT PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('register', 'sign_in', 'confirm')),
    user_id     TEXT NOT NULL,
    state       TEXT NOT NULL,
    expires_at  BIGINT NOT NULL,
    used_at     BIGINT
);
CREATE INDEX passkey_ceremonies_by_expiry ON passkey_ceremonies (expires_at);

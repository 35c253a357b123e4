-- Passkeys (WebAuthn credentials). `credential_id` is the authenticator's id for the key,
-- base64url; `user_handle` is the opaque id the authenticator keeps for the account (it names
-- the account at a sign-in without a typed name); `passkey` is the verifier's record of the
-- key (public key, signature counter, backup flags) as JSON.
CREATE TABLE passkeys (
    credential_id TEXT PRIMARY KEY NOT NULL,
    user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_handle   TEXT NOT NULL,
    name          TEXT NOT NULL,
    device        TEXT NOT NULL,
    passkey       TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER
);
CREATE INDEX passkeys_by_user ON passkeys (user_id);

-- A passkey ceremony in flight: the challenge the browser was given, held here until it is
-- answered once, or expires. `user_id` is empty for a sign-in (nobody is known yet).
CREATE TABLE passkey_ceremonies (
    id          TEXT PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('register', 'sign_in', 'confirm')),
    user_id     TEXT NOT NULL,
    state       TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    used_at     INTEGER
);
CREATE INDEX passkey_ceremonies_by_expiry ON passkey_ceremonies (expires_at);

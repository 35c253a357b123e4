-- The whole schema as of SQLite migration 0008, in PostgreSQL's terms. The tables, columns and
-- rules are the same as SQLite's (see migrations/sqlite for why each exists); what differs:
-- booleans are BOOLEAN, times and sequences BIGINT, and full-text search is a tsvector column
-- with a GIN index instead of an FTS5 table.

-- Accent-free search ("cafe" finds "café", as SQLite's remove_diacritics does). unaccent is a
-- trusted extension (PostgreSQL 13+), so the database owner may create it; the wrapper is
-- IMMUTABLE so an index and a generated column may use it.
CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE FUNCTION search_fold(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;

CREATE TABLE sessions (
    id           TEXT PRIMARY KEY,
    data         TEXT NOT NULL,
    expires_at   BIGINT NOT NULL,
    user_id      TEXT,
    user_agent   TEXT,
    ip           TEXT,
    created_at   BIGINT NOT NULL,
    last_seen_at BIGINT NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
CREATE INDEX sessions_by_user ON sessions (user_id) WHERE user_id IS NOT NULL;

CREATE TABLE users (
    id                   TEXT PRIMARY KEY,
    username             TEXT NOT NULL UNIQUE,
    display_name         TEXT NOT NULL,
    phone                TEXT UNIQUE,
    created_at           BIGINT NOT NULL,
    email                TEXT UNIQUE,
    password_hash        TEXT,
    bio                  TEXT NOT NULL DEFAULT '',
    who_can_message      TEXT NOT NULL DEFAULT 'everyone' CHECK (who_can_message IN ('everyone', 'contacts')),
    last_seen_visibility TEXT NOT NULL DEFAULT 'everyone' CHECK (last_seen_visibility IN ('everyone', 'contacts', 'nobody')),
    last_seen_at         BIGINT
);

CREATE TABLE one_time_codes (
    id           TEXT PRIMARY KEY,
    purpose      TEXT NOT NULL,
    channel      TEXT NOT NULL,
    destination  TEXT NOT NULL,
    code_hash    TEXT NOT NULL,
    payload      TEXT NOT NULL,
    attempts     BIGINT NOT NULL DEFAULT 0,
    created_at   BIGINT NOT NULL,
    sent_at      BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT
);
CREATE INDEX one_time_codes_by_expiry ON one_time_codes (expires_at);

CREATE TABLE refresh_tokens (
    token_hash   TEXT PRIMARY KEY,
    family       TEXT NOT NULL,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_agent   TEXT,
    ip           TEXT,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX refresh_tokens_by_family ON refresh_tokens (family);
CREATE INDEX refresh_tokens_by_user ON refresh_tokens (user_id);

CREATE TABLE conversations (
    id               TEXT PRIMARY KEY,
    kind             TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
    group_id         TEXT UNIQUE,
    name             TEXT NOT NULL DEFAULT '',
    description      TEXT NOT NULL DEFAULT '',
    public           BOOLEAN NOT NULL DEFAULT FALSE,
    direct_key       TEXT UNIQUE,
    created_by       TEXT NOT NULL REFERENCES users (id),
    created_at       BIGINT NOT NULL,
    -- Bumped by `UPDATE … SET last_seq = last_seq + 1 RETURNING last_seq` in the sending
    -- transaction: the row lock orders concurrent senders (on any server), so seqs have no gaps.
    last_seq         BIGINT NOT NULL DEFAULT 0,
    last_activity_at BIGINT NOT NULL
);

CREATE TABLE members (
    conversation_id    TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id            TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role               TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member')),
    state              TEXT NOT NULL DEFAULT 'active'
        CHECK (state IN ('active', 'incoming', 'outgoing', 'declined', 'dismissed', 'left', 'removed')),
    joined_at          BIGINT NOT NULL,
    last_read_seq      BIGINT NOT NULL DEFAULT 0,
    last_delivered_seq BIGINT NOT NULL DEFAULT 0,
    muted              BOOLEAN NOT NULL DEFAULT FALSE,
    marks_at           BIGINT,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX members_by_user ON members (user_id, state);

CREATE TABLE messages (
    n               BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq             BIGINT NOT NULL,
    sender_id       TEXT REFERENCES users (id),
    body            TEXT NOT NULL,
    system          TEXT,
    created_at      BIGINT NOT NULL,
    edited_at       BIGINT,
    deleted         BOOLEAN NOT NULL DEFAULT FALSE,
    reply_to        TEXT,
    client_id       TEXT,
    changed_at      BIGINT,
    -- What search matches: live, non-system bodies only (NULL otherwise, so not indexed).
    search          tsvector GENERATED ALWAYS AS (
        CASE WHEN system IS NULL AND NOT deleted THEN to_tsvector('simple', search_fold(body)) END
    ) STORED
);
CREATE UNIQUE INDEX messages_by_seq ON messages (conversation_id, seq);
CREATE UNIQUE INDEX messages_by_client_id ON messages (client_id, sender_id) WHERE client_id IS NOT NULL;
CREATE INDEX messages_by_change ON messages (conversation_id, changed_at) WHERE changed_at IS NOT NULL;
CREATE INDEX messages_search ON messages USING GIN (search);
-- Search snippets: ts_headline reads the body as written, so its configuration folds each word
-- as `search` was folded (unaccent, then lower case): "Café" is marked for "cafe".
CREATE TEXT SEARCH CONFIGURATION search_headline (COPY = pg_catalog.simple);
ALTER TEXT SEARCH CONFIGURATION search_headline
    ALTER MAPPING FOR asciiword, word, numword, asciihword, hword, numhword, hword_asciipart, hword_part, hword_numpart
    WITH public.unaccent, pg_catalog.simple;

CREATE TABLE reactions (
    message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    emoji      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (message_id, user_id, emoji)
);

CREATE TABLE contacts (
    user_lo    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_hi    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    inviter    TEXT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'declined')),
    seen       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (user_lo, user_hi),
    -- Ids are ASCII (Crockford base32): "C" ordering matches SQLite's byte order.
    CHECK (user_lo COLLATE "C" < user_hi COLLATE "C")
);
CREATE INDEX contacts_by_hi ON contacts (user_hi);

CREATE TABLE blocks (
    blocker_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
);
CREATE INDEX blocks_by_blocked ON blocks (blocked_id);

CREATE TABLE group_invites (
    token           TEXT PRIMARY KEY,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    created_by      TEXT NOT NULL REFERENCES users (id),
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT,
    max_uses        BIGINT,
    uses            BIGINT NOT NULL DEFAULT 0,
    revoked_at      BIGINT
);
CREATE INDEX group_invites_by_conversation ON group_invites (conversation_id);

CREATE TABLE group_invitations (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    inviter_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'declined')),
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
);
CREATE INDEX group_invitations_by_user ON group_invitations (user_id, state);
CREATE INDEX group_invitations_by_inviter ON group_invitations (inviter_id, user_id);

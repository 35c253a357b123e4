-- Conversations: direct chats and groups, their members, messages, reactions, contacts, blocks
-- and group invite links, plus a full-text index of message bodies.

-- Profile and privacy. Defaults keep existing accounts as open as before this migration.
ALTER TABLE users ADD COLUMN bio TEXT NOT NULL DEFAULT '';
ALTER TABLE users ADD COLUMN who_can_message TEXT NOT NULL DEFAULT 'everyone'
    CHECK (who_can_message IN ('everyone', 'contacts'));
ALTER TABLE users ADD COLUMN last_seen_visibility TEXT NOT NULL DEFAULT 'everyone'
    CHECK (last_seen_visibility IN ('everyone', 'contacts', 'nobody'));
ALTER TABLE users ADD COLUMN last_seen_at INTEGER;   -- unix seconds; NULL until first seen

-- A direct chat or a group. `last_seq` is the sequence of the newest message: a sender bumps it
-- and inserts the message in one transaction, so sequences have no gaps. `last_activity_at`
-- is what the chat list sorts by, kept here so the list never scans messages.
CREATE TABLE conversations (
    id               TEXT PRIMARY KEY NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('direct', 'group')),
    -- Groups only: the short public ID people type to join (same alphabet as user IDs).
    group_id         TEXT UNIQUE,
    name             TEXT NOT NULL DEFAULT '',
    description      TEXT NOT NULL DEFAULT '',
    public           INTEGER NOT NULL DEFAULT 0,
    -- Direct chats only: the two user ids, sorted and joined, so a pair has one chat even when
    -- both start it at the same moment (the unique index decides, not a check-then-insert).
    direct_key       TEXT UNIQUE,
    created_by       TEXT NOT NULL REFERENCES users (id),
    created_at       INTEGER NOT NULL,
    last_seq         INTEGER NOT NULL DEFAULT 0,
    last_activity_at INTEGER NOT NULL
);

-- Who is in a conversation, and where they are in it. `state`:
--   active    a normal member
--   incoming  a message request waiting for this person's answer (direct chats)
--   outgoing  this person's request, waiting for the other's answer
--   declined  this person's request was declined: they may read what they sent, not send more
--   dismissed this person declined the request: the chat is gone from their list
--   left / removed  former group members (kept so a removed member cannot rejoin by ID)
CREATE TABLE members (
    conversation_id    TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id            TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role               TEXT NOT NULL DEFAULT 'member' CHECK (role IN ('owner', 'admin', 'member')),
    state              TEXT NOT NULL DEFAULT 'active'
        CHECK (state IN ('active', 'incoming', 'outgoing', 'declined', 'dismissed', 'left', 'removed')),
    joined_at          INTEGER NOT NULL,
    last_read_seq      INTEGER NOT NULL DEFAULT 0,
    last_delivered_seq INTEGER NOT NULL DEFAULT 0,
    muted              INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, user_id)
) WITHOUT ROWID;
-- The chat list starts from the viewer's memberships.
CREATE INDEX members_by_user ON members (user_id, state);

-- Messages. `n` is the rowid the full-text index points at (an INTEGER PRIMARY KEY, so VACUUM
-- cannot renumber it); `id` is the public id. System messages have no sender and carry a
-- `SystemEvent` as JSON. A deleted message stays as a tombstone with an empty body.
CREATE TABLE messages (
    n               INTEGER PRIMARY KEY,
    id              TEXT NOT NULL UNIQUE,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    seq             INTEGER NOT NULL,
    sender_id       TEXT REFERENCES users (id),
    body            TEXT NOT NULL,
    system          TEXT,
    created_at      INTEGER NOT NULL,
    edited_at       INTEGER,
    deleted         INTEGER NOT NULL DEFAULT 0,
    reply_to        TEXT,
    client_id       TEXT
);
-- History pages are keyset reads by (conversation, seq); the index also forbids duplicate seqs.
CREATE UNIQUE INDEX messages_by_seq ON messages (conversation_id, seq);
-- Idempotent sends: the same client id from the same sender is one message.
CREATE UNIQUE INDEX messages_by_client_id ON messages (sender_id, client_id) WHERE client_id IS NOT NULL;

-- Full-text search over live, non-system bodies. External content (no second copy of the text);
-- the triggers keep it in step with inserts, edits, tombstones and deletes.
CREATE VIRTUAL TABLE messages_fts USING fts5(
    body, content = 'messages', content_rowid = 'n', tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
WHEN new.system IS NULL AND new.deleted = 0 BEGIN
    INSERT INTO messages_fts (rowid, body) VALUES (new.n, new.body);
END;
-- One trigger for both halves of an edit: SQLite runs separate triggers newest first, which
-- would index the new text before removing the old and corrupt the index.
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body, deleted ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body)
        SELECT 'delete', old.n, old.body WHERE old.system IS NULL AND old.deleted = 0;
    INSERT INTO messages_fts (rowid, body)
        SELECT new.n, new.body WHERE new.system IS NULL AND new.deleted = 0;
END;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
WHEN old.system IS NULL AND old.deleted = 0 BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.n, old.body);
END;

-- One row per person, message and emoji: toggling is an insert or a delete.
CREATE TABLE reactions (
    message_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    emoji      TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (message_id, user_id, emoji)
) WITHOUT ROWID;

-- Contacts and invitations: one row per pair (lower id first), so two people inviting each
-- other at once meet in the same row. `seen` drives the invitee's badge.
CREATE TABLE contacts (
    user_lo    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_hi    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    inviter    TEXT NOT NULL,
    state      TEXT NOT NULL CHECK (state IN ('pending', 'accepted', 'declined')),
    seen       INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (user_lo, user_hi),
    CHECK (user_lo < user_hi)
) WITHOUT ROWID;
CREATE INDEX contacts_by_hi ON contacts (user_hi);

CREATE TABLE blocks (
    blocker_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    blocked_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (blocker_id, blocked_id)
) WITHOUT ROWID;
CREATE INDEX blocks_by_blocked ON blocks (blocked_id);

-- Invite links to a group. The token is the secret; a link stops working when revoked, expired
-- or used `max_uses` times (the use is counted in the joining transaction, so a race cannot
-- overshoot the limit).
CREATE TABLE group_invites (
    token           TEXT PRIMARY KEY NOT NULL,
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    created_by      TEXT NOT NULL REFERENCES users (id),
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER,
    max_uses        INTEGER,
    uses            INTEGER NOT NULL DEFAULT 0,
    revoked_at      INTEGER
);
CREATE INDEX group_invites_by_conversation ON group_invites (conversation_id);

-- Pictures, voice notes and files (see migrations/sqlite/0011_attachments.sql for the design).
ALTER TABLE messages ADD COLUMN attachments TEXT;
ALTER TABLE messages ADD COLUMN attachment_names TEXT;

CREATE TABLE attachments (
    id          TEXT PRIMARY KEY NOT NULL,
    uploader_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('picture', 'voice', 'file')),
    name        TEXT NOT NULL,
    mime        TEXT NOT NULL,
    size        BIGINT NOT NULL,
    blob        TEXT NOT NULL,
    thumb_blob  TEXT,
    width       BIGINT,
    height      BIGINT,
    duration_ms BIGINT,
    placeholder TEXT,
    created_at  BIGINT NOT NULL,
    chat_id     TEXT,
    client_id   TEXT
);
CREATE INDEX attachments_by_message ON attachments (uploader_id, client_id);
CREATE INDEX attachments_by_blob ON attachments (blob);
CREATE INDEX attachments_by_thumb ON attachments (thumb_blob) WHERE thumb_blob IS NOT NULL;
CREATE INDEX attachments_by_age ON attachments (created_at);

-- Search matches a message's text and its files' names.
DROP INDEX messages_search;
ALTER TABLE messages DROP COLUMN search;
ALTER TABLE messages ADD COLUMN search tsvector GENERATED ALWAYS AS (
    CASE WHEN system IS NULL AND NOT deleted
        THEN to_tsvector('simple', search_fold(body || COALESCE(' ' || attachment_names, ''))) END
) STORED;
CREATE INDEX messages_search ON messages USING GIN (search);

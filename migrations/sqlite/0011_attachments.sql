-- Pictures, voice notes and files. The bytes are blobs in the blob store, named by their
-- SHA-256 (the same bytes are kept once); a row here is one upload. An upload is tied to the
-- message it goes out with by (uploader, client id), before the message is stored, so a resend
-- finds it tied and no other message can take it. The message keeps a copy of the attachments'
-- views (`attachments`, JSON) so history needs no join, and their names for search.
ALTER TABLE messages ADD COLUMN attachments TEXT;
ALTER TABLE messages ADD COLUMN attachment_names TEXT;

CREATE TABLE attachments (
    id          TEXT PRIMARY KEY NOT NULL,
    uploader_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        TEXT NOT NULL CHECK (kind IN ('picture', 'voice', 'file')),
    name        TEXT NOT NULL,
    mime        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    blob        TEXT NOT NULL,
    thumb_blob  TEXT,
    width       INTEGER,
    height      INTEGER,
    duration_ms INTEGER,
    placeholder TEXT,
    created_at  INTEGER NOT NULL,
    chat_id     TEXT,
    client_id   TEXT
) WITHOUT ROWID;
CREATE INDEX attachments_by_message ON attachments (uploader_id, client_id);
CREATE INDEX attachments_by_blob ON attachments (blob);
CREATE INDEX attachments_by_thumb ON attachments (thumb_blob) WHERE thumb_blob IS NOT NULL;
CREATE INDEX attachments_by_age ON attachments (created_at);

-- Search matches a message's text and its files' names: the index is given both, and an edit or
-- a delete must take out exactly what was put in.
DROP TRIGGER messages_fts_update;
CREATE TRIGGER messages_fts_update AFTER UPDATE OF body, deleted ON messages BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body)
        SELECT 'delete', old.n, old.body || COALESCE(' ' || old.attachment_names, '') WHERE old.system IS NULL AND old.deleted = 0;
    INSERT INTO messages_fts (rowid, body)
        SELECT new.n, new.body || COALESCE(' ' || new.attachment_names, '') WHERE new.system IS NULL AND new.deleted = 0;
END;
DROP TRIGGER messages_fts_delete;
CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
WHEN old.system IS NULL AND old.deleted = 0 BEGIN
    INSERT INTO messages_fts (messages_fts, rowid, body) VALUES ('delete', old.n, old.body || COALESCE(' ' || old.attachment_names, ''));
END;

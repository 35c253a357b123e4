-- When something a device already holds last changed, in milliseconds, so a device that
-- reconnects is sent exactly the changes it missed (new messages follow their sequence instead).

-- A message's last edit, deletion or reaction change.
ALTER TABLE messages ADD COLUMN changed_at INTEGER;
CREATE INDEX messages_by_change ON messages (conversation_id, changed_at) WHERE changed_at IS NOT NULL;

-- When a member's read or delivered mark last rose.
ALTER TABLE members ADD COLUMN marks_at INTEGER;

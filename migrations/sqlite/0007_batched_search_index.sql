-- New messages are added to the full-text index once per transaction, not by a trigger per row:
-- FTS5 writes out the terms it holds at the end of every statement that touches it, so a batch of
-- 500 sends was 500 small index segments to write and merge. Whoever inserts messages ends the
-- transaction with one INSERT … SELECT over the rows it added (`INDEX_NEW_MESSAGES` in the
-- store). Edits and deletes keep their triggers: they touch one row at a time anyway.
DROP TRIGGER messages_fts_insert;

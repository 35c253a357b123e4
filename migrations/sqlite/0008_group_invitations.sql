-- Invitations to a group for people who take messages from contacts only: adding such a person
-- (by someone who is not their contact) asks them first. An invitee is not a member: they read,
-- receive and count for nothing in the group until they accept. `declined` rows stay so the group
-- cannot invite the same person again and again; a join by any door removes the row.
CREATE TABLE group_invitations (
    conversation_id TEXT NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    user_id         TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    inviter_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    state           TEXT NOT NULL CHECK (state IN ('pending', 'declined')),
    created_at      INTEGER NOT NULL,
    PRIMARY KEY (conversation_id, user_id)
) WITHOUT ROWID;
-- The invitee's requests list; an inviter's pending invitations to one person.
CREATE INDEX group_invitations_by_user ON group_invitations (user_id, state);
CREATE INDEX group_invitations_by_inviter ON group_invitations (inviter_id, user_id);

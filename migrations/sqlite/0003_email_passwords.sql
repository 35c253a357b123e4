-- Email + password sign-in, for people who prefer it to phone codes. Both columns stay NULL for
-- phone-only accounts. `email` is lower-cased and set only once a code sent to it was entered.
-- SQLite cannot add a UNIQUE column, so a partial unique index decides duplicates instead.
ALTER TABLE users ADD COLUMN email TEXT;
ALTER TABLE users ADD COLUMN password_hash TEXT;   -- argon2id PHC string
CREATE UNIQUE INDEX users_email ON users (email) WHERE email IS NOT NULL;

//! HTTP-level tests against the real application on a free port over a fresh database (SQLite,
//! or PostgreSQL with `CONFAB_TEST_STORE=postgres`).
mod accounts;
mod attachments;
mod chats;
mod confirm;
mod delivery;
mod email;
mod sessions;
mod strangers;
mod foundation;
mod helpers;
mod hostile_accounts;
mod hostile_frames;
mod hostile_realtime;
mod hostile_text;
mod migrate_fixture;
mod migrate_readback;
mod migrate_to_postgres;
mod passkeys;
mod realtime;
mod realtime_delivery;
mod realtime_session;
mod rest_auth;
mod rest_contacts;
mod rest_group_invitations;
mod rest_groups;
mod rest_messages;

//! HTTP-level tests against the real application on a free port over a fresh SQLite file.
mod accounts;
mod foundation;
mod helpers;

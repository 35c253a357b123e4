//! The WebSocket protocol: typed frames shared by the server and the wasm client, JSON on the
//! wire (`{"type": "...", ...}`). `docs/protocol.md` documents each with an example.
use serde::{Deserialize, Serialize};

use crate::chats::types::{ChatSummary, MessageView, Presence, ReactionView};

/// Sent in the first frame both ways; a client speaking another version is told so and closed.
pub const PROTOCOL_VERSION: u32 = 1;
/// The largest text frame the server reads, in bytes.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;

/// Client → server.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ClientFrame {
    /// Must be the first frame. `cursors`: the last sequence the client has per chat; the server
    /// replays what came after, in order, then switches to live delivery. `since`: the server
    /// time (ms) the client's copy is as of — the previous `synced.at`, or when the page loaded
    /// its data; with it, the server also sends what changed since then in the chats of the
    /// cursors (edits, deletions, reactions, read and delivered marks).
    Hello {
        version: u32,
        cursors: Vec<Cursor>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<i64>,
    },
    Send { chat_id: String, client_id: String, body: String, reply_to: Option<String> },
    Typing { chat_id: String },
    /// Everything up to `seq` in the chat has been read.
    Read { chat_id: String, seq: i64 },
    Ping { nonce: u64 },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub chat_id: String,
    pub seq: i64,
}

/// Server → client.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ServerFrame {
    /// Answer to `hello`, before any replay.
    Welcome { version: u32, user_id: String },
    /// Replay for the `hello` cursors is complete; live events follow. `at`: the server time (ms)
    /// the replay started from — the `since` of the next `hello`.
    Synced {
        #[serde(default)]
        at: i64,
    },
    /// A new message (or a replayed one).
    Message { message: MessageView },
    /// A message of the client's was stored: its client id now has a server id and sequence.
    Ack { client_id: String, chat_id: String, id: String, seq: i64, created_at: i64 },
    /// A message was edited or deleted (the view carries the new state).
    MessageUpdated { message: MessageView },
    Reactions { chat_id: String, message_id: String, reactions: Vec<ReactionView> },
    Typing { chat_id: String, user_id: String, display_name: String },
    Presence { user_id: String, presence: Presence },
    /// `user_id` has read up to `seq` in the chat.
    Read { chat_id: String, user_id: String, seq: i64 },
    /// `user_id`'s device received messages up to `seq` (DM delivery receipts).
    Delivered { chat_id: String, user_id: String, seq: i64 },
    /// The chat's list row changed (new chat, rename, membership, unread count...).
    ChatUpdated { chat: ChatSummary },
    /// The viewer is no longer in the chat (left, removed, deleted group, blocked).
    ChatRemoved { chat_id: String },
    Pong { nonce: u64 },
    /// A refused or malformed frame. `client_id` is set when a send was refused.
    Error { code: String, message: String, client_id: Option<String> },
    /// The server is closing this connection; reconnect (after `retry_after_ms`) and resume.
    Reconnect { reason: String, retry_after_ms: u64 },
}

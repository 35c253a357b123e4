//! The WebSocket protocol: typed frames shared by the server and the wasm client, JSON on the
//! wire (`{"type": "...", ...}`). `docs/protocol.md` documents each with an example.
use serde::{Deserialize, Serialize};

use crate::calls::types::{CallEnd, CallSignal, CallView};
use crate::chats::types::{ChatSummary, MessageView, Presence, ReactionView};
use crate::strangers::types::{StrangerMessage, StrangerView};

/// Sent in the first frame both ways; a client speaking another version is told so and closed.
pub const PROTOCOL_VERSION: u32 = 1;
/// The largest text frame the server reads, in bytes.
pub const MAX_FRAME_BYTES: usize = 64 * 1024;

/// Typing indicators. The server broadcasts at most one `typing` per chat per user (all devices
/// together) in each `BROADCAST_EVERY_MS`; a client sends a little less often, so clock jitter
/// does not get its frames dropped, and shows an indicator for `SHOWN_MS` after the last one.
pub mod typing {
    pub const BROADCAST_EVERY_MS: u64 = 2000;
    pub const SEND_EVERY_MS: u64 = BROADCAST_EVERY_MS + BROADCAST_EVERY_MS / 4;
    pub const SHOWN_MS: u64 = 5000;
}

/// Close codes (RFC 6455 §7.4; 4000–4999 are ours). `docs/protocol.md` says what a client does
/// on each.
pub mod close {
    /// Normal closure.
    pub const NORMAL: u16 = 1000;
    /// The server is going away, or asked the client to reconnect (`reconnect` frame).
    pub const GOING_AWAY: u16 = 1001;
    /// A protocol rule was broken (no `hello` first, flooding).
    pub const POLICY: u16 = 1008;
    /// A frame above the hard size limit.
    pub const TOO_BIG: u16 = 1009;
    /// The client speaks another protocol version.
    pub const VERSION: u16 = 4000;
    /// Nothing heard for the idle timeout.
    pub const IDLE: u16 = 4001;
    /// The client fell behind and was cut off; reconnect and resume.
    pub const SLOW: u16 = 4002;
    /// The session was signed out or the access token expired (an `error` frame says which).
    pub const SIGNED_OUT: u16 = 4003;
    /// The replay after `hello` reached its limit of messages or time (a `reconnect` frame
    /// `replay_limit` comes first); reconnect and resume from the cursors it advanced.
    pub const REPLAY_LIMIT: u16 = 4004;
}

/// Why a client frame was not read: `code` is the `error` frame's code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrameError {
    pub code: &'static str,
    pub message: String,
}

/// Reads one text frame from a client: at most `MAX_FRAME_BYTES`, then JSON of a known type with
/// fields of the right types. Never echoes more than a little of the input back.
pub fn read_client_frame(text: &str) -> Result<ClientFrame, FrameError> {
    if text.len() > MAX_FRAME_BYTES {
        return Err(FrameError { code: "frame_too_large", message: format!("A frame may have at most {MAX_FRAME_BYTES} bytes") });
    }
    serde_json::from_str(text).map_err(|e| {
        let reason: String = e.to_string().chars().take(200).collect();
        FrameError { code: "bad_frame", message: format!("Unreadable frame: {reason}") }
    })
}

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
    Send {
        chat_id: String,
        client_id: String,
        body: String,
        reply_to: Option<String>,
        /// Ids of uploaded attachments (`POST /api/attachments`) sent with it; `body` is then
        /// their caption and may be empty.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        attachments: Vec<String>,
    },
    Typing { chat_id: String },
    /// Everything up to `seq` in the chat has been read.
    Read { chat_id: String, seq: i64 },
    Ping { nonce: u64 },
    /// Calls the other person of a direct chat; this device is the caller's in the call.
    CallInvite { chat_id: String, video: bool },
    /// Answers on this device (`video`: with the camera on).
    CallAccept { call_id: String, video: bool },
    CallDecline { call_id: String },
    /// Ends the call: hangs up, or gives up calling.
    CallHangup { call_id: String },
    /// To the other device in the call, once answered.
    CallSignal { call_id: String, signal: CallSignal },
    /// This side's microphone and camera, shown to the other.
    CallMedia { call_id: String, muted: bool, camera: bool },
    /// After a reconnect: this new socket takes the place of the one that was in the call.
    CallRejoin { call_id: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub chat_id: String,
    pub seq: i64,
}

/// Declares `ServerFrame` as written and adds `ServerFrame::from_json`, which reads the same JSON
/// as its derived `Deserialize` in two passes over the text: the `type` tag, then the variant's
/// fields as a plain struct (the tag is an ignored unknown key there). The derive, as for every
/// internally tagged enum, buffers the whole frame into serde's `Content` first, which in the
/// wasm means a second copy of the deserialisation code of every type a frame can carry.
macro_rules! server_frames {
    (
        $(#[$emeta:meta])*
        pub enum ServerFrame {
            $(
                $(#[$vmeta:meta])*
                $variant:ident { $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)? }
            ),* $(,)?
        }
    ) => {
        $(#[$emeta])*
        pub enum ServerFrame {
            $( $(#[$vmeta])* $variant { $( $(#[$fmeta])* $field: $ty ),* } ),*
        }

        impl ServerFrame {
            /// Reads a frame (a JSON object with its `type` tag and the variant's fields) as
            /// `serde_json::from_str::<ServerFrame>` does, without buffering it.
            pub fn from_json(text: &str) -> serde_json::Result<Self> {
                #[derive(Deserialize)]
                #[serde(rename_all = "snake_case")]
                enum Tag { $( $(#[$vmeta])* $variant ),* }

                #[derive(Deserialize)]
                struct Head {
                    #[serde(rename = "type")]
                    tag: Tag,
                }

                // One module per variant, so that a variant named like a field's type (`Presence`)
                // does not shadow it.
                mod body {
                    $(
                        #[allow(non_snake_case)]
                        pub(super) mod $variant {
                            use super::super::*;

                            #[derive(Deserialize)]
                            pub(in super::super) struct Body { $( $(#[$fmeta])* pub(in super::super) $field: $ty ),* }
                        }
                    )*
                }

                Ok(match serde_json::from_str::<Head>(text)?.tag {
                    $( Tag::$variant => {
                        let body::$variant::Body { $($field),* } = serde_json::from_str(text)?;
                        Self::$variant { $($field),* }
                    } )*
                })
            }
        }
    };
}

server_frames! {
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
    /// The viewer's stranger chat changed: matched, ended, an offer to stay in touch. The whole
    /// view, as `GET /api/strangers` gives it.
    Stranger { view: StrangerView },
    /// A message in the viewer's stranger chat (their own copies carry `client_id`).
    StrangerMessage { chat_id: String, message: StrangerMessage },
    /// The stranger is typing.
    StrangerTyping { chat_id: String },
    /// A call was placed, rings, or was answered: the whole view, from the viewer's side.
    Call { call: CallView },
    CallEnded { call_id: String, reason: CallEnd },
    /// From the other device in the call.
    CallSignal { call_id: String, signal: CallSignal },
    /// The other side's microphone and camera.
    CallMedia { call_id: String, muted: bool, camera: bool },
}
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chats::types::{ChatKind, LastMessage, PersonView, RequestState};

    fn frames() -> Vec<ServerFrame> {
        let message = MessageView::sample("c1", 3, "ada", "hi");
        let chat = ChatSummary {
            id: "c1".into(),
            kind: ChatKind::Direct,
            title: "Ada".into(),
            peer: Some(PersonView { user_id: "7KQ4-M2XD".into(), username: "ada".into(), display_name: "Ada".into() }),
            peer_online: true,
            last_message: Some(LastMessage {
                id: "m3".into(),
                seq: 3,
                sender: None,
                sender_is_me: false,
                excerpt: "hi".into(),
                created_at: 5,
            }),
            unread: 1,
            muted: false,
            request: RequestState::None,
            updated_at: 5,
            invited_by: None,
        };
        vec![
            ServerFrame::Welcome { version: PROTOCOL_VERSION, user_id: "u".into() },
            ServerFrame::Synced { at: 42 },
            ServerFrame::Message { message: message.clone() },
            ServerFrame::Ack { client_id: "k".into(), chat_id: "c1".into(), id: "m3".into(), seq: 3, created_at: 5 },
            ServerFrame::MessageUpdated { message },
            ServerFrame::Reactions {
                chat_id: "c1".into(),
                message_id: "m3".into(),
                reactions: vec![ReactionView { emoji: "👍".into(), count: 1, by: vec!["Ada".into()], mine: false }],
            },
            ServerFrame::Typing { chat_id: "c1".into(), user_id: "u".into(), display_name: "Ada".into() },
            ServerFrame::Presence { user_id: "u".into(), presence: Presence::LastSeen { at: 7 } },
            ServerFrame::Read { chat_id: "c1".into(), user_id: "u".into(), seq: 3 },
            ServerFrame::Delivered { chat_id: "c1".into(), user_id: "u".into(), seq: 3 },
            ServerFrame::ChatUpdated { chat },
            ServerFrame::ChatRemoved { chat_id: "c1".into() },
            ServerFrame::Pong { nonce: 9 },
            ServerFrame::Error { code: "c".into(), message: "m".into(), client_id: None },
            ServerFrame::Reconnect { reason: "r".into(), retry_after_ms: 100 },
            ServerFrame::Stranger { view: crate::strangers::types::StrangerView::default() },
            ServerFrame::StrangerMessage {
                chat_id: "s1".into(),
                message: StrangerMessage { seq: 1, mine: true, body: "hi".into(), created_at: 5, client_id: Some("k".into()) },
            },
            ServerFrame::StrangerTyping { chat_id: "s1".into() },
            ServerFrame::Call {
                call: CallView {
                    id: "k1".into(),
                    chat_id: "c1".into(),
                    peer: PersonView { user_id: "7KQ4-M2XD".into(), username: "ada".into(), display_name: "Ada".into() },
                    outgoing: false,
                    video: true,
                    state: crate::calls::types::CallState::Ringing,
                    answered_at: None,
                    ice_servers: vec![crate::calls::types::IceServer {
                        urls: vec!["turn:127.0.0.1:3478".into()],
                        username: Some("1700000000:u".into()),
                        credential: Some("x".into()),
                    }],
                },
            },
            ServerFrame::CallEnded { call_id: "k1".into(), reason: CallEnd::Declined },
            ServerFrame::CallSignal { call_id: "k1".into(), signal: CallSignal::Offer { sdp: "v=0".into() } },
            ServerFrame::CallSignal {
                call_id: "k1".into(),
                signal: CallSignal::Candidate { candidate: "candidate:1".into(), sdp_mid: Some("0".into()), sdp_m_line_index: Some(0) },
            },
            ServerFrame::CallMedia { call_id: "k1".into(), muted: true, camera: false },
        ]
    }

    #[test]
    fn from_json_reads_what_the_derive_reads() {
        for frame in frames() {
            let text = serde_json::to_string(&frame).unwrap();
            assert_eq!(ServerFrame::from_json(&text).unwrap(), frame, "{text}");
        }
        // The tag need not come first; defaults and unknown keys behave as with the derive.
        for text in [
            r#"{"user_id":"u","version":1,"type":"welcome"}"#,
            r#"{"type":"synced"}"#,
            r#"{"type":"pong","nonce":1,"extra":[1,{"a":null}]}"#,
        ] {
            let derived: ServerFrame = serde_json::from_str(text).unwrap();
            assert_eq!(ServerFrame::from_json(text).unwrap(), derived, "{text}");
        }
        for text in [r#"{"type":"nope"}"#, r#"{"nonce":1}"#, r#"{"type":"pong"}"#, r#"{"type":"pong","nonce":"x"}"#, "[]"] {
            assert!(serde_json::from_str::<ServerFrame>(text).is_err(), "{text}");
            assert!(ServerFrame::from_json(text).is_err(), "{text}");
        }
    }
}

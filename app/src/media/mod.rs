//! Pictures, voice notes and files sent in chats. An attachment is uploaded first (its bytes
//! streamed to `POST /api/attachments`, answered with its `AttachmentView`), then named by id in
//! a `send`; from then on it belongs to that message and only the chat's members can fetch it.
pub mod types;

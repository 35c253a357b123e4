//! Voice and video calls between the two people of a direct chat: what the socket carries and
//! how a call's record in the conversation reads. The server signals; media goes between the
//! browsers (WebRTC), through a TURN relay when their networks need one.
pub mod types;

//! Live delivery over one WebSocket per device: the frames both ends speak.
pub mod client;
pub mod protocol;

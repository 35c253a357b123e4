//! Voice notes in a conversation: recording one (`recorder`) and playing one back (`player`).
mod bars;
mod capture;
mod icons;
mod logic;
mod player;
mod recorder;
#[cfg(feature = "hydrate")]
mod registry;
mod seek_bar;

pub use player::VoicePlayer;
pub use recorder::{RecordedVoice, VoiceRecorder};

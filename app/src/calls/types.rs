//! Calls as the socket carries them (`call…` frames) and as a conversation records them.
use serde::{Deserialize, Serialize};

use crate::chats::types::PersonView;

/// Where a call stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallState {
    /// The callee has no device connected: the caller waits while it may still ring.
    Calling,
    /// The callee's devices ring; the caller hears ringback.
    Ringing,
    /// Answered: the two devices connect and talk.
    Active,
}

/// One call as one of its two people sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CallView {
    pub id: String,
    pub chat_id: String,
    /// The other person.
    pub peer: PersonView,
    /// Whether the viewer placed it.
    pub outgoing: bool,
    /// Asked for as a video call (each side still turns its own camera on or off).
    pub video: bool,
    pub state: CallState,
    /// Server time (ms) it was answered.
    pub answered_at: Option<i64>,
    /// STUN and TURN servers to connect through; TURN credentials expire (`ice`).
    pub ice_servers: Vec<IceServer>,
}

/// An entry of `RTCConfiguration.iceServers`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IceServer {
    pub urls: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential: Option<String>,
}

/// Why a call ended, as both sides are told.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallEnd {
    /// One of them hung up after answering.
    HungUp,
    /// The callee declined.
    Declined,
    /// The caller gave up before an answer.
    Cancelled,
    /// Nobody answered in time.
    Missed,
    /// The callee was already in a call.
    Busy,
    /// Told to the callee's other devices: one of them answered.
    AnsweredElsewhere,
    /// A device in the call went away and did not come back in time.
    ConnectionLost,
}

/// What the two devices exchange to connect, relayed unread: the session descriptions and ICE
/// candidates of WebRTC. A new offer during a call is an ICE restart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CallSignal {
    Offer { sdp: String },
    Answer { sdp: String },
    Candidate {
        candidate: String,
        #[serde(default)]
        sdp_mid: Option<String>,
        #[serde(default)]
        sdp_m_line_index: Option<u16>,
    },
}

/// The largest session description relayed (a video offer is 5–10 KB).
pub const MAX_SDP_BYTES: usize = 32 * 1024;
/// The largest ICE candidate line relayed.
pub const MAX_CANDIDATE_BYTES: usize = 1024;

impl CallSignal {
    /// Whether it is within the sizes relayed.
    pub fn fits(&self) -> bool {
        match self {
            CallSignal::Offer { sdp } | CallSignal::Answer { sdp } => !sdp.is_empty() && sdp.len() <= MAX_SDP_BYTES,
            CallSignal::Candidate { candidate, sdp_mid, .. } => {
                candidate.len() <= MAX_CANDIDATE_BYTES && sdp_mid.as_ref().is_none_or(|m| m.len() <= 64)
            }
        }
    }
}

/// How a call went, as its record in the conversation says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CallOutcome {
    /// Answered; the record has its length.
    Answered,
    /// Not answered: no answer in time, cancelled, the callee busy, or the connection lost.
    Missed,
    Declined,
}

/// A call's record in words. `caller_is_me`: `None` where nobody's side is known (the chat
/// list's preview), which reads as the callee's.
pub fn call_text(video: bool, outcome: CallOutcome, seconds: Option<u32>, caller_is_me: Option<bool>) -> String {
    let kind = if video { "video call" } else { "voice call" };
    let mut capital = kind.to_owned();
    capital[..1].make_ascii_uppercase();
    match (outcome, caller_is_me.unwrap_or(false)) {
        (CallOutcome::Answered, _) => format!("{capital} · {}", duration(seconds.unwrap_or(0))),
        (CallOutcome::Missed, false) => format!("Missed {kind}"),
        (CallOutcome::Missed, true) => format!("{capital} · No answer"),
        (CallOutcome::Declined, false) => format!("Declined {kind}"),
        (CallOutcome::Declined, true) => format!("{capital} · Declined"),
    }
}

/// `3:21`, or `1:02:03` from an hour.
pub fn duration(seconds: u32) -> String {
    let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
    if h > 0 { format!("{h}:{m:02}:{s:02}") } else { format!("{m}:{s:02}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_read_from_each_side() {
        assert_eq!(call_text(true, CallOutcome::Answered, Some(201), Some(true)), "Video call · 3:21");
        assert_eq!(call_text(false, CallOutcome::Answered, Some(3723), None), "Voice call · 1:02:03");
        assert_eq!(call_text(false, CallOutcome::Missed, None, Some(false)), "Missed voice call");
        assert_eq!(call_text(false, CallOutcome::Missed, None, Some(true)), "Voice call · No answer");
        assert_eq!(call_text(true, CallOutcome::Declined, None, None), "Declined video call");
        assert_eq!(call_text(true, CallOutcome::Declined, None, Some(true)), "Video call · Declined");
        assert_eq!(duration(5), "0:05");
    }

    #[test]
    fn signals_are_bounded() {
        assert!(CallSignal::Offer { sdp: "v=0".into() }.fits());
        assert!(!CallSignal::Offer { sdp: String::new() }.fits());
        assert!(!CallSignal::Answer { sdp: "a".repeat(MAX_SDP_BYTES + 1) }.fits());
        let candidate = |c: &str, mid: &str| CallSignal::Candidate { candidate: c.into(), sdp_mid: Some(mid.into()), sdp_m_line_index: Some(0) };
        assert!(candidate("candidate:1 1 udp 1 127.0.0.1 5000 typ host", "0").fits());
        assert!(!candidate(&"c".repeat(MAX_CANDIDATE_BYTES + 1), "0").fits());
        assert!(!candidate("c", &"m".repeat(65)).fits());
        // An empty candidate ends the candidates of a generation, as the browser sends it.
        assert!(candidate("", "0").fits());
    }
}

//! A call as the page shows it, moved along by the person's taps and the server's frames. Pure,
//! so the rules are tested without a browser; `rtc` makes the media follow what it says.
use crate::calls::types::{CallEnd, CallState, CallView, IceServer};
use crate::realtime::protocol::ServerFrame;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Asked the server to call; no answer yet.
    Placing,
    /// Outgoing, the callee has no device connected yet.
    Calling,
    /// Outgoing, the callee's devices ring.
    Ringing,
    /// Incoming, not answered yet.
    Incoming,
    /// Answered; the media connection is being set up.
    Connecting,
    Connected,
    /// The media connection dropped; it is being restored.
    Reconnecting,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub chat_id: String,
    pub call_id: Option<String>,
    pub peer_name: String,
    pub video: bool,
    pub outgoing: bool,
    pub phase: Phase,
    pub muted: bool,
    pub camera: bool,
    pub peer_muted: bool,
    pub peer_camera: bool,
    /// When media first flowed (page clock, ms): the duration counts from here.
    pub connected_at: Option<f64>,
    pub ice_servers: Vec<IceServer>,
    /// A desktop call shrunk to a corner, to keep chatting.
    pub minimized: bool,
}

/// What the page must do after a frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    Nothing,
    /// Open the microphone (and camera) and the peer connection.
    StartMedia,
    /// The call was answered: the caller makes the offer.
    MakeOffer,
    /// Relay this to the media connection.
    Signal(crate::calls::types::CallSignal),
    /// The call is over: stop everything and show this sentence for a moment.
    End(String),
}

impl Session {
    pub fn placing(chat_id: &str, peer_name: &str, video: bool) -> Self {
        Self {
            chat_id: chat_id.to_owned(),
            call_id: None,
            peer_name: peer_name.to_owned(),
            video,
            outgoing: true,
            phase: Phase::Placing,
            muted: false,
            camera: video,
            peer_muted: false,
            peer_camera: video,
            connected_at: None,
            ice_servers: Vec::new(),
            minimized: false,
        }
    }

    fn incoming(call: &CallView) -> Self {
        Self {
            call_id: Some(call.id.clone()),
            outgoing: false,
            phase: Phase::Incoming,
            ice_servers: call.ice_servers.clone(),
            ..Self::placing(&call.chat_id, &call.peer.display_name, call.video)
        }
    }

    /// Whether a call frame is about this session.
    fn is(&self, call_id: &str) -> bool {
        self.call_id.as_deref() == Some(call_id)
    }

    /// Whether the person is in the call (answered), not just ringing.
    pub fn answered(&self) -> bool {
        matches!(self.phase, Phase::Connecting | Phase::Connected | Phase::Reconnecting)
    }
}

/// Error codes that answer a `call_invite`.
const REFUSALS: [&str; 10] =
    ["busy", "calls_off", "already_in_call", "blocked", "cannot_call", "call_not_allowed", "group_call", "not_found", "rate_limited", "no_such_call"];

/// Moves the session along for a frame from the server.
pub fn on_frame(session: &mut Option<Session>, frame: &ServerFrame) -> Step {
    match frame {
        ServerFrame::Call { call } => on_view(session, call),
        ServerFrame::CallEnded { call_id, reason } => match session {
            Some(s) if s.is(call_id) => {
                let text = ended_text(*reason, s.outgoing, &s.peer_name);
                *session = None;
                Step::End(text)
            }
            _ => Step::Nothing,
        },
        ServerFrame::CallSignal { call_id, signal } => match session {
            Some(s) if s.is(call_id) && s.answered() => Step::Signal(signal.clone()),
            _ => Step::Nothing,
        },
        ServerFrame::CallMedia { call_id, muted, camera } => {
            if let Some(s) = session.as_mut().filter(|s| s.is(call_id)) {
                s.peer_muted = *muted;
                s.peer_camera = *camera;
            }
            Step::Nothing
        }
        // A refused invite, or a rejoin after the call ended meanwhile.
        ServerFrame::Error { code, message, client_id: None } if REFUSALS.contains(&code.as_str()) => match session {
            Some(s) if s.phase == Phase::Placing || code == "no_such_call" => {
                *session = None;
                Step::End(message.clone())
            }
            _ => Step::Nothing,
        },
        _ => Step::Nothing,
    }
}

fn on_view(session: &mut Option<Session>, call: &CallView) -> Step {
    match session {
        // Another device rings while this one is in a call: the server answers for it.
        None if !call.outgoing && call.state == CallState::Ringing => {
            *session = Some(Session::incoming(call));
            Step::Nothing
        }
        Some(s) if call.outgoing && s.outgoing && s.phase == Phase::Placing && s.chat_id == call.chat_id => {
            s.call_id = Some(call.id.clone());
            s.ice_servers = call.ice_servers.clone();
            s.phase = if call.state == CallState::Calling { Phase::Calling } else { Phase::Ringing };
            Step::StartMedia
        }
        Some(s) if s.is(&call.id) => match (call.state, s.phase) {
            (CallState::Active, Phase::Calling | Phase::Ringing) => {
                s.phase = Phase::Connecting;
                Step::MakeOffer
            }
            (CallState::Active, Phase::Incoming) => {
                s.phase = Phase::Connecting;
                s.ice_servers = call.ice_servers.clone();
                Step::StartMedia
            }
            (CallState::Calling | CallState::Ringing, Phase::Calling | Phase::Ringing) => {
                s.phase = if call.state == CallState::Calling { Phase::Calling } else { Phase::Ringing };
                Step::Nothing
            }
            _ => Step::Nothing,
        },
        _ => Step::Nothing,
    }
}

/// The sentence shown when a call ends.
pub fn ended_text(reason: CallEnd, outgoing: bool, peer: &str) -> String {
    match (reason, outgoing) {
        (CallEnd::Declined, true) => format!("{peer} declined the call"),
        (CallEnd::Declined, false) => "Call declined".into(),
        (CallEnd::Missed, true) => "No answer".into(),
        (CallEnd::Missed, false) | (CallEnd::Cancelled, _) => format!("Missed call from {peer}"),
        (CallEnd::Busy, _) => format!("{peer} is on another call"),
        (CallEnd::AnsweredElsewhere, _) => "Answered on another device".into(),
        (CallEnd::ConnectionLost, _) => "Call ended: the connection was lost".into(),
        (CallEnd::HungUp, _) => "Call ended".into(),
    }
}

/// What the call screen says under the name.
pub fn status_text(session: &Session, now_ms: f64) -> String {
    match session.phase {
        Phase::Placing | Phase::Calling => "Calling…".into(),
        Phase::Ringing => "Ringing…".into(),
        Phase::Incoming if session.video => "Incoming video call".into(),
        Phase::Incoming => "Incoming voice call".into(),
        Phase::Connecting => "Connecting…".into(),
        Phase::Reconnecting => "Reconnecting…".into(),
        Phase::Connected => {
            let seconds = session.connected_at.map_or(0.0, |at| ((now_ms - at) / 1000.0).max(0.0));
            crate::calls::types::duration(seconds as u32)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calls::types::CallSignal;
    use crate::chats::types::PersonView;

    fn view(id: &str, outgoing: bool, state: CallState) -> CallView {
        CallView {
            id: id.into(),
            chat_id: "c1".into(),
            peer: PersonView { user_id: "AAAA-AAAA".into(), username: "bob".into(), display_name: "Bob".into() },
            outgoing,
            video: true,
            state,
            answered_at: None,
            ice_servers: vec![],
        }
    }

    #[test]
    fn an_outgoing_call_rings_then_offers_when_answered_then_ends() {
        let mut session = Some(Session::placing("c1", "Bob", true));
        assert_eq!(on_frame(&mut session, &ServerFrame::Call { call: view("k", true, CallState::Ringing) }), Step::StartMedia);
        assert_eq!(session.as_ref().unwrap().phase, Phase::Ringing);
        assert_eq!(status_text(session.as_ref().unwrap(), 0.0), "Ringing…");
        // Signals before the answer are not this device's business.
        let offer = ServerFrame::CallSignal { call_id: "k".into(), signal: CallSignal::Offer { sdp: "v=0".into() } };
        assert_eq!(on_frame(&mut session, &offer), Step::Nothing);
        assert_eq!(on_frame(&mut session, &ServerFrame::Call { call: view("k", true, CallState::Active) }), Step::MakeOffer);
        assert!(matches!(on_frame(&mut session, &offer), Step::Signal(_)));
        let media = ServerFrame::CallMedia { call_id: "k".into(), muted: true, camera: false };
        on_frame(&mut session, &media);
        assert!(session.as_ref().unwrap().peer_muted);
        let mut s = session.clone().unwrap();
        s.phase = Phase::Connected;
        s.connected_at = Some(1000.0);
        assert_eq!(status_text(&s, 66_000.0), "1:05");
        let other = ServerFrame::CallEnded { call_id: "other".into(), reason: CallEnd::HungUp };
        assert_eq!(on_frame(&mut session, &other), Step::Nothing);
        let ended = ServerFrame::CallEnded { call_id: "k".into(), reason: CallEnd::Declined };
        assert_eq!(on_frame(&mut session, &ended), Step::End("Bob declined the call".into()));
        assert!(session.is_none());
    }

    #[test]
    fn an_incoming_call_rings_until_answered_here_or_elsewhere() {
        let mut session = None;
        on_frame(&mut session, &ServerFrame::Call { call: view("k", false, CallState::Ringing) });
        assert_eq!(session.as_ref().unwrap().phase, Phase::Incoming);
        assert_eq!(status_text(session.as_ref().unwrap(), 0.0), "Incoming video call");
        // A second ringing call while this one rings does not replace it.
        on_frame(&mut session, &ServerFrame::Call { call: view("k2", false, CallState::Ringing) });
        assert_eq!(session.as_ref().unwrap().call_id.as_deref(), Some("k"));
        assert_eq!(on_frame(&mut session, &ServerFrame::Call { call: view("k", false, CallState::Active) }), Step::StartMedia);
        assert!(session.as_ref().unwrap().answered());

        let mut elsewhere = None;
        on_frame(&mut elsewhere, &ServerFrame::Call { call: view("k", false, CallState::Ringing) });
        let frame = ServerFrame::CallEnded { call_id: "k".into(), reason: CallEnd::AnsweredElsewhere };
        assert_eq!(on_frame(&mut elsewhere, &frame), Step::End("Answered on another device".into()));
    }

    #[test]
    fn a_refused_invite_ends_with_the_servers_words() {
        let mut session = Some(Session::placing("c1", "Bob", false));
        let refusal = ServerFrame::Error { code: "busy".into(), message: "Bob is on another call".into(), client_id: None };
        assert_eq!(on_frame(&mut session, &refusal), Step::End("Bob is on another call".into()));
        // A send's refusal (it names its client id) or another error leaves a call alone.
        let mut session = Some(Session::placing("c1", "Bob", false));
        let send = ServerFrame::Error { code: "blocked".into(), message: "m".into(), client_id: Some("x".into()) };
        assert_eq!(on_frame(&mut session, &send), Step::Nothing);
        let other = ServerFrame::Error { code: "bad_frame".into(), message: "m".into(), client_id: None };
        assert_eq!(on_frame(&mut session, &other), Step::Nothing);
        assert!(session.is_some());
    }

    #[test]
    fn endings_read_from_each_side() {
        assert_eq!(ended_text(CallEnd::Missed, true, "Bob"), "No answer");
        assert_eq!(ended_text(CallEnd::Cancelled, false, "Ada"), "Missed call from Ada");
        assert_eq!(ended_text(CallEnd::Busy, true, "Bob"), "Bob is on another call");
    }
}

//! Voice and video calls between the two people of a direct chat. The server signals: it rings
//! the callee's devices, relays the WebRTC offer, answer and ICE candidates between the two
//! devices in the call, and records how each call went as a system message in the chat. Media
//! goes between the browsers, or through the TURN relay (`ice`).
//!
//! Each socket is a device with a key of its own. The caller's device is in the call from the
//! invite, the callee's from the answer; after that, signals go only between those two. A call
//! device whose socket closes has `rejoin_ms` to come back on a new socket (`rejoin`), else the
//! call ends. Calls live in this process's memory behind one lock: knowing who is in a call is
//! what lets "busy" work, and the sweeper ends calls nobody answered or whose device left.
mod ice;
#[cfg(test)]
mod tests;

pub use ice::{CREDENTIAL_SECS, IceConfig, parse_urls, turn_password};

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use rand::Rng;

use crate::backend::{
    accounts::rate_limit::RateLimiter,
    chats::{CallPeer, ChatsService},
    clock::{Clock, SystemClock},
    hub::{DeviceFilter, Hub, HubEvent, Payload},
};
use crate::calls::types::{CallEnd, CallOutcome, CallSignal, CallState, CallView};
use crate::chats::types::PersonView;
use crate::error::AppError;
use crate::ids::{ChatId, UserId};
use crate::realtime::protocol::ServerFrame;

#[derive(Debug, Clone)]
pub struct CallConfig {
    /// Unanswered this long, a call ends as missed (`CONFAB_CALL_RING_SECONDS`).
    pub ring_ms: i64,
    /// How long a device in a call may be without its socket before the call ends.
    pub rejoin_ms: i64,
    pub ice: IceConfig,
    /// Calls one person may place per minute.
    pub invites_per_minute: usize,
    /// Signals (descriptions, candidates, mute changes) one person may send per minute.
    pub signals_per_minute: usize,
}

impl Default for CallConfig {
    fn default() -> Self {
        Self {
            ring_ms: 45_000,
            rejoin_ms: 10_000,
            ice: IceConfig { credential_secs: CREDENTIAL_SECS, ..IceConfig::default() },
            invites_per_minute: 10,
            signals_per_minute: 600,
        }
    }
}

type R<T> = Result<T, AppError>;

pub struct CallService {
    chats: Arc<ChatsService>,
    hub: Hub,
    state: Mutex<State>,
    limits: RateLimiter,
    config: CallConfig,
    clock: Arc<dyn Clock>,
}

#[derive(Default)]
struct State {
    calls: HashMap<String, Call>,
    /// Who is in which call (caller and callee alike, ringing or answered).
    in_call: HashMap<String, String>,
}

struct Call {
    id: String,
    chat_id: String,
    video: bool,
    caller: Party,
    callee: Party,
    started_ms: i64,
    answered_ms: Option<i64>,
}

struct Party {
    user: String,
    person: PersonView,
    /// The device in the call: the caller's from the start, the callee's once answered.
    device: Option<Arc<str>>,
    /// When that device's socket closed, while it has not rejoined.
    away_since: Option<i64>,
}

/// Who a frame goes to.
enum To {
    User(String),
    Device(String, Arc<str>),
    OtherDevices(String, Arc<str>),
}

/// A call that ended: told to both, then recorded in its chat.
struct Ended {
    chat_id: String,
    by: PersonView,
    video: bool,
    outcome: CallOutcome,
    seconds: Option<u32>,
}

/// What to do once the lock is released.
#[derive(Default)]
struct Effects {
    frames: Vec<(To, ServerFrame)>,
    ended: Vec<Ended>,
}

fn no_such_call() -> AppError {
    AppError::invalid_with_code("no_such_call", "call_id", "That call has ended")
}

impl CallService {
    pub fn new(chats: Arc<ChatsService>, hub: Hub, config: CallConfig) -> Self {
        Self { chats, hub, state: Mutex::default(), limits: RateLimiter::default(), config, clock: Arc::new(SystemClock) }
    }

    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    pub fn config(&self) -> &CallConfig {
        &self.config
    }

    /// Runs `sweep` every second until the process ends.
    pub fn spawn_sweeper(self: &Arc<Self>) {
        crate::backend::sweeper::every_second(self, |service| async move { service.sweep().await });
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// `me` calls from `chat_id` on `device`. The callee's devices ring; if the callee turned
    /// calls off in this chat (`calls_off`) or is in another call (`busy`), nothing rings, the
    /// caller is told so, and the callee finds a missed call in the chat.
    pub async fn invite(&self, me: &UserId, device: &str, chat_id: &ChatId, video: bool) -> R<CallView> {
        self.limits
            .hit(&format!("call:{me}"), self.config.invites_per_minute, 60, self.clock.now())
            .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
        let CallPeer { id: peer, person: peer_person, caller: me_person, calls_off } = self.chats.call_peer(me, chat_id).await?;
        let peer_online = self.hub.is_online(peer.as_str()).await;
        let now = self.clock.now_ms();
        let mut effects = Effects::default();
        let result = {
            let mut state = self.lock();
            if state.in_call.contains_key(me.as_str()) {
                return Err(AppError::invalid_with_code("already_in_call", "chat_id", "You are already in a call"));
            }
            let id = call_id();
            let call = Call {
                id: id.clone(),
                chat_id: chat_id.as_str().to_owned(),
                video,
                caller: Party { user: me.as_str().to_owned(), person: me_person, device: Some(Arc::from(device)), away_since: None },
                callee: Party { user: peer.as_str().to_owned(), person: peer_person, device: None, away_since: None },
                started_ms: now,
                answered_ms: None,
            };
            // Calls off first: it holds whether or not they are in a call, and tells nothing of that.
            let name = &call.callee.person.display_name;
            let refused = if calls_off {
                Some(("calls_off", format!("{name} isn’t taking calls in this chat")))
            } else if state.in_call.contains_key(peer.as_str()) {
                Some(("busy", format!("{name} is on another call")))
            } else {
                None
            };
            if let Some((code, message)) = refused {
                // The callee finds a missed call in the chat either way.
                effects.ended.push(Ended { chat_id: call.chat_id, by: call.caller.person, video, outcome: CallOutcome::Missed, seconds: None });
                Err(AppError::invalid_with_code(code, "chat_id", message))
            } else {
                let ringing = if peer_online { CallState::Ringing } else { CallState::Calling };
                let view = self.view(&call, true, ringing);
                effects.frames.push((To::User(call.callee.user.clone()), ServerFrame::Call { call: self.view(&call, false, CallState::Ringing) }));
                state.in_call.insert(call.caller.user.clone(), id.clone());
                state.in_call.insert(call.callee.user.clone(), id.clone());
                state.calls.insert(id, call);
                Ok(view)
            }
        };
        self.apply(effects).await;
        result
    }

    /// The callee answers on `device`, with or without their camera: the caller's device and
    /// this one connect, and the callee's other devices stop ringing.
    pub async fn accept(&self, me: &UserId, device: &str, call_id: &str, video: bool) -> R<CallView> {
        let now = self.clock.now_ms();
        let mut effects = Effects::default();
        let view = {
            let mut state = self.lock();
            let call = state.calls.get_mut(call_id).filter(|c| c.callee.user == me.as_str()).ok_or_else(no_such_call)?;
            if call.answered_ms.is_some() {
                return Err(AppError::invalid_with_code("call_answered", "call_id", "This call was already answered"));
            }
            let device: Arc<str> = Arc::from(device);
            call.answered_ms = Some(now);
            call.callee.device = Some(device.clone());
            let caller_device = call.caller.device.clone();
            if let Some(caller_device) = caller_device {
                let to = |device: &Arc<str>| To::Device(call.caller.user.clone(), device.clone());
                effects.frames.push((to(&caller_device), ServerFrame::Call { call: self.view(call, true, CallState::Active) }));
                // A voice answer to a video call: the caller shows the avatar, not a black picture.
                let media = ServerFrame::CallMedia { call_id: call.id.clone(), muted: false, camera: video && call.video };
                effects.frames.push((to(&caller_device), media));
            }
            effects.frames.push((To::OtherDevices(call.callee.user.clone(), device), ServerFrame::CallEnded {
                call_id: call.id.clone(),
                reason: CallEnd::AnsweredElsewhere,
            }));
            self.view(call, false, CallState::Active)
        };
        self.apply(effects).await;
        Ok(view)
    }

    /// The callee turns the call down (from any of their devices) before answering.
    pub async fn decline(&self, me: &UserId, call_id: &str) -> R<()> {
        let mut effects = Effects::default();
        {
            let mut state = self.lock();
            let call = state.calls.get(call_id).filter(|c| c.callee.user == me.as_str()).ok_or_else(no_such_call)?;
            if call.answered_ms.is_some() {
                return Err(AppError::invalid_with_code("call_answered", "call_id", "This call was already answered — hang up instead"));
            }
            self.end(&mut state, call_id, CallEnd::Declined, &mut effects);
        }
        self.apply(effects).await;
        Ok(())
    }

    /// Either person ends the call: the caller before an answer gives up (the callee finds a
    /// missed call); after it, either hangs up from the device in the call.
    pub async fn hang_up(&self, me: &UserId, device: &str, call_id: &str) -> R<()> {
        let mut effects = Effects::default();
        {
            let mut state = self.lock();
            let call = state.calls.get(call_id).ok_or_else(no_such_call)?;
            let reason = match (call.party(me.as_str()), call.answered_ms) {
                (Some(party), Some(_)) if party.is_on(device) => CallEnd::HungUp,
                (Some(_), None) if call.caller.user == me.as_str() => CallEnd::Cancelled,
                (Some(_), None) => CallEnd::Declined,
                _ => return Err(no_such_call()),
            };
            self.end(&mut state, call_id, reason, &mut effects);
        }
        self.apply(effects).await;
        Ok(())
    }

    /// Relays a session description or ICE candidate to the other device in the call.
    pub async fn signal(&self, me: &UserId, device: &str, call_id: &str, signal: CallSignal) -> R<()> {
        if !signal.fits() {
            return Err(AppError::invalid_with_code("signal_too_large", "signal", "That call signal is larger than allowed"));
        }
        self.relay(me, device, call_id, ServerFrame::CallSignal { call_id: call_id.to_owned(), signal })
    }

    /// Tells the other side this side's microphone and camera.
    pub async fn media(&self, me: &UserId, device: &str, call_id: &str, muted: bool, camera: bool) -> R<()> {
        self.relay(me, device, call_id, ServerFrame::CallMedia { call_id: call_id.to_owned(), muted, camera })
    }

    /// `frame` to the other device, from the device in an answered call.
    fn relay(&self, me: &UserId, device: &str, call_id: &str, frame: ServerFrame) -> R<()> {
        self.limits
            .hit(&format!("signal:{me}"), self.config.signals_per_minute, 60, self.clock.now())
            .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
        let to = {
            let state = self.lock();
            let call = state.calls.get(call_id).filter(|c| c.answered_ms.is_some()).ok_or_else(no_such_call)?;
            let (_, other) = call.sides(me.as_str()).filter(|(mine, _)| mine.is_on(device)).ok_or_else(no_such_call)?;
            let Some(other_device) = other.device.clone() else { return Err(no_such_call()) };
            To::Device(other.user.clone(), other_device)
        };
        self.send(to, &frame);
        Ok(())
    }

    /// A new socket of `me` takes the place of their device in the call (after a reconnect).
    pub async fn rejoin(&self, me: &UserId, device: &str, call_id: &str) -> R<CallView> {
        let mut state = self.lock();
        let call = state.calls.get_mut(call_id).ok_or_else(no_such_call)?;
        let outgoing = call.caller.user == me.as_str();
        let answered = call.answered_ms.is_some();
        let party = match call.party_mut(me.as_str()) {
            Some(party) if party.device.is_some() => party,
            _ => return Err(no_such_call()),
        };
        party.device = Some(Arc::from(device));
        party.away_since = None;
        let shown = if answered { CallState::Active } else { CallState::Ringing };
        Ok(self.view(call, outgoing, shown))
    }

    /// A socket closed: if it was a device in a call, the call waits `rejoin_ms` for it.
    pub fn device_gone(&self, me: &UserId, device: &str) {
        let now = self.clock.now_ms();
        let mut state = self.lock();
        let Some(id) = state.in_call.get(me.as_str()).cloned() else { return };
        if let Some(party) = state.calls.get_mut(&id).and_then(|c| c.party_mut(me.as_str())).filter(|p| p.is_on(device)) {
            party.away_since = Some(now);
        }
    }

    /// A device that just connected: the call ringing for its person, if any, so that a phone
    /// opened during the ring rings too.
    pub fn ringing_for(&self, me: &UserId) -> Option<ServerFrame> {
        let state = self.lock();
        let call = state.in_call.get(me.as_str()).and_then(|id| state.calls.get(id))?;
        (call.callee.user == me.as_str() && call.answered_ms.is_none()).then(|| ServerFrame::Call { call: self.view(call, false, CallState::Ringing) })
    }

    /// Ends calls unanswered for `ring_ms` (missed) and calls whose device has been away for
    /// `rejoin_ms`.
    pub async fn sweep(&self) {
        let now = self.clock.now_ms();
        let mut effects = Effects::default();
        {
            let mut state = self.lock();
            let due: Vec<(String, CallEnd)> = state
                .calls
                .values()
                .filter_map(|c| {
                    let away = [&c.caller, &c.callee].iter().any(|p| p.away_since.is_some_and(|t| now - t >= self.config.rejoin_ms));
                    if away {
                        Some((c.id.clone(), CallEnd::ConnectionLost))
                    } else if c.answered_ms.is_none() && now - c.started_ms >= self.config.ring_ms {
                        Some((c.id.clone(), CallEnd::Missed))
                    } else {
                        None
                    }
                })
                .collect();
            for (id, reason) in due {
                self.end(&mut state, &id, reason, &mut effects);
            }
        }
        self.apply(effects).await;
    }

    /// Calls in progress on this process.
    pub fn count(&self) -> usize {
        self.lock().calls.len()
    }

    /// Removes the call, tells both people and queues its record.
    fn end(&self, state: &mut State, call_id: &str, reason: CallEnd, effects: &mut Effects) {
        let Some(call) = state.calls.remove(call_id) else { return };
        for party in [&call.caller, &call.callee] {
            if state.in_call.get(&party.user).is_some_and(|id| *id == call.id) {
                state.in_call.remove(&party.user);
            }
            effects.frames.push((To::User(party.user.clone()), ServerFrame::CallEnded { call_id: call.id.clone(), reason }));
        }
        let (outcome, seconds) = match (call.answered_ms, reason) {
            (Some(at), _) => (CallOutcome::Answered, Some(((self.clock.now_ms() - at).max(0) / 1000) as u32)),
            (None, CallEnd::Declined) => (CallOutcome::Declined, None),
            (None, _) => (CallOutcome::Missed, None),
        };
        effects.ended.push(Ended { chat_id: call.chat_id, by: call.caller.person, video: call.video, outcome, seconds });
    }

    /// Sends the frames, then records the calls that ended (in that order: the person learns
    /// the call ended before its record arrives).
    async fn apply(&self, effects: Effects) {
        for (to, frame) in effects.frames {
            self.send(to, &frame);
        }
        for ended in effects.ended {
            let chat = ChatId::from(ended.chat_id);
            if let Err(e) = self.chats.record_call(&chat, ended.by, ended.video, ended.outcome, ended.seconds).await {
                tracing::warn!(error = %e, chat_id = %chat, "recording a call failed");
            }
        }
    }

    fn send(&self, to: To, frame: &ServerFrame) {
        let payload = match Payload::of(frame) {
            Ok(payload) => payload,
            Err(e) => return tracing::error!(error = %e, "a call frame failed to serialise"),
        };
        match to {
            To::User(user) => self.hub.publish(&[user.as_str()], HubEvent::Frame(payload)),
            To::Device(user, device) => self.hub.publish(&[user.as_str()], HubEvent::Targeted { devices: DeviceFilter::Only(device), payload }),
            To::OtherDevices(user, device) => {
                self.hub.publish(&[user.as_str()], HubEvent::Targeted { devices: DeviceFilter::AllBut(device), payload })
            }
        }
    }

    fn view(&self, call: &Call, outgoing: bool, state: CallState) -> CallView {
        let (me, peer) = if outgoing { (&call.caller, &call.callee) } else { (&call.callee, &call.caller) };
        CallView {
            id: call.id.clone(),
            chat_id: call.chat_id.clone(),
            peer: peer.person.clone(),
            outgoing,
            video: call.video,
            state,
            answered_at: call.answered_ms,
            ice_servers: self.config.ice.servers_for(&me.user, self.clock.now()),
        }
    }
}

impl Call {
    fn party(&self, user: &str) -> Option<&Party> {
        self.sides(user).map(|(mine, _)| mine)
    }

    fn party_mut(&mut self, user: &str) -> Option<&mut Party> {
        if self.caller.user == user {
            Some(&mut self.caller)
        } else if self.callee.user == user {
            Some(&mut self.callee)
        } else {
            None
        }
    }

    /// (`user`'s side, the other side).
    fn sides(&self, user: &str) -> Option<(&Party, &Party)> {
        if self.caller.user == user {
            Some((&self.caller, &self.callee))
        } else if self.callee.user == user {
            Some((&self.callee, &self.caller))
        } else {
            None
        }
    }
}

impl Party {
    fn is_on(&self, device: &str) -> bool {
        self.device.as_deref() == Some(device)
    }
}

/// 16 random bytes, hex: a call's id names nothing else.
fn call_id() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill(&mut bytes);
    hex::encode(bytes)
}

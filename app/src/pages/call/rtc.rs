//! The browser's side of a call's media: the microphone and camera (`getUserMedia`), one
//! `RTCPeerConnection` to the other device, and the two `<video>` elements they play in. The
//! page drives it from the session's steps; it reports back candidates to relay and how the
//! connection is doing. One call at a time, so it lives in a thread-local slot.
use crate::calls::types::{CallSignal, IceServer};

/// What the connection tells the page.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // only the browser connects
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// A local ICE candidate, to relay to the other device.
    Candidate(CallSignal),
    Connected,
    /// Lost (for now): show "Reconnecting…"; the caller restarts ICE.
    Interrupted,
    /// Could not open the microphone or camera, or build the connection.
    Failed(String),
}

/// The element ids the media plays in.
pub const REMOTE_VIDEO: &str = "call-remote-video";
pub const LOCAL_VIDEO: &str = "call-local-video";

/// The person chose (in Settings) to relay every call through the TURN server, which hides
/// their address from the other person (`localStorage["confab.calls.relay_only"] = "1"`).
const RELAY_ONLY_KEY: &str = "confab.calls.relay_only";

pub fn relay_only() -> bool {
    crate::browser::saved(RELAY_ONLY_KEY).as_deref() == Some("1")
}

pub fn set_relay_only(on: bool) {
    crate::browser::save(RELAY_ONLY_KEY, on.then_some("1"));
}

/// An audio output the call can play through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Speaker {
    /// The browser's `deviceId`.
    pub id: String,
    pub label: String,
}

#[cfg(feature = "hydrate")]
pub use browser::*;

#[cfg(not(feature = "hydrate"))]
mod server {
    //! On the server there are no calls; these keep the page's code the same in both builds.
    use super::*;
    pub async fn start(_: &[IceServer], _: bool, _: std::rc::Rc<dyn Fn(Event)>) {}
    pub async fn offer(_: bool) -> Option<String> {
        None
    }
    pub async fn signal(_: CallSignal) -> Option<String> {
        None
    }
    pub fn set_muted(_: bool) {}
    pub fn set_camera(_: bool) {}
    pub async fn switch_camera() {}
    pub fn attach_media() {}
    pub async fn speakers() -> Vec<Speaker> {
        Vec::new()
    }
    pub async fn use_speaker(_: String) {}
    pub fn chosen_speaker() -> Option<String> {
        None
    }
    pub fn stop() {}
}
#[cfg(not(feature = "hydrate"))]
pub use server::*;

#[cfg(feature = "hydrate")]
mod browser {
    use std::{cell::RefCell, rc::Rc};

    use js_sys::{Array, Reflect};
    use wasm_bindgen::{JsCast, JsValue, closure::Closure};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{
        HtmlMediaElement, MediaDeviceInfo, MediaDeviceKind, MediaStream, MediaStreamConstraints, MediaStreamTrack, RtcConfiguration, RtcIceCandidateInit,
        RtcIceServer, RtcIceTransportPolicy, RtcOfferOptions, RtcPeerConnection, RtcPeerConnectionIceEvent, RtcPeerConnectionState,
        RtcRtpSender, RtcSdpType, RtcSessionDescriptionInit, RtcTrackEvent,
    };

    use super::*;

    struct Engine {
        pc: RtcPeerConnection,
        local: MediaStream,
        remote: MediaStream,
        /// Candidates that came before the other side's description.
        early: Vec<RtcIceCandidateInit>,
        has_remote: bool,
        front_camera: bool,
        _handlers: Vec<Closure<dyn FnMut(JsValue)>>,
    }

    thread_local! {
        static ENGINE: RefCell<Option<Engine>> = const { RefCell::new(None) };
        /// The speaker chosen on this page (a `deviceId`), for every call's element.
        static SPEAKER: RefCell<Option<String>> = const { RefCell::new(None) };
    }

    fn text(e: JsValue) -> String {
        e.dyn_ref::<web_sys::DomException>().map(|e| format!("{}: {}", e.name(), e.message())).or_else(|| e.as_string()).unwrap_or_else(|| "unknown error".into())
    }

    async fn user_media(video: bool, front: bool) -> Result<MediaStream, String> {
        let window = web_sys::window().ok_or("no window")?;
        let devices = window.navigator().media_devices().map_err(|_| "This browser cannot make calls".to_string())?;
        let constraints = MediaStreamConstraints::new();
        constraints.set_audio(&JsValue::TRUE);
        if video {
            let wanted = js_sys::Object::new();
            let _ = Reflect::set(&wanted, &"facingMode".into(), &(if front { "user" } else { "environment" }).into());
            constraints.set_video(&wanted);
        }
        let asked = devices.get_user_media_with_constraints(&constraints).map_err(text)?;
        Ok(JsFuture::from(asked).await.map_err(|e| match e.dyn_ref::<web_sys::DomException>().map(|e| e.name()).as_deref() {
            Some("NotAllowedError") => "Microphone or camera access is blocked: allow it for this site to call".to_string(),
            Some("NotFoundError") => "No microphone was found".to_string(),
            _ => text(e),
        })?
        .unchecked_into())
    }

    /// Opens the microphone (and camera) and the connection; candidates and state changes go
    /// to `report`.
    pub async fn start(ice: &[IceServer], video: bool, report: Rc<dyn Fn(Event)>) {
        stop();
        let local = match user_media(video, true).await {
            Ok(stream) => stream,
            Err(e) => return report(Event::Failed(e)),
        };
        let config = RtcConfiguration::new();
        let servers = Array::new();
        for server in ice {
            let entry = RtcIceServer::new();
            entry.set_urls(&server.urls.iter().map(|u| JsValue::from_str(u)).collect::<Array>());
            if let (Some(user), Some(credential)) = (&server.username, &server.credential) {
                entry.set_username(user);
                entry.set_credential(credential);
            }
            servers.push(&entry);
        }
        config.set_ice_servers(&servers);
        if relay_only() {
            config.set_ice_transport_policy(RtcIceTransportPolicy::Relay);
        }
        let pc = match RtcPeerConnection::new_with_configuration(&config) {
            Ok(pc) => pc,
            Err(e) => {
                stop_tracks(&local);
                return report(Event::Failed(text(e)));
            }
        };
        for track in local.get_tracks().iter() {
            pc.add_track_0(track.unchecked_ref(), &local);
        }
        let remote = MediaStream::new().expect("an empty MediaStream");
        let mut handlers = Vec::new();
        let on_candidate = {
            let report = report.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
                let Some(candidate) = e.unchecked_into::<RtcPeerConnectionIceEvent>().candidate() else { return };
                report(Event::Candidate(CallSignal::Candidate {
                    candidate: candidate.candidate(),
                    sdp_mid: candidate.sdp_mid(),
                    sdp_m_line_index: candidate.sdp_m_line_index(),
                }));
            })
        };
        pc.set_onicecandidate(Some(on_candidate.as_ref().unchecked_ref()));
        handlers.push(on_candidate);
        // The browser's own stream of the other side (audio and video together) plays best: a
        // stream that gains tracks after it was attached may stay black.
        let on_track = Closure::<dyn FnMut(JsValue)>::new(move |e: JsValue| {
            let e: RtcTrackEvent = e.unchecked_into();
            let stream = e.streams().get(0).dyn_into::<MediaStream>().ok();
            ENGINE.with(|engine| {
                if let Some(engine) = engine.borrow_mut().as_mut() {
                    match stream {
                        Some(stream) => engine.remote = stream,
                        None => engine.remote.add_track(&e.track()),
                    }
                }
            });
            attach_media();
        });
        pc.set_ontrack(Some(on_track.as_ref().unchecked_ref()));
        handlers.push(on_track);
        let on_state = {
            let pc = pc.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |_| match pc.connection_state() {
                RtcPeerConnectionState::Connected => report(Event::Connected),
                RtcPeerConnectionState::Disconnected | RtcPeerConnectionState::Failed => report(Event::Interrupted),
                _ => {}
            })
        };
        pc.set_onconnectionstatechange(Some(on_state.as_ref().unchecked_ref()));
        handlers.push(on_state);
        ENGINE.with(|e| {
            *e.borrow_mut() =
                Some(Engine { pc, local, remote, early: Vec::new(), has_remote: false, front_camera: true, _handlers: handlers })
        });
        attach_media();
    }

    fn pc() -> Option<RtcPeerConnection> {
        ENGINE.with(|e| e.borrow().as_ref().map(|e| e.pc.clone()))
    }

    async fn local_sdp(pc: &RtcPeerConnection, made: js_sys::Promise, kind: RtcSdpType) -> Option<String> {
        let made = JsFuture::from(made).await.ok()?;
        let sdp = Reflect::get(&made, &"sdp".into()).ok()?.as_string()?;
        let description = RtcSessionDescriptionInit::new(kind);
        description.set_sdp(&sdp);
        JsFuture::from(pc.set_local_description(&description)).await.ok()?;
        Some(sdp)
    }

    /// The caller's offer (`restart`: new ICE credentials, after the connection was lost).
    pub async fn offer(restart: bool) -> Option<String> {
        let pc = pc()?;
        let options = RtcOfferOptions::new();
        options.set_ice_restart(restart);
        local_sdp(&pc, pc.create_offer_with_rtc_offer_options(&options), RtcSdpType::Offer).await
    }

    /// Applies the other side's description or candidate; for an offer, returns the answer.
    pub async fn signal(signal: CallSignal) -> Option<String> {
        let pc = pc()?;
        match signal {
            CallSignal::Offer { sdp } => {
                remote_description(&pc, RtcSdpType::Offer, &sdp).await?;
                local_sdp(&pc, pc.create_answer(), RtcSdpType::Answer).await
            }
            CallSignal::Answer { sdp } => {
                remote_description(&pc, RtcSdpType::Answer, &sdp).await?;
                None
            }
            CallSignal::Candidate { candidate, sdp_mid, sdp_m_line_index } => {
                let init = RtcIceCandidateInit::new(&candidate);
                init.set_sdp_mid(sdp_mid.as_deref());
                init.set_sdp_m_line_index(sdp_m_line_index);
                let ready = ENGINE.with(|e| {
                    let mut e = e.borrow_mut();
                    let engine = e.as_mut()?;
                    if !engine.has_remote {
                        engine.early.push(init.clone());
                    }
                    Some(engine.has_remote)
                })?;
                if ready {
                    let _ = JsFuture::from(pc.add_ice_candidate_with_opt_rtc_ice_candidate_init(Some(&init))).await;
                }
                None
            }
        }
    }

    /// Applies the other side's description, then the candidates that came before it.
    async fn remote_description(pc: &RtcPeerConnection, kind: RtcSdpType, sdp: &str) -> Option<()> {
        let description = RtcSessionDescriptionInit::new(kind);
        description.set_sdp(sdp);
        JsFuture::from(pc.set_remote_description(&description)).await.ok()?;
        let early = ENGINE.with(|e| {
            let mut e = e.borrow_mut();
            let engine = e.as_mut()?;
            engine.has_remote = true;
            Some(std::mem::take(&mut engine.early))
        })?;
        for candidate in early {
            let _ = JsFuture::from(pc.add_ice_candidate_with_opt_rtc_ice_candidate_init(Some(&candidate))).await;
        }
        Some(())
    }

    fn tracks(kind: &str) -> Vec<MediaStreamTrack> {
        ENGINE.with(|e| {
            e.borrow()
                .as_ref()
                .map(|e| e.local.get_tracks().iter().map(|t| t.unchecked_into::<MediaStreamTrack>()).filter(|t| t.kind() == kind).collect())
                .unwrap_or_default()
        })
    }

    pub fn set_muted(muted: bool) {
        for track in tracks("audio") {
            track.set_enabled(!muted);
        }
    }

    pub fn set_camera(on: bool) {
        for track in tracks("video") {
            track.set_enabled(on);
        }
    }

    /// Front to back camera or back: a new camera track replaces the old one on the connection.
    pub async fn switch_camera() {
        let Some((pc, local, front)) = ENGINE.with(|e| e.borrow().as_ref().map(|e| (e.pc.clone(), e.local.clone(), e.front_camera))) else {
            return;
        };
        let Ok(fresh) = user_media(true, !front).await else { return };
        let Some(track) = fresh.get_video_tracks().get(0).dyn_into::<MediaStreamTrack>().ok() else { return };
        for old in local.get_video_tracks().iter() {
            let old: MediaStreamTrack = old.unchecked_into();
            local.remove_track(&old);
            old.stop();
        }
        for audio in fresh.get_audio_tracks().iter() {
            audio.unchecked_into::<MediaStreamTrack>().stop();
        }
        local.add_track(&track);
        for sender in pc.get_senders().iter() {
            let sender: RtcRtpSender = sender.unchecked_into();
            if sender.track().is_some_and(|t| t.kind() == "video") {
                let _ = JsFuture::from(sender.replace_track(Some(&track))).await;
            }
        }
        ENGINE.with(|e| {
            if let Some(e) = e.borrow_mut().as_mut() {
                e.front_camera = !front;
            }
        });
        attach_media();
    }

    /// Puts the streams into the call screen's `<video>` elements (again after a re-render).
    pub fn attach_media() {
        ENGINE.with(|e| {
            let e = e.borrow();
            let Some(engine) = e.as_ref() else { return };
            for (id, stream) in [(REMOTE_VIDEO, &engine.remote), (LOCAL_VIDEO, &engine.local)] {
                let Some(element) = media_element(id) else { continue };
                if element.src_object().as_ref() != Some(stream) {
                    element.set_src_object(Some(stream));
                    let _ = element.play();
                    if let Some(speaker) = chosen_speaker().filter(|_| id == REMOTE_VIDEO) {
                        wasm_bindgen_futures::spawn_local(async move { play_through(&element, &speaker).await });
                    }
                }
            }
        });
    }

    /// The speakers a call can play through, where the page may choose (`setSinkId`: not in
    /// Safari on iOS, and phones often list only one).
    pub async fn speakers() -> Vec<Speaker> {
        let Some(window) = web_sys::window() else { return Vec::new() };
        let can_choose = Reflect::get(&window, &"HTMLMediaElement".into())
            .and_then(|class| Reflect::get(&class, &"prototype".into()))
            .and_then(|prototype| Reflect::has(&prototype, &"setSinkId".into()))
            .unwrap_or(false);
        let Some(listed) = can_choose.then(|| window.navigator().media_devices().ok()?.enumerate_devices().ok()).flatten() else {
            return Vec::new();
        };
        let Ok(listed) = JsFuture::from(listed).await else { return Vec::new() };
        listed
            .unchecked_into::<Array>()
            .iter()
            .filter_map(|d| d.dyn_into::<MediaDeviceInfo>().ok())
            .filter(|d| d.kind() == MediaDeviceKind::Audiooutput)
            .enumerate()
            .map(|(i, d)| Speaker { label: Some(d.label()).filter(|l| !l.is_empty()).unwrap_or_else(|| format!("Speaker {}", i + 1)), id: d.device_id() })
            .collect()
    }

    /// Plays the other side through the speaker `id` from now on.
    pub async fn use_speaker(id: String) {
        SPEAKER.with(|s| *s.borrow_mut() = Some(id.clone()));
        if let Some(element) = media_element(REMOTE_VIDEO) {
            play_through(&element, &id).await;
        }
    }

    pub fn chosen_speaker() -> Option<String> {
        SPEAKER.with(|s| s.borrow().clone())
    }

    /// `element.setSinkId(id)`, which web-sys has only behind its unstable APIs.
    async fn play_through(element: &HtmlMediaElement, id: &str) {
        let Ok(set) = Reflect::get(element, &"setSinkId".into()).and_then(|f| f.dyn_into::<js_sys::Function>().map_err(JsValue::from)) else {
            return;
        };
        if let Ok(done) = set.call1(element, &id.into()) {
            let _ = JsFuture::from(js_sys::Promise::from(done)).await;
        }
    }

    fn media_element(id: &str) -> Option<HtmlMediaElement> {
        web_sys::window()?.document()?.get_element_by_id(id)?.dyn_into::<HtmlMediaElement>().ok()
    }

    fn stop_tracks(stream: &MediaStream) {
        for track in stream.get_tracks().iter() {
            track.unchecked_into::<MediaStreamTrack>().stop();
        }
    }

    /// Hangs up the media: the camera and microphone are released (their indicators go off).
    pub fn stop() {
        if let Some(engine) = ENGINE.with(|e| e.borrow_mut().take()) {
            stop_tracks(&engine.local);
            engine.pc.set_onicecandidate(None);
            engine.pc.set_ontrack(None);
            engine.pc.set_onconnectionstatechange(None);
            engine.pc.close();
        }
    }
}

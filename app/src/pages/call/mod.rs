//! Calls in the page: the voice and video buttons of a direct chat, the incoming-call screen and
//! the call screen, over every signed-in page. `session` holds the rules, `rtc` the
//! media and the connection, `tone` the ring.
mod rtc;
mod session;
mod tone;

pub use rtc::{relay_only, set_relay_only};

use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;

use crate::calls::types::CallSignal;
use crate::components::{
    avatar::Avatar,
    icons::{IconMaximize, IconMic, IconMicOff, IconMinimize, IconPhone, IconPhoneOff, IconSpeaker, IconSwitchCamera, IconVideo, IconVideoOff},
};
use crate::realtime::{
    client::{Realtime, use_realtime},
    protocol::{ClientFrame, ServerFrame},
};
use session::{Phase, Session, Step};

/// How long the sentence about a call that ended stays up.
const ENDED_SHOWN: Duration = Duration::from_millis(3500);
/// A call the server has not answered for this long was not placed (the socket is down).
const PLACING_TIMEOUT: Duration = Duration::from_secs(10);

/// The call of this page, `Copy` like a signal: provided by the signed-in layout.
#[derive(Clone, Copy)]
pub struct Calls {
    session: RwSignal<Option<Session>>,
    /// The sentence about the call that just ended.
    ended: RwSignal<Option<String>>,
    /// The page's clock (ms), ticking each second during a call.
    now: RwSignal<f64>,
    realtime: Realtime,
    /// Whether the media is open; signals and the offer wait for it here.
    media_ready: StoredValue<bool>,
    waiting: StoredValue<Vec<Step>>,
}

/// Creates the call state over the page's socket and listens for call frames.
pub fn provide_calls() {
    let Some(realtime) = use_realtime() else { return };
    let calls = Calls {
        session: RwSignal::new(None),
        ended: RwSignal::new(None),
        now: RwSignal::new(0.0),
        realtime,
        media_ready: StoredValue::new(false),
        waiting: StoredValue::new(Vec::new()),
    };
    provide_context(calls);
    realtime.subscribe(move |frame| calls.on_frame(frame));
    // The tone follows the phase: ring while it rings here, ringback while the other side rings.
    let phase = Memo::new(move |_| calls.session.with(|s| s.as_ref().map(|s| s.phase)));
    Effect::new(move |_| {
        match phase.get() {
            Some(Phase::Incoming) => tone::play(tone::Tone::Ring),
            Some(Phase::Placing | Phase::Calling | Phase::Ringing) => tone::play(tone::Tone::Ringback),
            _ => tone::silence(),
        }
        rtc::attach_media();
    });
    #[cfg(feature = "hydrate")]
    if let Ok(handle) = set_interval_with_handle(move || calls.now.set(js_sys::Date::now()), Duration::from_secs(1)) {
        on_cleanup(move || {
            handle.clear();
            rtc::stop();
            tone::silence();
        });
    }
}

fn page_now() -> f64 {
    #[cfg(feature = "hydrate")]
    return js_sys::Date::now();
    #[cfg(not(feature = "hydrate"))]
    return 0.0;
}

impl Calls {
    fn call_id(self) -> Option<String> {
        self.session.with_untracked(|s| s.as_ref().and_then(|s| s.call_id.clone()))
    }

    fn on_frame(self, frame: &ServerFrame) {
        match frame {
            // The socket came back: a call this device is in goes on over the new one.
            ServerFrame::Synced { .. } => {
                let rejoin = self.session.with_untracked(|s| s.as_ref().filter(|s| s.outgoing || s.answered()).and_then(|s| s.call_id.clone()));
                if let Some(call_id) = rejoin {
                    self.realtime.frame(&ClientFrame::CallRejoin { call_id });
                }
            }
            ServerFrame::Call { .. } | ServerFrame::CallEnded { .. } | ServerFrame::CallSignal { .. } | ServerFrame::CallMedia { .. } | ServerFrame::Error { .. } => {
                let mut step = Step::Nothing;
                self.session.update(|s| step = session::on_frame(s, frame));
                self.follow(step);
            }
            _ => {}
        }
    }

    /// Does what the session asked for.
    fn follow(self, step: Step) {
        match step {
            Step::Nothing => {}
            Step::StartMedia => self.start_media(),
            Step::MakeOffer | Step::Signal(_) if !self.media_ready.get_value() => self.waiting.update_value(|w| w.push(step)),
            Step::MakeOffer => self.offer(false),
            Step::Signal(signal) => self.relay_in(signal),
            Step::End(text) => self.finish(Some(text)),
        }
    }

    fn start_media(self) {
        let Some((ice, video)) = self.session.with_untracked(|s| s.as_ref().map(|s| (s.ice_servers.clone(), s.camera))) else { return };
        if self.media_ready.get_value() {
            return;
        }
        let report: Rc<dyn Fn(rtc::Event)> = Rc::new(move |event| self.on_media(event));
        leptos::task::spawn_local(async move {
            rtc::start(&ice, video, report).await;
            if self.session.with_untracked(Option::is_none) {
                return rtc::stop();
            }
            self.media_ready.set_value(true);
            for step in self.waiting.try_update_value(std::mem::take).unwrap_or_default() {
                self.follow(step);
            }
        });
    }

    fn on_media(self, event: rtc::Event) {
        match event {
            rtc::Event::Candidate(signal) => self.relay_out(signal),
            rtc::Event::Connected => self.session.update(|s| {
                if let Some(s) = s {
                    s.phase = Phase::Connected;
                    s.connected_at.get_or_insert_with(page_now);
                }
            }),
            rtc::Event::Interrupted => {
                let outgoing = self.session.try_update(|s| {
                    s.as_mut().filter(|s| s.answered()).map(|s| {
                        s.phase = Phase::Reconnecting;
                        s.outgoing
                    })
                });
                // The caller restarts ICE if the browser does not recover on its own soon.
                if outgoing.flatten() == Some(true) {
                    set_timeout(
                        move || {
                            if self.session.with_untracked(|s| s.as_ref().is_some_and(|s| s.phase == Phase::Reconnecting)) {
                                self.offer(true);
                            }
                        },
                        Duration::from_secs(2),
                    );
                }
            }
            rtc::Event::Failed(reason) => {
                self.hang_up();
                self.finish(Some(reason));
            }
        }
    }

    fn offer(self, restart: bool) {
        leptos::task::spawn_local(async move {
            if let Some(sdp) = rtc::offer(restart).await {
                self.relay_out(CallSignal::Offer { sdp });
            }
        });
    }

    fn relay_in(self, signal: CallSignal) {
        leptos::task::spawn_local(async move {
            if let Some(sdp) = rtc::signal(signal).await {
                self.relay_out(CallSignal::Answer { sdp });
            }
        });
    }

    fn relay_out(self, signal: CallSignal) {
        if let Some(call_id) = self.call_id() {
            self.realtime.frame(&ClientFrame::CallSignal { call_id, signal });
        }
    }

    /// Stops the media and the tone, forgets the session and shows `sentence` for a moment.
    fn finish(self, sentence: Option<String>) {
        rtc::stop();
        tone::silence();
        self.media_ready.set_value(false);
        self.waiting.set_value(Vec::new());
        self.session.set(None);
        if let Some(sentence) = sentence {
            self.ended.set(Some(sentence.clone()));
            set_timeout(move || self.ended.update(|e| if e.as_deref() == Some(sentence.as_str()) { *e = None }), ENDED_SHOWN);
        }
    }

    /// Calls the other person of a direct chat.
    pub fn start(self, chat_id: String, peer_name: String, video: bool) {
        if self.session.with_untracked(Option::is_some) {
            return;
        }
        self.session.set(Some(Session::placing(&chat_id, &peer_name, video)));
        self.realtime.frame(&ClientFrame::CallInvite { chat_id, video });
        set_timeout(
            move || {
                if self.session.with_untracked(|s| s.as_ref().is_some_and(|s| s.phase == Phase::Placing)) {
                    self.finish(Some("Couldn’t reach Confab — check your connection and try again".into()));
                }
            },
            PLACING_TIMEOUT,
        );
    }

    fn answer(self, video: bool) {
        let Some(call_id) = self.call_id() else { return };
        self.session.update(|s| {
            if let Some(s) = s {
                s.camera = video;
            }
        });
        tone::silence();
        self.realtime.frame(&ClientFrame::CallAccept { call_id, video });
    }

    fn decline(self) {
        if let Some(call_id) = self.call_id() {
            self.realtime.frame(&ClientFrame::CallDecline { call_id });
        }
        self.finish(None);
    }

    fn hang_up(self) {
        if let Some(call_id) = self.call_id() {
            self.realtime.frame(&ClientFrame::CallHangup { call_id });
        }
        self.finish(Some("Call ended".into()));
    }

    fn toggle_mute(self) {
        self.session.update(|s| {
            if let Some(s) = s {
                s.muted = !s.muted;
            }
        });
        self.share_media();
    }

    fn toggle_camera(self) {
        self.session.update(|s| {
            if let Some(s) = s {
                s.camera = !s.camera;
            }
        });
        self.share_media();
    }

    /// Applies this side's microphone and camera and tells the other side.
    fn share_media(self) {
        let Some((call_id, muted, camera)) = self.session.with_untracked(|s| s.as_ref().map(|s| (s.call_id.clone(), s.muted, s.camera))) else {
            return;
        };
        rtc::set_muted(muted);
        rtc::set_camera(camera);
        if let Some(call_id) = call_id.filter(|_| self.session.with_untracked(|s| s.as_ref().is_some_and(Session::answered))) {
            self.realtime.frame(&ClientFrame::CallMedia { call_id, muted, camera });
        }
    }
}

const HEADER_BUTTON: &str = "rounded-full p-2 text-slate-500 hover:bg-slate-100 disabled:opacity-40 dark:text-slate-400 dark:hover:bg-slate-800";

/// The voice and video call buttons of a direct chat's header.
#[component]
pub fn CallButtons(chat_id: String, peer_name: String) -> impl IntoView {
    let Some(calls) = use_context::<Calls>() else { return ().into_any() };
    let busy = move || calls.session.with(Option::is_some);
    let call = move |video: bool| {
        let (chat_id, peer_name) = (chat_id.clone(), peer_name.clone());
        move |_| calls.start(chat_id.clone(), peer_name.clone(), video)
    };
    view! {
        <button type="button" class=HEADER_BUTTON aria-label="Voice call" disabled=busy on:click=call(false)><IconPhone/></button>
        <button type="button" class=HEADER_BUTTON aria-label="Video call" disabled=busy on:click=call(true)><IconVideo/></button>
    }
    .into_any()
}

/// The incoming-call screen, the call screen, and the sentence after a call: over everything.
#[component]
pub fn CallScreen() -> impl IntoView {
    let Some(calls) = use_context::<Calls>() else { return ().into_any() };
    let phase = Memo::new(move |_| calls.session.with(|s| s.as_ref().map(|s| s.phase)));
    view! {
        {move || calls.ended.get().map(|sentence| view! {
            <div class="pointer-events-none fixed inset-x-0 top-4 z-[60] flex justify-center px-4">
                <p class="rounded-full bg-slate-900/90 px-4 py-2 text-sm font-medium text-white shadow-lg dark:bg-slate-700/95"
                   role="status" data-testid="call-ended">{sentence}</p>
            </div>
        })}
        {move || match phase.get() {
            None => ().into_any(),
            Some(Phase::Incoming) => view! { <Incoming calls/> }.into_any(),
            Some(_) => view! { <InCall calls/> }.into_any(),
        }}
    }
    .into_any()
}

fn field<T: Clone + Default + Send + Sync + 'static>(calls: Calls, f: impl Fn(&Session) -> T + Send + Sync + 'static) -> Signal<T> {
    Signal::derive(move || calls.session.with(|s| s.as_ref().map(&f).unwrap_or_default()))
}

#[component]
fn Incoming(calls: Calls) -> impl IntoView {
    let name = calls.session.with_untracked(|s| s.as_ref().map(|s| s.peer_name.clone()).unwrap_or_default());
    let video = calls.session.with_untracked(|s| s.as_ref().is_some_and(|s| s.video));
    let status = move || calls.session.with(|s| s.as_ref().map(|s| session::status_text(s, 0.0)).unwrap_or_default());
    view! {
        <div class="fixed inset-0 z-50 flex items-end justify-center bg-slate-950/70 backdrop-blur-sm md:items-center" role="dialog"
             aria-modal="true" aria-label=format!("Call from {name}") data-testid="incoming-call">
            <div class="flex w-full flex-col items-center gap-6 rounded-t-3xl bg-slate-900 px-6 pt-10 pb-[max(2rem,env(safe-area-inset-bottom))] text-white shadow-2xl md:w-96 md:rounded-3xl md:pb-8">
                <div class="animate-pulse rounded-full ring-4 ring-emerald-400/40">
                    <Avatar name=name.clone() size="h-24 w-24 text-3xl"/>
                </div>
                <div class="text-center">
                    <p class="text-2xl font-semibold">{name.clone()}</p>
                    <p class="mt-1 text-sm text-slate-300">{status}</p>
                </div>
                <div class="flex w-full items-start justify-around">
                    <RoundButton label="Decline" tone="bg-rose-600 hover:bg-rose-500" on_click=move || calls.decline()><IconPhoneOff class="h-7 w-7"/></RoundButton>
                    {video.then(|| view! {
                        <RoundButton label="Answer with video" tone="bg-emerald-600 hover:bg-emerald-500" on_click=move || calls.answer(true)><IconVideo class="h-7 w-7"/></RoundButton>
                    })}
                    <RoundButton label="Answer" tone="bg-emerald-600 hover:bg-emerald-500" on_click=move || calls.answer(false)><IconPhone class="h-7 w-7"/></RoundButton>
                </div>
            </div>
        </div>
    }
}

/// A round call button with its label under it.
#[component]
fn RoundButton(label: &'static str, tone: &'static str, on_click: impl Fn() + Send + Sync + 'static, children: Children) -> impl IntoView {
    view! {
        <div class="flex flex-col items-center gap-2">
            <button type="button" class=format!("flex h-16 w-16 items-center justify-center rounded-full text-white shadow-lg transition {tone}")
                aria-label=label on:click=move |_| on_click()>{children()}</button>
            <span class="text-xs text-slate-300" aria-hidden="true">{label}</span>
        </div>
    }
}

#[component]
fn InCall(calls: Calls) -> impl IntoView {
    let name = calls.session.with_untracked(|s| s.as_ref().map(|s| s.peer_name.clone()).unwrap_or_default());
    let video = field(calls, |s| s.video);
    let muted = field(calls, |s| s.muted);
    let camera = field(calls, |s| s.camera);
    let peer_muted = field(calls, |s| s.peer_muted);
    let peer_camera = field(calls, |s| s.peer_camera && s.answered());
    let minimized = field(calls, |s| s.minimized);
    let connected = field(calls, |s| s.phase == Phase::Connected);
    let status = move || {
        let now = calls.now.get().max(page_now());
        calls.session.with(|s| s.as_ref().map(|s| session::status_text(s, now)).unwrap_or_default())
    };
    let toggle_minimized = move || calls.session.update(|s| {
        if let Some(s) = s {
            s.minimized = !s.minimized;
        }
    });
    let frame = move || {
        if minimized.get() {
            "fixed right-4 bottom-4 z-50 h-56 w-80 overflow-hidden rounded-2xl shadow-2xl ring-1 ring-white/10"
        } else {
            "fixed inset-0 z-50 md:inset-6 md:overflow-hidden md:rounded-3xl md:shadow-2xl"
        }
    };
    let name_shown = name.clone();
    // The videos are new elements: give them the streams.
    Effect::new(move |_| rtc::attach_media());
    view! {
        <div class=move || format!("flex flex-col bg-slate-950 text-white {}", frame()) role="dialog" aria-label=format!("Call with {name}")
             data-testid="call-screen">
            // The other person's video fills the screen; without it, their initials.
            <video id=rtc::REMOTE_VIDEO data-testid="remote-video" autoplay=true playsinline=true
                class=move || format!("absolute inset-0 h-full w-full object-cover {}", if video.get() && peer_camera.get() { "" } else { "invisible" })></video>
            <div class=move || format!("relative flex flex-1 flex-col items-center gap-3 px-6 {}",
                    if video.get() && peer_camera.get() { "justify-start pt-[max(1.5rem,env(safe-area-inset-top))]" } else { "justify-center" })>
                {move || (!(video.get() && peer_camera.get()) && !minimized.get()).then(|| view! { <Avatar name=name_shown.clone() size="h-28 w-28 text-4xl"/> })}
                <p class="text-2xl font-semibold drop-shadow">{name.clone()}</p>
                <p class="text-sm tabular-nums text-slate-200 drop-shadow" data-testid="call-status" aria-live="polite">{status}</p>
                {move || peer_muted.get().then(|| view! {
                    <p class="flex items-center gap-1 rounded-full bg-black/40 px-3 py-1 text-xs" data-testid="peer-muted"><IconMicOff class="h-4 w-4"/>"Muted"</p>
                })}
            </div>
            {move || (!minimized.get()).then(|| view! { <SpeakerChoice connected/> })}
            // This side's camera, small, in a corner.
            <video id=rtc::LOCAL_VIDEO data-testid="local-video" autoplay=true playsinline=true muted=true
                class=move || format!("absolute right-4 bottom-28 w-24 rounded-xl object-cover shadow-lg ring-1 ring-white/20 md:top-4 md:bottom-auto md:w-40 {}",
                    if video.get() && camera.get() && !minimized.get() { "" } else { "hidden" })></video>
            <div class="relative flex items-center justify-center gap-4 pt-4 pb-[max(2rem,env(safe-area-inset-bottom))] md:gap-6">
                <ControlButton label=Signal::derive(move || if muted.get() { "Unmute" } else { "Mute" }) pressed=muted on_click=move || calls.toggle_mute()>
                    {move || if muted.get() { view! { <IconMicOff class="h-6 w-6"/> }.into_any() } else { view! { <IconMic class="h-6 w-6"/> }.into_any() }}
                </ControlButton>
                {move || video.get().then(|| view! {
                    <ControlButton label=Signal::derive(move || if camera.get() { "Turn camera off" } else { "Turn camera on" })
                        pressed=Signal::derive(move || !camera.get()) on_click=move || calls.toggle_camera()>
                        {move || if camera.get() { view! { <IconVideo class="h-6 w-6"/> }.into_any() } else { view! { <IconVideoOff class="h-6 w-6"/> }.into_any() }}
                    </ControlButton>
                    <span class="md:hidden">
                        <ControlButton label=Signal::stored("Switch camera") pressed=Signal::stored(false)
                            on_click=move || leptos::task::spawn_local(rtc::switch_camera())>
                            <IconSwitchCamera class="h-6 w-6"/>
                        </ControlButton>
                    </span>
                })}
                <span class="hidden md:inline">
                    <ControlButton label=Signal::derive(move || if minimized.get() { "Full screen" } else { "Shrink to a corner" })
                        pressed=Signal::stored(false) on_click=toggle_minimized>
                        {move || if minimized.get() { view! { <IconMaximize class="h-6 w-6"/> }.into_any() } else { view! { <IconMinimize class="h-6 w-6"/> }.into_any() }}
                    </ControlButton>
                </span>
                <button type="button" class="flex h-14 w-14 items-center justify-center rounded-full bg-rose-600 text-white shadow-lg hover:bg-rose-500"
                    aria-label="Hang up" on:click=move |_| calls.hang_up()><IconPhoneOff class="h-6 w-6"/></button>
            </div>
        </div>
    }
}

/// Which speaker the call plays through, where the browser lets the page choose and there is
/// more than one. Listed once connected, when the names are known (they need the microphone).
#[component]
fn SpeakerChoice(connected: Signal<bool>) -> impl IntoView {
    let speakers = RwSignal::new(Vec::<rtc::Speaker>::new());
    Effect::new(move |_| {
        if connected.get() {
            leptos::task::spawn_local(async move { speakers.set(rtc::speakers().await) });
        }
    });
    move || {
        (speakers.with(Vec::len) > 1).then(|| view! {
            <label class="absolute top-[max(1rem,env(safe-area-inset-top))] left-4 flex max-w-[45%] items-center gap-2 rounded-full bg-black/40 py-1.5 pr-2 pl-3 text-sm">
                <IconSpeaker class="h-4 w-4 shrink-0"/>
                <select aria-label="Speaker" class="min-w-0 truncate bg-transparent text-white outline-none"
                    on:change=move |ev| leptos::task::spawn_local(rtc::use_speaker(event_target_value(&ev)))>
                    {speakers.get().into_iter().map(|s| {
                        let selected = rtc::chosen_speaker().as_deref() == Some(s.id.as_str());
                        view! { <option value=s.id selected=selected class="text-slate-900">{s.label}</option> }
                    }).collect_view()}
                </select>
            </label>
        })
    }
}

#[component]
fn ControlButton(label: Signal<&'static str>, pressed: Signal<bool>, on_click: impl Fn() + Send + Sync + 'static, children: Children) -> impl IntoView {
    view! {
        <button type="button"
            class=move || format!("flex h-14 w-14 items-center justify-center rounded-full shadow-lg transition {}",
                if pressed.get() { "bg-white text-slate-900" } else { "bg-white/15 text-white hover:bg-white/25" })
            aria-label=move || label.get() aria-pressed=move || pressed.get().to_string()
            on:click=move |_| on_click()>{children()}</button>
    }
}

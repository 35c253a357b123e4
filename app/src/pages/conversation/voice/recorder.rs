//! Recording a voice note. With a finger: hold the microphone to record, release to send, slide
//! left to cancel, slide up to lock (hands free). With a mouse or the keyboard: click to start,
//! then a bar with the running time and a level meter, Stop, and before sending the recording
//! can be listened to and sent or discarded.
use std::time::Duration;

use leptos::{ev::PointerEvent, prelude::*, task::spawn_local};

use super::{
    bars::{HintBubble, HoldBar, RecordingBar, ReviewBar},
    capture::{Capture, object_url, revoke_object_url},
    icons::{IconChevronUp, IconLock, IconMic},
    logic::{Hold, LEVEL_BARS, MAX_RECORDING_MS, MIN_RECORDING_MS, SLIDE_TO_CANCEL_PX, SLIDE_TO_LOCK_PX, hold_gesture, push_level},
    seek_bar::capture_pointer,
};

/// A finished recording, ready to upload.
#[derive(Clone)]
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))] // only the browser records
pub struct RecordedVoice {
    /// The recording's bytes (browser only).
    #[cfg(feature = "hydrate")]
    pub blob: web_sys::Blob,
    /// `audio/webm;codecs=opus` or `audio/mp4`, as MediaRecorder made it.
    pub mime: String,
    /// Its length as measured while recording (MediaRecorder's WebM carries none).
    pub duration_ms: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    Idle,
    /// Waiting for the microphone (the browser may be asking the person).
    Starting { by_touch: bool },
    /// A finger holds the button: release sends, slide left cancels, slide up locks.
    Holding,
    /// Recording hands free (a click, or a locked hold) until Stop.
    Recording,
    /// Stopped; waiting for the last bytes.
    Stopping,
    /// Listen, then send or discard.
    Review,
}

/// What to do with a recording once it has stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Then {
    Send,
    Review,
}

/// A short message above the microphone: a hint, or why recording cannot start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Hint {
    pub text: String,
    pub error: bool,
}

/// Where a finger pressed the microphone.
#[derive(Debug, Clone, Copy)]
struct Press {
    pointer: i32,
    x: f64,
    y: f64,
}

/// The recorder's state; browser objects live in local stored values (they never leave the tab).
#[derive(Clone, Copy)]
pub(super) struct Recorder {
    pub phase: RwSignal<Phase>,
    recording: RwSignal<bool>,
    pub elapsed_ms: RwSignal<u32>,
    pub levels: RwSignal<Vec<f32>>,
    /// How far the held finger has slid (left and up are negative).
    pub drag: RwSignal<(f64, f64)>,
    pub hint: RwSignal<Option<Hint>>,
    /// The `blob:` URL and length of the recording being reviewed.
    pub review: RwSignal<Option<(String, u32)>>,
    voice: StoredValue<Option<RecordedVoice>, LocalStorage>,
    capture: StoredValue<Option<Capture>, LocalStorage>,
    ticker: StoredValue<Option<IntervalHandle>>,
    hint_timer: StoredValue<Option<TimeoutHandle>>,
    press: StoredValue<Option<Press>>,
    last_touch_at: StoredValue<f64>,
    on_recorded: Callback<RecordedVoice>,
}

impl Recorder {
    fn set_phase(self, phase: Phase) {
        self.phase.set(phase);
        let _ = self.recording.try_set(matches!(phase, Phase::Holding | Phase::Recording | Phase::Stopping | Phase::Review));
    }

    pub fn show_hint(self, text: impl Into<String>, error: bool) {
        if let Some(timer) = self.hint_timer.try_update_value(Option::take).flatten() {
            timer.clear();
        }
        self.hint.set(Some(Hint { text: text.into(), error }));
        let hint = self.hint;
        let after = Duration::from_millis(if error { 7_000 } else { 2_500 });
        let clear = move || {
            let _ = hint.try_set(None);
        };
        if let Ok(timer) = set_timeout_with_handle(clear, after) {
            self.hint_timer.set_value(Some(timer));
        }
    }

    fn begin(self, by_touch: bool) {
        if self.phase.get_untracked() != Phase::Idle {
            return;
        }
        self.hint.set(None);
        #[cfg(feature = "hydrate")]
        super::registry::pause_all();
        self.set_phase(Phase::Starting { by_touch });
        spawn_local(async move {
            let opened = Capture::open().await;
            let Some(phase) = self.phase.try_get_untracked() else { return };
            let capture = match opened {
                Err(e) => {
                    self.set_phase(Phase::Idle);
                    self.show_hint(e.message(), true);
                    return;
                }
                Ok(capture) => capture,
            };
            if phase != (Phase::Starting { by_touch }) {
                capture.cancel();
            } else if by_touch && self.press.get_value().is_none() {
                // Released before the microphone was ready (a tap, or the permission prompt).
                capture.cancel();
                self.set_phase(Phase::Idle);
                self.show_hint("Hold to record", false);
            } else {
                self.capture.set_value(Some(capture));
                self.elapsed_ms.set(0);
                self.levels.set(vec![0.0; LEVEL_BARS]);
                self.set_phase(if by_touch { Phase::Holding } else { Phase::Recording });
                self.start_ticker();
                if !by_touch {
                    request_animation_frame(|| crate::browser::focus_id("voice-stop"));
                }
            }
        });
    }

    /// Every 100 ms: the running time, the level meter, and the length limit.
    fn start_ticker(self) {
        let tick = move || {
            let Some(Some((elapsed, level))) = self.capture.try_with_value(|c| c.as_ref().map(|c| (c.elapsed_ms(), c.level()))) else {
                return;
            };
            self.elapsed_ms.set(elapsed);
            self.levels.update(|l| push_level(l, level));
            if elapsed >= MAX_RECORDING_MS {
                self.stop(Then::Review);
                self.show_hint("Voice messages can be up to 15 minutes long", false);
            }
        };
        if let Ok(handle) = set_interval_with_handle(tick, Duration::from_millis(100)) {
            self.ticker.set_value(Some(handle));
        }
    }

    fn stop_ticker(self) {
        if let Some(handle) = self.ticker.try_update_value(Option::take).flatten() {
            handle.clear();
        }
    }

    fn stop(self, then: Then) {
        self.stop_ticker();
        let Some(capture) = self.capture.try_update_value(Option::take).flatten() else { return };
        self.set_phase(Phase::Stopping);
        spawn_local(async move {
            let voice = capture.finish().await;
            if self.phase.try_get_untracked().is_none() {
                return;
            }
            match voice {
                None => {
                    self.reset();
                    self.show_hint("Nothing was recorded", true);
                }
                Some(voice) if voice.duration_ms < MIN_RECORDING_MS => {
                    self.reset();
                    self.show_hint(if then == Then::Send { "Hold to record" } else { "Too short to send" }, false);
                }
                Some(voice) if then == Then::Send => {
                    self.reset();
                    self.on_recorded.run(voice);
                }
                Some(voice) => {
                    self.review.set(Some((object_url(&voice), voice.duration_ms)));
                    self.voice.set_value(Some(voice));
                    self.set_phase(Phase::Review);
                    request_animation_frame(|| crate::browser::focus_id("voice-send"));
                }
            }
        });
    }

    /// Throws away what is being recorded or reviewed.
    pub fn cancel(self) {
        self.stop_ticker();
        if let Some(capture) = self.capture.try_update_value(Option::take).flatten() {
            capture.cancel();
        }
        self.reset();
    }

    /// Lets go of the microphone and the review's `blob:` URL without touching the view.
    fn release(self) {
        self.stop_ticker();
        if let Some(capture) = self.capture.try_update_value(Option::take).flatten() {
            capture.cancel();
        }
        if let Some(Some((url, _))) = self.review.try_get_untracked() {
            revoke_object_url(&url);
        }
    }

    pub fn stop_to_review(self) {
        self.stop(Then::Review);
    }

    pub fn send_reviewed(self) {
        let voice = self.voice.try_update_value(Option::take).flatten();
        self.reset();
        if let Some(voice) = voice {
            self.on_recorded.run(voice);
        }
    }

    fn reset(self) {
        if let Some(Some((url, _))) = self.review.try_update(Option::take) {
            revoke_object_url(&url);
        }
        let _ = self.voice.try_set_value(None);
        let _ = self.press.try_set_value(None);
        let _ = self.drag.try_set((0.0, 0.0));
        let _ = self.elapsed_ms.try_set(0);
        if self.phase.try_get_untracked().is_some() {
            self.set_phase(Phase::Idle);
        }
    }

    /// The finger moved while holding: follow it, cancel past the left mark, lock past the top.
    fn hold_moved(self, dx: f64, dy: f64) {
        match hold_gesture(dx, dy) {
            Hold::Recording => self.drag.set((dx.clamp(-SLIDE_TO_CANCEL_PX, 0.0), dy.clamp(-SLIDE_TO_LOCK_PX, 0.0))),
            Hold::Cancel => {
                self.press.set_value(None);
                self.cancel();
            }
            Hold::Lock => {
                self.press.set_value(None);
                self.drag.set((0.0, 0.0));
                self.set_phase(Phase::Recording);
            }
        }
    }
}

/// The microphone button and, while recording, the recording bar. `on_recorded` gets a
/// recording the person chose to send; `recording` is true while the bar replaces the composer.
/// While `recording`, the recorder grows to fill its row and brings its own Stop/Send buttons.
#[component]
pub fn VoiceRecorder(on_recorded: Callback<RecordedVoice>, recording: RwSignal<bool>) -> impl IntoView {
    let r = Recorder {
        phase: RwSignal::new(Phase::Idle),
        recording,
        elapsed_ms: RwSignal::new(0),
        levels: RwSignal::new(Vec::new()),
        drag: RwSignal::new((0.0, 0.0)),
        hint: RwSignal::new(None),
        review: RwSignal::new(None),
        voice: StoredValue::new_local(None),
        capture: StoredValue::new_local(None),
        ticker: StoredValue::new(None),
        hint_timer: StoredValue::new(None),
        press: StoredValue::new(None),
        last_touch_at: StoredValue::new(f64::NEG_INFINITY),
        on_recorded,
    };
    // Leaving the conversation mid-recording releases the microphone.
    on_cleanup(move || {
        r.release();
        let _ = recording.try_set(false);
    });

    let mic = NodeRef::<leptos::html::Button>::new();
    let on_down = move |ev: PointerEvent| {
        if ev.pointer_type() != "touch" || !ev.is_primary() {
            return; // a mouse or pen clicks instead
        }
        r.last_touch_at.set_value(ev.time_stamp());
        if r.phase.get_untracked() != Phase::Idle {
            return;
        }
        capture_pointer(mic.get_untracked(), &ev);
        r.press.set_value(Some(Press { pointer: ev.pointer_id(), x: f64::from(ev.client_x()), y: f64::from(ev.client_y()) }));
        r.begin(true);
    };
    let held = move |ev: &PointerEvent| r.press.get_value().filter(|p| p.pointer == ev.pointer_id());
    let on_move = move |ev: PointerEvent| {
        if let Some(p) = held(&ev).filter(|_| r.phase.get_untracked() == Phase::Holding) {
            r.hold_moved(f64::from(ev.client_x()) - p.x, f64::from(ev.client_y()) - p.y);
        }
    };
    let on_up = move |ev: PointerEvent| {
        if ev.pointer_type() == "touch" {
            r.last_touch_at.set_value(ev.time_stamp());
        }
        if held(&ev).is_some() {
            r.press.set_value(None);
            r.drag.set((0.0, 0.0));
            if r.phase.get_untracked() == Phase::Holding {
                r.stop(Then::Send);
            }
        }
    };
    let on_cancel = move |ev: PointerEvent| {
        if held(&ev).is_some() {
            r.press.set_value(None);
            if r.phase.get_untracked() == Phase::Holding {
                r.cancel();
            }
        }
    };
    let on_click = move |ev: leptos::ev::MouseEvent| {
        // The click a finger's press ends with was handled by the press itself.
        if ev.time_stamp() - r.last_touch_at.get_value() < 1_000.0 {
            return;
        }
        r.begin(false);
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Escape" && !matches!(r.phase.get_untracked(), Phase::Idle | Phase::Stopping) {
            ev.prevent_default();
            r.cancel();
        }
    };

    let phase = r.phase;
    let bar_shown = move || matches!(phase.get(), Phase::Holding | Phase::Recording | Phase::Stopping | Phase::Review);
    let mic_class = move || {
        let look = match phase.get() {
            Phase::Idle => "bg-slate-100 text-slate-600 hover:bg-slate-200 hover:text-slate-900 dark:bg-slate-800 dark:text-slate-300 dark:hover:bg-slate-700",
            Phase::Starting { .. } => "animate-pulse bg-rose-100 text-rose-600 dark:bg-rose-950 dark:text-rose-300",
            Phase::Holding => "bg-rose-600 text-white shadow-lg",
            Phase::Recording | Phase::Stopping | Phase::Review => return "hidden".to_owned(),
        };
        format!("relative z-10 flex h-11 w-11 shrink-0 touch-none items-center justify-center rounded-full shadow-sm select-none [-webkit-touch-callout:none] focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-500/50 {look}")
    };
    // The held button follows the finger (a little larger, so it shows around it).
    let mic_transform = move || {
        let (dx, dy) = r.drag.get();
        (phase.get() == Phase::Holding).then(|| format!("translate({dx:.0}px, {dy:.0}px) scale(1.35)"))
    };
    let lock_opacity = move || format!("{:.2}", 0.55 + 0.45 * (-r.drag.get().1 / SLIDE_TO_LOCK_PX).clamp(0.0, 1.0));

    view! {
        <div data-testid="voice-recorder" data-phase=move || format!("{:?}", phase.get()).to_lowercase()
            on:keydown=on_key
            class=move || if bar_shown() { "relative flex min-w-0 flex-1 items-center gap-2" } else { "relative flex shrink-0 items-center" }>
            <HintBubble hint=r.hint/>
            {move || match phase.get() {
                Phase::Holding => view! { <HoldBar recorder=r/> }.into_any(),
                Phase::Recording | Phase::Stopping => view! { <RecordingBar recorder=r/> }.into_any(),
                Phase::Review => r.review.get().map(|(url, duration_ms)| view! { <ReviewBar recorder=r url duration_ms/> }.into_any()).unwrap_or_else(|| ().into_any()),
                _ => ().into_any(),
            }}
            <Show when=move || phase.get() == Phase::Holding>
                <span class="pointer-events-none absolute right-0 bottom-full mb-6 flex w-11 flex-col items-center gap-1 rounded-full bg-white py-2 text-slate-500 shadow-md dark:bg-slate-800 dark:text-slate-300"
                    style:opacity=lock_opacity aria-hidden="true">
                    <IconLock class="h-4 w-4"/>
                    <IconChevronUp class="h-4 w-4 animate-bounce"/>
                </span>
            </Show>
            <button node_ref=mic type="button" data-testid="voice-mic" class=mic_class style:transform=mic_transform
                aria-label=move || if phase.get() == Phase::Holding { "Recording: release to send" } else { "Record voice message" }
                on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up on:pointercancel=on_cancel
                on:click=on_click on:contextmenu=|ev| ev.prevent_default()>
                <IconMic/>
            </button>
        </div>
    }
}

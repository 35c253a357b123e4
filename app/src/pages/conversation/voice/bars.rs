//! What the recorder shows in place of the composer: the bar while a finger holds the microphone,
//! the bar while recording hands free (time, level meter, Stop), and the review bar (listen,
//! seek, discard, send). Plus the hint above the microphone.
use leptos::prelude::*;

use super::{
    icons::{IconPause, IconPlay, IconStop},
    logic::{SLIDE_TO_CANCEL_PX, played_fraction},
    recorder::{Hint, Phase, Recorder},
    seek_bar::{SeekBar, Tone, seek_audio},
};
use crate::{
    components::icons::{IconAlert, IconSend, IconTrash},
    media::types::duration_text,
};

const BAR: &str = "flex h-11 min-w-0 flex-1 items-center gap-2 rounded-3xl border border-slate-300 bg-slate-50 dark:border-slate-700 dark:bg-slate-900";
const ROUND_BUTTON: &str = "flex h-11 w-11 shrink-0 items-center justify-center rounded-full text-white shadow-sm focus:outline-none focus-visible:ring-2 disabled:opacity-60";
const TRASH: &str = "flex h-9 w-9 shrink-0 items-center justify-center rounded-full text-slate-500 hover:bg-rose-50 hover:text-rose-600 focus:outline-none focus-visible:ring-2 focus-visible:ring-rose-400 dark:text-slate-400 dark:hover:bg-rose-950 dark:hover:text-rose-300";

#[component]
pub fn HintBubble(hint: RwSignal<Option<Hint>>) -> impl IntoView {
    move || {
        hint.get().map(|Hint { text, error }| {
            let look = if error { "w-64 bg-rose-600" } else { "whitespace-nowrap bg-slate-900 dark:bg-slate-700" };
            view! {
                <div role=if error { "alert" } else { "status" } data-testid="voice-hint"
                    class=format!("absolute right-0 bottom-full z-20 mb-3 rounded-xl px-3 py-2 text-sm text-white shadow-lg {look}")>
                    {text}
                    <span class="absolute right-4 -bottom-1 h-2 w-2 rotate-45 bg-inherit" aria-hidden="true"></span>
                </div>
            }
        })
    }
}

/// The running time with a blinking red dot.
#[component]
fn RunningTime(elapsed_ms: RwSignal<u32>) -> impl IntoView {
    view! {
        <span class="flex shrink-0 items-center gap-2 text-sm font-medium text-slate-700 tabular-nums dark:text-slate-200"
            data-testid="voice-recording-time" role="timer" aria-label="Recording time">
            <span class="h-2.5 w-2.5 animate-pulse rounded-full bg-rose-500" aria-hidden="true"></span>
            {move || duration_text(elapsed_ms.get())}
        </span>
    }
}

/// A finger holds the microphone: the time, and what sliding left does.
#[component]
pub fn HoldBar(recorder: Recorder) -> impl IntoView {
    let slid = move || (-recorder.drag.get().0 / SLIDE_TO_CANCEL_PX).clamp(0.0, 1.0);
    view! {
        <div class=format!("{BAR} pr-2 pl-4") data-testid="voice-recording-bar">
            <RunningTime elapsed_ms=recorder.elapsed_ms/>
            <span class="min-w-0 flex-1 truncate text-center text-sm text-slate-500 dark:text-slate-400"
                style:opacity=move || format!("{:.2}", 1.0 - 0.8 * slid())
                style:transform=move || format!("translateX({:.0}px)", -slid() * 40.0)>
                "‹ Slide to cancel"
            </span>
        </div>
    }
}

/// The microphone's loudness over the last few seconds, newest on the right.
#[component]
fn LevelMeter(levels: RwSignal<Vec<f32>>) -> impl IntoView {
    view! {
        <span class="flex h-7 min-w-0 flex-1 items-center justify-end gap-[2px] overflow-hidden" data-testid="voice-level" aria-hidden="true">
            {move || levels.get().into_iter().map(|level| view! {
                <span class="w-[3px] shrink-0 rounded-full bg-rose-500/80 transition-[height] duration-100"
                    style:height=format!("{:.0}%", 12.0 + 88.0 * level)></span>
            }).collect_view()}
        </span>
    }
}

/// Recording hands free: cancel, the time, the level meter, and Stop.
#[component]
pub fn RecordingBar(recorder: Recorder) -> impl IntoView {
    let stopping = move || recorder.phase.get() == Phase::Stopping;
    view! {
        <div class=format!("{BAR} pr-3 pl-1") data-testid="voice-recording-bar">
            <button type="button" class=TRASH aria-label="Cancel recording" on:click=move |_| recorder.cancel() disabled=stopping>
                <IconTrash/>
            </button>
            <RunningTime elapsed_ms=recorder.elapsed_ms/>
            <LevelMeter levels=recorder.levels/>
        </div>
        <button type="button" id="voice-stop" aria-label="Stop recording" disabled=stopping
            on:click=move |_| recorder.stop_to_review()
            class=format!("{ROUND_BUTTON} bg-rose-600 hover:bg-rose-500 focus-visible:ring-rose-400/60")>
            <IconStop class="h-4 w-4"/>
        </button>
    }
}

/// Listening to a recording before sending it.
#[component]
pub fn ReviewBar(recorder: Recorder, url: String, duration_ms: u32) -> impl IntoView {
    let audio = NodeRef::<leptos::html::Audio>::new();
    let playing = RwSignal::new(false);
    let position = RwSignal::new(0.0_f64);
    let failed = RwSignal::new(false);
    let toggle = move |_| {
        let Some(el) = audio.get_untracked() else { return };
        if el.paused() {
            #[cfg(feature = "hydrate")]
            super::registry::play(&el);
        } else {
            let _ = el.pause();
        }
    };
    let on_seek = seek_audio(audio, position, duration_ms);
    let on_play = move |_| {
        playing.set(true);
        #[cfg(feature = "hydrate")]
        if let Some(el) = audio.get_untracked() {
            super::registry::pause_others(&el);
        }
    };
    let on_ended = move |_| {
        playing.set(false);
        position.set(0.0);
    };
    let on_time = move |_| {
        if let Some(el) = audio.get_untracked() {
            position.set(el.current_time());
        }
    };
    let fraction = Signal::derive(move || played_fraction(position.get(), duration_ms));
    let time_text = move || {
        if playing.get() || position.get() > 0.0 { duration_text((position.get() * 1000.0) as u32) } else { duration_text(duration_ms) }
    };

    view! {
        <div class=format!("{BAR} pr-3 pl-1") data-testid="voice-review">
            <button type="button" class=TRASH aria-label="Discard recording" on:click=move |_| recorder.cancel()>
                <IconTrash/>
            </button>
            <button type="button" on:click=toggle
                aria-label=move || if playing.get() { "Pause recording" } else { "Play recording" }
                title=move || failed.get().then_some("This recording cannot be played here; it can still be sent")
                class="flex h-8 w-8 shrink-0 items-center justify-center rounded-full bg-indigo-600 text-white hover:bg-indigo-500 focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-400">
                {move || match (failed.get(), playing.get()) {
                    (true, _) => view! { <IconAlert class="h-4 w-4"/> }.into_any(),
                    (false, true) => view! { <IconPause class="h-4 w-4"/> }.into_any(),
                    (false, false) => view! { <IconPlay class="ml-0.5 h-4 w-4"/> }.into_any(),
                }}
            </button>
            <SeekBar fraction duration_ms on_seek tone=Tone::Their label="Recording position"/>
            <span class="shrink-0 text-sm text-slate-600 tabular-nums dark:text-slate-300" data-testid="voice-review-time">{time_text}</span>
            <audio node_ref=audio src=url preload="auto" data-testid="voice-review-audio"
                on:play=on_play on:pause=move |_| playing.set(false) on:ended=on_ended on:timeupdate=on_time
                on:error=move |_| { failed.set(true); playing.set(false); }></audio>
        </div>
        <button type="button" id="voice-send" aria-label="Send voice message" on:click=move |_| recorder.send_reviewed()
            class=format!("{ROUND_BUTTON} bg-indigo-600 hover:bg-indigo-500 focus-visible:ring-indigo-500/50")>
            <IconSend/>
        </button>
    }
}

//! Playing a voice note in a bubble: play/pause, a progress bar to seek in, the time, and the
//! speed (1×, 1.5×, 2×). The `<audio>` element's own duration is not used: MediaRecorder's WebM
//! reports Infinity, so the length is the one measured while recording.
use leptos::prelude::*;

use super::{
    icons::{IconPause, IconPlay},
    logic::{Speed, played_fraction},
    seek_bar::{SeekBar, Tone, seek_audio},
};
use crate::{components::icons::IconAlert, media::types::{AttachmentView, duration_text}};

/// Play/pause, a seekable progress bar, the duration and the speed (1×, 1.5×, 2×). When one
/// ends, the next voice note of the conversation plays on.
#[component]
pub fn VoicePlayer(attachment: AttachmentView, mine: bool) -> impl IntoView {
    let duration_ms = attachment.duration_ms.unwrap_or(0);
    let audio = NodeRef::<leptos::html::Audio>::new();
    let playing = RwSignal::new(false);
    let position = RwSignal::new(0.0_f64);
    let speed = RwSignal::new(Speed::Normal);
    let failed = RwSignal::new(false);
    register(audio);

    let toggle = move |_| {
        let Some(el) = audio.get_untracked() else { return };
        if el.paused() {
            start(&el, speed.get_untracked());
        } else {
            let _ = el.pause();
        }
    };
    let on_seek = seek_audio(audio, position, duration_ms);
    let next_speed = move |_| {
        speed.update(|s| *s = s.next());
        if let Some(el) = audio.get_untracked() {
            el.set_playback_rate(speed.get_untracked().rate());
        }
    };
    let on_play = move |_| {
        playing.set(true);
        failed.set(false);
        if let Some(el) = audio.get_untracked() {
            el.set_playback_rate(speed.get_untracked().rate());
            #[cfg(feature = "hydrate")]
            super::registry::pause_others(&el);
        }
    };
    let on_ended = move |_| {
        playing.set(false);
        position.set(0.0);
        if let Some(el) = audio.get_untracked() {
            el.set_current_time(0.0);
            #[cfg(feature = "hydrate")]
            super::registry::play_next(&el);
        }
    };
    let on_time = move |_| {
        if let Some(el) = audio.get_untracked() {
            position.set(el.current_time());
        }
    };

    let fraction = Signal::derive(move || played_fraction(position.get(), duration_ms));
    let total = duration_text(duration_ms);
    let time_text = {
        let total = total.clone();
        move || {
            if playing.get() || position.get() > 0.0 {
                format!("{} / {total}", duration_text((position.get() * 1000.0) as u32))
            } else {
                total.clone()
            }
        }
    };
    let tone = if mine { Tone::Own } else { Tone::Their };
    let (button, meta, pill) = if mine {
        ("bg-white text-indigo-600 hover:bg-indigo-50", "text-indigo-100", "bg-white/20 text-white hover:bg-white/30")
    } else {
        (
            "bg-indigo-600 text-white hover:bg-indigo-500",
            "text-slate-500 dark:text-slate-400",
            "bg-slate-200 text-slate-700 hover:bg-slate-300 dark:bg-slate-700 dark:text-slate-200 dark:hover:bg-slate-600",
        )
    };

    view! {
        <div role="group" aria-label=format!("Voice message, {total}") data-voice-note="" data-testid="voice-note"
            data-attachment-id=attachment.id.clone() data-playing=move || playing.get().to_string()
            class="flex w-64 max-w-full items-center gap-3 py-1">
            <button type="button" on:click=toggle
                aria-label=move || if playing.get() { "Pause voice message" } else { "Play voice message" }
                title=move || failed.get().then_some("This voice message could not be loaded")
                class=format!("flex h-10 w-10 shrink-0 items-center justify-center rounded-full shadow-sm transition-colors focus:outline-none focus-visible:ring-2 focus-visible:ring-indigo-300 {button}")>
                {move || match (failed.get(), playing.get()) {
                    (true, _) => view! { <IconAlert class="h-5 w-5"/> }.into_any(),
                    (false, true) => view! { <IconPause class="h-5 w-5"/> }.into_any(),
                    (false, false) => view! { <IconPlay class="ml-0.5 h-5 w-5"/> }.into_any(),
                }}
            </button>
            <div class="flex min-w-0 flex-1 flex-col gap-0.5 pt-1">
                <SeekBar fraction duration_ms on_seek tone label="Voice message position"/>
                <div class="flex items-center gap-2 pr-14">
                    <span class=format!("text-xs tabular-nums {meta}") data-testid="voice-time">{time_text}</span>
                    <button type="button" on:click=next_speed data-testid="voice-speed"
                        aria-label=move || format!("Playback speed {}", speed.get().label())
                        class=format!("rounded-full px-1.5 py-px text-[11px] leading-4 font-semibold tabular-nums transition-colors {pill}")>
                        {move || speed.get().label()}
                    </button>
                </div>
            </div>
            <audio node_ref=audio src=attachment.url.clone() preload="metadata" data-testid="voice-audio"
                on:play=on_play on:pause=move |_| playing.set(false) on:ended=on_ended on:timeupdate=on_time
                on:error=move |_| { failed.set(true); playing.set(false); }></audio>
        </div>
    }
}

/// Starts playing at the chosen speed (pausing any other voice note).
fn start(el: &leptos::web_sys::HtmlAudioElement, speed: Speed) {
    el.set_playback_rate(speed.rate());
    #[cfg(feature = "hydrate")]
    super::registry::play(el);
}

/// Puts the player's `<audio>` on the page's list (only one plays; the next plays on).
fn register(audio: NodeRef<leptos::html::Audio>) {
    #[cfg(feature = "hydrate")]
    {
        let id = super::registry::next_id();
        audio.on_load(move |el| super::registry::register(id, el));
        on_cleanup(move || super::registry::unregister(id));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = audio;
}

//! A progress bar to seek in by click, tap or drag (and the arrow keys), shared by the player and
//! the recorder's "listen before sending".
use leptos::{ev::PointerEvent, prelude::*};

use super::logic::{seek_fraction, seek_seconds};
use crate::media::types::duration_text;

/// What a bar's `on_seek` does for an `<audio>`: moves it (and the shown `position`) to the
/// fraction of `duration_ms` picked.
pub fn seek_audio(audio: NodeRef<leptos::html::Audio>, position: RwSignal<f64>, duration_ms: u32) -> Callback<f64> {
    Callback::new(move |fraction: f64| {
        let to = seek_seconds(fraction, duration_ms);
        position.set(to);
        if let Some(el) = audio.get_untracked() {
            el.set_current_time(to);
        }
    })
}

/// The colours of a bar on an own bubble, or on someone else's bubble (and in the composer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Own,
    Their,
}

impl Tone {
    fn track(self) -> &'static str {
        match self {
            Tone::Own => "bg-white/35",
            Tone::Their => "bg-slate-300 dark:bg-slate-600",
        }
    }

    fn fill(self) -> &'static str {
        match self {
            Tone::Own => "bg-white",
            Tone::Their => "bg-indigo-500 dark:bg-indigo-400",
        }
    }
}

/// `fraction` is how much has played (0.0 to 1.0); `on_seek` gets the fraction chosen.
#[component]
pub fn SeekBar(
    fraction: Signal<f64>,
    duration_ms: u32,
    on_seek: Callback<f64>,
    tone: Tone,
    #[prop(into)] label: String,
) -> impl IntoView {
    // While a finger or the mouse drags, the bar follows it; the audio seeks on release.
    let dragging = RwSignal::new(None::<f64>);
    let bar = NodeRef::<leptos::html::Div>::new();
    let shown = move || dragging.get().unwrap_or_else(|| fraction.get());
    // Playback reports its time about four times a second: fill and knob glide between reports
    // at the same pace; a drag moves them at once.
    let glide = move |property: &str| match (dragging.get().is_some(), property) {
        (true, _) => "",
        (false, "width") => "transition-[width] duration-[250ms] ease-linear",
        (false, _) => "transition-[left] duration-[250ms] ease-linear",
    };
    let percent = move || format!("{:.2}%", shown() * 100.0);

    let on_down = move |ev: PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        ev.prevent_default();
        capture_pointer(bar.get_untracked(), &ev);
        dragging.set(Some(pointer_fraction(bar, &ev)));
    };
    let on_move = move |ev: PointerEvent| {
        if dragging.get_untracked().is_some() {
            dragging.set(Some(pointer_fraction(bar, &ev)));
        }
    };
    let on_up = move |ev: PointerEvent| {
        if dragging.get_untracked().is_some() {
            dragging.set(None);
            on_seek.run(pointer_fraction(bar, &ev));
        }
    };
    let step = if duration_ms > 0 { (5_000.0 / f64::from(duration_ms)).min(1.0) } else { 0.1 };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        let now = fraction.get_untracked();
        let to = match ev.key().as_str() {
            "ArrowLeft" | "ArrowDown" => now - step,
            "ArrowRight" | "ArrowUp" => now + step,
            "Home" => 0.0,
            "End" => 1.0,
            _ => return,
        };
        ev.prevent_default();
        on_seek.run(to.clamp(0.0, 1.0));
    };
    let position_text = move || duration_text((shown() * f64::from(duration_ms)) as u32);
    let total = duration_text(duration_ms);

    view! {
        <div node_ref=bar role="slider" tabindex="0" aria-label=label aria-valuemin="0" aria-valuemax=duration_ms / 1000
            aria-valuenow=move || (shown() * f64::from(duration_ms) / 1000.0).round()
            aria-valuetext=move || format!("{} of {}", position_text(), total)
            data-testid="voice-seek"
            on:pointerdown=on_down on:pointermove=on_move on:pointerup=on_up
            on:pointercancel=move |_| dragging.set(None) on:keydown=on_key
            class="group/seek relative flex h-6 min-w-0 flex-1 cursor-pointer touch-none items-center rounded outline-none select-none focus-visible:ring-2 focus-visible:ring-indigo-400">
            <span class=format!("relative block h-1 w-full overflow-hidden rounded-full {}", tone.track())>
                <span class=move || format!("absolute inset-y-0 left-0 block rounded-full {} {}", tone.fill(), glide("width"))
                    style:width=percent></span>
            </span>
            <span class=move || format!("absolute top-1/2 block h-3 w-3 -translate-x-1/2 -translate-y-1/2 rounded-full shadow group-active/seek:scale-125 {} {}", tone.fill(), glide("left"))
                style:left=percent></span>
        </div>
    }
}

/// Where the pointer is along the bar.
fn pointer_fraction(bar: NodeRef<leptos::html::Div>, ev: &PointerEvent) -> f64 {
    #[cfg(feature = "hydrate")]
    {
        let Some(bar) = bar.get_untracked() else { return 0.0 };
        let rect = bar.get_bounding_client_rect();
        seek_fraction(f64::from(ev.client_x()), rect.left(), rect.width())
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (bar, ev);
        seek_fraction(0.0, 0.0, 0.0)
    }
}

/// Keeps the pointer's moves coming to `el` while it drags, also outside it. (Events reach
/// handlers through delegation, so `current_target` is not the element: hence the node ref.)
pub fn capture_pointer(el: Option<impl AsRef<leptos::web_sys::Element>>, ev: &PointerEvent) {
    if let Some(el) = el {
        let _ = el.as_ref().set_pointer_capture(ev.pointer_id());
    }
}

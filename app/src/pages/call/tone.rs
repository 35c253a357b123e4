//! The ring tone (incoming) and ringback (outgoing): a two-tone pattern from an oscillator, so no
//! sound file is fetched; and vibration where the browser allows it. A browser that has not yet
//! seen a tap on the page may keep the sound off; the screen still shows the call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tone {
    Ring,
    Ringback,
}

#[cfg(feature = "hydrate")]
pub use browser::{play, silence};

#[cfg(not(feature = "hydrate"))]
pub fn play(_: Tone) {}
#[cfg(not(feature = "hydrate"))]
pub fn silence() {}

#[cfg(feature = "hydrate")]
mod browser {
    use std::cell::RefCell;

    use wasm_bindgen::JsValue;
    use web_sys::{AudioContext, OscillatorType};

    use super::Tone;

    thread_local! {
        static PLAYING: RefCell<Option<AudioContext>> = const { RefCell::new(None) };
    }

    /// Seconds of the pattern scheduled at once: longer than any ring.
    const SCHEDULED_SECS: f64 = 120.0;

    pub fn play(tone: Tone) {
        silence();
        let Ok(context) = AudioContext::new() else { return };
        let (Ok(gain), Ok(low), Ok(high)) = (context.create_gain(), context.create_oscillator(), context.create_oscillator()) else { return };
        let (volume, on, period) = match tone {
            Tone::Ring => (0.2, 1.0, 3.0),
            Tone::Ringback => (0.08, 1.0, 4.0),
        };
        for (osc, hz) in [(&low, 440.0), (&high, 480.0)] {
            osc.set_type(OscillatorType::Sine);
            osc.frequency().set_value(hz);
            let _ = osc.connect_with_audio_node(&gain);
        }
        let _ = gain.connect_with_audio_node(&context.destination());
        let level = gain.gain();
        level.set_value(0.0);
        let start = context.current_time();
        let mut at = 0.0;
        while at < SCHEDULED_SECS {
            let _ = level.set_value_at_time(volume, start + at);
            let _ = level.set_value_at_time(0.0, start + at + on);
            at += period;
        }
        let _ = low.start();
        let _ = high.start();
        if tone == Tone::Ring {
            vibrate(&[400.0, 200.0, 400.0, 2000.0]);
        }
        PLAYING.with(|p| *p.borrow_mut() = Some(context));
    }

    pub fn silence() {
        if let Some(context) = PLAYING.with(|p| p.borrow_mut().take()) {
            let _ = context.close();
            vibrate(&[]);
        }
    }

    /// `navigator.vibrate(pattern)` where it exists (phones); an empty pattern stops it.
    fn vibrate(pattern: &[f64]) {
        let Some(navigator) = web_sys::window().map(|w| w.navigator()) else { return };
        let Ok(vibrate) = js_sys::Reflect::get(&navigator, &"vibrate".into()) else { return };
        if let Some(vibrate) = wasm_bindgen::JsCast::dyn_ref::<js_sys::Function>(&vibrate) {
            let pattern: js_sys::Array = pattern.iter().map(|ms| JsValue::from_f64(*ms)).collect();
            let _ = vibrate.call1(&navigator, &pattern);
        }
    }
}
